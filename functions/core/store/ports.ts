/**
 * Store ports, one per kind of data. Handlers and the sync engine depend on these;
 * `Dynamo*Store` classes implement them over one DynamoDB table.
 */
import type {
  AccessState,
  Change,
  DeprovisionAction,
  DeprovisionRequest,
  Diagnostic,
  DiagnosticCode,
  KeyExpirySource,
  LastSyncSummary,
  Org,
  OrgStatus,
  SyncCounts,
  SyncOutcome,
  SyncRun,
  UserSnapshot,
} from '../domain/model.js';
import type { Page, PageRequest } from './pagination.js';

export type { Page, PageRequest } from './pagination.js';

/**
 * Attributes of an org that `updateOrg` can set. Only the attributes present are written
 * (an `UpdateExpression`, never a whole-item put), so concurrent writers of other
 * attributes are not clobbered. `null` removes an optional attribute.
 */
export interface OrgUpdate {
  name?: string;
  status?: OrgStatus;
  statusReason?: string | null;
  secretRef?: string;
  keyExpiresAt?: string;
  keyExpirySource?: KeyExpirySource;
  keyRotatedAt?: string | null;
  disconnectedAt?: string | null;
  lastSync?: LastSyncSummary;
  userCount?: number;
  /** @default the store clock's now */
  updatedAt?: string;
}

/**
 * A sync run's exclusive claim on its org, so two runs of one org never interleave. Kept
 * on the org item (attribute `syncLease`) but never part of `Org`: reads strip it.
 */
export interface SyncLease {
  runId: string;
  /** Epoch ms after which another run may take the lease (its holder is presumed dead). */
  expiresAt: number;
}

/** The answer to `takeSyncLease`: taken, or the run that holds it. */
export type SyncLeaseClaim = { taken: true; lease: SyncLease } | { taken: false; holder: SyncLease };

export interface SyncLeaseOptions {
  /** The caller's clock: the lease is expired when `expiresAt` ≤ now. */
  now: Date;
  /** How long the lease lasts from `now`. */
  durationMs: number;
}

export interface OrgStore {
  /** Creates an org. Replaces a `disconnected` one (reconnect); throws `OrgAlreadyConnectedError` otherwise. */
  createOrg(org: Org): Promise<void>;
  getOrg(orgId: string): Promise<Org | undefined>;
  /** Every org, ordered by id (orgs are few: one query on one partition, no scan). */
  listOrgs(): Promise<Org[]>;
  /**
   * Sets the given attributes; throws `OrgNotFoundError` when the org does not exist and
   * `StaleWriteError` when `expectedStatus` is given and the current status is not in it.
   * Returns the org as stored afterwards.
   */
  updateOrg(orgId: string, update: OrgUpdate, options?: { expectedStatus?: readonly OrgStatus[] }): Promise<Org>;
  /** Adds or replaces the diagnostic of its code, keeping the first `since`. Other diagnostics are untouched. */
  setDiagnostic(orgId: string, diagnostic: Diagnostic): Promise<void>;
  /** Removes the diagnostics of these codes (absent ones are ignored). */
  clearDiagnostics(orgId: string, codes: readonly DiagnosticCode[]): Promise<void>;
  /** Deletes the org item itself (snapshots: `SnapshotStore.deleteOrgSnapshots`). */
  deleteOrg(orgId: string): Promise<void>;
  /**
   * Takes the org's sync lease for `runId` until `now + durationMs` (one conditional update)
   * when no run holds it, its holder's lease expired, or `runId` already holds it (which
   * extends it). Otherwise returns the holder. Throws `OrgNotFoundError` for an unknown org.
   * Touches no other attribute (not even `updatedAt`).
   */
  takeSyncLease(orgId: string, runId: string, options: SyncLeaseOptions): Promise<SyncLeaseClaim>;
  /** Extends the lease only while `runId` holds it (expired or not); `false` when another run took it or none holds it. */
  renewSyncLease(orgId: string, runId: string, options: SyncLeaseOptions): Promise<boolean>;
  /** Removes the lease if `runId` holds it; `false` (and no write) otherwise. */
  releaseSyncLease(orgId: string, runId: string): Promise<boolean>;
}

/**
 * Filters of an org's user list (SPEC §5). `accessState` selects the index (one partition
 * per org and state, so e.g. `no_product_access` reads only those users); all other
 * filters are `FilterExpression`s over the org's users (never another org's).
 */
export interface UserQuery {
  accessState?: AccessState;
  /** Raw account status (`active`, `inactive`, `closed`, …). */
  status?: string;
  /** Product key, e.g. `confluence`. */
  product?: string;
  /** Matches users Atlassian reported billable (`true`) or not billable (`false`); unknown billable matches neither. */
  billable?: boolean;
  /** ISO-8601: users last active before this time, or never active (`inactiveDays` = now − N days). */
  lastActiveBefore?: string;
  /** `true`: managed by the IdP through SCIM (`managementSource` = `synced`); `false`: everyone else. */
  scimManaged?: boolean;
  /** Case-insensitive prefix of the name or the email. */
  q?: string;
  /** Include tombstoned users when no `accessState` is given. @default false */
  includeRemoved?: boolean;
}

