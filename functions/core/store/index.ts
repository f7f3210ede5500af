/**
 * The DynamoDB store: ports (`ports.ts`), their adapters over one table, the table
 * definition and the document client factory. See README.md for the key schema.
 */
import { DynamoChangeStore } from './dynamo-change-store.js';
import type { DynamoStoreOptions } from './dynamo-common.js';
import { DynamoDeprovisionStore } from './dynamo-deprovision-store.js';
import { DynamoOrgStore } from './dynamo-org-store.js';
import { DynamoSnapshotStore } from './dynamo-snapshot-store.js';
import { DynamoSyncRunStore } from './dynamo-sync-run-store.js';
import type { ChangeStore, DeprovisionStore, OrgStore, SnapshotStore, SyncRunStore } from './ports.js';

export * from './ports.js';
export * from './errors.js';
export { createDocumentClient, type DynamoStoreOptions } from './dynamo-common.js';
export { DynamoChangeStore, type DynamoChangeStoreOptions } from './dynamo-change-store.js';
export { DynamoDeprovisionStore, type DynamoDeprovisionStoreOptions } from './dynamo-deprovision-store.js';
export { DynamoOrgStore } from './dynamo-org-store.js';
export { DynamoSnapshotStore } from './dynamo-snapshot-store.js';
export { DynamoSyncRunStore, MAX_SEEN_CHUNK_IDS, type DynamoSyncRunStoreOptions } from './dynamo-sync-run-store.js';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, encodeCursor, decodeCursor } from './pagination.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './batch.js';
export { TABLE_DEFINITION, createTableInput } from './table-definition.js';
export { normalizeEmail } from './keys.js';

export interface ConnectorStores {
  orgs: OrgStore;
  snapshots: SnapshotStore;
  changes: ChangeStore;
  syncRuns: SyncRunStore;
  deprovisions: DeprovisionStore;
}

export interface CreateDynamoStoresOptions extends DynamoStoreOptions {
  /** @default 400 */
  changeTtlDays?: number;
  /** @default 400 */
  runTtlDays?: number;
  /** @default 7 */
  seenChunkTtlDays?: number;
  /** @default 24 */
  idempotencyTtlHours?: number;
}

/** Every store over one table and one document client. */
export function createDynamoStores(options: CreateDynamoStoresOptions): ConnectorStores {
  return {
    orgs: new DynamoOrgStore(options),
    snapshots: new DynamoSnapshotStore(options),
    changes: new DynamoChangeStore(options),
    syncRuns: new DynamoSyncRunStore(options),
    deprovisions: new DynamoDeprovisionStore(options),
  };
}
