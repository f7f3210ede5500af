/**
 * The daily API-key check (SPEC §7): for every connected org, the days left before its key
 * expires and a cheap authenticated probe (`GET /v1/orgs`, the org must still be visible).
 *
 * Updates each org's status and diagnostics, records CloudWatch metrics (EMF, through
 * Powertools Metrics) and publishes one event per org whose key needs attention. One org's
 * failure never stops the others. The API key is only ever handed to the Atlassian client.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsInterface } from '@aws-lambda-powertools/metrics/types';
import type { ConnectorConfig } from '../config.js';
import { asError } from '../errors.js';
import { hasDiagnostic, keyExpiringDiagnostic, keyRejectedDiagnostic } from '../domain/diagnostics.js';
import { daysUntilKeyExpiry, keyExpirySeverity, type KeyExpirySeverity } from '../domain/key-expiry.js';
import type { Diagnostic, KeyExpirySource, Org, OrgStatus } from '../domain/model.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import type { ConnectorEvent } from '../ports.js';
import type { ConnectorStores } from '../store/index.js';
import { mapWithConcurrency } from './concurrency.js';

/** Metric names; the CDK alarms watch the fleet-wide ones with only the `service` dimension. */
export const KEY_METRICS = {
  daysToKeyExpiry: 'DaysToKeyExpiry',
  orgsWithExpiringKeys: 'OrgsWithExpiringKeys',
  orgsWithExpiredOrRejectedKeys: 'OrgsWithExpiredOrRejectedKeys',
  orgsWithRejectedKeys: 'OrgsWithRejectedKeys',
  minDaysToKeyExpiry: 'MinDaysToKeyExpiry',
  orgsChecked: 'OrgsCheckedForKeyExpiry',
  keyChecksFailed: 'KeyChecksFailed',
} as const;

/** Dimension of the per-org `DaysToKeyExpiry` metric. */
export const ORG_ID_DIMENSION = 'OrgId';

export const KEY_EXPIRING_EVENT = 'Atlassian API Key Expiring';
export const KEY_REJECTED_EVENT = 'Atlassian API Key Rejected';

/** Statuses from which the check may mark an org `error`; never a concurrently disconnected one. */
const CONNECTED_STATUSES: readonly OrgStatus[] = ['pending', 'healthy', 'error'];

/**
 * What the probe found:
 * `accepted` — Atlassian accepted the key and still shows the org to it;
 * `rejected` — 401: the key expired or was revoked;
 * `org-not-visible` — the key works but no longer sees this org;
 * `failed` — no answer either way (secret unreadable, Atlassian unavailable, deadline).
 */
export type KeyProbeOutcome = 'accepted' | 'rejected' | 'org-not-visible' | 'failed';

export interface KeyCheckResult {
  orgId: string;
  orgName: string;
  /**
   * `rejected` when Atlassian refused the key (or no longer shows it the org), else from the
   * date — also when the probe failed, so an Atlassian outage never hides an expiring key.
   * `unknown` when the date is unusable or the check itself failed.
   */
  severity: KeyExpirySeverity;
  /** Whole days left (negative once expired); `null` when the date is unusable. */
  daysLeft: number | null;
  keyExpiresAt: string;
  keyExpirySource: KeyExpirySource;
  probe: KeyProbeOutcome;
  /** Why the probe or the check failed (never the key). */
  error?: { code: string; message: string };
  /** For an admin, when `severity` is warning or worse: what is wrong and what to do. */
  message?: string;
}

/** The parts of `ConnectorDependencies` the check uses. */
export type KeyCheckDependencies = Pick<ConnectorDependencies, 'secrets' | 'atlassian' | 'events' | 'clock'> & {
  config: Pick<ConnectorConfig, 'keyExpiry' | 'keyCheckConcurrency'>;
  stores: Pick<ConnectorStores, 'orgs'>;
};

/** The logging the check does; compatible with the Powertools Logger. */
export interface KeyCheckLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export interface KeyCheckOptions {
  /** Fleet metrics are added to it (the caller flushes it); per-org metrics go out as single metrics. */
  metrics: MetricsInterface;
  logger?: KeyCheckLogger;
  /** Epoch ms (on the Atlassian client's clock) after which no probe request starts. */
  deadline?: number;
}

