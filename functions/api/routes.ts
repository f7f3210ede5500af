/**
 * The HTTP API's route table: the single source of truth used by the CDK stack
 * (one API Gateway route per entry, integrated with the entry's Lambda) and by
 * local mode (which builds API Gateway v2-shaped events and calls the same handlers).
 *
 * It holds data only, so the CDK app can import it without loading runtime code.
 */

/** Which Lambda serves a route. Only `deprovision` may call Atlassian's write endpoints. */
export type RouteTarget = 'api' | 'deprovision';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path template, e.g. `/orgs/{orgId}`. */
  path: string;
  /** Stable operation name, used to dispatch inside the Lambda. */
  operation: string;
  target: RouteTarget;
}

export const ROUTES = [
  { method: 'POST', path: '/orgs', operation: 'connectOrg', target: 'api' },
  { method: 'GET', path: '/orgs', operation: 'listOrgs', target: 'api' },
  { method: 'GET', path: '/orgs/{orgId}', operation: 'getOrg', target: 'api' },
  { method: 'PUT', path: '/orgs/{orgId}/api-key', operation: 'rotateApiKey', target: 'api' },
  { method: 'DELETE', path: '/orgs/{orgId}', operation: 'disconnectOrg', target: 'api' },
  { method: 'POST', path: '/orgs/{orgId}/sync', operation: 'triggerSync', target: 'api' },
  { method: 'GET', path: '/orgs/{orgId}/sync-runs', operation: 'listSyncRuns', target: 'api' },
  { method: 'GET', path: '/orgs/{orgId}/users', operation: 'listUsers', target: 'api' },
  { method: 'GET', path: '/orgs/{orgId}/users/{accountId}', operation: 'getUser', target: 'api' },
  { method: 'GET', path: '/orgs/{orgId}/changes', operation: 'listChanges', target: 'api' },
  { method: 'GET', path: '/users', operation: 'findUsersByEmail', target: 'api' },
  {
    method: 'POST',
    path: '/orgs/{orgId}/users/{accountId}/deprovision',
    operation: 'deprovisionUser',
    target: 'deprovision',
  },
  { method: 'GET', path: '/orgs/{orgId}/deprovisions', operation: 'listDeprovisions', target: 'api' },
] as const satisfies readonly RouteDefinition[];

export type Operation = (typeof ROUTES)[number]['operation'];

/** API Gateway route key (`METHOD /path`), as found in `event.routeKey`. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
