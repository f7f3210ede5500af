/**
 * Deprovisioning one user of one org: suspend access, restore access, remove from the
 * directory — idempotent per `Idempotency-Key`, audited, SCIM-aware.
 *
 * The answer is computed once per request and stored with the audit record, so a retry
 * with the same key replays it exactly (status and body) without calling Atlassian again.
 * See README.md for the idempotency design.
 */
import { randomUUID } from 'node:crypto';
import {
  AtlassianApiError,
  DeadlineExceededError,
  ForbiddenError,
  KeyRejectedError,
  NotFoundError,
  RateLimitedError,
  RequestRejectedError,
  ScimManagedError,
  UpstreamError,
} from '../atlassian/errors.js';
import { diffSnapshots } from '../domain/diff.js';
import { keyRejectedDiagnostic } from '../domain/diagnostics.js';
import type { DeprovisionAction, DeprovisionOutcome, DeprovisionRequest, Org, UserSnapshot } from '../domain/model.js';
import { ApiProblem, toProblem } from '../http/problem.js';
import type { WriteResult } from '../ports.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import { awaitFirstRequest, bodyHashOf } from './idempotency.js';
import { atlassianWriteEndpoint, DIRECTORY_WRITE, dryRunWarnings, isScimManaged, SCIM_GUIDANCE, snapshotAfter } from './plan.js';

export interface DeprovisionInput {
  orgId: string;
  accountId: string;
  action: DeprovisionAction;
  reason: string;
  dryRun: boolean;
  /** Required unless `dryRun`. */
  idempotencyKey?: string;
  /** IAM principal ARN; `local` in local mode. */
  requester: string;
  /** Path of the request, echoed as `instance` in problem documents. */
  instance?: string;
}

/** The HTTP answer: a JSON result (2xx) or a problem document (4xx/5xx). */
export interface DeprovisionReply {
  status: number;
  body: Record<string, unknown>;
  /** True when this is the stored answer of an earlier request with the same key. */
  replayed: boolean;
}

/** Logging the service does (compatible with the Powertools Logger); never the key or the body. */
export interface DeprovisionLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface DeprovisionOptions {
  /** Epoch ms after which no Atlassian request is started. */
  deadline?: number;
  /** How long a duplicate request waits for the first one's answer. @default 10000 */
  waitForFirstMs?: number;
  /** @default 100 */
  pollIntervalMs?: number;
  /** @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  /** @default crypto.randomUUID */
  newRequestId?: () => string;
  logger?: DeprovisionLogger;
}

export type DeprovisionDependencies = Pick<ConnectorDependencies, 'stores' | 'secrets' | 'atlassian' | 'clock'>;

