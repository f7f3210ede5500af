/**
 * Local mode: the whole connector in one process, with no AWS account, no Docker and no
 * network. The HTTP API, the sync worker and dispatcher, the key-expiry check and the
 * deprovision function are the same handler factories the Lambdas use; only the adapters
 * differ (embedded DynamoDB, a local secret file, an in-process queue, events as log lines,
 * and the Atlassian simulator with demo orgs unless `DEMO=false`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createApiHandler } from '../../functions/api/create-handler.js';
import { createAtlassianDirectory } from '../../functions/core/atlassian/index.js';
import { loadConfig, loadLocalModeConfig, type LocalModeConfig } from '../../functions/core/config.js';
import { LocalEventPublisher } from '../../functions/core/events/local-publisher.js';
import { logger } from '../../functions/core/observability.js';
import { systemClock } from '../../functions/core/ports.js';
import { LocalSyncQueue } from '../../functions/core/queue/local-sync-queue.js';
import type { ConnectorDependencies } from '../../functions/core/runtime/dependencies.js';
import { LocalSecretStore } from '../../functions/core/secrets/index.js';
import { createDocumentClient, createDynamoStores } from '../../functions/core/store/index.js';
import { createDeprovisionHandler } from '../../functions/deprovision/create-handler.js';
import { createKeyExpiryHandler } from '../../functions/key-expiry/create-handler.js';
import { createSyncDispatcher, createSyncWorker } from '../../functions/sync/handlers.js';
import { ensureTable, startDynalite } from '../../test/support/dynamo.js';
import { startSimulator, type Simulator } from '../../test/simulator/index.js';
import { DEMO_ORGS, DEMO_SEED } from './demo.js';
import { lambdaContext, scheduledEvent, sqsEvent } from './lambda-adapter.js';
import { startLocalServer } from './server.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A second key for the demo org whose key expires, so the rotate example works. */
export const DEMO_ROTATED_KEY = 'demo-key-expiring-rotated';

export interface LocalMode {
  url: string;
  demoOrgs: Array<{ orgId: string; name: string }>;
  stop(): Promise<void>;
}

export async function startLocalMode(env: NodeJS.ProcessEnv, print: (text: string) => void): Promise<LocalMode> {
  const local = loadLocalModeConfig(env);
  const base = loadConfig(env);
  if (local.dataDir) await mkdir(local.dataDir, { recursive: true, mode: 0o700 });

  const dynamo = await startDynalite(local.dataDir ? { path: join(local.dataDir, 'dynamodb') } : {});
  await ensureTable(dynamo.client, base.tableName);
  const simulator = local.demo ? await startDemoSimulator() : undefined;
  const config = { ...base, atlassianBaseUrl: simulator?.baseUrl ?? local.atlassianBaseUrl ?? base.atlassianBaseUrl };

  const syncQueue = new LocalSyncQueue();
  const events = new LocalEventPublisher({ log: (line) => process.stdout.write(`${line}\n`) });
  const deps: ConnectorDependencies = {
    config,
    stores: createDynamoStores({ documentClient: createDocumentClient(dynamo.client), tableName: config.tableName, changeTtlDays: config.changeTtlDays }),
    secrets: new LocalSecretStore(local.dataDir ? { directory: local.dataDir } : {}),
    atlassian: createAtlassianDirectory({ baseUrl: config.atlassianBaseUrl, logger }),
    syncQueue,
    events,
    clock: systemClock,
  };

  const syncWorker = createSyncWorker(deps);
  const dispatchSyncs = createSyncDispatcher(deps);
  const checkKeys = createKeyExpiryHandler(deps);
  syncQueue.attach(async (request) => {
    await syncWorker(sqsEvent([{ id: `${request.runId}-${Date.now()}`, body: JSON.stringify(request) }]), lambdaContext('local-sync-worker'));
  });

  const { server, url } = await startLocalServer({
    port: local.port,
    handlers: { api: createApiHandler(deps), deprovision: createDeprovisionHandler(deps) },
    extras: { '/local/events': () => ({ items: events.events() }) },
  });

  const runKeyCheck = () => checkKeys(scheduledEvent('key-expiry'), lambdaContext('local-key-expiry'));
  const demoOrgs = simulator ? await connectDemoOrgs(url, simulator) : [];
  await syncQueue.drained();
  await runKeyCheck();

  const timers = [
    setInterval(() => void dispatchSyncs(scheduledEvent('sync'), lambdaContext('local-sync-dispatcher')), local.syncIntervalMs),
    setInterval(() => void runKeyCheck(), local.keyCheckIntervalMs),
  ];
  print(await banner(url, local, simulator, demoOrgs));

  return {
    url,
    demoOrgs,
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await syncQueue.drained();
      await simulator?.close();
      await dynamo.close();
    },
  };
}

