/**
 * Shared set-up of the deprovision tests: the simulator, a fresh dynalite table, orgs
 * connected with keys in a local secret store, and snapshots seeded from the simulator's
 * users through the real client listing and the domain's `buildSnapshot`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaContext } from '../../bin/local/lambda-adapter.js';
import { AtlassianClient, createAtlassianDirectory } from '../../functions/core/atlassian/index.js';
import { loadConfig } from '../../functions/core/config.js';
import type { Org, UserSnapshot } from '../../functions/core/domain/model.js';
import { buildSnapshot } from '../../functions/core/domain/snapshot.js';
import { LocalEventPublisher } from '../../functions/core/events/local-publisher.js';
import type { HttpResponse } from '../../functions/core/http/response.js';
import { systemClock } from '../../functions/core/ports.js';
import { LocalSyncQueue } from '../../functions/core/queue/local-sync-queue.js';
import type { ConnectorDependencies } from '../../functions/core/runtime/dependencies.js';
import { LocalSecretStore } from '../../functions/core/secrets/index.js';
import { createDynamoStores } from '../../functions/core/store/index.js';
import { createDeprovisionHandler, type DeprovisionHandlerOptions } from '../../functions/deprovision/create-handler.js';
import { startSimulator, type SimOrgSpec, type Simulator } from '../simulator/index.js';
import { startDynamo, type TestDynamo } from '../support/dynamo.js';

export const REQUESTER = 'arn:aws:iam::111122223333:user/it-admin';

export interface DeprovisionWorld {
  sim: Simulator;
  dynamo: TestDynamo;
  deps: ConnectorDependencies;
  /** Org id by simulator org name. */
  orgIds: Record<string, string>;
  invoke(request: DeprovisionCall): Promise<HttpResponse & { json: Record<string, unknown> }>;
  /** Directory writes (suspend, restore, remove; v1 or v2) the simulator received. */
  writeCalls(): { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

export interface DeprovisionCall {
  orgId: string;
  accountId: string;
  body: unknown;
  idempotencyKey?: string;
  requester?: string;
}

/** Starts everything; every org of `orgs` is connected and synced into snapshots. */
export async function startDeprovisionWorld(
  orgs: SimOrgSpec[],
  handlerOptions: DeprovisionHandlerOptions = {},
): Promise<DeprovisionWorld> {
  const sim = await startSimulator({ seed: 11, orgs });
  const dynamo = await startDynamo({ tablePrefix: 'deprovision' });
  const stores = createDynamoStores({ documentClient: dynamo.documentClient, tableName: dynamo.tableName });
  const secrets = new LocalSecretStore();
  const deps: ConnectorDependencies = {
    config: loadConfig({}),
    stores,
    secrets,
    atlassian: createAtlassianDirectory({ baseUrl: sim.baseUrl, retry: { baseDelayMs: 1, maxDelayMs: 5 } }),
    syncQueue: new LocalSyncQueue(),
    events: new LocalEventPublisher(),
    clock: systemClock,
  };
  const orgIds: Record<string, string> = {};
  for (const [index, spec] of orgs.entries()) {
    const orgId = sim.orgs[index]!.orgId;
    orgIds[spec.name] = orgId;
    const apiKey = spec.apiKeys[0]!;
    const secretRef = await secrets.putApiKey(orgId, apiKey);
    await stores.orgs.createOrg(connectedOrg(orgId, spec.name, secretRef));
    await stores.snapshots.writeSnapshots(await snapshotsFromSimulator(sim, orgId, apiKey));
  }
  sim.resetRequests();

  const handler = createDeprovisionHandler(deps, { logger: new Logger({ logLevel: 'SILENT' }), ...handlerOptions });
  return {
    sim,
    dynamo,
    deps,
    orgIds,
    invoke: async (call) => {
      const response = (await handler(deprovisionEvent(call), lambdaContext('deprovision', 29_000))) as HttpResponse;
      return { ...response, json: JSON.parse(String(response.body)) as Record<string, unknown> };
    },
    writeCalls: () =>
      sim.requests
        .filter((r) => r.method !== 'GET' && /\/(directory|directories\/[^/]+)\/users\//.test(r.path))
        .map(({ method, path, status }) => ({ method, path, status })),
    close: async () => {
      await sim.close();
      await dynamo.close();
    },
  };
}

function connectedOrg(orgId: string, name: string, secretRef: string): Org {
  const now = new Date().toISOString();
  return {
    orgId,
    name,
    status: 'healthy',
    secretRef,
    keyExpiresAt: new Date(Date.now() + 200 * 86_400_000).toISOString(),
    keyExpirySource: 'declared',
    connectedAt: now,
    diagnostics: [],
    updatedAt: now,
  };
}

/** Every user the client lists, as the sync would store it. */
async function snapshotsFromSimulator(sim: Simulator, orgId: string, apiKey: string): Promise<UserSnapshot[]> {
  const client = new AtlassianClient({ baseUrl: sim.baseUrl, apiKey });
  const snapshots: UserSnapshot[] = [];
  const now = new Date();
  for await (const page of client.listUserPages(orgId)) {
    for (const user of page.users) snapshots.push(buildSnapshot(orgId, user, undefined, now));
  }
  return snapshots;
}

export function deprovisionEvent(call: DeprovisionCall): APIGatewayProxyEventV2 {
  const rawPath = `/orgs/${call.orgId}/users/${call.accountId}/deprovision`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
  return {
    version: '2.0',
    routeKey: 'POST /orgs/{orgId}/users/{accountId}/deprovision',
    rawPath,
    rawQueryString: '',
    headers,
    pathParameters: { orgId: call.orgId, accountId: call.accountId },
    body: typeof call.body === 'string' ? call.body : JSON.stringify(call.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '111122223333',
      apiId: 'api',
      domainName: 'example.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'example',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'request-id',
      routeKey: 'POST /orgs/{orgId}/users/{accountId}/deprovision',
      stage: '$default',
      time: '04/Dec/2026:10:00:00 +0000',
      timeEpoch: 0,
      authorizer: { iam: { userArn: call.requester ?? REQUESTER } },
    },
  } as unknown as APIGatewayProxyEventV2;
}

