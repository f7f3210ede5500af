/**
 * Idempotency-Key handling over `DeprovisionStore` (conditional put of a claim item in the
 * main table; see README.md): the body hash, and what a caller that lost the claim gets.
 */
import { createHash } from 'node:crypto';
import type { DeprovisionAction, DeprovisionRequest } from '../domain/model.js';
import { ApiProblem } from '../http/problem.js';
import type { DeprovisionStore, IdempotencyClaim } from '../store/ports.js';

/** The parts of a request that must be equal for a retry to count as the same request. */
export interface RequestBody {
  accountId: string;
  action: DeprovisionAction;
  reason: string;
  dryRun: boolean;
}

/** A stable hash of the request body (the org is part of the claim's key already). */
export function bodyHashOf(body: RequestBody): string {
  const canonical = JSON.stringify([body.accountId, body.action, body.reason, body.dryRun]);
  return createHash('sha256').update(canonical).digest('base64url');
}

export interface WaitOptions {
  /** Polls of the first request's record before giving up. */
  maxPolls: number;
  pollIntervalMs: number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * The stored record of the request that holds the key, once it has an answer.
 *
 * Refuses at once (422) a key reused for another body; otherwise polls, a bounded number of
 * times, for the first request's record (it is written once, when that request has its
 * answer), and answers 409 `IDEMPOTENCY_IN_PROGRESS` when it does not appear in time.
 */
export async function awaitFirstRequest(
  store: DeprovisionStore,
  orgId: string,
  existing: IdempotencyClaim,
  body: RequestBody & { bodyHash: string },
  options: WaitOptions,
): Promise<DeprovisionRequest & { response: NonNullable<DeprovisionRequest['response']> }> {
  const differs =
    existing.bodyHash !== undefined
      ? existing.bodyHash !== body.bodyHash
      : existing.accountId !== body.accountId || existing.action !== body.action;
  if (differs) throw keyReused(existing.requestId);
  for (let poll = 0; poll < options.maxPolls; poll++) {
    if (poll > 0) await options.sleep(options.pollIntervalMs);
    const first = await store.getDeprovisionRequest(orgId, existing.requestId);
    if (first?.response !== undefined) {
      if (first.bodyHash !== undefined && first.bodyHash !== body.bodyHash) throw keyReused(existing.requestId);
      return first as DeprovisionRequest & { response: NonNullable<DeprovisionRequest['response']> };
    }
  }
  throw new ApiProblem(
    409,
    'IDEMPOTENCY_IN_PROGRESS',
    `a request with this Idempotency-Key (request ${existing.requestId}) is still being processed; ` +
      'retry with the same Idempotency-Key in a few seconds to get its result (Atlassian is not called twice)',
    { requestId: existing.requestId },
  );
}

function keyReused(requestId: string): ApiProblem {
  return new ApiProblem(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    `this Idempotency-Key was already used for a different request (request ${requestId}: another account, action, ` +
      'reason or dryRun); use a new Idempotency-Key for a new request',
    { requestId },
  );
}
