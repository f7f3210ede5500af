/**
 * Syncs one Atlassian organization into its DynamoDB snapshot (SPEC §6); see README.md.
 *
 * Pages stream from Atlassian and are written while the next page is fetched (at most
 * one page in flight each way); only added and changed users are written. Users missing
 * from a complete listing are tombstoned unless the run looks suspicious. The run stops
 * before the Lambda deadline, saves a checkpoint and queues its own continuation.
 */
import { DeadlineExceededError, KeyRejectedError, RateLimitedError } from '../atlassian/index.js';
import { hasDiagnostic, keyMissingDiagnostic } from '../domain/diagnostics.js';
import type { LastSyncSummary, Org, SyncCounts, SyncOutcome, SyncRun } from '../domain/model.js';
import { logger } from '../observability.js';
import type { AtlassianDirectory, ManagedUserPage, SyncRequest } from '../ports.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import { SecretNotFoundError } from '../secrets/errors.js';
import { BatchIncompleteError, OrgNotFoundError, type SyncLease } from '../store/index.js';
import { applyPage } from './apply-page.js';
import { addCounts, zeroCounts } from './counts.js';
import { SyncLeaseLostError, SyncRetryableError } from './errors.js';
import { RunLease } from './lease.js';
import { isUpstreamFailure, recordCompletedRun, recordFailedRun } from './org-health.js';
import { applyRemovals, decideRemovals, scanMissingUsers } from './removals.js';
import { SYNC_LEASE_RENEW_EVERY_PAGES } from './timing.js';

export type SyncDependencies = Pick<ConnectorDependencies, 'config' | 'stores' | 'secrets' | 'atlassian' | 'syncQueue' | 'clock'>;

export interface SyncOrgOptions {
  /** Epoch ms when the invocation must be over (the Lambda deadline); the run stops `config.deadlineSafetyMs` before it. */
  deadline: number;
}

export interface SyncOrgResult {
  orgId: string;
  runId: string;
  /** The run's outcome after this invocation (`partial` when a continuation was queued). */
  outcome: SyncOutcome;
  pages: number;
  counts: SyncCounts;
  /**
   * Why nothing was synced: the run had already finished, the org is disconnected, or a
   * newer run completed a full listing while this one was paused (its earlier pages are stale).
   */
  skipped?: 'finished' | 'disconnected' | 'superseded';
  heldReason?: string;
  error?: { code: string; message: string };
}

/** Run outcomes that a (re)delivered message may continue. */
const RESUMABLE: readonly SyncOutcome[] = ['queued', 'running', 'partial', 'failed'];
/** Error codes of failed runs that a redelivery must not resume: only an admin can fix them. */
const FINAL_ERROR_CODES = new Set([
  'KEY_REJECTED',
  'KEY_MISSING',
  'FORBIDDEN',
  'NOT_FOUND',
  'ATLASSIAN_REJECTED',
  'ORG_DISCONNECTED',
  'SYNC_SUPERSEDED',
]);
/** A progress line every this many pages. */
const LOG_EVERY_PAGES = 10;

/**
 * Syncs one org end to end, or continues its run from the checkpoint, while holding the
 * org's sync lease (one run per org at a time).
 *
 * Returns the recorded outcome for everything the queue should not retry (success, held,
 * partial with a queued continuation, rejected or missing key, already finished,
 * disconnected org, superseded run). Throws `OrgNotFoundError` for an unknown org, and
 * `SyncRetryableError` when a later attempt can succeed: another run holds the lease
 * (`SYNC_IN_PROGRESS`, nothing touched), or, after recording the run as failed with its
 * checkpoint, rate limits, Atlassian unavailable, AWS errors. A redelivered message then
 * resumes the same run.
 */
