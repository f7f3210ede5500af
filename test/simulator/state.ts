/**
 * Mutable simulator state: orgs, keys and the small overlays that record
 * mutations on top of the generated users.
 */
import { generateUser, indexOfAccountId, isBillable, orgContext, type OrgGenerationContext } from './generator.js';
import { createRandom, deterministicUuid, hashString, mix32 } from './random.js';
import type { SimOptions, SimUser } from './types.js';

/** A simulated org with its generation context and mutation overlays. */
export interface OrgState {
  orgId: string;
  name: string;
  ctx: OrgGenerationContext;
  guard: boolean;
  v2Refused: boolean;
  /** Users generated so far (indices 0..generated-1); grows with added users. */
  generated: number;
  removed: Set<number>;
  overlays: Map<number, Partial<SimUser>>;
  churnRounds: number;
}

/** An API key registered on an org, as the API Access API lists it. */
export interface KeyGrant {
  id: string;
  label: string;
  createdAt: string;
  expiresAt: string;
}

interface KeyRecord {
  revoked: boolean;
  grants: Map<string, KeyGrant>;
}

/** One page of a listing: the users and the index to continue from. */
export interface UserPage {
  users: SimUser[];
  nextIndex?: number;
}

const YEAR_MS = 365 * 86_400_000;

/** Orgs, keys and user overlays of one simulator. */
export class SimState {
  readonly seed: number;
  readonly anchor: Date;
  readonly orgs = new Map<string, OrgState>();
  private readonly keys = new Map<string, KeyRecord>();

  constructor(options: SimOptions) {
    this.seed = options.seed ?? 1;
    const now = (options.now ?? (() => new Date()))();
    this.anchor = new Date(Math.floor(now.getTime() / 86_400_000) * 86_400_000);
    for (const spec of options.orgs) {
      const orgId = spec.orgId ?? deterministicUuid(this.seed, 'org', spec.name);
      const ctx = orgContext(this.seed, orgId, spec.name, this.anchor, spec.scimShare ?? 0, spec.adminCount ?? 0);
      this.orgs.set(orgId, {
        orgId,
        name: spec.name,
        ctx,
        guard: spec.guard ?? true,
        v2Refused: spec.v2Refused ?? false,
        generated: spec.userCount,
        removed: new Set(),
        overlays: new Map(),
        churnRounds: 0,
      });
      for (const key of spec.apiKeys) this.addKey(orgId, key, spec.keyExpiresAt?.[key]);
    }
  }

  /** The org, or throws for an unknown id (programming error in a test). */
  org(orgId: string): OrgState {
    const org = this.orgs.get(orgId);
    if (!org) throw new Error(`simulator: unknown org ${orgId}`);
    return org;
  }

  /** Lets `apiKey` administer the org; the API Access API lists it with `expiresAt` (default: anchor + 6 months). */
  addKey(orgId: string, apiKey: string, expiresAt?: string): void {
    const org = this.org(orgId);
    const record = this.keys.get(apiKey) ?? { revoked: false, grants: new Map<string, KeyGrant>() };
    const ordinal = [...this.keys.values()].filter((r) => r.grants.has(orgId)).length;
    const expiry = expiresAt ?? new Date(this.anchor.getTime() + YEAR_MS / 2).toISOString();
    record.grants.set(orgId, {
      id: deterministicUuid(this.seed, org.orgId, 'api-key', ordinal),
      label: `Admin API key ${ordinal + 1}`,
      createdAt: new Date(new Date(expiry).getTime() - YEAR_MS).toISOString(),
      expiresAt: expiry,
    });
    this.keys.set(apiKey, record);
  }

  /** Subsequent requests with the key answer 401; it leaves the API Access listing. */
  revokeKey(apiKey: string): void {
    const record = this.keys.get(apiKey);
    if (record) record.revoked = true;
  }

  /** Org ids the key may administer, or undefined when the key is unknown or revoked. */
  orgsOfKey(apiKey: string): string[] | undefined {
    const record = this.keys.get(apiKey);
    return record && !record.revoked ? [...record.grants.keys()] : undefined;
  }

  /** Live keys of an org (without their values). */
  keysOfOrg(orgId: string): KeyGrant[] {
    const out: KeyGrant[] = [];
    for (const record of this.keys.values()) {
      const grant = record.grants.get(orgId);
      if (grant && !record.revoked) out.push(grant);
    }
    return out;
  }

  /** The user at an index with its overlay applied, or undefined if removed or out of range. */
  userAt(org: OrgState, index: number): SimUser | undefined {
    if (!org.guard || index < 0 || index >= org.generated || org.removed.has(index)) return undefined;
    const user = generateUser(org.ctx, index);
    const overlay = org.overlays.get(index);
    return overlay ? { ...user, ...overlay, accountId: user.accountId } : user;
  }

  /** The listing index of a current user, if any. */
  indexOf(org: OrgState, accountId: string): number | undefined {
    const index = indexOfAccountId(org.ctx, accountId);
    if (index === undefined) return undefined;
    return this.userAt(org, index)?.accountId === accountId ? index : undefined;
  }

