/**
 * Atlassian's JSON shapes: v1 (snake_case) and v2 (camelCase) users, error
 * bodies and opaque cursors.
 */
import { randomUUID } from 'node:crypto';
import { deterministicUuid } from './random.js';
import type { SimUser } from './types.js';

/** An HTTP answer before serialization. */
export interface SimResponse {
  status: number;
  /** JSON body; absent for 204. */
  body?: unknown;
  /** Raw text body (non-JSON errors). */
  text?: string;
  headers?: Record<string, string>;
  /** A listing page: eligible for malformed-page faults. */
  page?: boolean;
}

/** Application error `{errors:[{id,status,code,title,detail}]}`. */
export function applicationError(status: number, code: string, title: string, detail: string): SimResponse {
  return { status, body: { errors: [{ id: randomUUID(), status: String(status), code, title, detail }] } };
}

/** Gateway error `{code,message}` (401, 429). */
export function gatewayError(status: number, message: string, headers?: Record<string, string>): SimResponse {
  return headers ? { status, body: { code: status, message }, headers } : { status, body: { code: status, message } };
}

export const errors = {
  unauthorized: (): SimResponse => gatewayError(401, 'Unauthorized'),
  rateLimited: (retryAfter: string): SimResponse => gatewayError(429, 'Rate limit exceeded', { 'retry-after': retryAfter }),
  badCursor: (): SimResponse => applicationError(400, 'ADMIN-400-1', 'Invalid page cursor', 'The cursor is not a valid page cursor.'),
  badBody: (detail: string): SimResponse => applicationError(400, 'ADMIN-400-24', 'Invalid request body', detail),
  orgAdmin: (): SimResponse =>
    applicationError(400, 'ADMIN-400-4', 'Invalid resource', 'Organization admins cannot be suspended, restored or removed.'),
  forbiddenOrg: (): SimResponse =>
    applicationError(403, 'ADMIN-403-3', 'Forbidden', 'You are not allowed to manage this organization.'),
  scimManaged: (shape: 'admin' | 'user-management'): SimResponse =>
    shape === 'user-management'
      ? { status: 403, body: { key: 'forbidden.action' } }
      : applicationError(
          403,
          'ADMIN-403-3',
          'Forbidden',
          'This account is managed by an identity provider (SCIM). Change it in your identity provider.',
        ),
  orgNotFound: (): SimResponse => applicationError(404, 'ADMIN-404-2', 'Not Found', 'Organization not found.'),
  userNotFound: (): SimResponse => applicationError(404, 'ADMIN-404-8', 'Not Found', 'User not found.'),
  unknownResource: (): SimResponse => applicationError(404, 'ADMIN-404-1', 'Not Found', 'Unknown resource.'),
  methodNotAllowed: (): SimResponse => applicationError(405, 'ADMIN-405-1', 'Method Not Allowed', 'Method not supported.'),
  internal: (status: number): SimResponse =>
    applicationError(status, 'ADMIN-500-1', 'Internal Server Error', 'An internal error occurred. Try again later.'),
};

/** Opaque cursor: base64url of `{"o":<index>}`. */
export function encodeCursor(index: number): string {
  return Buffer.from(JSON.stringify({ o: index })).toString('base64url');
}

/** The index a cursor points to, or undefined when the cursor is garbage. */
export function decodeCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const offset = (parsed as { o?: unknown }).o;
    return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}

function pictureOf(user: SimUser): string {
  const initials = user.name
    .split(/\s+/)
    .map((part) => part.charAt(0).toUpperCase())
    .join('')
    .slice(0, 2);
  return `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/initials/${encodeURIComponent(initials)}-1.png`;
}

function productUrl(key: string, slug: string): string {
  if (key === 'bitbucket') return `https://bitbucket.org/${slug}/`;
  if (key === 'trello') return `https://trello.com/w/${slug}`;
  if (key === 'opsgenie') return `https://${slug}.app.opsgenie.com`;
  if (key === 'statuspage') return `https://manage.statuspage.io/organizations/${slug}`;
  return `https://${slug}.atlassian.net`;
}

/** A user as `GET /v1/orgs/{orgId}/users` returns it. */
export function toV1User(user: SimUser, orgId: string, slug: string, baseUrl: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    account_id: user.accountId,
    account_type: user.accountType,
    account_status: user.accountStatus,
    name: user.name,
    picture: pictureOf(user),
  };
  if (user.email !== undefined) out.email = user.email;
  out.access_billable = user.billable;
  if (user.lastActive !== undefined) out.last_active = user.lastActive;
  out.product_access = user.products.map((p) => {
    const product: Record<string, unknown> = { key: p.key, name: p.name, url: productUrl(p.key, slug) };
    if (p.lastActive !== undefined) product.last_active = p.lastActive;
    return product;
  });
  out.links = { self: `${baseUrl}/v1/orgs/${orgId}/users/${encodeURIComponent(user.accountId)}` };
  return out;
}

/** The v2 `status` derived from account and membership status. */
export function v2Status(user: SimUser): string {
  if (user.accountStatus !== 'active') return 'deactivated';
  if (user.membershipStatus === 'suspended') return 'suspended';
  if (user.membershipStatus === 'no_membership') return 'not_invited';
  return 'active';
}

/** A user as the v2 directory users endpoints return it. */
export function toV2User(user: SimUser, orgId: string, seed: number, expandProductAccess: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    accountId: user.accountId,
    accountType: user.accountType,
    name: user.name,
  };
  if (user.nickname !== undefined) out.nickname = user.nickname;
  if (user.email !== undefined) {
    out.email = user.email;
    out.emailVerified = true;
  }
  out.picture = pictureOf(user);
  out.status = v2Status(user);
  out.accountStatus = user.accountStatus;
  out.membershipStatus = user.membershipStatus;
  out.claimStatus = 'managed';
  if (user.addedToOrg !== undefined) out.addedToOrg = user.addedToOrg;
  out.managementSource = user.managementSource;
  out.mfaEnabled = user.mfaEnabled ?? false;
  out.platformRoles = user.isOrgAdmin ? ['org-admin'] : [];
  if (expandProductAccess) {
    out.productAccess = user.products.map((p) => {
      const product: Record<string, unknown> = {
        key: p.key,
        id: `ari:cloud:${p.key === 'confluence' ? 'confluence' : p.key.split('-')[0]}::site/${deterministicUuid(seed, orgId, 'site', p.key)}`,
      };
      if (p.lastActive !== undefined) product.lastActiveTimestamp = p.lastActive;
      return product;
    });
  }
  return out;
}
