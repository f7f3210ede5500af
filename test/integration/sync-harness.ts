/**
 * Shared set-up of the sync integration tests: the Atlassian simulator over HTTP, the
 * real Atlassian client, dynalite with the connector's table and the real DynamoDB stores,
 * a local secret store, and a queue that records what the sync engine enqueues.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAtlassianDirectory } from '../../functions/core/atlassian/index.js';
import { loadConfig, type ConnectorConfig } from '../../functions/core/config.js';
import { deriveAccessState } from '../../functions/core/domain/access-state.js';
import type { AccessState, Org, UserSnapshot } from '../../functions/core/domain/model.js';
import { LocalEventPublisher } from '../../functions/core/events/local-publisher.js';
import { logger } from '../../functions/core/observability.js';
import type { AtlassianDirectory, AtlassianDirectoryFactory, ManagedUserPage, SyncQueue, SyncRequest } from '../../functions/core/ports.js';
import type { ConnectorDependencies } from '../../functions/core/runtime/dependencies.js';
import { LocalSecretStore } from '../../functions/core/secrets/index.js';
import { createDynamoStores } from '../../functions/core/store/index.js';
import { startSimulator, type SimOrgSpec, type SimUser, type Simulator } from '../simulator/index.js';
import { startDynamo, type TestDynamo } from '../support/dynamo.js';

/** A `SyncQueue` that keeps what was enqueued, for the test to deliver. */
export class RecordingQueue implements SyncQueue {
  readonly requests: SyncRequest[] = [];
  async enqueue(requests: SyncRequest[]): Promise<void> {
    this.requests.push(...requests);
  }
  take(): SyncRequest[] {
    return this.requests.splice(0, this.requests.length);
  }
}

/** DynamoDB items written, by `entity` (`user`, `change`, `seenChunk`, …) and org partition prefix. */
export class WriteCounter {
  readonly #items: Array<{ entity: string; pk: string }> = [];

  attach(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.#record(context.commandName ?? '', (args as { input: Record<string, unknown> }).input);
        return next(args);
      },
      { step: 'build', name: 'syncTestWriteCounter' },
    );
  }

  /** Items of `entity` written to partitions of `orgId` since the last `reset()`. */
  count(entity: string, orgId: string): number {
    return this.#items.filter((item) => item.entity === entity && item.pk.startsWith(`ORG#${orgId}`)).length;
  }

  reset(): void {
    this.#items.length = 0;
  }

  #record(commandName: string, input: Record<string, unknown>): void {
    const items: Record<string, unknown>[] = [];
    if (commandName === 'PutItemCommand' || commandName === 'PutCommand') items.push(input.Item as Record<string, unknown>);
    if (commandName === 'UpdateItemCommand' || commandName === 'UpdateCommand') items.push({ ...(input.Key as object), entity: 'update' });
    if (commandName === 'BatchWriteItemCommand' || commandName === 'BatchWriteCommand') {
      for (const requests of Object.values(input.RequestItems as Record<string, Array<{ PutRequest?: { Item: Record<string, unknown> } }>>)) {
        for (const request of requests) if (request.PutRequest) items.push(request.PutRequest.Item);
      }
    }
    for (const item of items) this.#items.push({ entity: scalar(item.entity), pk: scalar(item.pk) });
  }
}

/** A marshalled (`{S: 'x'}`) or plain attribute value as a string. */
function scalar(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'S' in value) return String((value as { S: unknown }).S);
  return value === undefined ? '' : String(value);
}

export interface SyncHarness {
  sim: Simulator;
  dynamo: TestDynamo;
  deps: ConnectorDependencies;
  queue: RecordingQueue;
  writes: WriteCounter;
  secrets: LocalSecretStore;
  /** Org id of the simulated org with this name. */
  orgId(name: string): string;
  /** Creates the connector's org record and stores its key, as connecting would. */
  connect(name: string, apiKey?: string): Promise<string>;
  /** Replaces the Atlassian factory (e.g. to arm a fault after some pages). */
  useAtlassian(factory: AtlassianDirectoryFactory): void;
  close(): Promise<void>;
}

/** Options of the real Atlassian client in these tests: tiny retry delays. */
export const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 };

