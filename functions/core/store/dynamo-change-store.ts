/** `ChangeStore` over the connector's DynamoDB table. */
import type { Change } from '../domain/model.js';
import { batchWriteAll, type WriteRequest } from './batch.js';
import { resolveOptions, type DynamoStoreOptions, type ResolvedStoreOptions } from './dynamo-common.js';
import { canonicalTime, changesPartition, epochSeconds, stripStoreAttributes, userHistoryPartition } from './keys.js';
import { queryPage, type Page } from './pagination.js';
import type { ChangeListRequest, ChangeStore } from './ports.js';
import { COLLECTION_INDEX } from './table-definition.js';

export interface DynamoChangeStoreOptions extends DynamoStoreOptions {
  /** Days a change is kept (DynamoDB TTL, counted from the change's time). @default 400 */
  changeTtlDays?: number;
}

export class DynamoChangeStore implements ChangeStore {
  readonly #options: ResolvedStoreOptions;
  readonly #ttlDays: number;

  constructor(options: DynamoChangeStoreOptions) {
    this.#options = resolveOptions(options);
    this.#ttlDays = options.changeTtlDays ?? 400;
  }

  async writeChanges(changes: readonly Change[]): Promise<void> {
    const { client, tableName, retry } = this.#options;
    const items = new Map<string, Record<string, unknown>>();
    for (const change of changes) {
      const item = this.#toItem(change);
      items.set(`${item.pk}\n${item.sk}`, item);
    }
    const requests: WriteRequest[] = [...items.values()].map((Item) => ({ PutRequest: { Item } }));
    await batchWriteAll(client, tableName, requests, retry);
  }

  async listOrgChanges(orgId: string, request: ChangeListRequest = {}): Promise<Page<Change>> {
    const partition = changesPartition(orgId);
    return this.#list('pk', 'sk', undefined, partition, request.newestFirst ?? false, request, ['pk', 'sk']);
  }

  async listUserChanges(orgId: string, accountId: string, request: ChangeListRequest = {}): Promise<Page<Change>> {
    const { partitionKey, sortKey, indexName } = COLLECTION_INDEX;
    return this.#list(partitionKey.name, sortKey.name, indexName, userHistoryPartition(orgId, accountId), request.newestFirst ?? true, request, [
      'pk',
      'sk',
      partitionKey.name,
      sortKey.name,
    ]);
  }

  async #list(
    partitionAttribute: string,
    sortAttribute: string,
    indexName: string | undefined,
    partition: string,
    newestFirst: boolean,
    request: ChangeListRequest,
    keyAttributes: string[],
  ): Promise<Page<Change>> {
    const { client, tableName } = this.#options;
    const values: Record<string, unknown> = { ':partition': partition };
    let range = '';
    // Sort keys start with the canonical time, so `since` ≤ at < `until` is a key range.
    if (request.since !== undefined && request.until !== undefined) {
      values[':since'] = canonicalTime(request.since);
      values[':until'] = canonicalTime(request.until);
      range = ' AND #sort BETWEEN :since AND :until';
    } else if (request.since !== undefined) {
      values[':since'] = canonicalTime(request.since);
      range = ' AND #sort >= :since';
    } else if (request.until !== undefined) {
      values[':until'] = canonicalTime(request.until);
      range = ' AND #sort < :until';
    }
    const page = await queryPage(
      client,
      {
        TableName: tableName,
        IndexName: indexName,
        KeyConditionExpression: `#partition = :partition${range}`,
        ExpressionAttributeNames: { '#partition': partitionAttribute, ...(range ? { '#sort': sortAttribute } : {}) },
        ExpressionAttributeValues: values,
        ScanIndexForward: !newestFirst,
      },
      { limit: request.limit, cursor: request.cursor, keyAttributes, partition: { [partitionAttribute]: partition } },
    );
    return { ...page, items: page.items.map((item) => stripStoreAttributes(item) as unknown as Change) };
  }

  #toItem(change: Change): Record<string, unknown> {
    const at = canonicalTime(change.at);
    return {
      ...change,
      at,
      pk: changesPartition(change.orgId),
      sk: `${at}#${change.accountId}#${change.runId}`,
      gsi1pk: userHistoryPartition(change.orgId, change.accountId),
      gsi1sk: `${at}#${change.runId}`,
      ttl: epochSeconds(new Date(at), this.#ttlDays),
      entity: 'change',
    };
  }
}