const ATTENTION: ReadonlySet<KeyExpirySeverity> = new Set(['warning', 'critical', 'expired', 'rejected']);

/** Checks every connected org's API key; returns one result per org, in org id order. */
export async function checkApiKeys(deps: KeyCheckDependencies, options: KeyCheckOptions): Promise<KeyCheckResult[]> {
  const logger = options.logger;
  const orgs = (await deps.stores.orgs.listOrgs()).filter((org) => org.status !== 'disconnected');
  const results = await mapWithConcurrency(orgs, deps.config.keyCheckConcurrency, async (org) => {
    try {
      return await checkOrg(deps, org, options);
    } catch (thrown) {
      const error = asError(thrown);
      logger?.error('key check failed for an org', { orgId: org.orgId, code: errorCode(error), error: error.message });
      return {
        ...baseResult(org, daysUntilKeyExpiry(org.keyExpiresAt, deps.clock())),
        severity: 'unknown' as const,
        probe: 'failed' as const,
        error: { code: errorCode(error), message: error.message },
      };
    }
  });

  recordFleetMetrics(options.metrics, results);
  const events = results.filter((result) => ATTENTION.has(result.severity)).map(toEvent);
  if (events.length > 0) await deps.events.publish(events);
  logger?.info('API keys checked', { ...summarizeKeyChecks(results) });
  return results;
}

/** Counts per severity, the fewest days left, and how many probes failed. */
export function summarizeKeyChecks(results: readonly KeyCheckResult[]) {
  const counts: Record<KeyExpirySeverity, number> = { ok: 0, warning: 0, critical: 0, expired: 0, rejected: 0, unknown: 0 };
  for (const result of results) counts[result.severity]++;
  const days = results.flatMap((result) => (result.daysLeft === null ? [] : [result.daysLeft]));
  return {
    checked: results.length,
    ...counts,
    probesFailed: results.filter((result) => result.probe === 'failed').length,
    minDaysToKeyExpiry: days.length === 0 ? null : Math.min(...days),
  };
}

export type KeyCheckSummary = ReturnType<typeof summarizeKeyChecks>;

async function checkOrg(deps: KeyCheckDependencies, org: Org, options: KeyCheckOptions): Promise<KeyCheckResult> {
  const now = deps.clock();
  const daysLeft = daysUntilKeyExpiry(org.keyExpiresAt, now);
  recordOrgDays(options.metrics, org.orgId, daysLeft);

  const probe = await probeKey(deps, org, options);
  const base = baseResult(org, daysLeft);
  if (probe.outcome === 'failed') {
    options.logger?.warn('API key probe failed; judging the key by its date alone', { orgId: org.orgId, ...probe.error });
  }

  if (probe.outcome === 'rejected' || probe.outcome === 'org-not-visible') {
    const diagnostic =
      probe.outcome === 'rejected' ? keyRejectedDiagnostic(now, org.orgId) : keyNotVisibleDiagnostic(now, org.orgId);
    await markKeyRejected(deps, org, diagnostic);
    options.logger?.warn('API key rejected; org marked error', { orgId: org.orgId, probe: probe.outcome });
    return { ...base, severity: 'rejected', probe: probe.outcome, message: diagnostic.message };
  }

  const severity = keyExpirySeverity({ expiresAt: org.keyExpiresAt, now, thresholds: deps.config.keyExpiry });
  const result: KeyCheckResult = { ...base, severity, probe: probe.outcome };
  if (probe.error) result.error = probe.error;
  if (daysLeft !== undefined && (severity === 'warning' || severity === 'critical' || severity === 'expired')) {
    const diagnostic = keyExpiringDiagnostic({
      expiresAt: org.keyExpiresAt,
      source: org.keyExpirySource,
      daysLeft,
      severity,
      orgId: org.orgId,
      since: now,
    });
    await deps.stores.orgs.setDiagnostic(org.orgId, diagnostic);
    result.message = diagnostic.message;
  } else if (severity === 'ok' && hasDiagnostic(org.diagnostics, 'KEY_EXPIRING')) {
    await deps.stores.orgs.clearDiagnostics(org.orgId, ['KEY_EXPIRING']);
  }
  return result;
}

