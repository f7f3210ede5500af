/**
 * Queuing syncs: manual and on-connect requests (HTTP API, local mode) and the scheduled
 * fan-out (one message per connected org). Each creates a `queued` run record first, so
 * the run is visible in `GET /orgs/{orgId}/sync-runs` before a worker picks it up.
 */
import { randomUUID } from 'node:crypto';
import type { Org, SyncRun, SyncTrigger } from '../domain/model.js';
import { logger } from '../observability.js';
import type { SyncRequest } from '../ports.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import { OrgNotFoundError, StaleWriteError } from '../store/index.js';
import { zeroCounts } from './counts.js';

export type QueueDependencies = Pick<ConnectorDependencies, 'stores' | 'syncQueue' | 'clock'>;

/** A run id that sorts by queue time, e.g. `20261201T120000123Z-1a2b3c4d`. */
export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
}

/**
 * Queues a sync of one connected org and returns its run id (the API answers 202 `{runId}`).
 * Throws `OrgNotFoundError` for an unknown or disconnected org. When the queue refuses the
 * message, the run is recorded as failed and the error is rethrown.
 */
export async function requestSync(orgId: string, trigger: Exclude<SyncTrigger, 'continuation'>, deps: QueueDependencies): Promise<string> {
  const org = await deps.stores.orgs.getOrg(orgId);
  if (org === undefined || org.status === 'disconnected') throw new OrgNotFoundError(orgId);
  const [run] = await queueRuns([org], trigger, deps);
  return (run as SyncRun).runId;
}

export interface DispatchResult {
  /** Orgs a sync was queued for. */
  queued: number;
  /** Disconnected orgs, not synced. */
  skipped: number;
  runIds: string[];
}

/** The scheduled fan-out: a queued run and one queue message per connected (not disconnected) org. */
export async function dispatchScheduledSyncs(deps: QueueDependencies): Promise<DispatchResult> {
  const orgs = await deps.stores.orgs.listOrgs();
  const connected = orgs.filter((org) => org.status !== 'disconnected');
  const runs = await queueRuns(connected, 'schedule', deps);
  const result = { queued: runs.length, skipped: orgs.length - connected.length, runIds: runs.map((run) => run.runId) };
  logger.info('scheduled syncs queued', { queued: result.queued, skipped: result.skipped });
  return result;
}

async function queueRuns(orgs: readonly Org[], trigger: SyncTrigger, deps: QueueDependencies): Promise<SyncRun[]> {
  const runs: SyncRun[] = [];
  for (const org of orgs) {
    const now = deps.clock();
    const run: SyncRun = {
      runId: newRunId(now),
      orgId: org.orgId,
      trigger,
      outcome: 'queued',
      queuedAt: now.toISOString(),
      pages: 0,
      counts: zeroCounts(),
    };
    await deps.stores.syncRuns.createSyncRun(run);
    runs.push(run);
  }
  if (runs.length === 0) return runs;
  const requests: SyncRequest[] = runs.map((run) => ({ orgId: run.orgId, runId: run.runId, trigger: run.trigger }));
  try {
    await deps.syncQueue.enqueue(requests);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const finishedAt = deps.clock().toISOString();
    for (const run of runs) {
      try {
        await deps.stores.syncRuns.updateSyncRun(
          run.orgId,
          run.runId,
          { outcome: 'failed', finishedAt, error: { code: 'QUEUE_UNAVAILABLE', message: `the sync could not be queued: ${message}` } },
          { expectedOutcome: ['queued'] },
        );
      } catch (updateError) {
        // A worker already picked this run up: its message was queued before the failure.
        if (!(updateError instanceof StaleWriteError)) throw updateError;
      }
    }
    throw error;
  }
  return runs;
}
