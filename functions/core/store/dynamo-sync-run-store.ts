/** `SyncRunStore` over the connector's DynamoDB table, including the sync checkpoint's seen-account chunks. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SyncOutcome, SyncRun } from '../domain/model.js';
import { buildUpdate, resolveOptions, writeIf, type DynamoStoreOptions, type ResolvedStoreOptions } from './dynamo-common.js';
import { isConditionalCheckFailed, StaleWriteError } from './errors.js';
import {
  canonicalTime,
  epochSeconds,
  runKey,
  runsByTimePartition,
  seenChunkSortKey,
  seenChunksPartition,
  stripStoreAttributes,
} from './keys.js';
import { queryAll, queryCollectionNewestFirst, type Page, type PageRequest } from './pagination.js';
import type { SyncRunStore, SyncRunUpdate } from './ports.js';

/** Account ids per seen chunk at most, to stay far below DynamoDB's 400 KB item limit. */
export const MAX_SEEN_CHUNK_IDS = 5000;

export interface DynamoSyncRunStoreOptions extends DynamoStoreOptions {
  /** Days a sync run record is kept (TTL from `queuedAt`). @default 400 */
  runTtlDays?: number;
  /** Days the seen-account chunks of a run are kept (TTL from when they are saved). @default 7 */
  seenChunkTtlDays?: number;
}

export class DynamoSyncRunStore implements SyncRunStore {
  readonly #options: ResolvedStoreOptions;
  readonly #runTtlDays: number;
  readonly #seenTtlDays: number;

  constructor(options: DynamoSyncRunStoreOptions) {
    this.#options = resolveOptions(options);
    this.#runTtlDays = options.runTtlDays ?? 400;
    this.#seenTtlDays = options.seenChunkTtlDays ?? 7;
  }

  async createSyncRun(run: SyncRun): Promise<boolean> {
    const { client, tableName } = this.#options;
    const queuedAt = canonicalTime(run.queuedAt);
    return writeIf(
      client,
      new PutCommand({
        TableName: tableName,
        Item: {
          ...run,
          queuedAt,
          ...runKey(run.orgId, run.runId),
          gsi1pk: runsByTimePartition(run.orgId),
          gsi1sk: `${queuedAt}#${run.runId}`,
          ttl: epochSeconds(new Date(queuedAt), this.#runTtlDays),
          entity: 'syncRun',
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getSyncRun(orgId: string, runId: string): Promise<SyncRun | undefined> {
    const { client, tableName } = this.#options;
    const output = await client.send(new GetCommand({ TableName: tableName, Key: runKey(orgId, runId), ConsistentRead: true }));
    return output.Item === undefined ? undefined : fromItem(output.Item);
  }

  async updateSyncRun(
    orgId: string,
    runId: string,
    update: SyncRunUpdate,
    options: { expectedOutcome?: readonly SyncOutcome[] } = {},
  ): Promise<SyncRun> {
    const { client, tableName } = this.#options;
    const parts = buildUpdate({ ...update });
    const conditions = ['attribute_exists(pk)'];
    const expected = options.expectedOutcome ?? [];
    if (expected.length > 0) {
      parts.ExpressionAttributeNames['#expectedOutcome'] = 'outcome';
      expected.forEach((outcome, i) => (parts.ExpressionAttributeValues[`:expected${i}`] = outcome));
      conditions.push(`#expectedOutcome IN (${expected.map((_, i) => `:expected${i}`).join(', ')})`);
    }
    if (parts.UpdateExpression === '') {
      const current = await this.getSyncRun(orgId, runId);
      if (current === undefined || (expected.length > 0 && !expected.includes(current.outcome))) {
        throw new StaleWriteError(`sync run ${runId} of organization ${orgId}`);
      }
      return current;
    }
    try {
      const output = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: runKey(orgId, runId),
          ...parts,
          ExpressionAttributeValues: Object.keys(parts.ExpressionAttributeValues).length > 0 ? parts.ExpressionAttributeValues : undefined,
          ConditionExpression: conditions.join(' AND '),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(output.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new StaleWriteError(`sync run ${runId} of organization ${orgId}`, { cause: error });
      throw error;
    }
  }

  async listSyncRuns(orgId: string, request: PageRequest = {}): Promise<Page<SyncRun>> {
    const { client, tableName } = this.#options;
    const page = await queryCollectionNewestFirst(client, tableName, runsByTimePartition(orgId), request);
    return { ...page, items: page.items.map(fromItem) };
  }

  async saveSeenChunk(orgId: string, runId: string, chunk: number, accountIds: readonly string[]): Promise<void> {
    if (!Number.isInteger(chunk) || chunk < 0) throw new RangeError('chunk must be a non-negative integer');
    if (accountIds.length > MAX_SEEN_CHUNK_IDS) throw new RangeError(`a seen chunk holds at most ${MAX_SEEN_CHUNK_IDS} account ids`);
    const { client, tableName, clock } = this.#options;
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: seenChunksPartition(orgId, runId),
          sk: seenChunkSortKey(chunk),
          accountIds: [...accountIds],
          ttl: epochSeconds(clock(), this.#seenTtlDays),
          entity: 'seenChunk',
        },
      }),
    );
  }

  async *seenChunks(orgId: string, runId: string): AsyncIterable<string[]> {
    const { client, tableName } = this.#options;
    for await (const items of queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': seenChunksPartition(orgId, runId) },
    })) {
      for (const item of items) yield (item.accountIds as string[] | undefined) ?? [];
    }
  }
}

function fromItem(item: Record<string, unknown>): SyncRun {
  return stripStoreAttributes(item) as unknown as SyncRun;
}
