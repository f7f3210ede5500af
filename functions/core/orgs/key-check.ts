/**
 * Checking a candidate API key against Atlassian before it is stored (connect and rotate),
 * and working out when it expires.
 *
 * The key is only handed to the Atlassian client; it never enters an error, a log line or
 * a return value here.
 */
import { KeyRejectedError } from '../atlassian/errors.js';
import { DAY_MS, estimateKeyExpiry, MAX_KEY_LIFETIME_DAYS } from '../domain/key-expiry.js';
import type { KeyExpirySource } from '../domain/model.js';
import { ApiProblem } from '../http/problem.js';
import { validationFailed } from '../http/request.js';
import type { AtlassianDirectory, AtlassianOrgSummary } from '../ports.js';

/** Atlassian answered 401 to a key offered on connect or rotate: the caller's input is wrong, hence 422. */
export const KEY_REJECTED_ON_CONNECT =
  'Atlassian rejected this API key (401): it is invalid, expired or revoked. Create an organization API key in ' +
  'admin.atlassian.com (Settings > API keys) and send it again.';

/** The orgs the key administers (`GET /v1/orgs`); a 401 becomes a 422 `KEY_REJECTED` problem. */
export async function orgsVisibleToKey(directory: AtlassianDirectory): Promise<AtlassianOrgSummary[]> {
  try {
    return await directory.listOrgs();
  } catch (thrown) {
    if (thrown instanceof KeyRejectedError) throw new ApiProblem(422, 'KEY_REJECTED', KEY_REJECTED_ON_CONNECT);
    throw thrown;
  }
}

export interface KeyExpiry {
  keyExpiresAt: string;
  keyExpirySource: KeyExpirySource;
}

/**
 * Validates a declared expiry (`body.keyExpiresAt`): in the future and at most one year
 * (plus a day of slack for time zones) from now. Returns it as UTC ISO-8601.
 */
export function declaredKeyExpiry(declared: string, now: Date): string {
  const at = Date.parse(declared);
  if (Number.isNaN(at)) validationFailed([{ field: 'body.keyExpiresAt', message: 'is not a valid time' }]);
  if (at <= now.getTime()) {
    validationFailed([{ field: 'body.keyExpiresAt', message: 'must be in the future (the key would already be expired)' }]);
  }
  if (at > now.getTime() + (MAX_KEY_LIFETIME_DAYS + 1) * DAY_MS) {
    validationFailed([
      { field: 'body.keyExpiresAt', message: 'must be at most one year from now (Atlassian API keys live at most a year)' },
    ]);
  }
  return new Date(at).toISOString();
}

/**
 * When the key expires: `declared` by the admin; else `discovered` when Atlassian's API Access
 * API lists exactly one key with an expiry for the org (best effort: any failure is ignored);
 * else `estimated` as now + 365 days, the latest possible expiry.
 */
export async function resolveKeyExpiry(input: {
  declared?: string;
  directory: AtlassianDirectory;
  orgId: string;
  now: Date;
}): Promise<KeyExpiry> {
  if (input.declared !== undefined) {
    return { keyExpiresAt: declaredKeyExpiry(input.declared, input.now), keyExpirySource: 'declared' };
  }
  const discovered = await discoverKeyExpiry(input.directory, input.orgId);
  if (discovered !== undefined) return { keyExpiresAt: discovered, keyExpirySource: 'discovered' };
  return { keyExpiresAt: estimateKeyExpiry(input.now), keyExpirySource: 'estimated' };
}

async function discoverKeyExpiry(directory: AtlassianDirectory, orgId: string): Promise<string | undefined> {
  if (directory.listApiKeys === undefined) return undefined;
  try {
    const keys = await directory.listApiKeys(orgId);
    // Several keys: we cannot tell which one is ours, so the expiry is not unambiguous.
    if (keys.length !== 1 || keys[0]?.expiresAt === undefined) return undefined;
    const at = Date.parse(keys[0].expiresAt);
    return Number.isNaN(at) ? undefined : new Date(at).toISOString();
  } catch {
    return undefined;
  }
}
