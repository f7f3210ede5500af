/**
 * BatchGet / BatchWrite with DynamoDB's limits (100 keys, 25 writes per request) and
 * bounded retries of unprocessed keys/items, with exponential backoff and full jitter.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { BatchIncompleteError } from './errors.js';

export const BATCH_GET_MAX_KEYS = 100;
export const BATCH_WRITE_MAX_ITEMS = 25;

export interface RetryPolicy {
  /** Requests per chunk, the first included. @default 8 */
  maxAttempts: number;
  /** @default 50 */
  baseDelayMs: number;
  /** @default 2000 */
  maxDelayMs: number;
  /** Chunks in flight at once. @default 4 */
  concurrency: number;
  /** Injected so tests do not wait. */
  sleep: (ms: number) => Promise<void>;
  /** Injected so tests are deterministic; returns [0, 1). */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 50,
  maxDelayMs: 2000,
  concurrency: 4,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Full-jitter delay before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

export type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<void> {
  await forEachChunk(requests, BATCH_WRITE_MAX_ITEMS, policy.concurrency, async (chunk) => {
    let pending: WriteRequest[] = chunk;
    for (let attempt = 1; ; attempt++) {
      const output = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      if (pending.length === 0) return;
      if (attempt >= policy.maxAttempts) throw new BatchIncompleteError('batchWrite', pending.length, attempt);
      await policy.sleep(backoffDelay(attempt, policy));
    }
  });
}

export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  await forEachChunk(keys, BATCH_GET_MAX_KEYS, policy.concurrency, async (chunk) => {
    let pending: Record<string, unknown>[] = chunk;
    for (let attempt = 1; ; attempt++) {
      const output = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }));
      found.push(...(output.Responses?.[tableName] ?? []));
      pending = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (pending.length === 0) return;
      if (attempt >= policy.maxAttempts) throw new BatchIncompleteError('batchGet', pending.length, attempt);
      await policy.sleep(backoffDelay(attempt, policy));
    }
  });
  return found;
}

async function forEachChunk<T>(
  values: readonly T[],
  size: number,
  concurrency: number,
  work: (chunk: T[]) => Promise<void>,
): Promise<void> {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      await work(chunk);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
}
