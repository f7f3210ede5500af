/** Queueing a sync of one org: a `queued` run in the store, then a message on the sync queue. */
import { randomUUID } from 'node:crypto';
import type { SyncTrigger } from '../domain/model.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';

/** Creates the queued run and enqueues it; returns its id. */
export async function queueSync(
  orgId: string,
  trigger: SyncTrigger,
  deps: Pick<ConnectorDependencies, 'stores' | 'syncQueue' | 'clock'>,
): Promise<string> {
  const runId = randomUUID();
  await deps.stores.syncRuns.createSyncRun({
    runId,
    orgId,
    trigger,
    outcome: 'queued',
    queuedAt: deps.clock().toISOString(),
    pages: 0,
    counts: { seen: 0, added: 0, changed: 0, removed: 0, unchanged: 0 },
  });
  await deps.syncQueue.enqueue([{ orgId, runId, trigger }]);
  return runId;
}
