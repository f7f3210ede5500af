/** `SnapshotStore` over the connector's DynamoDB table. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { UserSnapshot } from '../domain/model.js';
import { batchGetAll, batchWriteAll, type WriteRequest } from './batch.js';
import { resolveOptions, type DynamoStoreOptions, type ResolvedStoreOptions } from './dynamo-common.js';
import {
  accessStatePartition,
  currentUsersPartition,
  emailPartition,
  normalizeEmail,
  stripStoreAttributes,
  userKey,
  usersPartition,
} from './keys.js';
import { queryAll, queryPage, type Page, type PageRequest } from './pagination.js';
import type { SnapshotStore, UserQuery } from './ports.js';
import { COLLECTION_INDEX, CURRENT_USERS_INDEX, EMAIL_INDEX } from './table-definition.js';

export class DynamoSnapshotStore implements SnapshotStore {
  readonly #options: ResolvedStoreOptions;

  constructor(options: DynamoStoreOptions) {
    this.#options = resolveOptions(options);
  }

  async getSnapshot(orgId: string, accountId: string): Promise<UserSnapshot | undefined> {
    const { client, tableName } = this.#options;
    const output = await client.send(new GetCommand({ TableName: tableName, Key: userKey(orgId, accountId) }));
    return output.Item === undefined ? undefined : fromItem(output.Item);
  }

  async getSnapshots(orgId: string, accountIds: readonly string[]): Promise<Map<string, UserSnapshot>> {
    const { client, tableName, retry } = this.#options;
    const keys = [...new Set(accountIds)].map((accountId) => userKey(orgId, accountId));
    const items = await batchGetAll(client, tableName, keys, retry);
    return new Map(items.map((item) => {
      const snapshot = fromItem(item);
      return [snapshot.accountId, snapshot];
    }));
  }

  async writeSnapshots(snapshots: readonly UserSnapshot[]): Promise<void> {
    const { client, tableName, retry } = this.#options;
    const byKey = new Map(snapshots.map((snapshot) => [`${snapshot.orgId}\n${snapshot.accountId}`, snapshot]));
    const requests: WriteRequest[] = [...byKey.values()].map((snapshot) => ({ PutRequest: { Item: toItem(snapshot) } }));
    await batchWriteAll(client, tableName, requests, retry);
  }

  async listUsers(orgId: string, query: UserQuery & PageRequest = {}): Promise<Page<UserSnapshot>> {
    const { client, tableName } = this.#options;
    const filter = userFilter(query);
    const byState = query.accessState !== undefined;
    const partitionValue = byState ? accessStatePartition(orgId, query.accessState!) : usersPartition(orgId);
    const partitionAttribute = byState ? COLLECTION_INDEX.partitionKey.name : 'pk';
    const page = await queryPage(
      client,
      {
        TableName: tableName,
        IndexName: byState ? COLLECTION_INDEX.indexName : undefined,
        KeyConditionExpression: '#partition = :partition',
        FilterExpression: filter.expression,
        ExpressionAttributeNames: { '#partition': partitionAttribute, ...filter.names },
        ExpressionAttributeValues: { ':partition': partitionValue, ...filter.values },
      },
      {
        limit: query.limit,
        cursor: query.cursor,
        keyAttributes: byState ? ['pk', 'sk', COLLECTION_INDEX.partitionKey.name, COLLECTION_INDEX.sortKey.name] : ['pk', 'sk'],
        partition: { [partitionAttribute]: partitionValue },
      },
    );
    return { ...page, items: page.items.map(fromItem) };
  }

  async findUsersByEmail(email: string, options: { includeRemoved?: boolean } = {}): Promise<UserSnapshot[]> {
    const { client, tableName } = this.#options;
    if (normalizeEmail(email) === '') return [];
    const users: UserSnapshot[] = [];
    for await (const items of queryAll(client, {
      TableName: tableName,
      IndexName: EMAIL_INDEX.indexName,
      KeyConditionExpression: '#email = :email',
      ExpressionAttributeNames: { '#email': EMAIL_INDEX.partitionKey.name },
      ExpressionAttributeValues: { ':email': emailPartition(email) },
    })) {
      users.push(...items.map(fromItem));
    }
    return options.includeRemoved ? users : users.filter((user) => user.removedAt === undefined);
  }

  async *currentAccountIds(orgId: string, options: { pageSize?: number } = {}): AsyncIterable<string[]> {
    const { client, tableName } = this.#options;
    for await (const items of queryAll(client, {
      TableName: tableName,
      IndexName: CURRENT_USERS_INDEX.indexName,
      KeyConditionExpression: '#current = :org',
      ProjectionExpression: '#sk',
      ExpressionAttributeNames: { '#current': CURRENT_USERS_INDEX.partitionKey.name, '#sk': 'sk' },
      ExpressionAttributeValues: { ':org': currentUsersPartition(orgId) },
      Limit: options.pageSize ?? 1000,
    })) {
      yield items.map((item) => String(item.sk));
    }
  }

  async deleteOrgSnapshots(orgId: string): Promise<number> {
    const { client, tableName, retry } = this.#options;
    let deleted = 0;
    for await (const items of queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ProjectionExpression: 'pk, sk',
      ExpressionAttributeValues: { ':pk': usersPartition(orgId) },
    })) {
      const requests: WriteRequest[] = items.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } }));
      await batchWriteAll(client, tableName, requests, retry);
      deleted += items.length;
    }
    return deleted;
  }
}

interface Filter {
  expression?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The `FilterExpression` for every filter except `accessState` (which picks the partition). */