export async function syncOrg(request: SyncRequest, deps: SyncDependencies, options: SyncOrgOptions): Promise<SyncOrgResult> {
  const { orgId, runId } = request;
  const { stores } = deps;
  const org = await stores.orgs.getOrg(orgId);
  if (org === undefined) throw new OrgNotFoundError(orgId);
  const run = await loadOrCreateRun(request, deps);

  if (!isResumable(run)) return resultOf(run, { skipped: 'finished' });
  if (org.status === 'disconnected') {
    const finished = await stores.syncRuns.updateSyncRun(orgId, runId, {
      outcome: 'failed',
      finishedAt: deps.clock().toISOString(),
      error: { code: 'ORG_DISCONNECTED', message: `organization ${orgId} was disconnected; nothing was synced` },
    });
    return resultOf(finished, { skipped: 'disconnected' });
  }

  const lease = new RunLease(stores.orgs, orgId, runId, deps.clock);
  const claim = await lease.take();
  if (!claim.taken) throw leaseRefused(run, claim.holder);
  let keepLease = false;
  try {
    // Read again under the lease: another run may have finished since the first read.
    const current = await stores.orgs.getOrg(orgId);
    if (current === undefined) throw new OrgNotFoundError(orgId);
    const newer = newerCompleteRun(current, run);
    if (newer !== undefined) return await closeSupersededRun(run, newer, deps);

    await stores.syncRuns.updateSyncRun(
      orgId,
      runId,
      { outcome: 'running', startedAt: run.startedAt ?? deps.clock().toISOString(), error: null },
      { expectedOutcome: RESUMABLE },
    );
    const progress: Progress = { pages: run.pages, counts: run.counts };
    if (run.checkpoint !== undefined) progress.checkpoint = run.checkpoint;
    try {
      const directory = deps.atlassian(await deps.secrets.getApiKey(orgId));
      logger.info('sync started', { orgId, runId, trigger: run.trigger, resumedAtPage: progress.pages });
      const stopAt = options.deadline - deps.config.deadlineSafetyMs;
      const end = await streamPages({ org: current, runId, deps, directory, progress, lease, stopAt });
      if (end.kind === 'error') throw end.error;
      if (end.kind === 'deadline') {
        const paused = await saveContinuation(request, run, progress, deps, lease);
        keepLease = true;
        return paused;
      }
      return await finishCompleteRun(current, run, progress, deps, lease);
    } catch (error) {
      return await recordFailure(current, run, progress, error, deps);
    }
  } finally {
    if (!keepLease) await lease.release();
  }
}

/** Another run holds the org's lease: this run touches nothing and asks the queue to deliver it again later. */
function leaseRefused(run: SyncRun, holder: SyncLease): SyncRetryableError {
  const until = new Date(holder.expiresAt).toISOString();
  logger.info('sync deferred: another run of the organization holds its lease', {
    orgId: run.orgId,
    runId: run.runId,
    holderRunId: holder.runId,
    leaseExpiresAt: until,
  });
  return new SyncRetryableError(
    'SYNC_IN_PROGRESS',
    run.orgId,
    run.runId,
    `run ${holder.runId} is syncing this organization (lease until ${until}); this run stays ${run.outcome} and is retried later`,
  );
}

/**
 * A complete run (succeeded or held) of the org that finished after this run started: this
 * run's earlier pages predate it, so finishing this run could tombstone users that run saw.
 */
function newerCompleteRun(org: Org, run: SyncRun): LastSyncSummary | undefined {
  const last = org.lastSync;
  if (last === undefined || run.startedAt === undefined || run.pages === 0 || last.runId === run.runId) return undefined;
  if (last.outcome !== 'succeeded' && last.outcome !== 'held') return undefined;
  return last.finishedAt > run.startedAt ? last : undefined;
}

/** Closes a superseded run as `failed`/`SYNC_SUPERSEDED`: its written pages stay, nothing is removed, the org is left alone. */
async function closeSupersededRun(run: SyncRun, newer: LastSyncSummary, deps: SyncDependencies): Promise<SyncOrgResult> {
  const closed = await deps.stores.syncRuns.updateSyncRun(
    run.orgId,
    run.runId,
    {
      outcome: 'failed',
      finishedAt: deps.clock().toISOString(),
      error: {
        code: 'SYNC_SUPERSEDED',
        message:
          `run ${newer.runId} completed a full listing of this organization at ${newer.finishedAt}, after this run started; ` +
          "this run's earlier pages are out of date, so it stops without removing anyone",
      },
    },
    { expectedOutcome: RESUMABLE },
  );
  logger.info('sync superseded by a newer complete run', { orgId: run.orgId, runId: run.runId, newerRunId: newer.runId });
  return resultOf(closed, { skipped: 'superseded' });
}

interface Progress {
  pages: number;
  counts: SyncCounts;
  /** Cursor of the next page to fetch; absent at the start or after the last page. */
  checkpoint?: string;
}

type StreamEnd = { kind: 'complete' } | { kind: 'deadline' } | { kind: 'error'; error: unknown };

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so a pending fetch or write can wait while the other fails. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

interface StreamContext {
  org: Org;
  runId: string;
  deps: SyncDependencies;
  directory: AtlassianDirectory;
  progress: Progress;
  lease: RunLease;
  /** Epoch ms after which no page is fetched. */
  stopAt: number;
}

/**
 * The pipeline: while page N is compared and written, page N+1 is fetched; page N+2 is
 * requested only after page N's writes are done. Memory holds at most two pages.
 * After each page's writes, the run's checkpoint, page count and counts are saved, so a
 * crash or a failure resumes exactly after the last written page.
 */
