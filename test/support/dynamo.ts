/**
 * Embedded DynamoDB for tests (and local mode): dynalite in-process on 127.0.0.1, a
 * random port, in memory, with the connector's table created from `table-definition.ts`.
 *
 * `startDynamo()` starts an emulator and creates a uniquely named table;
 * `startDynalite()` + `createTable()` let several tables share one emulator.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDocumentClient } from '../../functions/core/store/dynamo-common.js';
import { createTableInput } from '../../functions/core/store/table-definition.js';

export interface DynaliteServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A low-level client pointed at the emulator (region `local`, dummy credentials). */
  client: DynamoDBClient;
  close(): Promise<void>;
}

export interface TestDynamo {
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  endpoint: string;
  close(): Promise<void>;
}

/** A DynamoDB client for an emulator endpoint. */
export function emulatorClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/**
 * Starts dynalite on 127.0.0.1. In memory by default; with `path`, its LevelDB files
 * live there and the data survives a restart (local mode's `DATA_DIR`).
 */
export async function startDynalite(options: { path?: string; port?: number } = {}): Promise<DynaliteServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = emulatorClient(endpoint);
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A table name unique to this process and call, e.g. `connector-store-orgs-1a2b3c4d`. */
export function uniqueTableName(prefix = 'connector'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Creates the connector's table and waits until it is ACTIVE. */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

/** Creates the table unless it already exists (a persisted emulator keeps it across restarts). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (thrown) {
    if ((thrown as { name?: string }).name !== 'ResourceNotFoundException') throw thrown;
    await createTable(client, tableName);
  }
}

/** Starts an emulator with one fresh table. Call `close()` in `after`. */
export async function startDynamo(options: { tablePrefix?: string } = {}): Promise<TestDynamo> {
  const server = await startDynalite();
  const tableName = uniqueTableName(options.tablePrefix);
  await createTable(server.client, tableName);
  const documentClient = createDocumentClient(server.client);
  return { client: server.client, documentClient, tableName, endpoint: server.endpoint, close: server.close };
}
