/** Pieces shared by the DynamoDB adapters. */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type PutCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from './errors.js';
import { systemClock, type Clock } from '../ports.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './batch.js';

export interface DynamoStoreOptions {
  /** A document client with `removeUndefinedValues` (see `createDocumentClient`). */
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** @default the system clock */
  clock?: Clock;
  /** Retries of unprocessed batch items. @default DEFAULT_RETRY_POLICY */
  retry?: Partial<RetryPolicy>;
}

export interface ResolvedStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  retry: RetryPolicy;
}

export function resolveOptions(options: DynamoStoreOptions): ResolvedStoreOptions {
  return {
    client: options.documentClient,
    tableName: options.tableName,
    clock: options.clock ?? systemClock,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
  };
}

/**
 * A document client that drops `undefined` attributes (optional model fields) and keeps
 * the low-level client's configuration. Create it once per process and share it.
 */
export function createDocumentClient(client: DynamoDBClient | DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const base = client instanceof DynamoDBClient ? client : new DynamoDBClient(client);
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
}

export interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * `SET` for defined values and `REMOVE` for `null`s; `undefined` attributes are left alone.
 * Names and values are placeholders (`#u0`, `:u0`), so reserved words are safe.
 */
export function buildUpdate(attributes: Record<string, unknown>): UpdateParts {
  const sets: string[] = [];
  const removes: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let i = 0;
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const placeholder = `u${i++}`;
    names[`#${placeholder}`] = name;
    if (value === null) removes.push(`#${placeholder}`);
    else {
      values[`:${placeholder}`] = value;
      sets.push(`#${placeholder} = :${placeholder}`);
    }
  }
  const clauses = [sets.length > 0 ? `SET ${sets.join(', ')}` : '', removes.length > 0 ? `REMOVE ${removes.join(', ')}` : ''];
  return {
    UpdateExpression: clauses.filter(Boolean).join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Sends a conditional write; `true` when it was applied, `false` when its condition did
 * not hold. Any other error is thrown.
 */
export async function writeIf(client: DynamoDBDocumentClient, command: PutCommand | UpdateCommand): Promise<boolean> {
  try {
    await client.send(command as UpdateCommand);
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
