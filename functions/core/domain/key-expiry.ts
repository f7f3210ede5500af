/**
 * API-key expiry arithmetic (SPEC §7). Pure: `now` is always passed in.
 *
 * Times are ISO-8601 strings; an offset (`+14:00`, `-12:00`, `Z`) names an absolute
 * instant, so results do not depend on the machine's time zone. A date without a time
 * (`2028-02-29`) means the start of that day in UTC — the earliest reading, so alarms
 * never come late.
 */
import type { KeyExpirySource } from './model.js';

export const DAY_MS = 86_400_000;

/** Atlassian org API keys live at most one year. */
export const MAX_KEY_LIFETIME_DAYS = 365;

export type KeyExpirySeverity = 'ok' | 'warning' | 'critical' | 'expired' | 'rejected' | 'unknown';

export interface KeyExpiryThresholds {
  /** Warn when at most this many days are left. @default 30 */
  warningDays: number;
  /** Critical when at most this many days are left. @default 7 */
  criticalDays: number;
}

export const DEFAULT_KEY_EXPIRY_THRESHOLDS: KeyExpiryThresholds = { warningDays: 30, criticalDays: 7 };

/**
 * Whole days left before the key expires, rounded down: `0` means "expires within 24 hours",
 * negative means "expired that many days ago" (−1 for the first day after expiry).
 * `undefined` when `expiresAt` is missing or not a time.
 */
export function daysUntilKeyExpiry(expiresAt: string | undefined, now: Date): number | undefined {
  const remaining = msUntil(expiresAt, now);
  return remaining === undefined ? undefined : Math.floor(remaining / DAY_MS);
}

export interface KeyExpirySeverityInput {
  expiresAt: string | undefined;
  /** Atlassian answered 401 to the key: it is expired or revoked, whatever the date says. */
  rejected?: boolean;
  now: Date;
  thresholds?: KeyExpiryThresholds;
}

/**
 * How urgent the key's expiry is. `rejected` wins over every date; then `unknown` (no usable
 * date), `expired` (at or past `expiresAt`), `critical` (at most `criticalDays` left, measured
 * exactly, not in rounded days), `warning` (at most `warningDays`), else `ok`.
 */
export function keyExpirySeverity(input: KeyExpirySeverityInput): KeyExpirySeverity {
  if (input.rejected) return 'rejected';
  const remaining = msUntil(input.expiresAt, input.now);
  if (remaining === undefined) return 'unknown';
  const thresholds = input.thresholds ?? DEFAULT_KEY_EXPIRY_THRESHOLDS;
  if (remaining <= 0) return 'expired';
  if (remaining <= thresholds.criticalDays * DAY_MS) return 'critical';
  if (remaining <= thresholds.warningDays * DAY_MS) return 'warning';
  return 'ok';
}

/** The latest possible expiry of a key connected or rotated at `connectedAt`: 365 days later, as UTC ISO-8601. */
export function estimateKeyExpiry(connectedAt: string | Date): string {
  const start = typeof connectedAt === 'string' ? Date.parse(connectedAt) : connectedAt.getTime();
  if (Number.isNaN(start)) throw new RangeError('estimateKeyExpiry: connectedAt is not a valid time');
  return new Date(start + MAX_KEY_LIFETIME_DAYS * DAY_MS).toISOString();
}

/** Words that qualify an expiry date in messages; an estimate is always said to be one. */
export function describeKeyExpiry(expiresAt: string, source: KeyExpirySource): string {
  const day = expiresAt.slice(0, 10);
  switch (source) {
    case 'declared':
      return `${day} (as declared when the key was connected)`;
    case 'discovered':
      return `${day} (as reported by Atlassian)`;
    case 'estimated':
      return `${day} at the latest (estimated: connection time + 365 days, the longest an Atlassian API key can live; declare the real date with keyExpiresAt)`;
  }
}

function msUntil(expiresAt: string | undefined, now: Date): number | undefined {
  if (expiresAt === undefined) return undefined;
  const expiry = Date.parse(expiresAt);
  const current = now.getTime();
  if (Number.isNaN(expiry) || Number.isNaN(current)) return undefined;
  return expiry - current;
}
