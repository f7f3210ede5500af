/**
 * Reading users and their history for the HTTP API. Every org-scoped query checks that the
 * org exists first (404 `ORG_NOT_FOUND`), so an unknown org never looks like an empty one.
 */
import { DAY_MS } from '../domain/key-expiry.js';
import type { Change, UserSnapshot } from '../domain/model.js';
import { ApiProblem } from '../http/problem.js';
import { requireOrg } from '../orgs/lookup.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import type { ChangeListRequest, Page, PageRequest, UserQuery } from '../store/ports.js';

type QueryDependencies = Pick<ConnectorDependencies, 'stores' | 'clock'>;

/** The API's user filters (SPEC §5); `inactiveDays` becomes `lastActiveBefore` = now − N days. */
export interface UserFilters extends Omit<UserQuery, 'lastActiveBefore' | 'includeRemoved'> {
  inactiveDays?: number;
}

/** A page as the API returns it: items and, when more may follow, the cursor of the next page. */
export interface ListPage<T> {
  items: T[];
  nextCursor?: string;
}

export function toUserQuery(filters: UserFilters, now: Date): UserQuery {
  const { inactiveDays, ...rest } = filters;
  const query: UserQuery = { ...rest };
  if (inactiveDays !== undefined) query.lastActiveBefore = new Date(now.getTime() - inactiveDays * DAY_MS).toISOString();
  return query;
}

export async function listOrgUsers(
  orgId: string,
  filters: UserFilters & PageRequest,
  deps: QueryDependencies,
): Promise<ListPage<UserSnapshot>> {
  await requireOrg(orgId, deps);
  const { limit, cursor, ...rest } = filters;
  const page = await deps.stores.snapshots.listUsers(orgId, { ...toUserQuery(rest, deps.clock()), limit, cursor });
  return listPage(page);
}

export interface UserWithHistory {
  user: UserSnapshot;
  /** The user's changes, newest first. */
  changes: ListPage<Change>;
}

export async function getUserWithHistory(
  orgId: string,
  accountId: string,
  request: PageRequest,
  deps: QueryDependencies,
): Promise<UserWithHistory> {
  await requireOrg(orgId, deps);
  const user = await deps.stores.snapshots.getSnapshot(orgId, accountId);
  if (user === undefined) {
    throw new ApiProblem(
      404,
      'USER_NOT_FOUND',
      `No user ${accountId} in organization ${orgId}; list its users with GET /orgs/${orgId}/users.`,
    );
  }
  const changes = await deps.stores.changes.listUserChanges(orgId, accountId, { ...request, newestFirst: true });
  return { user, changes: listPage(changes) };
}

export async function listOrgChanges(
  orgId: string,
  request: ChangeListRequest,
  deps: QueryDependencies,
): Promise<ListPage<Change>> {
  await requireOrg(orgId, deps);
  return listPage(await deps.stores.changes.listOrgChanges(orgId, request));
}

/** The same person (by email) in every org that is still connected; tombstoned users are left out. */
export async function findUsersAcrossOrgs(email: string, deps: QueryDependencies): Promise<ListPage<UserSnapshot>> {
  const [users, orgs] = await Promise.all([deps.stores.snapshots.findUsersByEmail(email), deps.stores.orgs.listOrgs()]);
  const connected = new Set(orgs.filter((org) => org.status !== 'disconnected').map((org) => org.orgId));
  return { items: users.filter((user) => connected.has(user.orgId)) };
}

export function listPage<T>(page: Page<T>): ListPage<T> {
  return page.nextCursor === undefined ? { items: page.items } : { items: page.items, nextCursor: page.nextCursor };
}
