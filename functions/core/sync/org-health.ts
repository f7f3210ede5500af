/**
 * What a sync run tells about its org: status, reason, diagnostics and the `lastSync`
 * summary. Writes are attribute updates, so they never clobber concurrent writers of
 * other attributes, and never revive an org disconnected during the run.
 */
import { InvalidResponseError, KeyRejectedError, RateLimitedError, UpstreamError } from '../atlassian/index.js';
import {
  clearDiagnostics,
  guardRequiredDiagnostic,
  keyMissingDiagnostic,
  keyRejectedDiagnostic,
  rateLimitedDiagnostic,
  setDiagnostic,
  syncHeldDiagnostic,
  upstreamUnavailableDiagnostic,
} from '../domain/diagnostics.js';
import type { Diagnostic, DiagnosticCode, LastSyncSummary, Org, OrgStatus } from '../domain/model.js';
import { logger } from '../observability.js';
import { SecretNotFoundError } from '../secrets/errors.js';
import { OrgNotFoundError, StaleWriteError, type OrgStore, type OrgUpdate } from '../store/index.js';

/** Status reason of an org whose complete sync returned no managed accounts. */
export const NO_MANAGED_ACCOUNTS_REASON =
  'Atlassian returned no managed accounts for this organization (Atlassian Guard missing, or no verified and claimed domain); see the GUARD_REQUIRED diagnostic';

/** Statuses a sync may update; a `disconnected` org is left alone. */
const CONNECTED: readonly OrgStatus[] = ['pending', 'healthy', 'error'];

export interface CompletedRun {
  summary: LastSyncSummary;
  /** Users the complete listing returned. */
  seen: number;
  /** Set when the run was held: why, and whether because it saw no users at all. */
  held?: { reason: string; zeroSeen: boolean };
  userCount: number;
  now: Date;
}

/**
 * After a complete run (succeeded or held): the key worked and Atlassian answered, so key,
 * rate-limit and upstream diagnostics are cleared. Zero users seen sets `GUARD_REQUIRED`
 * and the status `error`; a run that saw users clears it. A run held for too many removals
 * sets `SYNC_HELD`; a succeeded run clears it. The status becomes `healthy` unless the org
 * still has an error-level diagnostic this run did not clear.
 */
export async function recordCompletedRun(orgs: OrgStore, org: Org, run: CompletedRun): Promise<void> {
  const cleared: DiagnosticCode[] = ['KEY_REJECTED', 'KEY_MISSING', 'RATE_LIMITED', 'UPSTREAM_UNAVAILABLE'];
  if (run.seen > 0) cleared.push('GUARD_REQUIRED');
  if (run.held === undefined) cleared.push('SYNC_HELD');
  const added: Diagnostic[] = [];
  if (run.seen === 0) added.push(guardRequiredDiagnostic(run.now));
  if (run.held !== undefined && !run.held.zeroSeen) added.push(syncHeldDiagnostic(run.held.reason, run.now));

  let remaining = clearDiagnostics(org.diagnostics, cleared);
  for (const diagnostic of added) remaining = setDiagnostic(remaining, diagnostic);
  const update: OrgUpdate = { lastSync: run.summary, userCount: run.userCount };
  if (run.seen === 0) {
    update.status = 'error';
    update.statusReason = NO_MANAGED_ACCOUNTS_REASON;
  } else if (org.status === 'error' && remaining.some((diagnostic) => diagnostic.severity === 'error')) {
    update.status = 'error';
  } else {
    update.status = 'healthy';
    update.statusReason = null;
  }
  await updateConnectedOrg(orgs, org.orgId, update, added, cleared);
}

/**
 * After a failed run: a rejected key marks the org `error` with the KEY_REJECTED reason, a
 * key missing from the secret store with the KEY_MISSING reason;
 * a rate limit or an unavailable Atlassian adds a warning diagnostic and leaves the status.
 */
export async function recordFailedRun(orgs: OrgStore, org: Org, summary: LastSyncSummary, error: unknown, now: Date): Promise<void> {
  const update: OrgUpdate = { lastSync: summary };
  const added: Diagnostic[] = [];
  if (error instanceof KeyRejectedError) {
    const diagnostic = keyRejectedDiagnostic(now, org.orgId);
    update.status = 'error';
    update.statusReason = diagnostic.message;
    added.push(diagnostic);
  } else if (error instanceof SecretNotFoundError) {
    const diagnostic = keyMissingDiagnostic(now, org.orgId);
    update.status = 'error';
    update.statusReason = diagnostic.message;
    added.push(diagnostic);
  } else if (error instanceof RateLimitedError) {
    const seconds = error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1000);
    added.push(rateLimitedDiagnostic(now, seconds));
  } else if (isUpstreamFailure(error)) {
    added.push(upstreamUnavailableDiagnostic(now, error.status === undefined ? error.detail : `HTTP ${error.status}`));
  }
  await updateConnectedOrg(orgs, org.orgId, update, added, []);
}

/** Atlassian failures that a later attempt may not see: 5xx, network, malformed bodies. */
export function isUpstreamFailure(error: unknown): error is UpstreamError | InvalidResponseError {
  return error instanceof UpstreamError || error instanceof InvalidResponseError;
}

async function updateConnectedOrg(
  orgs: OrgStore,
  orgId: string,
  update: OrgUpdate,
  added: readonly Diagnostic[],
  cleared: readonly DiagnosticCode[],
): Promise<void> {
  try {
    await orgs.updateOrg(orgId, update, { expectedStatus: CONNECTED });
  } catch (error) {
    if (!(error instanceof StaleWriteError || error instanceof OrgNotFoundError)) throw error;
    logger.info('organization was disconnected or deleted during the sync; its status is left alone', { orgId });
    return;
  }
  if (cleared.length > 0) await orgs.clearDiagnostics(orgId, cleared);
  for (const diagnostic of added) await orgs.setDiagnostic(orgId, diagnostic);
}
