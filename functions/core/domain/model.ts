/**
 * The connector's data model: our names, independent of Atlassian's wire format.
 *
 * Atlassian field names live only in `functions/core/atlassian/`; everything else
 * (domain logic, store, handlers) speaks these types. Enumerations coming from
 * Atlassian are open (`string & {}`) because Atlassian adds values over time.
 */

/** An open string enumeration: the known values plus any string Atlassian may add later. */
export type Open<T extends string> = T | (string & {});

/** Managed account status as shown in Atlassian's Managed Accounts view. */
export type AccountStatus = Open<'active' | 'inactive' | 'closed'>;

/** Organization membership status (v2 directory API only). */
export type MembershipStatus = Open<'active' | 'suspended' | 'no_membership'>;

/** How the account came into the org: `synced` means provisioned by the customer's IdP via SCIM. */
export type ManagementSource = Open<'invited' | 'synced'>;

export type AccountType = Open<'atlassian' | 'customer' | 'app'>;

/** Which Atlassian listing a user record came from. */
export type UserSource = 'v1' | 'v2';

/** Access to one Atlassian product (`jira-software`, `confluence`, …). */
export interface ProductAccess {
  /** Product key, e.g. `jira-software`, `confluence`, `jira-servicedesk`, `bitbucket`. */
  key: string;
  /** Human product name when Atlassian gives one. */
  name?: string;
  /** ISO-8601 time the user was last active in this product. */
  lastActiveAt?: string;
}

/** One managed account of an Atlassian organization, normalized from the v1 or v2 listing. */
export interface ManagedUser {
  accountId: string;
  accountType: AccountType;
  name: string;
  /** Absent when the user restricts the visibility of their email address. */
  email?: string;
  accountStatus: AccountStatus;
  /** v2 only. */
  membershipStatus?: MembershipStatus;
  /** v2 only; `synced` = provisioned by the IdP through SCIM. */
  managementSource?: ManagementSource;
  /** v1 only: billable in Atlassian Guard. */
  billable?: boolean;
  /** ISO-8601 time of the last activity in any product. */
  lastActiveAt?: string;
  productAccess: ProductAccess[];
  source: UserSource;
}

/**
 * What the connector derives from a user's raw state (SPEC §4):
 * - `active`: account active, at least one product;
 * - `suspended`: membership suspended by an admin;
 * - `no_product_access`: account active, not suspended, no product (Atlassian's
 *   User Management tab shows these as "Suspended");
 * - `deactivated`: account status inactive;
 * - `closed`: account closed;
 * - `removed`: no longer returned by Atlassian (tombstone).
 */
export type AccessState = 'active' | 'suspended' | 'no_product_access' | 'deactivated' | 'closed' | 'removed';

export const ACCESS_STATES: readonly AccessState[] = [
  'active',
  'suspended',
  'no_product_access',
  'deactivated',
  'closed',
  'removed',
];

/** A stored user: the normalized user plus what the connector derived and when it saw it. */
export interface UserSnapshot extends ManagedUser {
  orgId: string;
  accessState: AccessState;
  /** Sorted product keys, for filtering by product. */
  productKeys: string[];
  /** Hash over the fields that matter; equal hashes mean nothing to write. */
  contentHash: string;
  firstSeenAt: string;
  lastSeenAt: string;
  lastChangedAt: string;
  /** Set when a complete sync no longer saw the user; the item is kept (tombstone). */
  removedAt?: string;
}

export type OrgStatus = 'pending' | 'healthy' | 'error' | 'disconnected';

/** How `keyExpiresAt` was obtained. `estimated` = connect/rotate time + 365 days (the latest possible expiry). */
export type KeyExpirySource = 'declared' | 'discovered' | 'estimated';

export type DiagnosticCode =
  | 'GUARD_REQUIRED'
  | 'KEY_EXPIRING'
  | 'KEY_REJECTED'
  | 'KEY_MISSING'
  | 'RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'SYNC_HELD';

export interface Diagnostic {
  code: DiagnosticCode;
  severity: 'info' | 'warning' | 'error';
  /** Human explanation that says what to do next. */
  message: string;
  /** ISO-8601 time the condition was first observed. */
  since: string;
}

export interface SyncCounts {
  seen: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

export interface LastSyncSummary {
  runId: string;
  outcome: SyncOutcome;
  finishedAt: string;
  counts: SyncCounts;
}

/** A connected Atlassian organization. Never holds the API key itself, only a reference to its secret. */
export interface Org {
  orgId: string;
  name: string;
  status: OrgStatus;
  statusReason?: string;
  /** Name or ARN of the secret holding the API key. */
  secretRef: string;
  keyExpiresAt: string;
  keyExpirySource: KeyExpirySource;
  connectedAt: string;
  keyRotatedAt?: string;
  disconnectedAt?: string;
  lastSync?: LastSyncSummary;
  diagnostics: Diagnostic[];
  /** Users currently in the snapshot (not removed), as of the last applied sync. */
  userCount?: number;
  updatedAt: string;
}

export type ChangeKind = 'added' | 'changed' | 'removed';

export interface FieldChange {
  before: unknown;
  after: unknown;
}

/** One entry of an org's change history. Expires by TTL (default 400 days). */
export interface Change {
  orgId: string;
  accountId: string;
  /** ISO-8601 time of the change. */
  at: string;
  kind: ChangeKind;
  /** Changed fields, before and after. */
  fields: Record<string, FieldChange>;
  /** Sync run id, or deprovision request id when `source` is `deprovision`. */
  runId: string;
  source: 'sync' | 'deprovision';
}

export type SyncTrigger = 'schedule' | 'manual' | 'connect' | 'continuation';

/**
 * - `queued`/`running`: in flight;
 * - `succeeded`: complete, changes and removals applied;
 * - `partial`: stopped before the end (deadline); continues from `checkpoint`, nothing tombstoned yet;
 * - `held`: complete but suspicious (too many removals, or zero users where there were some); removals not applied;
 * - `failed`: error; nothing tombstoned.
 */
export type SyncOutcome = 'queued' | 'running' | 'succeeded' | 'partial' | 'held' | 'failed';

export interface SyncRun {
  runId: string;
  orgId: string;
  trigger: SyncTrigger;
  outcome: SyncOutcome;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  pages: number;
  counts: SyncCounts;
  error?: { code: string; message: string };
  /** Opaque cursor to continue from in a follow-up invocation. */
  checkpoint?: string;
  /** Why a run was held, when `outcome` is `held`. */
  heldReason?: string;
}

export type DeprovisionAction = 'suspend' | 'remove' | 'restore';
export type DeprovisionOutcome = 'done' | 'blocked_scim' | 'failed' | 'dry_run';

export interface DeprovisionRequest {
  requestId: string;
  orgId: string;
  accountId: string;
  action: DeprovisionAction;
  reason: string;
  dryRun: boolean;
  /** IAM principal ARN from the request context; `local` in local mode. */
  requester: string;
  idempotencyKey?: string;
  outcome: DeprovisionOutcome;
  /** Summary of Atlassian's answer (status, code, message); never headers or keys. */
  atlassian?: { status?: number; code?: string; message?: string };
  /** Stable code and message when the request was refused or failed (`SCIM_MANAGED`, `USER_NOT_FOUND`, …). */
  error?: { code: string; message: string };
  /** Hash of the request body; a retry with the same idempotency key must carry the same body. */
  bodyHash?: string;
  /** The HTTP answer given (status and JSON body), replayed as-is to a retry with the same idempotency key. */
  response?: { status: number; body: Record<string, unknown> };
  requestedAt: string;
  completedAt: string;
}
