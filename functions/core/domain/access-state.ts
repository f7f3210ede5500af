/**
 * Derives a user's `accessState` (SPEC §4) from the raw statuses Atlassian reports.
 *
 * Precedence, first match wins: `removed` > `closed` > `deactivated` > `suspended` >
 * `no_product_access` > `active`. The raw `accountStatus` and `membershipStatus` stay
 * on the snapshot beside the derived state, so the connector never contradicts
 * Atlassian's Managed Accounts view.
 *
 * Unknown values (Atlassian adds statuses over time) are handled conservatively:
 * - an `accountStatus` other than `active`, `inactive` or `closed` is treated as
 *   `deactivated`: only an account Atlassian explicitly calls active counts as active;
 * - a `membershipStatus` other than `suspended` (including `no_membership`, unknown
 *   values and its absence in v1 listings) does not decide anything: product access does.
 * Comparisons ignore case and surrounding blanks.
 */
import type { AccessState, ManagedUser } from './model.js';

export interface DeriveAccessStateOptions {
  /** The user is tombstoned: a complete sync no longer saw it. */
  removed?: boolean;
}

export function deriveAccessState(
  user: Pick<ManagedUser, 'accountStatus' | 'membershipStatus' | 'productAccess'>,
  options: DeriveAccessStateOptions = {},
): AccessState {
  if (options.removed) return 'removed';
  const accountStatus = normalizeStatus(user.accountStatus);
  if (accountStatus === 'closed') return 'closed';
  if (accountStatus !== 'active') return 'deactivated';
  if (normalizeStatus(user.membershipStatus) === 'suspended') return 'suspended';
  if (user.productAccess.length === 0) return 'no_product_access';
  return 'active';
}

function normalizeStatus(status: string | undefined): string {
  return (status ?? '').trim().toLowerCase();
}