async function probeKey(
  deps: KeyCheckDependencies,
  org: Org,
  options: KeyCheckOptions,
): Promise<{ outcome: KeyProbeOutcome; error?: { code: string; message: string } }> {
  try {
    const apiKey = await deps.secrets.getApiKey(org.orgId);
    const visible = await deps.atlassian(apiKey).listOrgs(options.deadline === undefined ? {} : { deadline: options.deadline });
    return { outcome: visible.some((seen) => seen.orgId === org.orgId) ? 'accepted' : 'org-not-visible' };
  } catch (thrown) {
    const error = asError(thrown);
    const code = errorCode(error);
    if (code === 'KEY_REJECTED') return { outcome: 'rejected' };
    return { outcome: 'failed', error: { code, message: error.message } };
  }
}

/** Marks the org `error` with the key's reason (unless it already says so) and sets `KEY_REJECTED`. */
async function markKeyRejected(deps: KeyCheckDependencies, org: Org, diagnostic: Diagnostic): Promise<void> {
  if (org.status !== 'error' || org.statusReason !== diagnostic.message) {
    await deps.stores.orgs.updateOrg(
      org.orgId,
      { status: 'error', statusReason: diagnostic.message },
      { expectedStatus: CONNECTED_STATUSES },
    );
  }
  await deps.stores.orgs.setDiagnostic(org.orgId, diagnostic);
}

function keyNotVisibleDiagnostic(since: Date, orgId: string): Diagnostic {
  return {
    code: 'KEY_REJECTED',
    severity: 'error',
    message: `the Atlassian API key no longer has access to this organization — it may have been revoked or belong to another organization; rotate it with PUT /orgs/${orgId}/api-key`,
    since: since.toISOString(),
  };
}

function baseResult(org: Org, daysLeft: number | undefined) {
  return {
    orgId: org.orgId,
    orgName: org.name,
    daysLeft: daysLeft ?? null,
    keyExpiresAt: org.keyExpiresAt,
    keyExpirySource: org.keyExpirySource,
  };
}

/** Per-org days, as a single metric so its `OrgId` dimension stays off the fleet metrics. */
function recordOrgDays(metrics: MetricsInterface, orgId: string, daysLeft: number | undefined): void {
  if (daysLeft === undefined) return;
  const single = metrics.singleMetric();
  single.addDimension(ORG_ID_DIMENSION, orgId);
  single.addMetric(KEY_METRICS.daysToKeyExpiry, MetricUnit.NoUnit, daysLeft);
}

function recordFleetMetrics(metrics: MetricsInterface, results: readonly KeyCheckResult[]): void {
  const summary = summarizeKeyChecks(results);
  metrics.addMetric(KEY_METRICS.orgsChecked, MetricUnit.Count, summary.checked);
  metrics.addMetric(KEY_METRICS.orgsWithExpiringKeys, MetricUnit.Count, summary.warning + summary.critical);
  metrics.addMetric(KEY_METRICS.orgsWithExpiredOrRejectedKeys, MetricUnit.Count, summary.expired + summary.rejected);
  metrics.addMetric(KEY_METRICS.orgsWithRejectedKeys, MetricUnit.Count, summary.rejected);
  metrics.addMetric(KEY_METRICS.keyChecksFailed, MetricUnit.Count, summary.probesFailed);
  if (summary.minDaysToKeyExpiry !== null) {
    metrics.addMetric(KEY_METRICS.minDaysToKeyExpiry, MetricUnit.NoUnit, summary.minDaysToKeyExpiry);
  }
}

function toEvent(result: KeyCheckResult): ConnectorEvent {
  return {
    detailType: result.severity === 'rejected' ? KEY_REJECTED_EVENT : KEY_EXPIRING_EVENT,
    detail: {
      orgId: result.orgId,
      orgName: result.orgName,
      severity: result.severity,
      daysLeft: result.daysLeft,
      keyExpiresAt: result.keyExpiresAt,
      keyExpirySource: result.keyExpirySource,
      message: result.message ?? '',
    },
  };
}

function errorCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}
