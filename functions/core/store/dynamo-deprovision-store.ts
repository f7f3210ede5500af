/** `DeprovisionStore` over the connector's DynamoDB table: the audit trail and idempotency keys. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DeprovisionRequest } from '../domain/model.js';
import { resolveOptions, type DynamoStoreOptions, type ResolvedStoreOptions } from './dynamo-common.js';
import { isConditionalCheckFailed, StaleWriteError } from './errors.js';
import {
  canonicalTime,
  deprovisionKey,
  deprovisionsByTimePartition,
  epochSeconds,
  idempotencyKey,
  stripStoreAttributes,
} from './keys.js';
import { queryCollectionNewestFirst, type Page, type PageRequest } from './pagination.js';
import type { DeprovisionStore, IdempotencyClaim } from './ports.js';

export interface DynamoDeprovisionStoreOptions extends DynamoStoreOptions {
  /** Hours an idempotency key stays reserved. @default 24 */
  idempotencyTtlHours?: number;
}

export class DynamoDeprovisionStore implements DeprovisionStore {
  readonly #options: ResolvedStoreOptions;
  readonly #idempotencyTtlHours: number;

  constructor(options: DynamoDeprovisionStoreOptions) {
    this.#options = resolveOptions(options);
    this.#idempotencyTtlHours = options.idempotencyTtlHours ?? 24;
  }

  async claimIdempotencyKey(
    orgId: string,
    key: string,
    claim: IdempotencyClaim,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyClaim }> {
    const { client, tableName, clock } = this.#options;
    // TTL deletion lags by up to days, so an expired reservation counts as free.
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = clock();
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...idempotencyKey(orgId, key),
              requestId: claim.requestId,
              accountId: claim.accountId,
              action: claim.action,
              ...(claim.bodyHash === undefined ? {} : { bodyHash: claim.bodyHash }),
              ttl: epochSeconds(now, this.#idempotencyTtlHours / 24),
              entity: 'idempotencyKey',
            },
            ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':now': epochSeconds(now, 0) },
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      const output = await client.send(
        new GetCommand({ TableName: tableName, Key: idempotencyKey(orgId, key), ConsistentRead: true }),
      );
      if (output.Item !== undefined) {
        const { requestId, accountId, action, bodyHash } = output.Item as IdempotencyClaim;
        const existing: IdempotencyClaim = { requestId, accountId, action };
        if (bodyHash !== undefined) existing.bodyHash = bodyHash;
        return { claimed: false, existing };
      }
    }
    throw new StaleWriteError(`idempotency key of organization ${orgId}`);
  }

  async putDeprovisionRequest(request: DeprovisionRequest): Promise<void> {
    const { client, tableName } = this.#options;
    const requestedAt = canonicalTime(request.requestedAt);
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...request,
          requestedAt,
          ...deprovisionKey(request.orgId, request.requestId),
          gsi1pk: deprovisionsByTimePartition(request.orgId),
          gsi1sk: `${requestedAt}#${request.requestId}`,
          entity: 'deprovision',
        },
      }),
    );
  }

  async getDeprovisionRequest(orgId: string, requestId: string): Promise<DeprovisionRequest | undefined> {
    const { client, tableName } = this.#options;
    const output = await client.send(
      new GetCommand({ TableName: tableName, Key: deprovisionKey(orgId, requestId), ConsistentRead: true }),
    );
    return output.Item === undefined ? undefined : fromItem(output.Item);
  }

  async listDeprovisionRequests(orgId: string, request: PageRequest = {}): Promise<Page<DeprovisionRequest>> {
    const { client, tableName } = this.#options;
    const page = await queryCollectionNewestFirst(client, tableName, deprovisionsByTimePartition(orgId), request);
    return { ...page, items: page.items.map(fromItem) };
  }
}

function fromItem(item: Record<string, unknown>): DeprovisionRequest {
  return stripStoreAttributes(item) as unknown as DeprovisionRequest;
}
