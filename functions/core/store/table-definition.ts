/**
 * The connector's DynamoDB table, as data: the CDK stack, local mode and the tests all
 * create the same table from this definition. Key schema and access patterns are
 * documented in `README.md` next to this file.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export interface KeyAttribute {
  name: string;
  type: 'S';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  globalSecondaryIndexes: readonly IndexDefinition[];
  /** Attribute holding the expiry time in epoch seconds; DynamoDB TTL deletes the item after it. */
  timeToLiveAttribute: string;
  billingMode: 'PAY_PER_REQUEST';
}

/** Overloaded index: users by access state, a user's change history, sync runs and deprovisions by time, all orgs. */
export const COLLECTION_INDEX: IndexDefinition = {
  indexName: 'gsi1',
  partitionKey: { name: 'gsi1pk', type: 'S' },
  sortKey: { name: 'gsi1sk', type: 'S' },
  projection: 'ALL',
};

/** Users by normalized email address, across orgs (sparse: users without a visible email are absent). */
export const EMAIL_INDEX: IndexDefinition = {
  indexName: 'byEmail',
  partitionKey: { name: 'gsi2pk', type: 'S' },
  sortKey: { name: 'gsi2sk', type: 'S' },
  projection: 'ALL',
};

/** Account ids of an org's current (not removed) users, keys only: cheap paging for tombstoning. Sparse. */
export const CURRENT_USERS_INDEX: IndexDefinition = {
  indexName: 'currentUsers',
  partitionKey: { name: 'gsi3pk', type: 'S' },
  sortKey: { name: 'gsi3sk', type: 'S' },
  projection: 'KEYS_ONLY',
};

export const TABLE_DEFINITION: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [COLLECTION_INDEX, EMAIL_INDEX, CURRENT_USERS_INDEX],
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
};

/** The `CreateTable` request for `tableName` (the TTL setting is a separate `UpdateTimeToLive` call). */
export function createTableInput(tableName: string, definition: TableDefinition = TABLE_DEFINITION): CreateTableCommandInput {
  const keyNames = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  const attributes = [...new Map(keyNames.map((key) => [key.name, key])).values()];
  return {
    TableName: tableName,
    BillingMode: definition.billingMode,
    AttributeDefinitions: attributes.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: definition.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: definition.globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}