function userFilter(query: UserQuery): Filter {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (query.accessState === undefined && !query.includeRemoved) {
    names['#removedAt'] = 'removedAt';
    clauses.push('attribute_not_exists(#removedAt)');
  }
  if (query.status !== undefined) {
    names['#accountStatus'] = 'accountStatus';
    values[':status'] = query.status;
    clauses.push('#accountStatus = :status');
  }
  if (query.product !== undefined) {
    names['#productKeys'] = 'productKeys';
    values[':product'] = query.product;
    clauses.push('contains(#productKeys, :product)');
  }
  if (query.billable !== undefined) {
    names['#billable'] = 'billable';
    values[':billable'] = query.billable;
    clauses.push('#billable = :billable');
  }
  if (query.lastActiveBefore !== undefined) {
    names['#lastActiveUtc'] = 'lastActiveUtc';
    values[':lastActiveBefore'] = canonicalOrThrow(query.lastActiveBefore);
    clauses.push('(attribute_not_exists(#lastActiveUtc) OR #lastActiveUtc < :lastActiveBefore)');
  }
  if (query.scimManaged !== undefined) {
    names['#managementSource'] = 'managementSource';
    values[':synced'] = 'synced';
    clauses.push(
      query.scimManaged
        ? '#managementSource = :synced'
        : '(attribute_not_exists(#managementSource) OR #managementSource <> :synced)',
    );
  }
  const q = query.q?.trim().toLowerCase();
  if (q) {
    names['#nameLower'] = 'nameLower';
    names['#emailLower'] = 'emailLower';
    values[':q'] = q;
    clauses.push('(begins_with(#nameLower, :q) OR begins_with(#emailLower, :q))');
  }
  return { expression: clauses.length > 0 ? clauses.join(' AND ') : undefined, names, values };
}

function canonicalOrThrow(at: string): string {
  const time = Date.parse(at);
  if (Number.isNaN(time)) throw new RangeError(`lastActiveBefore is not an ISO-8601 time: ${at}`);
  return new Date(time).toISOString();
}

function toItem(snapshot: UserSnapshot): Record<string, unknown> {
  const current = snapshot.removedAt === undefined;
  const email = snapshot.email === undefined || snapshot.email.trim() === '' ? undefined : snapshot.email;
  const lastActive = snapshot.lastActiveAt === undefined ? NaN : Date.parse(snapshot.lastActiveAt);
  return {
    ...snapshot,
    ...userKey(snapshot.orgId, snapshot.accountId),
    entity: 'user',
    gsi1pk: accessStatePartition(snapshot.orgId, snapshot.accessState),
    gsi1sk: snapshot.accountId,
    gsi2pk: email === undefined ? undefined : emailPartition(email),
    gsi2sk: email === undefined ? undefined : `${snapshot.orgId}#${snapshot.accountId}`,
    gsi3pk: current ? currentUsersPartition(snapshot.orgId) : undefined,
    gsi3sk: current ? snapshot.accountId : undefined,
    nameLower: snapshot.name.toLowerCase(),
    emailLower: email === undefined ? undefined : normalizeEmail(email),
    lastActiveUtc: Number.isNaN(lastActive) ? undefined : new Date(lastActive).toISOString(),
  };
}

function fromItem(item: Record<string, unknown>): UserSnapshot {
  return stripStoreAttributes(item) as unknown as UserSnapshot;
}
