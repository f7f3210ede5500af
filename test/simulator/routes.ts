/**
 * The simulated Admin API: a route table and one handler per endpoint.
 * Paths are relative to `/admin`.
 */
import type { OrgState, SimState } from './state.js';
import type { SimUser } from './types.js';
import { decodeCursor, encodeCursor, errors, toV1User, toV2User, type SimResponse } from './wire.js';

/** Settings the handlers need besides state. */
export interface RouteSettings {
  baseUrl: string;
  v1PageSize: number;
  v1NextStyle: 'url' | 'cursor';
  scimErrorShape: 'admin' | 'user-management';
}

/** One request, authenticated and matched to a route. */
export interface RouteContext {
  state: SimState;
  settings: RouteSettings;
  url: URL;
  params: Record<string, string>;
  body: string;
  /** Orgs the caller's key may administer. */
  allowedOrgs: string[];
}

/** Context of an org-scoped route: the org exists and the key may administer it. */
export interface OrgRouteContext extends RouteContext {
  org: OrgState;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  run: (ctx: RouteContext, org: OrgState | undefined) => SimResponse;
}

function compile(method: string, template: string, run: Route['run']): Route {
  const names: string[] = [];
  const source = template.replace(/:(\w+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}$`), names, run };
}

/** A route whose path holds `:orgId`; its handler only runs with a resolved org. */
function route(method: string, template: string, handler: (ctx: OrgRouteContext) => SimResponse): Route {
  return compile(method, template, (ctx, org) => (org ? handler({ ...ctx, org }) : errors.orgNotFound()));
}

function v2Limit(raw: unknown): number | SimResponse {
  if (raw === undefined) return 20;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    return errors.badBody('limit must be an integer between 1 and 100.');
  }
  return value;
}

function startIndex(cursor: unknown): number | SimResponse {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  const index = typeof cursor === 'string' ? decodeCursor(cursor) : undefined;
  return index === undefined ? errors.badCursor() : index;
}

function orgModel(org: OrgState, baseUrl: string): Record<string, unknown> {
  return {
    id: org.orgId,
    type: 'orgs',
    attributes: { name: org.name },
    relationships: {
      domains: { links: { related: `${baseUrl}/v1/orgs/${org.orgId}/domains` } },
      users: { links: { related: `${baseUrl}/v1/orgs/${org.orgId}/users` } },
    },
    links: { self: `${baseUrl}/v1/orgs/${org.orgId}` },
  };
}

function listOrgs(ctx: RouteContext): SimResponse {
  const data = ctx.allowedOrgs.map((id) => orgModel(ctx.state.org(id), ctx.settings.baseUrl));
  return { status: 200, body: { data, links: { self: `${ctx.settings.baseUrl}/v1/orgs` } } };
}

function listV1Users(ctx: OrgRouteContext): SimResponse {
  const from = startIndex(ctx.url.searchParams.get('cursor') ?? undefined);
  if (typeof from !== 'number') return from;
  const { org, settings, state } = ctx;
  const page = state.page(org, from, settings.v1PageSize);
  const usersUrl = `${settings.baseUrl}/v1/orgs/${org.orgId}/users`;
  const links: Record<string, string> = { self: from === 0 ? usersUrl : `${usersUrl}?cursor=${encodeCursor(from)}` };
  if (page.nextIndex !== undefined) {
    const cursor = encodeCursor(page.nextIndex);
    links.next = settings.v1NextStyle === 'url' ? `${usersUrl}?cursor=${cursor}` : cursor;
  }
  return {
    status: 200,
    page: true,
    body: {
      data: page.users.map((u) => toV1User(u, org.orgId, org.ctx.slug, settings.baseUrl)),
      meta: { total: state.total(org) },
      links,
    },
  };
}

function directoryFilter(org: OrgState, directoryId: string | undefined): ((u: SimUser) => boolean) | SimResponse {
  if (directoryId === undefined || directoryId === '-') return () => true;
  if (directoryId !== org.ctx.directoryId && directoryId !== org.ctx.scimDirectoryId) return errors.unknownResource();
  return (u) => u.directoryId === directoryId;
}

function v2Page(ctx: OrgRouteContext, limitRaw: unknown, cursor: unknown, expand: boolean): SimResponse {
  if (ctx.org.v2Refused) return errors.forbiddenOrg();
  const limit = v2Limit(limitRaw);
  if (typeof limit !== 'number') return limit;
  const from = startIndex(cursor);
  if (typeof from !== 'number') return from;
  const accept = directoryFilter(ctx.org, ctx.params.directoryId);
  if (typeof accept !== 'function') return accept;
  const page = ctx.state.page(ctx.org, from, limit, accept);
  const links: Record<string, string> = {};
  if (page.nextIndex !== undefined) links.next = encodeCursor(page.nextIndex);
  return {
    status: 200,
    page: true,
    body: { data: page.users.map((u) => toV2User(u, ctx.org.orgId, ctx.state.seed, expand)), links },
  };
}

function listV2Users(ctx: OrgRouteContext): SimResponse {
  const query = ctx.url.searchParams;
  const expand = query.getAll('expand').flatMap((e) => e.split(','));
  return v2Page(ctx, query.get('limit') ?? undefined, query.get('cursor') ?? undefined, expand.includes('productAccess'));
}

function searchV2Users(ctx: OrgRouteContext): SimResponse {
  let body: unknown = {};
  if (ctx.body.trim() !== '') {
    try {
      body = JSON.parse(ctx.body);
    } catch {
      return errors.badBody('The request body is not valid JSON.');
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return errors.badBody('The request body must be an object.');
  const { limit, cursor, expand } = body as { limit?: unknown; cursor?: unknown; expand?: unknown };
  if (expand !== undefined && !Array.isArray(expand)) return errors.badBody('expand must be an array.');
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') return errors.badCursor();
  return v2Page(ctx, limit, cursor, Array.isArray(expand) && expand.includes('productAccess'));
}

function listV2Directories(ctx: OrgRouteContext): SimResponse {
  if (ctx.org.v2Refused) return errors.forbiddenOrg();
  const data = [
    { directoryId: ctx.org.ctx.directoryId, name: `${ctx.org.name} directory` },
    { directoryId: ctx.org.ctx.scimDirectoryId, name: `${ctx.org.name} identity provider` },
  ];
  return { status: 200, body: { data, links: {} } };
}

function getV2User(ctx: OrgRouteContext): SimResponse {
  if (ctx.org.v2Refused) return errors.forbiddenOrg();
  const index = ctx.state.indexOf(ctx.org, ctx.params.accountId ?? '');
  const user = index === undefined ? undefined : ctx.state.userAt(ctx.org, index);
  const dir = ctx.params.directoryId;
  if (!user || (dir !== '-' && dir !== user.directoryId)) return errors.userNotFound();
  return { status: 200, body: { ...toV2User(user, ctx.org.orgId, ctx.state.seed, true), directoryId: user.directoryId } };
}

type Action = 'suspend' | 'restore' | 'remove';

/** Applies a directory write after Atlassian's refusals (unknown user, SCIM-managed, org admin). */
function mutate(ctx: OrgRouteContext, action: Action, version: 'v1' | 'v2'): SimResponse {
  const { org, state } = ctx;
  if (version === 'v2' && org.v2Refused) return errors.forbiddenOrg();
  const accountId = ctx.params.accountId ?? '';
  const index = state.indexOf(org, accountId);
  const user = index === undefined ? undefined : state.userAt(org, index);
  if (index === undefined || !user) return errors.userNotFound();
  if (version === 'v2' && ctx.params.directoryId !== user.directoryId) return errors.userNotFound();
  if (user.managementSource === 'synced') return errors.scimManaged(ctx.settings.scimErrorShape);
  if (user.isOrgAdmin) return errors.orgAdmin();
  if (action === 'remove') {
    state.removeUser(org.orgId, accountId);
    return { status: 204 };
  }
  state.setSuspended(org, index, action === 'suspend');
  if (version === 'v2') return { status: 204 };
  const verb = action === 'suspend' ? 'suspended' : 'restored';
  return { status: 200, body: { message: `Access to organization ${org.orgId} was ${verb} for user ${accountId}` } };
}

function listApiKeys(ctx: OrgRouteContext): SimResponse {
  const data = ctx.state.keysOfOrg(ctx.org.orgId).map((k) => ({ ...k, orgId: ctx.org.orgId, scopes: [] }));
  return { status: 200, body: { data, links: {} } };
}

const ORG = '/v1/orgs/:orgId';
const V2_USERS = '/v2/orgs/:orgId/directories/:directoryId/users';

/** Every simulated endpoint. Routes whose path has `:orgId` are org-scoped. */
export const ROUTES: readonly Route[] = [
  compile('GET', '/v1/orgs', listOrgs),
  route('GET', ORG, (ctx) => ({ status: 200, body: { data: orgModel(ctx.org, ctx.settings.baseUrl) } })),
  route('GET', `${ORG}/users`, listV1Users),
  route('POST', `${ORG}/directory/users/:accountId/suspend-access`, (ctx) => mutate(ctx, 'suspend', 'v1')),
  route('POST', `${ORG}/directory/users/:accountId/restore-access`, (ctx) => mutate(ctx, 'restore', 'v1')),
  route('DELETE', `${ORG}/directory/users/:accountId`, (ctx) => mutate(ctx, 'remove', 'v1')),
  route('GET', '/v2/orgs/:orgId/directories', listV2Directories),
  route('GET', V2_USERS, listV2Users),
  route('POST', `${V2_USERS}/search`, searchV2Users),
  route('GET', `${V2_USERS}/:accountId`, getV2User),
  route('POST', `${V2_USERS}/:accountId/suspend`, (ctx) => mutate(ctx, 'suspend', 'v2')),
  route('POST', `${V2_USERS}/:accountId/restore`, (ctx) => mutate(ctx, 'restore', 'v2')),
  route('DELETE', `${V2_USERS}/:accountId`, (ctx) => mutate(ctx, 'remove', 'v2')),
  route('GET', '/api-access/v1/orgs/:orgId/api-keys', listApiKeys),
];

/** The route and its decoded path parameters, a 405 when only the method differs, or undefined. */
export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  for (const candidate of ROUTES) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    if (candidate.method !== method) {
      pathMatched = true;
      continue;
    }
    const params: Record<string, string> = {};
    candidate.names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1] ?? '');
    });
    return { route: candidate, params };
  }
  return pathMatched ? 'method' : undefined;
}

/** Authenticates, matches and runs a request; `orgId` is reported for the request log. */
export function dispatch(
  state: SimState,
  settings: RouteSettings,
  method: string,
  url: URL,
  authorization: string | undefined,
  body: string,
): { response: SimResponse; orgId?: string } {
  const apiKey = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  const allowedOrgs = apiKey === undefined ? undefined : state.orgsOfKey(apiKey);
  if (!allowedOrgs) return { response: errors.unauthorized() };
  const path = url.pathname.startsWith('/admin/') ? url.pathname.slice('/admin'.length) : undefined;
  const matched = path === undefined ? undefined : matchRoute(method, path);
  if (matched === undefined) return { response: errors.unknownResource() };
  if (matched === 'method') return { response: errors.methodNotAllowed() };
  const orgId = matched.params.orgId;
  const org = orgId === undefined ? undefined : state.orgs.get(orgId);
  if (orgId !== undefined && !org) return { response: errors.orgNotFound(), orgId };
  if (orgId !== undefined && !allowedOrgs.includes(orgId)) return { response: errors.forbiddenOrg(), orgId };
  const response = matched.route.run({ state, settings, url, params: matched.params, body, allowedOrgs }, org);
  return orgId === undefined ? { response } : { response, orgId };
}
