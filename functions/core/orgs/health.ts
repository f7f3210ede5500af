/**
 * The health view of an org that the HTTP API returns: the stored org plus what an admin
 * needs to act on (days to key expiry, severity, a sentence about the expiry that says when
 * it is only an estimate). Never the API key; not even the secret's name.
 */
import { hasDiagnostic } from '../domain/diagnostics.js';
import {
  daysUntilKeyExpiry,
  describeKeyExpiry,
  keyExpirySeverity,
  type KeyExpirySeverity,
  type KeyExpiryThresholds,
} from '../domain/key-expiry.js';
import type { Diagnostic, KeyExpirySource, LastSyncSummary, Org, OrgStatus } from '../domain/model.js';

export interface OrgHealth {
  orgId: string;
  name: string;
  status: OrgStatus;
  statusReason?: string;
  keyExpiresAt: string;
  keyExpirySource: KeyExpirySource;
  /** e.g. "2027-03-01 at the latest (estimated: …)": always says when the date is an estimate. */
  keyExpiryDescription: string;
  /** Whole days left (negative once expired). */
  daysToKeyExpiry?: number;
  keyExpirySeverity: KeyExpirySeverity;
  connectedAt: string;
  keyRotatedAt?: string;
  disconnectedAt?: string;
  lastSync?: LastSyncSummary;
  diagnostics: Diagnostic[];
  userCount?: number;
  updatedAt: string;
}

export function orgHealth(org: Org, now: Date, thresholds: KeyExpiryThresholds): OrgHealth {
  const health: OrgHealth = {
    orgId: org.orgId,
    name: org.name,
    status: org.status,
    keyExpiresAt: org.keyExpiresAt,
    keyExpirySource: org.keyExpirySource,
    keyExpiryDescription: describeKeyExpiry(org.keyExpiresAt, org.keyExpirySource),
    keyExpirySeverity: keyExpirySeverity({
      expiresAt: org.keyExpiresAt,
      rejected: hasDiagnostic(org.diagnostics, 'KEY_REJECTED'),
      now,
      thresholds,
    }),
    connectedAt: org.connectedAt,
    diagnostics: org.diagnostics,
    updatedAt: org.updatedAt,
  };
  const days = daysUntilKeyExpiry(org.keyExpiresAt, now);
  if (days !== undefined) health.daysToKeyExpiry = days;
  if (org.statusReason !== undefined) health.statusReason = org.statusReason;
  if (org.keyRotatedAt !== undefined) health.keyRotatedAt = org.keyRotatedAt;
  if (org.disconnectedAt !== undefined) health.disconnectedAt = org.disconnectedAt;
  if (org.lastSync !== undefined) health.lastSync = org.lastSync;
  if (org.userCount !== undefined) health.userCount = org.userCount;
  return health;
}
