/**
 * `npm run bench`: a 100,000-user sync against the Atlassian simulator and dynalite,
 * compared with the time Atlassian's sequential cursor pagination forces (see README.md).
 *
 * Environment (read here only; the connector's own configuration is untouched):
 * - `BENCH_USERS` (default 100000): managed accounts in the simulated org.
 * - `BENCH_PAGE_LATENCY_MS` (default 60): latency the simulator adds to every request.
 * - `BENCH_DYNALITE` (`child` | `in-process`, default `child`): where dynalite runs.
 * - `BENCH_BUNDLES` (`true` | `false`, default `true`): also synthesize and measure the Lambda bundles.
 * - `BENCH_RESULTS` (default `bench/RESULTS.md`; `none` to skip): where the markdown report is written.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createAtlassianDirectory } from '../functions/core/atlassian/index.js';
import { loadConfig } from '../functions/core/config.js';
import type { Org } from '../functions/core/domain/model.js';
import { LocalEventPublisher } from '../functions/core/events/local-publisher.js';
import { logger } from '../functions/core/observability.js';
import { LocalSyncQueue } from '../functions/core/queue/local-sync-queue.js';
import type { AtlassianDirectory } from '../functions/core/ports.js';
import type { ConnectorDependencies } from '../functions/core/runtime/dependencies.js';
import { LocalSecretStore } from '../functions/core/secrets/index.js';
import { createDynamoStores } from '../functions/core/store/index.js';
import { requestSync, syncOrg } from '../functions/core/sync/index.js';
import { synthesizeWithBundling, type FunctionBundle } from '../test/infra/bundles.js';
import { DynamoRequestCounter, MemorySampler, timedAtlassian, timedStores, Timings } from './instruments.js';
import { measure, type CpuTimes, type Measurement, type Probes } from './measure.js';
import { startBenchDynamo, startSimulatorProcess, type DynaliteMode } from './processes.js';
import { cpuMicros } from './protocol.js';
import { renderReport, type BenchParameters } from './report.js';

const API_KEY = 'bench-api-key';
const CHURN_SHARE = 0.01;
const WARM_UP_PAGES = 5;
const DAY_MS = 86_400_000;

function readParameters(env: NodeJS.ProcessEnv): BenchParameters {
  const positive = (name: string, fallback: number, allowZero = false) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got "${raw}"`);
    return value;
  };
  const choice = <T extends string>(name: string, choices: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!choices.includes(raw as T)) throw new Error(`${name} must be one of ${choices.join(', ')}, got "${raw}"`);
    return raw as T;
  };
  const results = env.BENCH_RESULTS;
  return {
    users: positive('BENCH_USERS', 100_000),
    pageLatencyMs: positive('BENCH_PAGE_LATENCY_MS', 60, true),
    dynalite: choice<DynaliteMode>('BENCH_DYNALITE', ['child', 'in-process'], 'child'),
    bundles: choice('BENCH_BUNDLES', ['true', 'false'], 'true') === 'true',
    churnShare: CHURN_SHARE,
    resultsFile:
      results === 'none' ? undefined : results !== undefined && results !== '' ? results : fileURLToPath(new URL('RESULTS.md', import.meta.url)),
  };
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

async function main(): Promise<void> {
  const parameters = readParameters(process.env);
  const loadAtStart = loadavg()[0] ?? 0;
  logger.setLogLevel('ERROR');
  log(`users=${parameters.users} pageLatencyMs=${parameters.pageLatencyMs} dynalite=${parameters.dynalite}`);

  const startedAt = performance.now();
  const sim = await startSimulatorProcess({ userCount: parameters.users, latencyMs: parameters.pageLatencyMs, apiKey: API_KEY, seed: 42 });
  const dynamo = await startBenchDynamo(parameters.dynalite);
  log(`simulator (child pid ${sim.pid}) and dynalite (${dynamo.mode}) up in ${Math.round(performance.now() - startedAt)} ms`);

  const probes: Probes = {
    counter: new DynamoRequestCounter(),
    timings: new Timings(),
    memory: new MemorySampler(),
    simulatorRequests: () => sim.takeRequestCount(),
    cpu: async () => {
      const times: CpuTimes = { measured: cpuMicros(), simulator: await sim.cpuMicros() };
      if (dynamo.cpuMicros !== undefined) times.dynalite = await dynamo.cpuMicros();
      return times;
    },
  };
  probes.counter.attach(dynamo.documentClient);
  const atlassian = createAtlassianDirectory({ baseUrl: sim.baseUrl });
  const secrets = new LocalSecretStore();
  const deps: ConnectorDependencies = {
    config: loadConfig({}),
    stores: timedStores(createDynamoStores({ documentClient: dynamo.documentClient, tableName: dynamo.tableName }), probes.timings),
    secrets,
    atlassian: timedAtlassian(atlassian, probes.timings),
    syncQueue: new LocalSyncQueue(),
    events: new LocalEventPublisher(),
    clock: () => new Date(),
  };
  const orgId = sim.orgId;

  try {
    await listPages(atlassian(API_KEY), orgId, WARM_UP_PAGES);
    log('measuring the lower bound: every page, one after another, no store');
    const lowerBound = await measure('Lower bound: sequential listing, no store', probes, () => listPages(deps.atlassian(API_KEY), orgId));
    log(`lower bound ${(lowerBound.ms / 1000).toFixed(1)} s for ${lowerBound.pages} pages`);

    await connectOrg(deps, orgId);
    const syncNow = async () => {
      const runId = await requestSync(orgId, 'manual', deps);
      const result = await syncOrg({ orgId, runId, trigger: 'manual' }, deps, { deadline: Date.now() + DAY_MS });
      if (result.outcome !== 'succeeded') throw new Error(`sync ended ${result.outcome}: ${JSON.stringify(result.error ?? result.heldReason)}`);
      return { pages: result.pages, users: result.counts.seen, result };
    };
    const syncs: Measurement[] = [];
    log('first sync');
    syncs.push(await measure('First sync (empty table)', probes, syncNow));
    log(`first sync ${(syncs[0]!.ms / 1000).toFixed(1)} s`);
    log('re-sync, no upstream change');
    syncs.push(await measure('Re-sync, no upstream change', probes, syncNow));
    const churn = await sim.churn(parameters.churnShare);
    log(`churned: ${churn.changed} changed, ${churn.removed} removed, ${churn.added} added; re-sync`);
    syncs.push(await measure(`Re-sync after ${parameters.churnShare * 100}% churn`, probes, syncNow));

    const bundles = parameters.bundles ? await measureBundles() : undefined;
    const report = renderReport({ parameters, lowerBound, syncs, churn, bundles, date: new Date(), loadAtStart });
    process.stdout.write(`${report}\n`);
    if (parameters.resultsFile !== undefined) {
      await writeFile(parameters.resultsFile, report);
      log(`written to ${parameters.resultsFile}`);
    }
    log(`total ${(performance.now() - startedAt) / 1000 | 0} s`);
  } finally {
    await sim.close();
    await dynamo.close();
  }
}

/** Lists the org's pages one after another with the real client; stops after `limit` pages if given. */
async function listPages(directory: AtlassianDirectory, orgId: string, limit = Infinity) {
  let pages = 0;
  let users = 0;
  for await (const page of directory.listUserPages(orgId)) {
    pages++;
    users += page.users.length;
    if (pages >= limit) break;
  }
  return { pages, users };
}

/** Stores the key and the org record, as connecting through the API would. */
async function connectOrg(deps: ConnectorDependencies, orgId: string): Promise<void> {
  const now = new Date();
  const org: Org = {
    orgId,
    name: 'Bench',
    status: 'healthy',
    secretRef: await deps.secrets.putApiKey(orgId, API_KEY),
    keyExpiresAt: new Date(now.getTime() + 300 * DAY_MS).toISOString(),
    keyExpirySource: 'estimated',
    connectedAt: now.toISOString(),
    diagnostics: [],
    updatedAt: now.toISOString(),
  };
  await deps.stores.orgs.createOrg(org);
}

async function measureBundles(): Promise<{ bundles: FunctionBundle[]; ms: number }> {
  log('synthesizing the CDK app with bundling');
  const outdir = await mkdtemp(join(tmpdir(), 'bench-cdk-'));
  try {
    const start = performance.now();
    const bundles = await synthesizeWithBundling(outdir);
    return { bundles, ms: performance.now() - start };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

await main();
