/**
 * Input schemas of the API routes (zod/mini). Query schemas are strict, so an unknown or
 * misspelt filter is a 400 naming it rather than a silently unfiltered list.
 */
import { ACCESS_STATES, type AccessState } from '../core/domain/model.js';
import { MAX_PAGE_LIMIT } from '../core/store/pagination.js';
import * as z from '../core/zod.js';

/** Atlassian org ids are UUIDs; anything made of URL-safe id characters is accepted. */
const orgId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be an Atlassian organization id'));

/** Atlassian account ids: hex ids or `557058:uuid`. */
const accountId = z.string().check(z.regex(/^[A-Za-z0-9:_-]{1,128}$/, 'must be an Atlassian account id'));

const apiKey = z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(4096, 'is too long for an API key'));

const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

const flag = z.enum(['true', 'false']);

const limit = z.optional(
  z.coerce
    .number()
    .check(
      z.int('must be an integer'),
      z.gte(1, 'must be at least 1'),
      z.lte(MAX_PAGE_LIMIT, `must be at most ${MAX_PAGE_LIMIT}`),
    ),
);
const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));

export const OrgPath = z.strictObject({ orgId });
export const UserPath = z.strictObject({ orgId, accountId });

export const ConnectBody = z.strictObject({
  apiKey,
  orgId: z.optional(orgId),
  keyExpiresAt: z.optional(instant),
});

export const RotateBody = z.strictObject({ apiKey, keyExpiresAt: z.optional(instant) });

export const NoQuery = z.strictObject({});

export const PageQuery = z.strictObject({ cursor, limit });

export const DisconnectQuery = z.strictObject({ purge: z.optional(flag) });

export const UsersQuery = z.strictObject({
  accessState: z.optional(z.enum(ACCESS_STATES as readonly AccessState[] as [AccessState, ...AccessState[]])),
  status: z.optional(z.string().check(z.regex(/^[A-Za-z_]{1,64}$/, 'must be an account status such as active'))),
  product: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be a product key such as confluence'))),
  billable: z.optional(flag),
  inactiveDays: z.optional(
    z.coerce.number().check(z.int('must be an integer'), z.gte(0, 'must be at least 0'), z.lte(36_500, 'must be at most 36500')),
  ),
  scimManaged: z.optional(flag),
  q: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  cursor,
  limit,
});

export const ChangesQuery = z.strictObject({
  since: z.optional(instant),
  until: z.optional(instant),
  cursor,
  limit,
});

export const EmailQuery = z.strictObject({
  email: z.string('is required').check(z.regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address'), z.maxLength(320)),
});
