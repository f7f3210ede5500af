/**
 * Builds the stored form of a user (`UserSnapshot`) from what Atlassian returned,
 * the previous snapshot (if any) and the current time.
 */
import { deriveAccessState } from './access-state.js';
import { compareStrings, contentHash } from './content-hash.js';
import { trackedFieldChanges } from './diff.js';
import type { ManagedUser, UserSnapshot } from './model.js';

/**
 * The snapshot of `user` as seen at `now`.
 *
 * - `firstSeenAt` is kept from `previous` (also across a tombstone: the person was seen before);
 * - `lastSeenAt` is `now`;
 * - `lastChangedAt` is kept when no tracked field changed (see `diff.ts`), else `now`;
 * - product access is stored sorted by key, and `productKeys` holds the sorted, distinct keys.
 */
export function buildSnapshot(orgId: string, user: ManagedUser, previous: UserSnapshot | undefined, now: Date): UserSnapshot {
  const at = now.toISOString();
  const productAccess = [...user.productAccess].sort((a, b) => compareStrings(a.key, b.key));
  const snapshot: UserSnapshot = {
    ...user,
    productAccess,
    orgId,
    accessState: deriveAccessState(user),
    productKeys: [...new Set(productAccess.map((product) => product.key))],
    contentHash: contentHash(user),
    firstSeenAt: previous?.firstSeenAt ?? at,
    lastSeenAt: at,
    lastChangedAt: at,
  };
  delete snapshot.removedAt;
  const unchanged =
    previous !== undefined &&
    previous.removedAt === undefined &&
    Object.keys(trackedFieldChanges(previous, snapshot)).length === 0;
  if (unchanged) snapshot.lastChangedAt = previous.lastChangedAt;
  return snapshot;
}

/**
 * Whether `next` must be written over `previous`: new user, returning user (tombstone),
 * or a different content hash. An unchanged user needs no write.
 */
export function snapshotNeedsWrite(previous: UserSnapshot | undefined, next: UserSnapshot): boolean {
  return previous === undefined || previous.removedAt !== undefined || previous.contentHash !== next.contentHash;
}

/** The tombstone of a user that a complete sync no longer saw. Already-removed snapshots are returned unchanged. */
export function tombstoneSnapshot(snapshot: UserSnapshot, now: Date): UserSnapshot {
  if (snapshot.removedAt !== undefined) return snapshot;
  const at = now.toISOString();
  return { ...snapshot, accessState: 'removed', removedAt: at, lastChangedAt: at };
}