async function streamPages(context: StreamContext): Promise<StreamEnd> {
  const { org, runId, deps, directory, progress, lease, stopAt } = context;
  const timeLeft = () => deps.clock().getTime() < stopAt;
  if (!timeLeft()) return { kind: 'deadline' };
  const iterator = directory
    .listUserPages(org.orgId, { ...(progress.checkpoint === undefined ? {} : { cursor: progress.checkpoint }), deadline: stopAt })
    [Symbol.asyncIterator]();
  const pageContext = { orgId: org.orgId, runId, stores: deps.stores };

  async function writePage(page: ManagedUserPage, chunk: number): Promise<void> {
    const counts = await applyPage(pageContext, page.users, chunk, deps.clock());
    progress.counts = addCounts(progress.counts, counts);
    progress.pages = chunk + 1;
    if (page.nextCursor === undefined) delete progress.checkpoint;
    else progress.checkpoint = page.nextCursor;
    await deps.stores.syncRuns.updateSyncRun(
      org.orgId,
      runId,
      { pages: progress.pages, counts: progress.counts, checkpoint: progress.checkpoint ?? null },
      { expectedOutcome: ['running'] },
    );
    if (progress.pages % SYNC_LEASE_RENEW_EVERY_PAGES === 0) await lease.renew();
    if (progress.pages % LOG_EVERY_PAGES === 0) {
      logger.info('sync progress', { orgId: org.orgId, runId, pages: progress.pages, ...progress.counts });
    }
  }

  let fetching: Promise<Settled<IteratorResult<ManagedUserPage>>> | undefined = settle(iterator.next());
  let writing: Promise<Settled<void>> | undefined;
  let nextChunk = progress.pages;
  try {
    for (;;) {
      const fetched = fetching === undefined ? undefined : await fetching;
      const written = writing === undefined ? undefined : await writing;
      fetching = undefined;
      writing = undefined;
      if (written?.ok === false) return { kind: 'error', error: written.error };
      if (fetched === undefined) return progress.checkpoint === undefined ? { kind: 'complete' } : { kind: 'deadline' };
      if (!fetched.ok) {
        return fetched.error instanceof DeadlineExceededError ? { kind: 'deadline' } : { kind: 'error', error: fetched.error };
      }
      if (fetched.value.done) return { kind: 'complete' };
      const page = fetched.value.value;
      if (page.nextCursor !== undefined && timeLeft()) fetching = settle(iterator.next());
      writing = settle(writePage(page, nextChunk++));
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * Stops before the deadline: the run becomes `partial` and a continuation of the same run is
 * queued. The run keeps the org's lease (renewed here), so no other run slips in between.
 */
async function saveContinuation(
  request: SyncRequest,
  run: SyncRun,
  progress: Progress,
  deps: SyncDependencies,
  lease: RunLease,
): Promise<SyncOrgResult> {
  const { orgId, runId } = request;
  await lease.renew();
  const saved = await deps.stores.syncRuns.updateSyncRun(
    orgId,
    runId,
    { outcome: 'partial', pages: progress.pages, counts: progress.counts, checkpoint: progress.checkpoint ?? null },
    { expectedOutcome: ['running'] },
  );
  await deps.syncQueue.enqueue([{ orgId, runId, trigger: 'continuation' }]);
  logger.info('sync paused before the deadline; continuation queued', {
    orgId,
    runId,
    trigger: run.trigger,
    pages: progress.pages,
    ...progress.counts,
  });
  return resultOf(saved);
}

/** The listing is complete: find the missing users, tombstone them unless suspicious, and update the org. */
async function finishCompleteRun(org: Org, run: SyncRun, progress: Progress, deps: SyncDependencies, lease: RunLease): Promise<SyncOrgResult> {
  const { orgId, runId } = run;
  const { stores } = deps;
  // Removals only under a lease this run still holds.
  await lease.renew();
  const scan = await scanMissingUsers(stores, orgId, runId);
  const decision = decideRemovals({
    seen: progress.counts.seen,
    added: progress.counts.added,
    scan,
    suspiciousShare: deps.config.suspiciousRemovalShare,
    confirmsHeldRun: org.lastSync?.outcome === 'held' && hasDiagnostic(org.diagnostics, 'SYNC_HELD'),
  });
  const now = deps.clock();
  const removed = decision.apply ? await applyRemovals(stores, orgId, runId, scan.missing, now) : 0;
  const counts = { ...progress.counts, removed };
  const outcome: SyncOutcome = decision.apply ? 'succeeded' : 'held';
  const finishedAt = deps.clock().toISOString();
  const finished = await stores.syncRuns.updateSyncRun(
    orgId,
    runId,
    {
      outcome,
      finishedAt,
      pages: progress.pages,
      counts,
      checkpoint: null,
      heldReason: decision.apply ? null : decision.reason,
    },
    { expectedOutcome: ['running'] },
  );
  await recordCompletedRun(stores.orgs, org, {
    summary: { runId, outcome, finishedAt, counts },
    seen: counts.seen,
    ...(decision.apply ? {} : { held: { reason: decision.reason, zeroSeen: decision.zeroSeen } }),
    userCount: scan.currentTotal - removed,
    now,
  });
  const summary = { orgId, runId, trigger: run.trigger, outcome, pages: progress.pages, ...counts };
  if (decision.apply) logger.info('sync finished', summary);
  else logger.warn('sync held: removals not applied', { ...summary, wouldRemove: scan.missing.length, reason: decision.reason });
  return resultOf(finished);
}

/**
 * Records a failed run (keeping its checkpoint and counts; nothing is tombstoned) and the
 * org's diagnostics. Retryable failures are rethrown as `SyncRetryableError`.
 */
async function recordFailure(org: Org, run: SyncRun, progress: Progress, error: unknown, deps: SyncDependencies): Promise<SyncOrgResult> {
  const { orgId, runId } = run;
  const failure = describeFailure(error, orgId, deps.clock());
  const finishedAt = deps.clock().toISOString();
  logger.warn('sync failed', { orgId, runId, trigger: run.trigger, pages: progress.pages, ...failure, retryable: failure.retryable });
  const runError = { code: failure.code, message: failure.message };
  const finished = await deps.stores.syncRuns.updateSyncRun(
    orgId,
    runId,
    { outcome: 'failed', finishedAt, pages: progress.pages, counts: progress.counts, checkpoint: progress.checkpoint ?? null, error: runError },
    { expectedOutcome: ['running', 'partial'] },
  );
  // A run that lost its lease leaves the org to the run that holds it now.
  if (!(error instanceof SyncLeaseLostError)) {
    await recordFailedRun(deps.stores.orgs, org, { runId, outcome: 'failed', finishedAt, counts: progress.counts }, error, deps.clock());
  }
  if (failure.retryable) throw new SyncRetryableError(failure.code, orgId, runId, failure.message, { cause: error });
  return resultOf(finished);
}

interface FailureDescription {
  code: string;
  message: string;
  retryable: boolean;
}

function describeFailure(error: unknown, orgId: string, now: Date): FailureDescription {
  if (error instanceof KeyRejectedError) return { code: error.code, message: error.message, retryable: false };
  if (error instanceof SecretNotFoundError) return { code: 'KEY_MISSING', message: keyMissingDiagnostic(now, orgId).message, retryable: false };
  if (error instanceof SyncLeaseLostError) return { code: error.code, message: error.message, retryable: true };
  if (error instanceof RateLimitedError || isUpstreamFailure(error) || error instanceof BatchIncompleteError) {
    return { code: error.code, message: error.message, retryable: true };
  }
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && FINAL_ERROR_CODES.has(error.code)) {
    return { code: error.code, message: error.message, retryable: false };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: 'SYNC_FAILED', message, retryable: true };
}

async function loadOrCreateRun(request: SyncRequest, deps: SyncDependencies): Promise<SyncRun> {
  const existing = await deps.stores.syncRuns.getSyncRun(request.orgId, request.runId);
  if (existing !== undefined) return existing;
  await deps.stores.syncRuns.createSyncRun({
    runId: request.runId,
    orgId: request.orgId,
    trigger: request.trigger,
    outcome: 'queued',
    queuedAt: deps.clock().toISOString(),
    pages: 0,
    counts: zeroCounts(),
  });
  const created = await deps.stores.syncRuns.getSyncRun(request.orgId, request.runId);
  if (created === undefined) throw new Error(`sync run ${request.runId} of organization ${request.orgId} vanished after it was created`);
  return created;
}

function isResumable(run: SyncRun): boolean {
  if (!RESUMABLE.includes(run.outcome)) return false;
  return run.outcome !== 'failed' || !FINAL_ERROR_CODES.has(run.error?.code ?? '');
}

function resultOf(run: SyncRun, extra: Pick<SyncOrgResult, 'skipped'> = {}): SyncOrgResult {
  const result: SyncOrgResult = { orgId: run.orgId, runId: run.runId, outcome: run.outcome, pages: run.pages, counts: run.counts, ...extra };
  if (run.heldReason !== undefined) result.heldReason = run.heldReason;
  if (run.error !== undefined) result.error = run.error;
  return result;
}