/** An answer before it is stored: what to audit beside the HTTP reply. */
interface Decision {
  status: number;
  body: Record<string, unknown>;
  outcome: DeprovisionOutcome;
  atlassian?: DeprovisionRequest['atlassian'];
  error?: DeprovisionRequest['error'];
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Handles one deprovision request end to end. Throws `ApiProblem` for refusals that are not
 * audited (no idempotency key on a real run, unknown org, key reused for another body,
 * first request still in progress); every other answer is audited and returned.
 */
export async function deprovisionUser(
  deps: DeprovisionDependencies,
  input: DeprovisionInput,
  options: DeprovisionOptions = {},
): Promise<DeprovisionReply> {
  if (!input.dryRun && input.idempotencyKey === undefined) {
    throw new ApiProblem(
      400,
      'IDEMPOTENCY_KEY_REQUIRED',
      'an Idempotency-Key header is required to suspend, restore or remove a user (any unique value, e.g. a UUID; ' +
        'send the same value again to retry safely)',
      { errors: [{ field: 'header.idempotency-key', message: 'is required unless dryRun is true' }] },
    );
  }
  const org = await deps.stores.orgs.getOrg(input.orgId);
  if (org === undefined) {
    throw new ApiProblem(404, 'ORG_NOT_FOUND', `organization ${input.orgId} is not connected; connect it with POST /orgs`);
  }

  const requestId = (options.newRequestId ?? randomUUID)();
  const requestedAt = deps.clock().toISOString();
  const bodyHash = bodyHashOf(input);

  if (input.idempotencyKey !== undefined) {
    const claim = await deps.stores.deprovisions.claimIdempotencyKey(input.orgId, input.idempotencyKey, {
      requestId,
      accountId: input.accountId,
      action: input.action,
      bodyHash,
    });
    if (!claim.claimed) {
      const pollIntervalMs = options.pollIntervalMs ?? 100;
      const first = await awaitFirstRequest(
        deps.stores.deprovisions,
        input.orgId,
        claim.existing,
        { ...input, bodyHash },
        {
          maxPolls: Math.max(1, Math.ceil((options.waitForFirstMs ?? 10_000) / pollIntervalMs)),
          pollIntervalMs,
          sleep: options.sleep ?? realSleep,
        },
      );
      options.logger?.info('deprovision request replayed', { orgId: input.orgId, requestId: first.requestId });
      return { status: first.response.status, body: first.response.body, replayed: true };
    }
  }

  let decision: Decision;
  try {
    decision = await decide(deps, org, input, requestId, options);
  } catch (thrown) {
    options.logger?.error('deprovision request failed unexpectedly', { orgId: input.orgId, requestId, error: thrown });
    decision = {
      status: 500,
      outcome: 'failed',
      error: { code: 'INTERNAL_ERROR', message: 'unexpected error; see the deprovision function logs' },
      body: toProblem(thrown, input.instance ? { instance: input.instance } : {}),
    };
  }

  const body: Record<string, unknown> = { ...decision.body, requestId };
  const record: DeprovisionRequest = {
    requestId,
    orgId: input.orgId,
    accountId: input.accountId,
    action: input.action,
    reason: input.reason,
    dryRun: input.dryRun,
    requester: input.requester,
    outcome: decision.outcome,
    bodyHash,
    response: { status: decision.status, body: JSON.parse(JSON.stringify(body)) as Record<string, unknown> },
    requestedAt,
    completedAt: deps.clock().toISOString(),
  };
  if (input.idempotencyKey !== undefined) record.idempotencyKey = input.idempotencyKey;
  if (decision.atlassian !== undefined) record.atlassian = decision.atlassian;
  if (decision.error !== undefined) record.error = decision.error;
  await deps.stores.deprovisions.putDeprovisionRequest(record);
  options.logger?.info('deprovision request recorded', {
    orgId: input.orgId,
    requestId,
    action: input.action,
    outcome: decision.outcome,
    status: decision.status,
  });
  return { status: decision.status, body, replayed: false };
}

async function decide(
  deps: DeprovisionDependencies,
  org: Org,
  input: DeprovisionInput,
  requestId: string,
  options: DeprovisionOptions,
): Promise<Decision> {
  const { orgId, accountId, action } = input;
  if (org.status === 'disconnected') {
    return refusal(input, 409, 'ORG_DISCONNECTED', `organization ${orgId} is disconnected; reconnect it with POST /orgs first`);
  }
  const snapshot = await deps.stores.snapshots.getSnapshot(orgId, accountId);
  if (snapshot === undefined || (snapshot.removedAt !== undefined && action !== 'remove')) {
    const why =
      snapshot === undefined
        ? `account ${accountId} is not a known user of organization ${orgId}`
        : `account ${accountId} is no longer in organization ${orgId} (removed at ${snapshot.removedAt})`;
    return refusal(input, 404, 'USER_NOT_FOUND', `${why}; if it was added recently, sync the org with POST /orgs/${orgId}/sync`);
  }

  if (input.dryRun) {
    return {
      status: 200,
      outcome: 'dry_run',
      body: {
        ...summary(input),
        outcome: 'dry_run',
        wouldCall: atlassianWriteEndpoint(action, orgId, accountId),
        scimManaged: isScimManaged(snapshot),
        warnings: dryRunWarnings(action, snapshot),
        user: userView(snapshot),
      },
    };
  }

  const apiKey = await deps.secrets.getApiKey(orgId);
  const directory = deps.atlassian(apiKey);
  const call = { deadline: options.deadline };
  let atlassian: NonNullable<DeprovisionRequest['atlassian']>;
  const warnings: string[] = [];
  try {
    atlassian = atlassianSummary(await directory[DIRECTORY_WRITE[action]](orgId, accountId, call));
  } catch (thrown) {
    if (action === 'remove' && thrown instanceof NotFoundError) {
      // A retried DELETE answers 404 when an earlier attempt went through: the user is gone either way.
      atlassian = errorSummary(thrown);
      warnings.push('Atlassian no longer knows this account in the directory; it counts as removed');
    } else {
      return await failure(deps, org, input, snapshot, thrown, options.logger);
    }
  }

  const now = deps.clock();
  const next = snapshotAfter(action, snapshot, now);
  try {
    await deps.stores.snapshots.writeSnapshots([next]);
    const change = diffSnapshots(snapshot, next, { at: now.toISOString(), runId: requestId, source: 'deprovision' });
    if (change !== undefined) await deps.stores.changes.writeChanges([change]);
  } catch (thrown) {
    options.logger?.warn('snapshot not updated after deprovisioning', { orgId, requestId, error: thrown });
    warnings.push('Atlassian applied the change but the snapshot could not be updated; the next sync will reflect it');
  }
  return {
    status: 200,
    outcome: 'done',
    atlassian,
    body: { ...summary(input), outcome: 'done', atlassian, warnings, user: userView(next) },
  };
}

/** Maps a failed Atlassian write to an audited answer; SCIM refusals are never retried. */
async function failure(
  deps: DeprovisionDependencies,
  org: Org,
  input: DeprovisionInput,
  snapshot: UserSnapshot,
  thrown: unknown,
  logger: DeprovisionLogger | undefined,
): Promise<Decision> {
  if (!(thrown instanceof AtlassianApiError)) throw thrown;
  const { orgId, accountId, action } = input;
  const atlassian = errorSummary(thrown);
  const scim = thrown instanceof ScimManagedError || (thrown instanceof ForbiddenError && isScimManaged(snapshot));
  if (scim) {
    return refusal(input, 409, 'SCIM_MANAGED', `Atlassian refused to ${action} account ${accountId}: ${SCIM_GUIDANCE}`, {
      outcome: 'blocked_scim',
      atlassian,
      extensions: { guidance: SCIM_GUIDANCE, ...(snapshot.managementSource ? { managementSource: snapshot.managementSource } : {}) },
    });
  }
  const said = thrown.detail ? ` (Atlassian said: ${thrown.detail})` : '';
  const failed = { outcome: 'failed' as const, atlassian };
  if (thrown instanceof KeyRejectedError) {
    await markKeyRejected(deps, org, logger);
    return refusal(
      input,
      502,
      'KEY_REJECTED',
      `the Atlassian API key of organization ${orgId} was rejected — it may have expired or been revoked; ` +
        `rotate it with PUT /orgs/${orgId}/api-key, then retry with a new Idempotency-Key. Nothing was changed`,
      failed,
    );
  }
  if (thrown instanceof RateLimitedError) {
    const retryAfterSeconds = thrown.retryAfterMs === undefined ? undefined : Math.ceil(thrown.retryAfterMs / 1000);
    const when = retryAfterSeconds === undefined ? 'later' : `in ${retryAfterSeconds} s`;
    return refusal(
      input,
      429,
      'RATE_LIMITED',
      `Atlassian rate-limited the API key; nothing was changed: retry ${when} with a new Idempotency-Key`,
      { ...failed, extensions: retryAfterSeconds === undefined ? {} : { retryAfterSeconds } },
    );
  }
  if (thrown instanceof UpstreamError || thrown instanceof DeadlineExceededError) {
    return refusal(
      input,
      503,
      thrown instanceof UpstreamError ? 'UPSTREAM_UNAVAILABLE' : 'DEADLINE_EXCEEDED',
      `Atlassian did not complete the request in time${said}; it may or may not have been applied. ` +
        `Retry with a new Idempotency-Key (repeating a ${action} is harmless)`,
      failed,
    );
  }
  if (thrown instanceof RequestRejectedError) {
    return refusal(input, 422, 'ATLASSIAN_REJECTED', `Atlassian refused to ${action} account ${accountId}${said}`, failed);
  }
  if (thrown instanceof NotFoundError) {
    return refusal(
      input,
      404,
      'USER_NOT_FOUND',
      `Atlassian does not know account ${accountId} in organization ${orgId}${said}; the next sync will mark it removed`,
      failed,
    );
  }
  if (thrown instanceof ForbiddenError) {
    return refusal(
      input,
      502,
      'FORBIDDEN',
      `Atlassian does not let this API key ${action} account ${accountId}${said}; check the key's scopes in admin.atlassian.com`,
      failed,
    );
  }
  const problem = toProblem(thrown);
  return refusal(input, problem.status, problem.code, problem.detail, failed);
}

/** A problem answer with what to audit. */
function refusal(
  input: DeprovisionInput,
  status: number,
  code: string,
  detail: string,
  extra: {
    outcome?: DeprovisionOutcome;
    atlassian?: DeprovisionRequest['atlassian'];
    extensions?: Record<string, unknown>;
  } = {},
): Decision {
  const problem = new ApiProblem(status, code, detail, {
    ...summary(input),
    outcome: extra.outcome ?? 'failed',
    ...(extra.atlassian ? { atlassian: extra.atlassian } : {}),
    ...extra.extensions,
  });
  const decision: Decision = {
    status,
    outcome: extra.outcome ?? 'failed',
    error: { code, message: detail },
    body: toProblem(problem, input.instance ? { instance: input.instance } : {}),
  };
  if (extra.atlassian !== undefined) decision.atlassian = extra.atlassian;
  return decision;
}

/**
 * Like a sync that meets a 401: the org shows the rejected key until it is rotated. Best
 * effort: the answer and its audit record do not depend on it.
 */
async function markKeyRejected(deps: DeprovisionDependencies, org: Org, logger: DeprovisionLogger | undefined): Promise<void> {
  const now = deps.clock();
  const diagnostic = keyRejectedDiagnostic(now, org.orgId);
  try {
    await deps.stores.orgs.setDiagnostic(org.orgId, diagnostic);
    await deps.stores.orgs.updateOrg(
      org.orgId,
      { status: 'error', statusReason: diagnostic.message, updatedAt: now.toISOString() },
      { expectedStatus: ['pending', 'healthy', 'error'] },
    );
  } catch (thrown) {
    logger?.warn('could not mark the org key as rejected', { orgId: org.orgId, error: thrown });
  }
}

function summary(input: DeprovisionInput): Record<string, unknown> {
  return {
    orgId: input.orgId,
    accountId: input.accountId,
    action: input.action,
    reason: input.reason,
    dryRun: input.dryRun,
  };
}

function userView(snapshot: UserSnapshot): Record<string, unknown> {
  return {
    accessState: snapshot.accessState,
    accountStatus: snapshot.accountStatus,
    ...(snapshot.membershipStatus === undefined ? {} : { membershipStatus: snapshot.membershipStatus }),
    ...(snapshot.managementSource === undefined ? {} : { managementSource: snapshot.managementSource }),
    ...(snapshot.removedAt === undefined ? {} : { removedAt: snapshot.removedAt }),
  };
}

function atlassianSummary(result: WriteResult): NonNullable<DeprovisionRequest['atlassian']> {
  return result.message === undefined ? { status: result.status } : { status: result.status, message: result.message };
}

function errorSummary(error: AtlassianApiError): NonNullable<DeprovisionRequest['atlassian']> {
  const out: NonNullable<DeprovisionRequest['atlassian']> = {};
  if (error.status !== undefined) out.status = error.status;
  if (error.atlassianCode !== undefined) out.code = error.atlassianCode;
  if (error.detail !== undefined) out.message = error.detail;
  return out;
}