export async function startSyncHarness(orgs: Array<SimOrgSpec & { apiKeys: [string, ...string[]] }>, config: Partial<ConnectorConfig> = {}): Promise<SyncHarness> {
  logger.setLogLevel('ERROR');
  const sim = await startSimulator({ seed: 42, orgs });
  const dynamo = await startDynamo({ tablePrefix: 'sync' });
  const writes = new WriteCounter();
  writes.attach(dynamo.documentClient);
  const queue = new RecordingQueue();
  const secrets = new LocalSecretStore();
  const realAtlassian = createAtlassianDirectory({ baseUrl: sim.baseUrl, retry: FAST_RETRY });
  const deps: ConnectorDependencies = {
    config: { ...loadConfig({}), deadlineSafetyMs: 0, ...config },
    stores: createDynamoStores({ documentClient: dynamo.documentClient, tableName: dynamo.tableName, retry: { baseDelayMs: 1, maxDelayMs: 5 } }),
    secrets,
    atlassian: realAtlassian,
    syncQueue: queue,
    events: new LocalEventPublisher(),
    clock: () => new Date(),
  };
  const orgId = (name: string) => {
    const found = sim.orgs.find((org) => org.name === name);
    if (!found) throw new Error(`no simulated org named ${name}`);
    return found.orgId;
  };
  return {
    sim,
    dynamo,
    deps,
    queue,
    writes,
    secrets,
    orgId,
    async connect(name, apiKey) {
      const id = orgId(name);
      const spec = orgs.find((org) => org.name === name);
      const key = apiKey ?? spec?.apiKeys[0] ?? '';
      const now = new Date().toISOString();
      const org: Org = {
        orgId: id,
        name,
        status: 'healthy',
        secretRef: await secrets.putApiKey(id, key),
        keyExpiresAt: new Date(Date.now() + 300 * 86_400_000).toISOString(),
        keyExpirySource: 'estimated',
        connectedAt: now,
        diagnostics: [],
        updatedAt: now,
      };
      await deps.stores.orgs.createOrg(org);
      return id;
    },
    useAtlassian(factory) {
      deps.atlassian = factory;
    },
    async close() {
      await sim.close();
      await dynamo.close();
    },
  };
}

/**
 * The real client with its user listing replaced by `listing`, which gets the real
 * directory to delegate to; every other call goes straight through.
 */
export function withListing(
  factory: AtlassianDirectoryFactory,
  listing: (directory: AtlassianDirectory, ...args: Parameters<AtlassianDirectory['listUserPages']>) => AsyncIterable<ManagedUserPage>,
): AtlassianDirectoryFactory {
  return (apiKey) => {
    const directory = factory(apiKey);
    return {
      listOrgs: (options) => directory.listOrgs(options),
      suspendAccess: (orgId, accountId, options) => directory.suspendAccess(orgId, accountId, options),
      restoreAccess: (orgId, accountId, options) => directory.restoreAccess(orgId, accountId, options),
      removeFromDirectory: (orgId, accountId, options) => directory.removeFromDirectory(orgId, accountId, options),
      listUserPages: (orgId, options) => listing(directory, orgId, options),
    };
  };
}

/**
 * Wraps the real client so that `action` runs once, right after the `pages`-th page has
 * been handed to the sync (before the next page is requested): a fault armed there hits
 * the listing mid-way.
 */
export function afterPages(factory: AtlassianDirectoryFactory, pages: number, action: () => void): AtlassianDirectoryFactory {
  return withListing(factory, async function* (directory, orgId, options) {
    let served = 0;
    for await (const page of directory.listUserPages(orgId, options)) {
      yield page;
      if (++served === pages) action();
    }
  });
}

/** Every stored snapshot of an org, tombstones included. */
export async function storedUsers(deps: ConnectorDependencies, orgId: string): Promise<UserSnapshot[]> {
  const users: UserSnapshot[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.stores.snapshots.listUsers(orgId, { includeRemoved: true, limit: 1000, ...(cursor ? { cursor } : {}) });
    users.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return users;
}

/** The access state the domain derives for a simulated user. */
export function expectedAccessState(user: SimUser): AccessState {
  return deriveAccessState({
    accountStatus: user.accountStatus,
    membershipStatus: user.membershipStatus,
    productAccess: user.products.map((product) => ({ key: product.key })),
  });
}

/** A deadline far enough away for any test sync. */
export const noDeadline = () => Date.now() + 60_000;