export interface SnapshotStore {
  getSnapshot(orgId: string, accountId: string): Promise<UserSnapshot | undefined>;
  /** Snapshots of these accounts (BatchGet, 100 keys per request); missing ones are absent from the map. */
  getSnapshots(orgId: string, accountIds: readonly string[]): Promise<Map<string, UserSnapshot>>;
  /**
   * Puts whole snapshots (BatchWrite, 25 per request, retried). Idempotent; the last of
   * duplicate (org, account) pairs wins. Index attributes (access state, email, current) follow the snapshot.
   */
  writeSnapshots(snapshots: readonly UserSnapshot[]): Promise<void>;
  listUsers(orgId: string, query?: UserQuery & PageRequest): Promise<Page<UserSnapshot>>;
  /** The same person across orgs, by normalized email. Tombstones only with `includeRemoved`. */
  findUsersByEmail(email: string, options?: { includeRemoved?: boolean }): Promise<UserSnapshot[]>;
  /** Account ids of the org's current (not removed) users, in pages read from a keys-only index. */
  currentAccountIds(orgId: string, options?: { pageSize?: number }): AsyncIterable<string[]>;
  /** Deletes every snapshot of the org (purge on disconnect); returns how many. */
  deleteOrgSnapshots(orgId: string): Promise<number>;
}

export interface ChangeListRequest extends PageRequest {
  /** Inclusive lower bound, ISO-8601. */
  since?: string;
  /** Exclusive upper bound, ISO-8601. */
  until?: string;
  /** @default false (oldest first) for the org feed, true for a user's history */
  newestFirst?: boolean;
}

export interface ChangeStore {
  /** Puts changes with a TTL (BatchWrite, retried). Idempotent per (org, time, account, run). */
  writeChanges(changes: readonly Change[]): Promise<void>;
  /** An org's change feed by time. */
  listOrgChanges(orgId: string, request?: ChangeListRequest): Promise<Page<Change>>;
  /** One user's history, newest first by default. */
  listUserChanges(orgId: string, accountId: string, request?: ChangeListRequest): Promise<Page<Change>>;
}

/** Attributes of a sync run that `updateSyncRun` can set; `null` removes an optional one. */
export interface SyncRunUpdate {
  outcome?: SyncOutcome;
  startedAt?: string;
  finishedAt?: string;
  pages?: number;
  counts?: SyncCounts;
  error?: { code: string; message: string } | null;
  checkpoint?: string | null;
  heldReason?: string | null;
}

export interface SyncRunStore {
  /** Creates the run; `false` (and no write) when a run with this id already exists, so re-delivered messages are harmless. */
  createSyncRun(run: SyncRun): Promise<boolean>;
  getSyncRun(orgId: string, runId: string): Promise<SyncRun | undefined>;
  /**
   * Sets the given attributes; throws `StaleWriteError` when the run does not exist or its
   * outcome is not in `expectedOutcome` (e.g. only a `running` run may become `succeeded`).
   */
  updateSyncRun(
    orgId: string,
    runId: string,
    update: SyncRunUpdate,
    options?: { expectedOutcome?: readonly SyncOutcome[] },
  ): Promise<SyncRun>;
  /** Newest first (by `queuedAt`). */
  listSyncRuns(orgId: string, request?: PageRequest): Promise<Page<SyncRun>>;
  /** Records the account ids seen on one page of a run (chunk numbers from 0); idempotent per chunk. TTL'd. */
  saveSeenChunk(orgId: string, runId: string, chunk: number, accountIds: readonly string[]): Promise<void>;
  /** The chunks saved for a run, in chunk order, one array per chunk. */
  seenChunks(orgId: string, runId: string): AsyncIterable<string[]>;
}

/** What an idempotency key was first used for. */
export interface IdempotencyClaim {
  requestId: string;
  accountId: string;
  action: DeprovisionAction;
  /** Hash of the whole request body, so a key reused with another reason or `dryRun` is recognized too. */
  bodyHash?: string;
}

export interface DeprovisionStore {
  /**
   * Reserves `key` for a request (conditional put). Returns `{claimed: true}` for the first
   * caller, else the claim of the request that holds it — compare `accountId`/`action` to
   * reject a key reused for a different request.
   */
  claimIdempotencyKey(
    orgId: string,
    key: string,
    claim: IdempotencyClaim,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyClaim }>;
  /** Writes the audit record (put; idempotent by request id). */
  putDeprovisionRequest(request: DeprovisionRequest): Promise<void>;
  getDeprovisionRequest(orgId: string, requestId: string): Promise<DeprovisionRequest | undefined>;
  /** Newest first (by `requestedAt`). */
  listDeprovisionRequests(orgId: string, request?: PageRequest): Promise<Page<DeprovisionRequest>>;
}
