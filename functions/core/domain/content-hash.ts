/**
 * A stable hash over the fields of a user that are worth a write.
 *
 * Included: everything Atlassian tells us about the user (identity, statuses,
 * billable, product access, activity dates). Excluded: the connector's bookkeeping
 * (`firstSeenAt`, `lastSeenAt`, `lastChangedAt`, `removedAt`, the hash itself) and the
 * listing the record came from (`source`), so equal hashes mean "nothing to write".
 *
 * Product access is hashed sorted by key, so Atlassian's ordering does not matter.
 * Activity times are hashed at day precision (`YYYY-MM-DD`, UTC): inactivity filters
 * work in days, and a user active every hour would otherwise be rewritten every sync.
 */
import { createHash } from 'node:crypto';
import type { ManagedUser } from './model.js';

export type HashedUser = Omit<ManagedUser, 'source'>;

export function contentHash(user: HashedUser): string {
  const canonical = [
    user.accountId,
    user.accountType,
    user.name,
    user.email ?? null,
    user.accountStatus,
    user.membershipStatus ?? null,
    user.managementSource ?? null,
    user.billable ?? null,
    activityDay(user.lastActiveAt),
    [...user.productAccess]
      .sort((a, b) => compareStrings(a.key, b.key))
      .map((product) => [product.key, product.name ?? null, activityDay(product.lastActiveAt)]),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/** The UTC day of an ISO-8601 time, or the raw value when it does not parse (kept so a change still shows). */
export function activityDay(at: string | undefined): string | null {
  if (at === undefined) return null;
  const time = Date.parse(at);
  return Number.isNaN(time) ? at : new Date(time).toISOString().slice(0, 10);
}

export function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
