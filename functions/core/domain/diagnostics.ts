/**
 * Diagnostics: conditions an admin must know about, attached to an org (SPEC §1, §4).
 *
 * Builders produce the diagnostic with its human message; `setDiagnostic` and
 * `clearDiagnostics` update an org's list without mutating it. At most one diagnostic
 * per code; re-setting a code keeps the time it was first observed (`since`).
 */
import { describeKeyExpiry, type KeyExpirySeverity } from './key-expiry.js';
import type { Diagnostic, DiagnosticCode, KeyExpirySource } from './model.js';

export const GUARD_REQUIRED_MESSAGE =
  'Atlassian returned this organization but no managed accounts. Either the organization has no Atlassian Guard ' +
  '(formerly Atlassian Access) subscription — Atlassian only returns user data through the API to organizations with ' +
  'Guard — or it has no verified and claimed domain, so none of its accounts are managed accounts. Check in ' +
  'admin.atlassian.com: Settings > Billing (or Products) for an Atlassian Guard subscription, and Directory > Domains ' +
  'for a verified domain whose accounts are claimed. The existing snapshot, if any, is kept until then.';

export const KEY_REJECTED_MESSAGE =
  'the Atlassian API key was rejected — it may have expired or been revoked; rotate it with PUT /orgs/{orgId}/api-key';

export const KEY_MISSING_MESSAGE =
  'the API key for this org is missing from the secret store (the secret was deleted or never written), so it cannot be synced; ' +
  'rotate it with PUT /orgs/{orgId}/api-key';

export function guardRequiredDiagnostic(since: Date): Diagnostic {
  return { code: 'GUARD_REQUIRED', severity: 'warning', message: GUARD_REQUIRED_MESSAGE, since: since.toISOString() };
}

export function keyRejectedDiagnostic(since: Date, orgId?: string): Diagnostic {
  const message = orgId === undefined ? KEY_REJECTED_MESSAGE : KEY_REJECTED_MESSAGE.replace('{orgId}', orgId);
  return { code: 'KEY_REJECTED', severity: 'error', message, since: since.toISOString() };
}

export function keyMissingDiagnostic(since: Date, orgId?: string): Diagnostic {
  const message = orgId === undefined ? KEY_MISSING_MESSAGE : KEY_MISSING_MESSAGE.replace('{orgId}', orgId);
  return { code: 'KEY_MISSING', severity: 'error', message, since: since.toISOString() };
}

export interface KeyExpiringInput {
  expiresAt: string;
  source: KeyExpirySource;
  daysLeft: number;
  severity: Extract<KeyExpirySeverity, 'warning' | 'critical' | 'expired'>;
  orgId?: string;
  since: Date;
}

export function keyExpiringDiagnostic(input: KeyExpiringInput): Diagnostic {
  const when = describeKeyExpiry(input.expiresAt, input.source);
  const path = `PUT /orgs/${input.orgId ?? '{orgId}'}/api-key`;
  const state =
    input.severity === 'expired'
      ? `The Atlassian API key expired on ${when}`
      : `The Atlassian API key expires in ${input.daysLeft} day${input.daysLeft === 1 ? '' : 's'}, on ${when}`;
  return {
    code: 'KEY_EXPIRING',
    severity: input.severity === 'warning' ? 'warning' : 'error',
    message: `${state}. Create a new key in admin.atlassian.com (Settings > API keys) and rotate it with ${path}.`,
    since: input.since.toISOString(),
  };
}

export function syncHeldDiagnostic(reason: string, since: Date): Diagnostic {
  return {
    code: 'SYNC_HELD',
    severity: 'warning',
    message: `The last sync was held and its removals were not applied: ${reason}. Check the organization in admin.atlassian.com; the next sync applies the removals if Atlassian still reports the same users.`,
    since: since.toISOString(),
  };
}

export function rateLimitedDiagnostic(since: Date, retryAfterSeconds?: number): Diagnostic {
  const retry = retryAfterSeconds === undefined ? '' : ` Atlassian asked to retry after ${retryAfterSeconds} seconds.`;
  return {
    code: 'RATE_LIMITED',
    severity: 'warning',
    message: `Atlassian rate-limited the connector, so the last sync stopped early and will continue from its checkpoint.${retry}`,
    since: since.toISOString(),
  };
}

export function upstreamUnavailableDiagnostic(since: Date, detail?: string): Diagnostic {
  return {
    code: 'UPSTREAM_UNAVAILABLE',
    severity: 'warning',
    message: `Atlassian's API did not answer successfully${detail === undefined ? '' : ` (${detail})`}; the next sync retries.`,
    since: since.toISOString(),
  };
}

/** Adds or replaces the diagnostic of `diagnostic.code`, keeping the original `since`. Sorted by code. */
export function setDiagnostic(diagnostics: readonly Diagnostic[], diagnostic: Diagnostic): Diagnostic[] {
  const existing = diagnostics.find((entry) => entry.code === diagnostic.code);
  const next = existing === undefined ? diagnostic : { ...diagnostic, since: existing.since };
  return [...diagnostics.filter((entry) => entry.code !== diagnostic.code), next].sort((a, b) =>
    a.code < b.code ? -1 : 1,
  );
}

/** Removes the diagnostics with the given codes. */
export function clearDiagnostics(diagnostics: readonly Diagnostic[], codes: readonly DiagnosticCode[]): Diagnostic[] {
  return diagnostics.filter((entry) => !codes.includes(entry.code));
}

export function hasDiagnostic(diagnostics: readonly Diagnostic[], code: DiagnosticCode): boolean {
  return diagnostics.some((entry) => entry.code === code);
}
