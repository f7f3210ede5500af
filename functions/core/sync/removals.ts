/**
 * The end of a complete listing: find the stored users Atlassian no longer returned,
 * decide whether removing them is plausible, and tombstone them if so.
 */
import { diffSnapshots } from '../domain/diff.js';
import type { Change, UserSnapshot } from '../domain/model.js';
import { tombstoneSnapshot } from '../domain/snapshot.js';
import type { ConnectorStores } from '../store/index.js';

/** Ids read, tombstoned and written per batch while applying removals. */
const REMOVAL_BATCH = 100;

export interface RemovalScan {
  /** Current (not removed) users that the run did not see. */
  missing: string[];
  /** Current users in the index at the end of the run (seen or not). */
  currentTotal: number;
}

/**
 * Compares the run's seen ids with the org's current users, page by page.
 * Memory: one Set of the seen account ids (≈ ids only, tens of bytes each) plus the
 * ids of the missing users.
 */
export async function scanMissingUsers(
  stores: Pick<ConnectorStores, 'snapshots' | 'syncRuns'>,
  orgId: string,
  runId: string,
): Promise<RemovalScan> {
  const seen = new Set<string>();
  for await (const chunk of stores.syncRuns.seenChunks(orgId, runId)) {
    for (const id of chunk) seen.add(id);
  }
  const missing: string[] = [];
  let currentTotal = 0;
  for await (const ids of stores.snapshots.currentAccountIds(orgId)) {
    currentTotal += ids.length;
    for (const id of ids) if (!seen.has(id)) missing.push(id);
  }
  return { missing, currentTotal };
}

export type RemovalDecision = { apply: true } | { apply: false; reason: string; zeroSeen: boolean };

export interface RemovalInput {
  /** Users the complete listing returned. */
  seen: number;
  /** Users this run added (new or returning): they were not current before the run. */
  added: number;
  scan: RemovalScan;
  /** Share (0–1) of the org's users a run may remove before it is held. */
  suspiciousShare: number;
  /** The org's previous complete run was held for too many removals and this run confirms them. */
  confirmsHeldRun: boolean;
}

/**
 * A run is suspicious, and its removals are held, when it saw zero users where there
 * were some (never applied: that is the missing-Guard case), or would remove more than
 * `suspiciousShare` of the users the org had before the run (applied only when the next
 * complete run confirms it).
 */
export function decideRemovals(input: RemovalInput): RemovalDecision {
  const missing = input.scan.missing.length;
  if (missing === 0) return { apply: true };
  const before = Math.max(missing, input.scan.currentTotal - input.added);
  if (input.seen === 0) {
    return {
      apply: false,
      zeroSeen: true,
      reason: `Atlassian returned no managed accounts while ${before} user(s) are stored; the snapshot is kept`,
    };
  }
  const share = missing / before;
  if (share > input.suspiciousShare && !input.confirmsHeldRun) {
    return {
      apply: false,
      zeroSeen: false,
      reason:
        `the sync would remove ${missing} of ${before} user(s) (${formatShare(share)}), ` +
        `more than the ${formatShare(input.suspiciousShare)} allowed (SUSPICIOUS_REMOVAL_SHARE)`,
    };
  }
  return { apply: true };
}

/** Tombstones the missing users in batches and records a `removed` change for each; returns how many. */
export async function applyRemovals(
  stores: Pick<ConnectorStores, 'snapshots' | 'changes'>,
  orgId: string,
  runId: string,
  missing: readonly string[],
  now: Date,
): Promise<number> {
  let removed = 0;
  const context = { at: now.toISOString(), runId, source: 'sync' as const };
  for (let start = 0; start < missing.length; start += REMOVAL_BATCH) {
    const snapshots = await stores.snapshots.getSnapshots(orgId, missing.slice(start, start + REMOVAL_BATCH));
    const tombstones: UserSnapshot[] = [];
    const changes: Change[] = [];
    for (const snapshot of snapshots.values()) {
      if (snapshot.removedAt !== undefined) continue;
      const tombstone = tombstoneSnapshot(snapshot, now);
      tombstones.push(tombstone);
      const change = diffSnapshots(snapshot, tombstone, context);
      if (change !== undefined) changes.push(change);
    }
    await Promise.all([
      tombstones.length > 0 ? stores.snapshots.writeSnapshots(tombstones) : undefined,
      changes.length > 0 ? stores.changes.writeChanges(changes) : undefined,
    ]);
    removed += tombstones.length;
  }
  return removed;
}

function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
