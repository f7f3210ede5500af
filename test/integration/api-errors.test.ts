import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SecretStore } from '../../functions/core/ports.js';
import { apiEvent, startApiHarness, type ApiHarness } from './api-harness.js';

const ACME_KEY = 'acme-key';
const BOTH_KEY = 'key-for-acme-and-globex';
const GLOBEX_KEY = 'globex-key';

interface Case {
  name: string;
  method: string;
  path: (orgId: string) => string;
  body?: unknown;
  rawBody?: string;
  routeKey?: string;
  status: number;
  code: string;
  /** The `errors[].field` a 400 must name. */
  field?: string;
}

describe('HTTP API: every bad input gets its documented status and code', () => {
  let api: ApiHarness;
  let acme: string;
  let globex: string;

  before(async () => {
    api = await startApiHarness({
      seed: 5,
      orgs: [
        { name: 'Acme', apiKeys: [ACME_KEY, BOTH_KEY], userCount: 30 },
        { name: 'Globex', apiKeys: [GLOBEX_KEY, BOTH_KEY], userCount: 10 },
      ],
    });
    [acme, globex] = api.sim.orgs.map((org) => org.orgId) as [string, string];
    const connected = await api.request('POST', '/orgs', { body: { apiKey: ACME_KEY } });
    assert.equal(connected.status, 201, connected.body);
    await api.drained();
  });
  after(() => api.close());

  const day = 86_400_000;
  const cases: Case[] = [
    { name: 'a body that is not JSON', method: 'POST', path: () => '/orgs', rawBody: '{"apiKey":', status: 400, code: 'VALIDATION_FAILED', field: 'body' },
    { name: 'an apiKey of the wrong type', method: 'POST', path: () => '/orgs', body: { apiKey: 42 }, status: 400, code: 'VALIDATION_FAILED', field: 'body.apiKey' },
    { name: 'a missing apiKey', method: 'POST', path: () => '/orgs', body: {}, status: 400, code: 'VALIDATION_FAILED', field: 'body.apiKey' },
    { name: 'an unknown body field', method: 'POST', path: () => '/orgs', body: { apiKey: 'k', colour: 'red' }, status: 400, code: 'VALIDATION_FAILED', field: 'body' },
    { name: 'a keyExpiresAt that is not a time', method: 'POST', path: () => '/orgs', body: { apiKey: ACME_KEY, keyExpiresAt: 'soon' }, status: 400, code: 'VALIDATION_FAILED', field: 'body.keyExpiresAt' },
    { name: 'a keyExpiresAt in the past', method: 'POST', path: () => '/orgs', body: { apiKey: GLOBEX_KEY, keyExpiresAt: new Date(Date.now() - day).toISOString() }, status: 400, code: 'VALIDATION_FAILED', field: 'body.keyExpiresAt' },
    { name: 'a keyExpiresAt more than a year away', method: 'POST', path: () => '/orgs', body: { apiKey: GLOBEX_KEY, keyExpiresAt: new Date(Date.now() + 400 * day).toISOString() }, status: 400, code: 'VALIDATION_FAILED', field: 'body.keyExpiresAt' },
    { name: 'a key Atlassian rejects', method: 'POST', path: () => '/orgs', body: { apiKey: 'not-a-key' }, status: 422, code: 'KEY_REJECTED' },
    { name: 'a key that administers several orgs, without orgId', method: 'POST', path: () => '/orgs', body: { apiKey: BOTH_KEY }, status: 400, code: 'ORG_AMBIGUOUS' },
    { name: 'an orgId the key does not administer', method: 'POST', path: (o) => '/orgs', body: { apiKey: GLOBEX_KEY, orgId: 'acme-0000' }, status: 422, code: 'ORG_NOT_VISIBLE' },
    { name: 'an org that is already connected', method: 'POST', path: () => '/orgs', body: { apiKey: ACME_KEY }, status: 409, code: 'ORG_ALREADY_CONNECTED' },
    { name: 'an unknown query parameter on connect', method: 'POST', path: () => '/orgs?dryRun=true', body: { apiKey: ACME_KEY }, status: 400, code: 'VALIDATION_FAILED', field: 'query' },
    { name: 'an unknown org', method: 'GET', path: () => '/orgs/00000000-0000-0000-0000-000000000000', status: 404, code: 'ORG_NOT_FOUND' },
    { name: 'a malformed org id', method: 'GET', path: () => '/orgs/bad%20id', status: 400, code: 'VALIDATION_FAILED', field: 'path.orgId' },
    { name: 'users of an unknown org', method: 'GET', path: () => '/orgs/unknown-org/users', status: 404, code: 'ORG_NOT_FOUND' },
    { name: 'an unknown user filter', method: 'GET', path: (o) => `/orgs/${o}/users?colour=red`, status: 400, code: 'VALIDATION_FAILED', field: 'query' },
    { name: 'an oversized limit', method: 'GET', path: (o) => `/orgs/${o}/users?limit=1001`, status: 400, code: 'VALIDATION_FAILED', field: 'query.limit' },
    { name: 'a zero limit', method: 'GET', path: (o) => `/orgs/${o}/users?limit=0`, status: 400, code: 'VALIDATION_FAILED', field: 'query.limit' },
    { name: 'a limit that is not a number', method: 'GET', path: (o) => `/orgs/${o}/users?limit=lots`, status: 400, code: 'VALIDATION_FAILED', field: 'query.limit' },
    { name: 'a malformed cursor', method: 'GET', path: (o) => `/orgs/${o}/users?cursor=not-a-cursor`, status: 400, code: 'VALIDATION_FAILED', field: 'query.cursor' },
    { name: 'an unknown accessState', method: 'GET', path: (o) => `/orgs/${o}/users?accessState=sleeping`, status: 400, code: 'VALIDATION_FAILED', field: 'query.accessState' },
    { name: 'a billable flag that is not true or false', method: 'GET', path: (o) => `/orgs/${o}/users?billable=yes`, status: 400, code: 'VALIDATION_FAILED', field: 'query.billable' },
    { name: 'a negative inactiveDays', method: 'GET', path: (o) => `/orgs/${o}/users?inactiveDays=-1`, status: 400, code: 'VALIDATION_FAILED', field: 'query.inactiveDays' },
    { name: 'a scimManaged flag that is not true or false', method: 'GET', path: (o) => `/orgs/${o}/users?scimManaged=1`, status: 400, code: 'VALIDATION_FAILED', field: 'query.scimManaged' },
    { name: 'an unknown user', method: 'GET', path: (o) => `/orgs/${o}/users/557058:00000000-0000-0000-0000-000000000000`, status: 404, code: 'USER_NOT_FOUND' },
    { name: 'a malformed account id', method: 'GET', path: (o) => `/orgs/${o}/users/bad%20id`, status: 400, code: 'VALIDATION_FAILED', field: 'path.accountId' },
    { name: 'a change feed whose until is not after since', method: 'GET', path: (o) => `/orgs/${o}/changes?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z`, status: 400, code: 'VALIDATION_FAILED', field: 'query.until' },
    { name: 'a change feed since that is not a time', method: 'GET', path: (o) => `/orgs/${o}/changes?since=yesterday`, status: 400, code: 'VALIDATION_FAILED', field: 'query.since' },
    { name: 'a change feed cursor of another listing', method: 'GET', path: (o) => `/orgs/${o}/changes?cursor=${Buffer.from('{"pk":"ORG#x","sk":"y"}').toString('base64url')}`, status: 400, code: 'VALIDATION_FAILED', field: 'query.cursor' },
    { name: 'a sync-runs limit above 1000', method: 'GET', path: (o) => `/orgs/${o}/sync-runs?limit=5000`, status: 400, code: 'VALIDATION_FAILED', field: 'query.limit' },
    { name: 'a deprovision audit of an unknown org', method: 'GET', path: () => '/orgs/unknown-org/deprovisions', status: 404, code: 'ORG_NOT_FOUND' },
    { name: 'an email lookup without email', method: 'GET', path: () => '/users', status: 400, code: 'VALIDATION_FAILED', field: 'query.email' },
    { name: 'an email lookup with something that is not an email', method: 'GET', path: () => '/users?email=nobody', status: 400, code: 'VALIDATION_FAILED', field: 'query.email' },
    { name: 'rotating to a key of another org', method: 'PUT', path: (o) => `/orgs/${o}/api-key`, body: { apiKey: GLOBEX_KEY }, status: 422, code: 'ORG_MISMATCH' },
    { name: 'rotating to a key Atlassian rejects', method: 'PUT', path: (o) => `/orgs/${o}/api-key`, body: { apiKey: 'not-a-key' }, status: 422, code: 'KEY_REJECTED' },
    { name: 'rotating the key of an unknown org', method: 'PUT', path: () => '/orgs/unknown-org/api-key', body: { apiKey: ACME_KEY }, status: 404, code: 'ORG_NOT_FOUND' },
    { name: 'rotating without a body', method: 'PUT', path: (o) => `/orgs/${o}/api-key`, status: 400, code: 'VALIDATION_FAILED', field: 'body.apiKey' },
    { name: 'a purge flag that is not true or false', method: 'DELETE', path: (o) => `/orgs/${o}?purge=yes`, status: 400, code: 'VALIDATION_FAILED', field: 'query.purge' },
    { name: 'disconnecting an unknown org', method: 'DELETE', path: () => '/orgs/unknown-org', status: 404, code: 'ORG_NOT_FOUND' },
    { name: 'syncing an unknown org', method: 'POST', path: () => '/orgs/unknown-org/sync', status: 404, code: 'ORG_NOT_FOUND' },
    { name: 'a route the API does not have', method: 'PATCH', path: () => '/orgs', routeKey: 'PATCH /orgs', status: 404, code: 'ROUTE_NOT_FOUND' },
    { name: 'the deprovision route, served by another Lambda', method: 'POST', path: (o) => `/orgs/${o}/users/u1/deprovision`, status: 404, code: 'ROUTE_NOT_FOUND' },
  ];

  for (const c of cases) {
    it(`answers ${c.status} ${c.code} to ${c.name}`, async () => {
      const response = await api.request(c.method, c.path(acme), { body: c.body, rawBody: c.rawBody, routeKey: c.routeKey });

      assert.equal(response.status, c.status, response.body);
      assert.equal(response.headers['content-type'], 'application/problem+json');
      assert.equal(response.json.code, c.code);
      assert.equal(response.json.status, c.status);
      assert.ok(response.json.detail.length > 0);
      if (c.field !== undefined) {
        assert.ok(
          response.json.errors.some((error: { field: string }) => error.field === c.field),
          `expected ${c.field} in ${response.body}`,
        );
      }
    });
  }

  it('lists the orgs the key sees when it is ambiguous', async () => {
    const response = await api.request('POST', '/orgs', { body: { apiKey: BOTH_KEY } });

    assert.deepEqual(
      response.json.visibleOrgs.map((org: { orgId: string }) => org.orgId).sort(),
      [acme, globex].sort(),
    );
    assert.match(response.json.detail, /orgId/);
  });

  it('connects the chosen org when a key that sees several orgs names one', async () => {
    const response = await api.request('POST', '/orgs', { body: { apiKey: BOTH_KEY, orgId: globex } });

    assert.equal(response.status, 201, response.body);
    assert.equal(response.json.orgId, globex);
    await api.drained();
  });

  it('says an expiry is estimated when Atlassian lists several keys and none was declared', async () => {
    const orgs = await api.request('GET', '/orgs');
    const globexHealth = orgs.json.items.find((org: { orgId: string }) => org.orgId === globex);

    assert.equal(globexHealth.keyExpirySource, 'estimated');
    assert.match(globexHealth.keyExpiryDescription, /estimated/);
    assert.ok([364, 365].includes(globexHealth.daysToKeyExpiry));
  });

  it('answers unexpected failures with a 500 that carries a correlation id and no internals', async () => {
    const failing: SecretStore = {
      putApiKey: async () => {
        throw new Error('secret backend exploded at /var/secret-internals');
      },
      getApiKey: async () => '',
      deleteApiKey: async () => undefined,
    };
    api.sim.addKey(api.sim.orgs[0]!.orgId, 'other-acme-key');
    const handler = api.handlerWith({ secrets: failing });

    const response = await handler(apiEvent('PUT', `/orgs/${acme}/api-key`, { body: { apiKey: 'other-acme-key' } }));

    assert.equal(response.status, 500);
    assert.equal(response.json.code, 'INTERNAL_ERROR');
    assert.equal(typeof response.json.correlationId, 'string');
    assert.doesNotMatch(response.body, /exploded|internals/);
  });
});
