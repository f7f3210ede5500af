/**
 * Maps Atlassian's v1 and v2 user records to the connector's `ManagedUser`.
 * Pure functions; Atlassian's field names end here.
 */
import type { ManagedUser, ProductAccess } from '../domain/model.js';
import type { V1User, V2User } from './schemas.js';

/** Normalizes a v1 managed account (`/v1/orgs/{orgId}/users`). */
export function normalizeV1User(user: V1User): ManagedUser {
  const normalized: ManagedUser = {
    accountId: user.account_id,
    accountType: user.account_type,
    name: user.name,
    accountStatus: user.account_status,
    productAccess: (user.product_access ?? []).map((product) => {
      const access: ProductAccess = { key: product.key };
      if (product.name) access.name = product.name;
      const lastActiveAt = toIsoTime(product.last_active);
      if (lastActiveAt) access.lastActiveAt = lastActiveAt;
      return access;
    }),
    source: 'v1',
  };
  if (user.email) normalized.email = user.email;
  if (typeof user.access_billable === 'boolean') normalized.billable = user.access_billable;
  const lastActiveAt = toIsoTime(user.last_active);
  if (lastActiveAt) normalized.lastActiveAt = lastActiveAt;
  return normalized;
}

/**
 * Normalizes a v2 directory user. Where v2 leaves out a field our model requires:
 * the name falls back to the nickname; the account status is derived from the
 * directory `status` (`deactivated` means an inactive account); the account type
 * defaults to `atlassian` (managed accounts are Atlassian accounts); the last
 * activity is the latest product activity.
 */
export function normalizeV2User(user: V2User): ManagedUser {
  const productAccess = (user.productAccess ?? []).map((product) => {
    const access: ProductAccess = { key: product.key };
    if (product.name) access.name = product.name;
    const lastActiveAt = toIsoTime(product.lastActiveTimestamp ?? product.lastActive);
    if (lastActiveAt) access.lastActiveAt = lastActiveAt;
    return access;
  });
  const normalized: ManagedUser = {
    accountId: user.accountId,
    accountType: user.accountType ?? 'atlassian',
    name: user.name ?? user.nickname ?? '',
    accountStatus: user.accountStatus ?? (user.status === 'deactivated' ? 'inactive' : 'active'),
    productAccess,
    source: 'v2',
  };
  if (user.email) normalized.email = user.email;
  const membershipStatus = user.membershipStatus ?? (user.status === 'suspended' ? 'suspended' : undefined);
  if (membershipStatus) normalized.membershipStatus = membershipStatus;
  if (user.managementSource) normalized.managementSource = user.managementSource;
  const lastActiveAt = latest(productAccess.map((product) => product.lastActiveAt));
  if (lastActiveAt) normalized.lastActiveAt = lastActiveAt;
  return normalized;
}

/** ISO-8601 from an ISO string or epoch seconds/milliseconds (number or numeric string); undefined when unusable. */
export function toIsoTime(value: string | number | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const numeric = typeof value === 'number' || /^\d+$/.test(value);
  const parsed = numeric ? Number(value) : Date.parse(value);
  const millis = numeric && parsed < 1e11 ? parsed * 1000 : parsed;
  if (!Number.isFinite(millis)) return undefined;
  return new Date(millis).toISOString();
}

function latest(times: Array<string | undefined>): string | undefined {
  let result: string | undefined;
  for (const time of times) {
    if (time !== undefined && (result === undefined || time > result)) result = time;
  }
  return result;
}
