/**
 * Matching a request to the route table the way API Gateway does, for local mode and tests:
 * `matchRoute('GET', '/orgs/o1/users')` gives the route (`routeKey` `GET /orgs/{orgId}/users`)
 * and the decoded path parameters (`{orgId: 'o1'}`).
 */
import { ROUTES, routeKey, type RouteDefinition } from './routes.js';

export interface RouteMatch {
  route: RouteDefinition;
  /** Path parameters, URL-decoded as API Gateway HTTP APIs decode them. */
  pathParameters: Record<string, string>;
}

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  names: string[];
}

const COMPILED: readonly CompiledRoute[] = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (parameter === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(parameter[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
});

/** The route for a method and a path (without query string), or `undefined` when none matches. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  const wanted = method.toUpperCase();
  for (const { route, pattern, names } of COMPILED) {
    if (route.method !== wanted) continue;
    const match = pattern.exec(path);
    if (match === null) continue;
    const pathParameters: Record<string, string> = {};
    names.forEach((name, i) => {
      pathParameters[name] = decodeSegment(match[i + 1]!);
    });
    return { route, pathParameters };
  }
  return undefined;
}

/** The API Gateway route key of a match, as found in `event.routeKey`. */
export function routeKeyOf(match: RouteMatch): string {
  return routeKey(match.route);
}

/** A malformed escape is kept as it is; path validation then rejects it with a 400 naming the parameter. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
