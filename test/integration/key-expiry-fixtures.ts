/**
 * Shared set-up of the key-expiry tests: a fresh table on one dynalite, an in-memory
 * secret store, an Atlassian factory over the simulator that counts probes in flight,
 * and capture of the EMF lines Powertools Metrics writes to stdout.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createAtlassianDirectory } from '../../functions/core/atlassian/index.js';
import type { Org } from '../../functions/core/domain/model.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/core/observability.js';
import type { AtlassianDirectoryFactory } from '../../functions/core/ports.js';
import { LocalSecretStore } from '../../functions/core/secrets/index.js';
import { DynamoOrgStore } from '../../functions/core/store/dynamo-org-store.js';
import { createDocumentClient } from '../../functions/core/store/dynamo-common.js';
import { createTable, uniqueTableName, type DynaliteServer } from '../support/dynamo.js';

export const NOW = new Date('2027-03-01T09:30:00.000Z');
export const clock = () => NOW;
export const DAY_MS = 86_400_000;

export function daysFromNow(days: number): string {
  return new Date(NOW.getTime() + days * DAY_MS).toISOString();
}

export function org(orgId: string, patch: Partial<Org> = {}): Org {
  return {
    orgId,
    name: `Org ${orgId}`,
    status: 'healthy',
    secretRef: `atlassian-access-connector/${orgId}`,
    keyExpiresAt: daysFromNow(200),
    keyExpirySource: 'declared',
    connectedAt: '2026-09-01T00:00:00.000Z',
    diagnostics: [],
    updatedAt: '2026-09-01T00:00:00.000Z',
    ...patch,
  };
}

/** A fresh table holding `orgs`, with an org store on the fixed clock. */
export async function orgStoreWith(server: DynaliteServer, orgs: readonly Org[]): Promise<DynamoOrgStore> {
  const tableName = uniqueTableName('key-expiry');
  await createTable(server.client, tableName);
  const store = new DynamoOrgStore({ documentClient: createDocumentClient(server.client), tableName, clock });
  for (const entry of orgs) await store.createOrg(entry);
  return store;
}

/** The local secret store (in memory) holding these keys by org id; other orgs have no secret. */
export async function secretsWith(entries: Record<string, string>): Promise<LocalSecretStore> {
  const secrets = new LocalSecretStore();
  for (const [orgId, key] of Object.entries(entries)) await secrets.putApiKey(orgId, key);
  return secrets;
}

/** An Atlassian factory over the simulator with fast retries, counting `listOrgs` calls in flight. */
export function countingAtlassian(baseUrl: string) {
  const inner = createAtlassianDirectory({
    baseUrl,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    requestTimeoutMs: 2_000,
  });
  const stats = { inFlight: 0, maxInFlight: 0, probes: 0 };
  const factory: AtlassianDirectoryFactory = (apiKey) => {
    const client = inner(apiKey);
    return {
      listOrgs: async (options?: { deadline?: number }) => {
        stats.probes++;
        stats.inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
        try {
          return await client.listOrgs(options);
        } finally {
          stats.inFlight--;
        }
      },
      listUserPages: client.listUserPages.bind(client),
      suspendAccess: client.suspendAccess.bind(client),
      restoreAccess: client.restoreAccess.bind(client),
      removeFromDirectory: client.removeFromDirectory.bind(client),
    };
  };
  return { factory, stats };
}

/**
 * A Metrics instance like the shared one (same namespace and service). Dev mode makes it (and
 * the single metrics it creates) write through the global `console`, where `captureConsole` reads.
 */
export function freshMetrics(): Metrics {
  process.env['POWERTOOLS_DEV'] = 'true';
  // Dev mode alone would also disable metrics.
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'false';
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
}

/** One EMF document as written to stdout. */
export interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

/**
 * Runs `action` while collecting what Powertools writes; returns its result, the text, and the
 * EMF documents in it. With `POWERTOOLS_DEV` set (see `freshMetrics`), Metrics and Logger write
 * through the global `console`, so the capture never touches `process.stdout`, which the test
 * runner reports through.
 */
export async function captureConsole<T>(action: () => Promise<T>): Promise<{ result: T; text: string; emf: EmfLine[] }> {
  const lines: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((method) => console[method]);
  for (const method of methods) {
    console[method] = (...args: unknown[]) => {
      lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    };
  }
  let result: T;
  try {
    result = await action();
  } finally {
    methods.forEach((method, i) => {
      console[method] = originals[i]!;
    });
  }
  const emf = lines.flatMap((line) => {
    if (!line.trimStart().startsWith('{')) return [];
    const parsed = JSON.parse(line) as Partial<EmfLine>;
    return parsed._aws === undefined ? [] : [parsed as EmfLine];
  });
  return { result, text: lines.join('\n'), emf };
}

/** Names of the metrics of an EMF line. */
export function metricNames(line: EmfLine): string[] {
  return line._aws.CloudWatchMetrics.flatMap((entry) => entry.Metrics.map((metric) => metric.Name));
}
