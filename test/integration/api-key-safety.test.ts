import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiHarness, type ApiHarness } from './api-harness.js';

const CANARY = 'ATCTT3xCANARY0a1b2c3d4e5f6g7h8i9j0CANARY';
const CANARY_ROTATED = 'ATCTT3xCANARY9z8y7x6w5v4u3t2s1r0CANARY';
const CANARY_UNKNOWN = 'ATCTT3xCANARYnever-issued-CANARY';

describe('HTTP API: the Atlassian API key never leaves the secret store', () => {
  let api: ApiHarness;
  let orgId: string;

  before(async () => {
    api = await startApiHarness({ seed: 3, orgs: [{ name: 'Canary Co', apiKeys: [], userCount: 25 }] });
    orgId = api.sim.orgs[0]!.orgId;
    api.sim.addKey(orgId, CANARY);

    // Prepare: drive every path that touches a key, successful or not.
    assert.equal((await api.request('POST', '/orgs', { body: { apiKey: CANARY_UNKNOWN } })).status, 422);
    assert.equal((await api.request('POST', '/orgs', { body: { apiKey: CANARY, orgId: 'not an id' } })).status, 400);
    assert.equal((await api.request('POST', '/orgs', { body: { apiKey: CANARY, unexpected: CANARY } })).status, 400);
    assert.equal((await api.request('POST', '/orgs', { rawBody: `{"apiKey":"${CANARY}"` })).status, 400);
    assert.equal((await api.request('POST', '/orgs', { body: { apiKey: CANARY } })).status, 201);
    await api.drained();
    assert.equal((await api.request('POST', '/orgs', { body: { apiKey: CANARY } })).status, 409);
    api.sim.revokeKey(CANARY);
    await api.request('POST', `/orgs/${orgId}/sync`);
    await api.drained();
    assert.equal((await api.request('PUT', `/orgs/${orgId}/api-key`, { body: { apiKey: CANARY } })).status, 422);
    api.sim.addKey(orgId, CANARY_ROTATED);
    assert.equal((await api.request('PUT', `/orgs/${orgId}/api-key`, { body: { apiKey: CANARY_ROTATED } })).status, 200);
    await api.request('POST', `/orgs/${orgId}/sync`);
    await api.drained();
    for (const path of ['/orgs', `/orgs/${orgId}`, `/orgs/${orgId}/users`, `/orgs/${orgId}/sync-runs`, `/orgs/${orgId}/changes`]) {
      assert.equal((await api.request('GET', path)).status, 200);
    }
    assert.equal((await api.request('DELETE', `/orgs/${orgId}`)).status, 200);
  });
  after(() => api.close());

  it('keeps the key out of every response body and header', () => {
    assert.ok(api.responses.length >= 14);
    for (const response of api.responses) {
      const text = response.body + JSON.stringify(response.headers);
      assert.doesNotMatch(text, /CANARY/, text);
    }
  });

  it('keeps the key out of every log line', () => {
    assert.ok(api.logLines.some((line) => line.includes('"request refused"')), 'refusals were logged');
    assert.ok(api.logLines.some((line) => line.includes('sync')), 'the sync worker logged');
    for (const line of api.logLines) assert.doesNotMatch(line, /CANARY/, line);
  });

  it('keeps the key out of every stored item', async () => {
    const dump = await api.tableDump();

    assert.match(dump, new RegExp(orgId));
    assert.doesNotMatch(dump, /CANARY/);
  });

  it('keeps the key out of published events', () => {
    assert.doesNotMatch(JSON.stringify(api.events.events()), /CANARY/);
  });
});