/** An expiry `days` whole days ahead (plus an hour, so "10 days" still reads 10 after start-up). */
function demoKeyExpiry(days: number): string {
  return new Date(Date.now() + days * DAY_MS + 60 * 60 * 1000).toISOString();
}

async function startDemoSimulator(): Promise<Simulator> {
  const now = Date.now();
  const simulator = await startSimulator({
    seed: DEMO_SEED,
    orgs: DEMO_ORGS.map((demo) =>
      demo.keyExpiresInDays === undefined
        ? demo.spec
        : { ...demo.spec, keyExpiresAt: { [demo.apiKey]: demoKeyExpiry(demo.keyExpiresInDays) } },
    ),
  });
  const expiring = DEMO_ORGS.findIndex((demo) => demo.keyExpiresInDays !== undefined);
  simulator.addKey(simulator.orgs[expiring]!.orgId, DEMO_ROTATED_KEY, new Date(now + 365 * DAY_MS).toISOString());
  return simulator;
}

/** Connects each demo org through the HTTP API, as a user would; already connected ones (DATA_DIR) are kept. */
async function connectDemoOrgs(url: string, simulator: Simulator): Promise<Array<{ orgId: string; name: string }>> {
  const connected: Array<{ orgId: string; name: string }> = [];
  for (const [index, demo] of DEMO_ORGS.entries()) {
    const { orgId, name } = simulator.orgs[index]!;
    const keyExpiresAt = demo.keyExpiresInDays === undefined ? undefined : demoKeyExpiry(demo.keyExpiresInDays);
    const response = await fetch(`${url}/orgs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: demo.apiKey, orgId, ...(keyExpiresAt ? { keyExpiresAt } : {}) }),
    });
    if (response.status !== 201 && response.status !== 409) {
      throw new Error(`could not connect demo org ${name}: HTTP ${response.status} ${await response.text()}`);
    }
    connected.push({ orgId, name });
  }
  return connected;
}

async function banner(
  url: string,
  local: LocalModeConfig,
  simulator: Simulator | undefined,
  demoOrgs: Array<{ orgId: string; name: string }>,
): Promise<string> {
  const lines = [
    '',
    '== Atlassian Access Connector: local mode ==',
    `API         ${url}  (the same routes as API Gateway; no authentication locally)`,
    `Atlassian   ${simulator ? `simulator at ${simulator.baseUrl} with demo data` : `${local.atlassianBaseUrl ?? 'https://api.atlassian.com/admin'} (connect a real org with POST /orgs)`}`,
    `DynamoDB    embedded emulator, ${local.dataDir ? `persisted in ${local.dataDir}` : 'in memory (set DATA_DIR to keep data)'}`,
    `Schedules   sync every ${local.syncIntervalMs / 1000} s, key-expiry check every ${local.keyCheckIntervalMs / 1000} s`,
    `Events      ${url}/local/events  (what would go to EventBridge; metrics are EMF log lines)`,
  ];
  if (demoOrgs.length > 0) {
    lines.push('', 'Demo orgs');
    for (const [index, org] of demoOrgs.entries()) {
      lines.push(`  ${org.orgId}  ${org.name.padEnd(24)} ${DEMO_ORGS[index]!.shows}`);
    }
    const acme = demoOrgs[0]!.orgId;
    const expiring = demoOrgs[3]!.orgId;
    const someone = await firstUserWithNoProductAccess(url, acme);
    lines.push(
      '',
      'Try',
      `  curl -s ${url}/orgs`,
      `  curl -s '${url}/orgs/${acme}/users?accessState=no_product_access&limit=5'`,
      `  curl -s -X POST ${url}/orgs/${acme}/users/${someone}/deprovision -H 'content-type: application/json' -d '{"action":"suspend","reason":"left the company","dryRun":true}'`,
      `  curl -s -X PUT ${url}/orgs/${expiring}/api-key -H 'content-type: application/json' -d '{"apiKey":"${DEMO_ROTATED_KEY}"}'`,
    );
  }
  lines.push('', `Ready: ${url}  (Ctrl-C to stop)`, '');
  return lines.join('\n');
}

async function firstUserWithNoProductAccess(url: string, orgId: string): Promise<string> {
  const response = await fetch(`${url}/orgs/${orgId}/users?accessState=no_product_access&limit=1`);
  const page = (await response.json()) as { items?: Array<{ accountId: string }> };
  return page.items?.[0]?.accountId ?? '<accountId>';
}
