/**
 * Public types of the Atlassian Admin API simulator (see `index.ts`).
 */

/** One simulated Atlassian organization. */
export interface SimOrgSpec {
  /** @default deterministic UUID from seed + name */
  orgId?: string;
  name: string;
  /** Keys that can administer this org (a key may see several orgs). */
  apiKeys: string[];
  /** Managed accounts (ignored when `guard === false`). */
  userCount: number;
  /** `false` = org visible in `GET /v1/orgs` but zero users in v1 and v2. @default true */
  guard?: boolean;
  /** 0..1 share of users with managementSource "synced". @default 0 */
  scimShare?: number;
  /** v2 users endpoints answer 403 (ADMIN-403-3), so clients must fall back to v1. @default false */
  v2Refused?: boolean;
  /** The first N users are org admins: suspend/restore/remove answer 400. @default 0 */
  adminCount?: number;
  /** Per key ISO expiry, served by the API Access API. */
  keyExpiresAt?: Record<string, string>;
}

/** Options of {@link startSimulator}. */
export interface SimOptions {
  /** Same seed => same users. @default 1 */
  seed?: number;
  /** Clock for generated dates; read once at start and floored to the UTC day. @default real time */
  now?: () => Date;
  orgs: SimOrgSpec[];
  /** Added to every request (slow pages). @default 0 */
  latencyMs?: number;
  /** Users per v1 page (v1 has no limit param). @default 100 */
  v1PageSize?: number;
  /** `links.next` of v1 pages as a full URL or a bare cursor. @default 'url' */
  v1NextStyle?: 'url' | 'cursor';
  /** 403 body for SCIM-managed accounts: `{errors:[...]}` or `{key:"forbidden.action"}`. @default 'admin' */
  scimErrorShape?: 'admin' | 'user-management';
}

/** One served request. Never holds the Authorization header or the key. */
export interface SimRequestRecord {
  method: string;
  /** Path and query string as requested, e.g. `/admin/v1/orgs/…/users?cursor=…`. */
  path: string;
  /** HTTP status answered; 0 when the socket was reset without an answer. */
  status: number;
  orgId?: string;
  /** Epoch milliseconds when the request arrived. */
  at: number;
}

/** A product the user can access. */
export interface SimProduct {
  key: string;
  name: string;
  lastActive?: string;
}

/** A simulated user: superset of v1 + v2 fields, in the simulator's own camelCase. */
export interface SimUser {
  accountId: string;
  accountType: 'atlassian' | 'customer' | 'app';
  name: string;
  nickname?: string;
  /** Absent when the user hides their email. */
  email?: string;
  accountStatus: 'active' | 'inactive' | 'closed';
  membershipStatus: 'active' | 'suspended' | 'no_membership';
  managementSource: 'invited' | 'synced' | null;
  billable: boolean;
  lastActive?: string;
  isOrgAdmin: boolean;
  products: SimProduct[];
  directoryId: string;
  /** ISO date-time the user joined the org. */
  addedToOrg?: string;
  mfaEnabled?: boolean;
}

/** Fault switches; `match` limits a fault to request paths containing the string. */
export interface SimFaults {
  /** 429 `{code:429,message}` + Retry-After on every Nth matching request, for a burst of requests, or both (every Nth starts a burst). */
  rateLimit(opts: { everyNth?: number; burst?: number; retryAfter?: string; match?: string }): void;
  /** The next `times` matching requests answer a 5xx, JSON (ADMIN-500-1) or plain text. */
  serverError(opts: { status?: 500 | 502 | 503 | 504; times: number; nonJson?: boolean; match?: string }): void;
  /** The next `times` (default 1) successful listing pages are replaced by invalid JSON or a body of the wrong shape. */
  malformedPage(opts: { times?: number; kind: 'invalid-json' | 'bad-schema'; match?: string }): void;
  /** The next `times` matching requests get their socket destroyed without an answer. */
  networkReset(opts: { times: number; match?: string }): void;
  /** Removes every fault. */
  clear(): void;
}

/** A running simulator. */
export interface Simulator {
  /** The client's base URL, e.g. `http://127.0.0.1:43121/admin`. */
  baseUrl: string;
  orgs: ReadonlyArray<{ orgId: string; name: string }>;
  /** Every request (never the Authorization header); cleared by `resetRequests()`. */
  requests: SimRequestRecord[];
  resetRequests(): void;
  close(): Promise<void>;
  /** Subsequent requests with this key answer 401 `{code:401,message:"Unauthorized"}`. */
  revokeKey(apiKey: string): void;
  addKey(orgId: string, apiKey: string, expiresAt?: string): void;
  /** Current users in listing order, generated lazily. */
  users(orgId: string): Iterable<SimUser>;
  user(orgId: string, accountId: string): SimUser | undefined;
  updateUser(orgId: string, accountId: string, patch: Partial<SimUser>): void;
  removeUser(orgId: string, accountId: string): void;
  addUsers(orgId: string, count: number): SimUser[];
  /** Deterministically changes, removes and adds about `share` of the current users. */
  churn(orgId: string, share: number): { changed: string[]; removed: string[]; added: string[] };
  setGuard(orgId: string, guard: boolean): void;
  setV2Refused(orgId: string, refused: boolean): void;
  faults: SimFaults;
  setLatency(ms: number): void;
}
