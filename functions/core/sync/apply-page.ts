/**
 * One page of a sync: compare the users Atlassian returned with their stored snapshots
 * and write only what changed.
 */
import { diffSnapshots } from '../domain/diff.js';
import type { Change, ManagedUser, SyncCounts, UserSnapshot } from '../domain/model.js';
import { buildSnapshot, snapshotNeedsWrite } from '../domain/snapshot.js';
import type { ConnectorStores } from '../store/index.js';

export interface PageContext {
  orgId: string;
  runId: string;
  stores: Pick<ConnectorStores, 'snapshots' | 'changes' | 'syncRuns'>;
}

/** What comparing one page decided: the snapshots and changes to write, and the counts. */
export interface PagePlan {
  writes: UserSnapshot[];
  changes: Change[];
  counts: SyncCounts;
  accountIds: string[];
}

/**
 * Pure part of a page: for each user, build the new snapshot from the previous one and
 * keep it only when its content hash differs (or the user is new or returning).
 * Users listed twice on one page count once (the last record wins).
 */
export function planPage(
  orgId: string,
  runId: string,
  users: readonly ManagedUser[],
  previous: ReadonlyMap<string, UserSnapshot>,
  now: Date,
): PagePlan {
  const byId = new Map<string, ManagedUser>();
  for (const user of users) byId.set(user.accountId, user);
  const plan: PagePlan = {
    writes: [],
    changes: [],
    counts: { seen: byId.size, added: 0, changed: 0, removed: 0, unchanged: 0 },
    accountIds: [...byId.keys()],
  };
  const context = { at: now.toISOString(), runId, source: 'sync' as const };
  for (const user of byId.values()) {
    const before = previous.get(user.accountId);
    const after = buildSnapshot(orgId, user, before, now);
    if (!snapshotNeedsWrite(before, after)) {
      plan.counts.unchanged++;
      continue;
    }
    if (before === undefined || before.removedAt !== undefined) plan.counts.added++;
    else plan.counts.changed++;
    plan.writes.push(after);
    const change = diffSnapshots(before, after, context);
    if (change !== undefined) plan.changes.push(change);
  }
  return plan;
}

/**
 * Reads the page's previous snapshots (one BatchGet per 100 ids), writes the added and
 * changed snapshots and their changes (BatchWrite, retried by the store) and, alongside,
 * records the page's account ids as seen-chunk `chunk` of the run.
 */
export async function applyPage(context: PageContext, users: readonly ManagedUser[], chunk: number, now: Date): Promise<SyncCounts> {
  const { orgId, runId, stores } = context;
  const ids = [...new Set(users.map((user) => user.accountId))];
  const previous = ids.length === 0 ? new Map<string, UserSnapshot>() : await stores.snapshots.getSnapshots(orgId, ids);
  const plan = planPage(orgId, runId, users, previous, now);
  // The three writes are independent and idempotent: if one fails, the page is not
  // checkpointed, and the retry writes all three again.
  await Promise.all([
    plan.writes.length > 0 ? stores.snapshots.writeSnapshots(plan.writes) : undefined,
    plan.changes.length > 0 ? stores.changes.writeChanges(plan.changes) : undefined,
    stores.syncRuns.saveSeenChunk(orgId, runId, chunk, plan.accountIds),
  ]);
  return plan.counts;
}