  /** The current user with that account id, if listed. */
  findUser(orgId: string, accountId: string): SimUser | undefined {
    const org = this.org(orgId);
    const index = this.indexOf(org, accountId);
    return index === undefined ? undefined : this.userAt(org, index);
  }

  /** Number of users a listing currently shows. */
  total(org: OrgState): number {
    if (!org.guard) return 0;
    let removed = 0;
    for (const index of org.removed) if (index < org.generated) removed++;
    return org.generated - removed;
  }

  /** Up to `limit` current users from index `from` on, keeping only those `accept` takes. */
  page(org: OrgState, from: number, limit: number, accept: (user: SimUser) => boolean = () => true): UserPage {
    const users: SimUser[] = [];
    if (!org.guard) return { users };
    let index = from;
    while (index < org.generated && users.length < limit) {
      const user = this.userAt(org, index);
      if (user && accept(user)) users.push(user);
      index++;
    }
    while (index < org.generated && org.removed.has(index)) index++;
    return index < org.generated ? { users, nextIndex: index } : { users };
  }

  /** Current users in listing order, generated one at a time. */
  *users(orgId: string): Iterable<SimUser> {
    const org = this.org(orgId);
    for (let index = 0; index < org.generated; index++) {
      const user = this.userAt(org, index);
      if (user) yield user;
    }
  }

  /** Merges a patch into the user's overlay (the account id never changes). */
  patchIndex(org: OrgState, index: number, patch: Partial<SimUser>): void {
    const { accountId: _ignored, ...rest } = patch;
    org.overlays.set(index, { ...org.overlays.get(index), ...rest });
  }

  /** Patches a current user; throws for an unknown one. */
  updateUser(orgId: string, accountId: string, patch: Partial<SimUser>): void {
    const org = this.org(orgId);
    const index = this.indexOf(org, accountId);
    if (index === undefined) throw new Error(`simulator: unknown user ${accountId} in org ${orgId}`);
    this.patchIndex(org, index, patch);
  }

  /** Removes a current user from every listing; throws for an unknown one. */
  removeUser(orgId: string, accountId: string): void {
    const org = this.org(orgId);
    const index = this.indexOf(org, accountId);
    if (index === undefined) throw new Error(`simulator: unknown user ${accountId} in org ${orgId}`);
    org.removed.add(index);
    org.overlays.delete(index);
  }

  /** Appends `count` newly generated users at the end of the listing. */
  addUsers(orgId: string, count: number): SimUser[] {
    const org = this.org(orgId);
    const added: SimUser[] = [];
    for (let i = 0; i < count; i++) {
      const index = org.generated++;
      const user = this.userAt(org, index);
      if (user) added.push(user);
    }
    return added;
  }

  /** Suspends (true) or restores (false) a user's org membership, keeping billing consistent. */
  setSuspended(org: OrgState, index: number, suspended: boolean): void {
    const user = this.userAt(org, index);
    if (!user) return;
    const membershipStatus = suspended ? 'suspended' : 'active';
    this.patchIndex(org, index, { membershipStatus, billable: isBillable({ ...user, membershipStatus }) });
  }

  /** Deterministic churn: about `share` of current users are changed, removed or added. */
  churn(orgId: string, share: number): { changed: string[]; removed: string[]; added: string[] } {
    const org = this.org(orgId);
    const rng = createRandom(mix32(mix32(this.seed, hashString(`${orgId}|churn`)), org.churnRounds++));
    const result = { changed: [] as string[], removed: [] as string[], added: [] as string[] };
    const count = Math.round(this.total(org) * share);
    const touched = new Set<number>();
    const pickLive = (): number | undefined => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const index = rng.int(org.generated);
        if (!touched.has(index) && this.userAt(org, index)) return index;
      }
      return undefined;
    };
    for (let i = 0; i < count; i++) {
      const roll = rng.next();
      if (roll >= 0.75) {
        const [user] = this.addUsers(orgId, 1);
        if (user) result.added.push(user.accountId);
        continue;
      }
      const index = pickLive();
      if (index === undefined) continue;
      touched.add(index);
      const user = this.userAt(org, index) as SimUser;
      if (roll < 0.5) {
        this.patchIndex(org, index, changeFor(user, rng.int(4), this.anchor));
        result.changed.push(user.accountId);
      } else {
        org.removed.add(index);
        org.overlays.delete(index);
        result.removed.push(user.accountId);
      }
    }
    return result;
  }
}

/** One realistic change to a user: deactivation, suspension, new activity or lost product access. */
function changeFor(user: SimUser, kind: number, anchor: Date): Partial<SimUser> {
  const now = anchor.toISOString();
  switch (kind) {
    case 0:
      return { accountStatus: 'inactive', products: [], billable: false };
    case 1:
      return { membershipStatus: 'suspended', billable: false };
    case 2: {
      const products = user.products.length > 0 ? user.products : [{ key: 'confluence', name: 'Confluence' }];
      const next = { ...user, accountStatus: 'active' as const, membershipStatus: 'active' as const, lastActive: now, products: products.map((p) => ({ ...p, lastActive: now })) };
      return { accountStatus: next.accountStatus, membershipStatus: next.membershipStatus, lastActive: now, products: next.products, billable: isBillable(next) };
    }
    default:
      return { products: [], billable: false };
  }
}
