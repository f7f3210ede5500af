/**
 * Cursor pagination over DynamoDB queries.
 *
 * A cursor is the base64url JSON of the key of the last item returned (DynamoDB's
 * `ExclusiveStartKey`). It is opaque to clients; decoding checks that it belongs to the
 * same partition as the query, so a cursor of one org can never read another org.
 */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from './errors.js';
import { COLLECTION_INDEX } from './table-definition.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

export interface PageRequest {
  /** Items per page, 1–1000. @default 100 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when more items may follow. A page can hold fewer than `limit` items and still have a cursor. */
  nextCursor?: string;
  /** Items DynamoDB read to produce this page (before filters): what the page cost. */
  scannedCount: number;
}

type Key = Record<string, string>;

export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor whose key must hold exactly `keyAttributes` and match `partition` (attribute → value). */
export function decodeCursor(cursor: string, keyAttributes: readonly string[], partition: Key): Key {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor issued by this API');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidCursorError('not a cursor issued by this API');
  }
  const key = parsed as Record<string, unknown>;
  const names = Object.keys(key).sort();
  const expected = [...keyAttributes].sort();
  if (names.length !== expected.length || names.some((name, i) => name !== expected[i] || typeof key[name] !== 'string')) {
    throw new InvalidCursorError('issued for a different listing');
  }
  for (const [attribute, value] of Object.entries(partition)) {
    if (key[attribute] !== value) throw new InvalidCursorError('issued for a different listing');
  }
  return key as Key;
}

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new RangeError(`limit must be an integer between 1 and ${MAX_PAGE_LIMIT}`);
  }
  return limit;
}

export interface QueryPageOptions extends PageRequest {
  /** Table key attributes plus the index key attributes when querying an index. */
  keyAttributes: readonly string[];
  /** The partition the query reads (attribute → value), checked against the cursor. */
  partition: Key;
  /** Stop after DynamoDB has read this many items for one page, returning a cursor. @default 20000 */
  maxScanned?: number;
}

/**
 * Runs `input` until `limit` matching items are collected, the partition ends, or
 * `maxScanned` items were read (selective filters on large orgs). Without a
 * `FilterExpression` this is one request per page.
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  options: QueryPageOptions,
): Promise<Page<Record<string, unknown>>> {
  const limit = clampLimit(options.limit);
  const maxScanned = options.maxScanned ?? 20_000;
  const filtered = input.FilterExpression !== undefined;
  let startKey: Key | undefined =
    options.cursor === undefined ? undefined : decodeCursor(options.cursor, options.keyAttributes, options.partition);
  const items: Record<string, unknown>[] = [];
  let scannedCount = 0;

  for (;;) {
    const remaining = limit - items.length;
    const output = await client.send(
      new QueryCommand({
        ...input,
        Limit: filtered ? Math.min(MAX_PAGE_LIMIT, Math.max(remaining, 200)) : remaining,
        ExclusiveStartKey: startKey,
      }),
    );
    scannedCount += output.ScannedCount ?? 0;
    const found = output.Items ?? [];
    if (found.length > remaining) {
      const kept = found.slice(0, remaining);
      items.push(...kept);
      return { items, nextCursor: encodeCursor(pickKey(kept[kept.length - 1]!, options.keyAttributes)), scannedCount };
    }
    items.push(...found);
    startKey = output.LastEvaluatedKey as Key | undefined;
    if (startKey === undefined) return { items, scannedCount };
    if (items.length === limit || scannedCount >= maxScanned) {
      return { items, nextCursor: encodeCursor(pickKey(startKey, options.keyAttributes)), scannedCount };
    }
  }
}

/** Every item of a query, page by page (for small collections such as the list of orgs, or key-only pages). */
export async function* queryAll(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<Record<string, unknown>[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    if ((output.Items ?? []).length > 0) yield output.Items ?? [];
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
}

function pickKey(item: Record<string, unknown>, attributes: readonly string[]): Key {
  return Object.fromEntries(attributes.map((name) => [name, String(item[name])]));
}

/**
 * One page of an org collection kept in index `gsi1` under `partition` (sync runs,
 * deprovision requests), newest first: their `gsi1sk` starts with a canonical UTC time.
 */
export function queryCollectionNewestFirst(
  client: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
  request: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  return queryPage(
    client,
    {
      TableName: tableName,
      IndexName: COLLECTION_INDEX.indexName,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': partition },
      ScanIndexForward: false,
    },
    { ...request, keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'], partition: { gsi1pk: partition } },
  );
}
