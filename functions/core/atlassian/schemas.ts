/**
 * Atlassian's wire formats, as far as the connector relies on them.
 *
 * Tolerant by design: objects are loose (unknown fields are kept), enumerations are
 * open strings, and only the fields the connector cannot do without are required.
 * Atlassian's field names stay in this folder; `normalize.ts` maps them to ours.
 */
import * as z from '../zod.js';

const nonEmpty = () => z.string().check(z.minLength(1));

const optionalString = z.nullish(z.string());
const timestamp = z.nullish(z.union([z.string(), z.number()]));

/** `links` of a page; `next` is a URL (v1) or an opaque cursor (v2). */
const PageLinks = z.nullish(z.looseObject({ next: z.nullish(z.string()) }));

export const OrgsPage = z.looseObject({
  data: z.array(
    z.looseObject({
      id: nonEmpty(),
      type: optionalString,
      attributes: z.nullish(z.looseObject({ name: optionalString })),
    }),
  ),
  links: PageLinks,
});
export type OrgsPage = z.infer<typeof OrgsPage>;

/** v1 managed account (`GET /v1/orgs/{orgId}/users`), snake_case. */
export const V1User = z.looseObject({
  account_id: nonEmpty(),
  account_type: z.string(),
  account_status: z.string(),
  name: z.string(),
  picture: optionalString,
  email: optionalString,
  access_billable: z.nullish(z.boolean()),
  last_active: optionalString,
  product_access: z.nullish(
      z.array(
      z.looseObject({
        key: z.string(),
        name: optionalString,
        url: optionalString,
        last_active: optionalString,
      }),
      ),
    ),
});
export type V1User = z.infer<typeof V1User>;

export const V1UserPage = z.looseObject({
  data: z.array(V1User),
  meta: z.nullish(z.looseObject({ total: z.nullish(z.number()) })),
  links: PageLinks,
});
export type V1UserPage = z.infer<typeof V1UserPage>;

/** v2 directory user (`/v2/orgs/{orgId}/directories/-/users`), camelCase; every field but the id optional. */
export const V2User = z.looseObject({
  accountId: nonEmpty(),
  accountType: optionalString,
  name: optionalString,
  nickname: optionalString,
  email: optionalString,
  status: optionalString,
  accountStatus: optionalString,
  membershipStatus: optionalString,
  claimStatus: optionalString,
  managementSource: optionalString,
  addedToOrg: optionalString,
  directoryId: optionalString,
  productAccess: z.nullish(
      z.array(
      z.looseObject({
        key: z.string(),
        id: optionalString,
        name: optionalString,
        lastActiveTimestamp: timestamp,
        lastActive: timestamp,
      }),
      ),
    ),
});
export type V2User = z.infer<typeof V2User>;

export const V2UserPage = z.looseObject({
  data: z.array(V2User),
  links: PageLinks,
});
export type V2UserPage = z.infer<typeof V2UserPage>;

/** `GET /v2/orgs/{orgId}/directories/-/users/{accountId}`: the user, possibly wrapped in `data`. */
export const V2UserDetails = z.union([z.looseObject({ data: V2User }), V2User]);
export type V2UserDetails = z.infer<typeof V2UserDetails>;

/** `GET /api-access/v1/orgs/{orgId}/api-keys`. */
export const ApiKeysPage = z.looseObject({
  data: z.array(
    z.looseObject({
      id: nonEmpty(),
      label: optionalString,
      expiresAt: optionalString,
    }),
  ),
  links: PageLinks,
});
export type ApiKeysPage = z.infer<typeof ApiKeysPage>;

/** Body of a v1 write answer (`{message}`), when there is one. */
export const WriteAnswer = z.optional(z.looseObject({ message: optionalString }));
