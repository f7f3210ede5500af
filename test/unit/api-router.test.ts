import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchRoute, routeKeyOf } from '../../functions/api/router.js';
import { ROUTES, routeKey } from '../../functions/api/routes.js';
import { wantsCsv } from '../../functions/api/operations.js';

describe('matchRoute', () => {
  const cases: Array<[string, string, string | undefined, Record<string, string>]> = [
    ['POST', '/orgs', 'POST /orgs', {}],
    ['GET', '/orgs', 'GET /orgs', {}],
    ['GET', '/orgs/o-1', 'GET /orgs/{orgId}', { orgId: 'o-1' }],
    ['PUT', '/orgs/o-1/api-key', 'PUT /orgs/{orgId}/api-key', { orgId: 'o-1' }],
    ['DELETE', '/orgs/o-1', 'DELETE /orgs/{orgId}', { orgId: 'o-1' }],
    ['GET', '/orgs/o-1/users/557058%3Aabc', 'GET /orgs/{orgId}/users/{accountId}', { orgId: 'o-1', accountId: '557058:abc' }],
    ['POST', '/orgs/o-1/users/u-1/deprovision', 'POST /orgs/{orgId}/users/{accountId}/deprovision', { orgId: 'o-1', accountId: 'u-1' }],
    ['get', '/users', 'GET /users', {}],
    ['GET', '/orgs/o-1/users/u-1/extra', undefined, {}],
    ['PATCH', '/orgs', undefined, {}],
    ['GET', '/orgs/', undefined, {}],
  ];

  for (const [method, path, expected, parameters] of cases) {
    it(`maps ${method} ${path} to ${expected ?? 'no route'}`, () => {
      const match = matchRoute(method, path);

      assert.equal(match === undefined ? undefined : routeKeyOf(match), expected);
      if (match !== undefined) assert.deepEqual(match.pathParameters, parameters);
    });
  }

  it('finds every route of the table from its own path template', () => {
    for (const route of ROUTES) {
      const path = route.path.replaceAll(/\{(\w+)\}/g, (_, name: string) => `${name}-value`);
      const match = matchRoute(route.method, path);
      assert.equal(match?.route.operation, route.operation);
      assert.equal(routeKeyOf(match!), routeKey(route));
    }
  });

  it('keeps a malformed escape as it is so validation can reject it', () => {
    assert.deepEqual(matchRoute('GET', '/orgs/%E0%A4%A')?.pathParameters, { orgId: '%E0%A4%A' });
  });
});

describe('wantsCsv', () => {
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, false],
    ['application/json', false],
    ['*/*', false],
    ['text/csv', true],
    ['Text/CSV; charset=utf-8', true],
    ['application/json, text/csv', true],
    ['text/csv;q=0.5, application/json', false],
    ['text/csv;q=0', false],
    ['application/json;q=0.2, text/csv;q=0.9', true],
  ];
  for (const [accept, expected] of cases) {
    it(`answers ${expected ? 'CSV' : 'JSON'} for Accept ${accept ?? '(none)'}`, () => {
      assert.equal(wantsCsv(accept), expected);
    });
  }
});
