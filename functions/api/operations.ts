/**
 * One function per API operation: parse and validate the request, call the core, shape the
 * response. No business logic lives here.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { header, parseBody, parsePath, parseQuery, validationFailed } from '../core/http/request.js';
import { json, text, type HttpResponse } from '../core/http/response.js';
import { connectOrg, disconnectOrg, getOrgHealth, listOrgHealth, requireOrg, rotateApiKey, triggerSync } from '../core/orgs/index.js';
import type { ConnectorDependencies } from '../core/runtime/dependencies.js';
import {
  exportUsersCsv,
  findUsersAcrossOrgs,
  getUserWithHistory,
  listOrgChanges,
  listOrgUsers,
  listPage,
  type UserFilters,
} from '../core/users/index.js';
import type { ROUTES } from './routes.js';
import {
  ChangesQuery,
  ConnectBody,
  DisconnectQuery,
  EmailQuery,
  NoQuery,
  OrgPath,
  PageQuery,
  RotateBody,
  UserPath,
  UsersQuery,
} from './schemas.js';

/** Operations of the routes whose target is `api`. */
export type ApiOperationName = Extract<(typeof ROUTES)[number], { target: 'api' }>['operation'];

export type ApiOperation = (event: APIGatewayProxyEventV2, deps: ConnectorDependencies) => Promise<HttpResponse>;

/** Operations served by the `api` Lambda (deprovisioning has its own). */
export const API_OPERATIONS = {
  async connectOrg(event, deps) {
    parseQuery(event, NoQuery);
    const body = parseBody(event, ConnectBody);
    const { org, runId } = await connectOrg(body, deps);
    return json(201, { ...org, firstSyncRunId: runId }, { location: `/orgs/${encodeURIComponent(org.orgId)}` });
  },

  async listOrgs(event, deps) {
    parseQuery(event, NoQuery);
    return json(200, { items: await listOrgHealth(deps) });
  },

  async getOrg(event, deps) {
    const { orgId } = parsePath(event, OrgPath);
    parseQuery(event, NoQuery);
    return json(200, await getOrgHealth(orgId, deps));
  },

  async rotateApiKey(event, deps) {
    const { orgId } = parsePath(event, OrgPath);
    parseQuery(event, NoQuery);
    return json(200, await rotateApiKey(orgId, parseBody(event, RotateBody), deps));
  },

  async disconnectOrg(event, deps) {
    const { orgId } = parsePath(event, OrgPath);
    const { purge } = parseQuery(event, DisconnectQuery);
    return json(200, await disconnectOrg(orgId, { purge: purge === 'true' }, deps));
  },

  async triggerSync(event, deps) {
    const { orgId } = parsePath(event, OrgPath);
    parseQuery(event, NoQuery);
    return json(202, await triggerSync(orgId, deps));
  },

  async listSyncRuns(event, deps) {
    const { orgId } = parsePath(event, OrgPath);
    const page = parseQuery(event, PageQuery);
    await requireOrg(orgId, deps);
    return json(200, listPage(await deps.stores.syncRuns.listSyncRuns(orgId, page)));
  },

  async listUsers(event, deps) {
    const { orgId } = parsePath(event, OrgPath);
    const { billable, scimManaged, ...query } = parseQuery(event, UsersQuery);
    const filters: UserFilters & { limit?: number; cursor?: string } = {
      ...query,
      ...(billable === undefined ? {} : { billable: billable === 'true' }),
      ...(scimManaged === undefined ? {} : { scimManaged: scimManaged === 'true' }),
    };
    if (!wantsCsv(header(event, 'accept'))) return json(200, await listOrgUsers(orgId, filters, deps));
    const exported = await exportUsersCsv(orgId, filters, deps);
    const headers: Record<string, string> = {
      'content-disposition': `attachment; filename="users-${orgId}.csv"`,
      'x-row-count': String(exported.rows),
    };
    if (exported.nextCursor !== undefined) {
      headers['x-next-cursor'] = exported.nextCursor;
      headers.link = `<${nextPageUrl(event, exported.nextCursor)}>; rel="next"`;
    }
    return text(200, exported.csv, 'text/csv; charset=utf-8', headers);
  },

  async getUser(event, deps) {
    const { orgId, accountId } = parsePath(event, UserPath);
    return json(200, await getUserWithHistory(orgId, accountId, parseQuery(event, PageQuery), deps));
  },

  async listChanges(event, deps) {
    const { orgId } = parsePath(event, OrgPath);
    const query = parseQuery(event, ChangesQuery);
    const since = query.since === undefined ? undefined : new Date(query.since).toISOString();
    const until = query.until === undefined ? undefined : new Date(query.until).toISOString();
    if (since !== undefined && until !== undefined && since >= until) {
      validationFailed([{ field: 'query.until', message: 'must be later than since' }]);
    }
    return json(200, await listOrgChanges(orgId, { since, until, cursor: query.cursor, limit: query.limit }, deps));
  },

  async findUsersByEmail(event, deps) {
    const { email } = parseQuery(event, EmailQuery);
    return json(200, await findUsersAcrossOrgs(email, deps));
  },

  async listDeprovisions(event, deps) {
    const { orgId } = parsePath(event, OrgPath);
    const page = parseQuery(event, PageQuery);
    await requireOrg(orgId, deps);
    return json(200, listPage(await deps.stores.deprovisions.listDeprovisionRequests(orgId, page)));
  },
} satisfies Record<ApiOperationName, ApiOperation>;

/**
 * `true` when the client prefers CSV: `text/csv` is acceptable (q > 0) and not ranked below
 * `application/json`. A missing Accept header, `*\/*` or JSON alone give JSON.
 */
export function wantsCsv(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const quality = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!type) continue;
    const q = params.find((param) => param.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    quality.set(type, Number.isFinite(value) ? value : 0);
  }
  const csv = quality.get('text/csv') ?? 0;
  return csv > 0 && csv >= (quality.get('application/json') ?? 0);
}

function nextPageUrl(event: APIGatewayProxyEventV2, cursor: string): string {
  const params = new URLSearchParams(event.rawQueryString ?? '');
  params.set('cursor', cursor);
  return `${event.rawPath}?${params.toString()}`;
}
