import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { allPages, call } from './http.js';
import { startSimulator, type Simulator } from './index.js';

const NOW = () => new Date('2026-06-01T12:00:00Z');
const KEY = 'sim-scenario-key-abcdef';
const OTHER_KEY = 'sim-other-key-987654';

describe('simulator: scenario switches and directory writes', () => {
  let sim: Simulator;
  let main: string;
  let noGuard: string;
  let scim: string;
  let legacy: string;
  let other: string;

  before(async () => {
    sim = await startSimulator({
      seed: 5,
      now: NOW,
      orgs: [
        { name: 'Main', apiKeys: [KEY], userCount: 120, adminCount: 2, keyExpiresAt: { [KEY]: '2027-03-01T00:00:00.000Z' } },
        { name: 'No Guard', apiKeys: [KEY], userCount: 500, guard: false },
        { name: 'Scim', apiKeys: [KEY], userCount: 30, scimShare: 1 },
        { name: 'Legacy', apiKeys: [KEY], userCount: 30, v2Refused: true },
        { name: 'Other', apiKeys: [OTHER_KEY], userCount: 10 },
      ],
    });
    [main, noGuard, scim, legacy, other] = sim.orgs.map((o) => o.orgId) as [string, string, string, string, string];
  });
  after(() => sim.close());

  const v1Users = (orgId: string) => `${sim.baseUrl}/v1/orgs/${orgId}/users`;
  const v2Users = (orgId: string, query = '?limit=100') => `${sim.baseUrl}/v2/orgs/${orgId}/directories/-/users${query}`;
  const v1Dir = (orgId: string, accountId: string) => `${sim.baseUrl}/v1/orgs/${orgId}/directory/users/${encodeURIComponent(accountId)}`;
  const nthUser = (orgId: string, n: number) => [...sim.users(orgId)][n]!;
  const plainUser = (orgId: string) =>
    [...sim.users(orgId)].find((u) => !u.isOrgAdmin && u.managementSource !== 'synced' && u.membershipStatus === 'active')!;

  it('shows an org without Guard in /v1/orgs but with zero users in v1 and v2', async () => {
    const orgs = await call(`${sim.baseUrl}/v1/orgs`, KEY);
    assert.ok(orgs.json.data.some((o: any) => o.id === noGuard));
    const v1 = await call(v1Users(noGuard), KEY);
    assert.deepEqual([v1.status, v1.json.data, v1.json.meta.total, v1.json.links.next], [200, [], 0, undefined]);
    const v2 = await call(v2Users(noGuard), KEY);
    assert.deepEqual([v2.status, v2.json.data], [200, []]);
    sim.setGuard(noGuard, true);
    assert.equal((await call(v1Users(noGuard), KEY)).json.meta.total, 500);
    sim.setGuard(noGuard, false);
  });

  it('refuses v2 with 403 ADMIN-403-3 on a v2-refused org while v1 keeps working', async () => {
    const get = await call(v2Users(legacy), KEY);
    const search = await call(`${sim.baseUrl}/v2/orgs/${legacy}/directories/-/users/search`, KEY, { method: 'POST', body: { limit: 10 } });
    for (const answer of [get, search]) {
      assert.equal(answer.status, 403);
      assert.equal(answer.json.errors[0].code, 'ADMIN-403-3');
    }
    assert.equal((await call(v1Users(legacy), KEY)).json.data.length, 30);
    sim.setV2Refused(legacy, false);
    assert.equal((await call(v2Users(legacy), KEY)).status, 200);
    sim.setV2Refused(legacy, true);
  });

  it('answers 401 in the gateway shape for a missing, unknown or revoked key', async () => {
    const temporary = 'sim-temporary-key-555';
    sim.addKey(main, temporary);
    assert.equal((await call(v1Users(main), temporary)).status, 200);
    sim.revokeKey(temporary);
    for (const key of [temporary, 'never-issued', undefined]) {
      const answer = await call(v1Users(main), key);
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.json, { code: 401, message: 'Unauthorized' });
    }
    assert.equal((await call(v1Users(main), KEY)).status, 200);
  });

  it('answers 403 ADMIN-403-3 for an org the key cannot manage and 404 ADMIN-404-2 for an unknown org', async () => {
    const forbidden = await call(v1Users(other), KEY);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.json.errors[0].code, 'ADMIN-403-3');
    const missing = await call(v1Users('00000000-0000-4000-8000-000000000000'), KEY);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.errors[0].code, 'ADMIN-404-2');
  });

  it('refuses to suspend or remove a SCIM-synced account with 403 and leaves it unchanged', async () => {
    const user = nthUser(scim, 4);
    assert.equal(user.managementSource, 'synced');
    const suspend = await call(`${v1Dir(scim, user.accountId)}/suspend-access`, KEY, { method: 'POST' });
    assert.equal(suspend.status, 403);
    assert.equal(suspend.json.errors[0].code, 'ADMIN-403-3');
    assert.match(suspend.json.errors[0].detail, /SCIM/);
    const remove = await call(v1Dir(scim, user.accountId), KEY, { method: 'DELETE' });
    assert.equal(remove.status, 403);
    const v2Suspend = await call(
      `${sim.baseUrl}/v2/orgs/${scim}/directories/${user.directoryId}/users/${encodeURIComponent(user.accountId)}/suspend`,
      KEY,
      { method: 'POST' },
    );
    assert.equal(v2Suspend.status, 403);
    assert.deepEqual(sim.user(scim, user.accountId), user);
    assert.equal((await call(v1Users(scim), KEY)).json.meta.total, 30);
  });

  it('answers SCIM refusals as {key:"forbidden.action"} in the user-management shape', async () => {
    const umSim = await startSimulator({ seed: 5, now: NOW, scimErrorShape: 'user-management', orgs: [{ name: 'Scim', apiKeys: [KEY], userCount: 3, scimShare: 1 }] });
    try {
      const orgId = umSim.orgs[0]!.orgId;
      const user = [...umSim.users(orgId)][0]!;
      const answer = await call(`${umSim.baseUrl}/v1/orgs/${orgId}/directory/users/${user.accountId}/suspend-access`, KEY, { method: 'POST' });
      assert.equal(answer.status, 403);
      assert.deepEqual(answer.json, { key: 'forbidden.action' });
    } finally {
      await umSim.close();
    }
  });

  it('refuses to suspend or remove an org admin with 400 ADMIN-400-4', async () => {
    const admin = nthUser(main, 1);
    assert.equal(admin.isOrgAdmin, true);
    for (const [url, method] of [[`${v1Dir(main, admin.accountId)}/suspend-access`, 'POST'], [v1Dir(main, admin.accountId), 'DELETE']] as const) {
      const answer = await call(url, KEY, { method });
      assert.equal(answer.status, 400);
      assert.equal(answer.json.errors[0].code, 'ADMIN-400-4');
    }
    assert.equal(sim.user(main, admin.accountId)?.membershipStatus, 'active');
  });

  it('answers 404 ADMIN-404-8 for an unknown user', async () => {
    const answer = await call(`${v1Dir(main, '5b10ac8d82e05b22cc7d4ef5')}/suspend-access`, KEY, { method: 'POST' });
    assert.equal(answer.status, 404);
    assert.equal(answer.json.errors[0].code, 'ADMIN-404-8');
  });

  it('shows v1 suspend and restore in both listings', async () => {
    const user = plainUser(main);
    const suspend = await call(`${v1Dir(main, user.accountId)}/suspend-access`, KEY, { method: 'POST' });
    assert.equal(suspend.status, 200);
    assert.equal(suspend.json.message, `Access to organization ${main} was suspended for user ${user.accountId}`);
    const find = async () => {
      const v1 = (await allPages(v1Users(main), KEY, (p) => p.links.next)).flatMap((p) => p.data);
      const v2 = (await allPages(v2Users(main), KEY, (p) => (p.links.next ? v2Users(main, `?limit=100&cursor=${p.links.next}`) : undefined))).flatMap(
        (p) => p.data,
      );
      return { v1: v1.find((u: any) => u.account_id === user.accountId), v2: v2.find((u: any) => u.accountId === user.accountId) };
    };
    const suspended = await find();
    assert.equal(suspended.v2.membershipStatus, 'suspended');
    assert.equal(suspended.v2.status, 'suspended');
    assert.equal(suspended.v1.access_billable, false);
    assert.equal((await call(`${v1Dir(main, user.accountId)}/restore-access`, KEY, { method: 'POST' })).status, 200);
    const restored = await find();
    assert.equal(restored.v2.membershipStatus, 'active');
    assert.equal(restored.v1.access_billable, user.billable);
  });

  it('removes a user from both listings and then answers 404 for it', async () => {
    const user = [...sim.users(main)].filter((u) => !u.isOrgAdmin).at(-1)!;
    const before = (await call(v1Users(main), KEY)).json.meta.total;
    const removed = await call(v1Dir(main, user.accountId), KEY, { method: 'DELETE' });
    assert.equal(removed.status, 204);
    assert.equal(removed.text, '');
    const v1 = (await allPages(v1Users(main), KEY, (p) => p.links.next)).flatMap((p) => p.data.map((u: any) => u.account_id));
    const v2 = (await allPages(v2Users(main), KEY, (p) => (p.links.next ? v2Users(main, `?limit=100&cursor=${p.links.next}`) : undefined))).flatMap((p) =>
      p.data.map((u: any) => u.accountId),
    );
    assert.equal(v1.includes(user.accountId), false);
    assert.equal(v2.includes(user.accountId), false);
    assert.equal(v1.length, before - 1);
    assert.equal((await call(v1Dir(main, user.accountId), KEY, { method: 'DELETE' })).status, 404);
  });

  it('applies v2 writes in the user directory and refuses another directory', async () => {
    const user = plainUser(main);
    const directories = await call(`${sim.baseUrl}/v2/orgs/${main}/directories`, KEY);
    const otherDirectory = directories.json.data.map((d: any) => d.directoryId).find((id: string) => id !== user.directoryId);
    const base = `${sim.baseUrl}/v2/orgs/${main}/directories`;
    const wrong = await call(`${base}/${otherDirectory}/users/${user.accountId}/suspend`, KEY, { method: 'POST' });
    assert.equal(wrong.status, 404);
    const details = await call(`${base}/-/users/${user.accountId}`, KEY);
    assert.equal(details.json.directoryId, user.directoryId);
    const suspend = await call(`${base}/${user.directoryId}/users/${user.accountId}/suspend`, KEY, { method: 'POST' });
    assert.equal(suspend.status, 204);
    assert.equal(sim.user(main, user.accountId)?.membershipStatus, 'suspended');
    assert.equal((await call(`${base}/${user.directoryId}/users/${user.accountId}/restore`, KEY, { method: 'POST' })).status, 204);
    assert.equal(sim.user(main, user.accountId)?.membershipStatus, 'active');
  });

  it('lists the org API keys with their expiry but never their value', async () => {
    const answer = await call(`${sim.baseUrl}/api-access/v1/orgs/${main}/api-keys`, KEY);
    assert.equal(answer.status, 200);
    const mine = answer.json.data.find((k: any) => k.expiresAt === '2027-03-01T00:00:00.000Z');
    assert.ok(mine);
    assert.deepEqual(Object.keys(mine).sort(), ['createdAt', 'expiresAt', 'id', 'label', 'orgId', 'scopes']);
    assert.equal(mine.orgId, main);
    assert.equal(answer.text.includes(KEY), false);
    sim.addKey(main, 'sim-second-key-111', '2026-07-01T00:00:00.000Z');
    const after = await call(`${sim.baseUrl}/api-access/v1/orgs/${main}/api-keys`, KEY);
    assert.ok(after.json.data.some((k: any) => k.expiresAt === '2026-07-01T00:00:00.000Z'));
    assert.equal(after.text.includes('sim-second-key-111'), false);
  });

  it('never records the key or the Authorization header in the request log', async () => {
    sim.resetRequests();
    await call(v1Users(main), KEY);
    await call(`${v1Dir(main, nthUser(main, 0).accountId)}/suspend-access`, KEY, { method: 'POST' });
    await call(v1Users(main), 'sim-wrong-key-42');
    assert.deepEqual(
      sim.requests.map((r) => [r.method, r.status, r.orgId]),
      [['GET', 200, main], ['POST', 400, main], ['GET', 401, undefined]],
    );
    const log = JSON.stringify(sim.requests);
    assert.equal(log.includes(KEY), false);
    assert.equal(log.includes('sim-wrong-key-42'), false);
    assert.equal(/authorization|bearer/i.test(log), false);
    sim.resetRequests();
    assert.equal(sim.requests.length, 0);
  });
});

describe('simulator: churn between pages', () => {
  it('makes changes, removals and additions visible to the next page', async () => {
    const sim = await startSimulator({ seed: 11, now: NOW, orgs: [{ name: 'Churny', apiKeys: [KEY], userCount: 300 }] });
    try {
      const orgId = sim.orgs[0]!.orgId;
      const url = (cursor?: string) => `${sim.baseUrl}/v2/orgs/${orgId}/directories/-/users?limit=100${cursor ? `&cursor=${cursor}` : ''}`;
      const first = await call(url(), KEY);
      const firstIds = new Set<string>(first.json.data.map((u: any) => u.accountId));
      const result = sim.churn(orgId, 0.2);
      assert.ok(result.changed.length > 0 && result.removed.length > 0 && result.added.length > 0);
      const rest = (await allPages(url(first.json.links.next), KEY, (p) => (p.links.next ? url(p.links.next) : undefined))).flatMap((p) => p.data);
      const restIds = new Set<string>(rest.map((u: any) => u.accountId));
      for (const id of result.removed) assert.equal(restIds.has(id), false);
      for (const id of result.added) assert.equal(restIds.has(id), true);
      for (const served of rest.filter((u: any) => result.changed.includes(u.accountId))) {
        const current = sim.user(orgId, served.accountId)!;
        assert.deepEqual([served.accountStatus, served.membershipStatus], [current.accountStatus, current.membershipStatus]);
      }
      assert.ok([...restIds].every((id) => !firstIds.has(id)));

      const twin = await startSimulator({ seed: 11, now: NOW, orgs: [{ name: 'Churny', apiKeys: [KEY], userCount: 300 }] });
      assert.deepEqual(twin.churn(orgId, 0.2), result);
      await twin.close();
    } finally {
      await sim.close();
    }
  });

  it('shows a direct update and removal made between two page requests', async () => {
    const sim = await startSimulator({ seed: 12, now: NOW, v1PageSize: 10, orgs: [{ name: 'Live', apiKeys: [KEY], userCount: 25 }] });
    try {
      const orgId = sim.orgs[0]!.orgId;
      const first = await call(`${sim.baseUrl}/v1/orgs/${orgId}/users`, KEY);
      const [updated, removed] = [...sim.users(orgId)].slice(12, 14);
      sim.updateUser(orgId, updated!.accountId, { accountStatus: 'inactive', products: [] });
      sim.removeUser(orgId, removed!.accountId);
      const second = await call(first.json.links.next, KEY);
      const served = second.json.data.find((u: any) => u.account_id === updated!.accountId);
      assert.equal(served.account_status, 'inactive');
      assert.deepEqual(served.product_access, []);
      assert.equal(second.json.data.some((u: any) => u.account_id === removed!.accountId), false);
      assert.equal(second.json.meta.total, 24);
    } finally {
      await sim.close();
    }
  });
});

describe('simulator: faults', () => {
  let sim: Simulator;
  let orgId: string;
  let usersUrl: string;

  before(async () => {
    sim = await startSimulator({ seed: 9, now: NOW, v1PageSize: 10, orgs: [{ name: 'Faulty', apiKeys: [KEY], userCount: 40 }] });
    orgId = sim.orgs[0]!.orgId;
    usersUrl = `${sim.baseUrl}/v1/orgs/${orgId}/users`;
  });
  beforeEach(() => {
    sim.faults.clear();
    sim.setLatency(0);
  });
  after(() => sim.close());

  it('answers 429 with Retry-After on every Nth request', async () => {
    sim.faults.rateLimit({ everyNth: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await call(usersUrl, KEY);
      statuses.push(answer.status);
      if (answer.status === 429) {
        assert.equal(answer.headers.get('retry-after'), '1');
        assert.deepEqual(answer.json, { code: 429, message: 'Rate limit exceeded' });
      }
    }
    assert.deepEqual(statuses, [200, 200, 429, 200, 200, 429]);
  });

  it('answers a burst of 429s with an HTTP-date Retry-After, only on matching paths', async () => {
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT';
    sim.faults.rateLimit({ burst: 2, retryAfter: date, match: '/users' });
    assert.equal((await call(`${sim.baseUrl}/v1/orgs`, KEY)).status, 200);
    const first = await call(usersUrl, KEY);
    assert.equal(first.headers.get('retry-after'), date);
    assert.deepEqual([first.status, (await call(usersUrl, KEY)).status, (await call(usersUrl, KEY)).status], [429, 429, 200]);
  });

  it('answers 5xx in the JSON shape and as plain text a given number of times', async () => {
    sim.faults.serverError({ status: 503, times: 2 });
    const json = await call(usersUrl, KEY);
    assert.equal(json.status, 503);
    assert.equal(json.json.errors[0].code, 'ADMIN-500-1');
    assert.equal((await call(usersUrl, KEY)).status, 503);
    assert.equal((await call(usersUrl, KEY)).status, 200);
    sim.faults.serverError({ status: 502, times: 1, nonJson: true });
    const text = await call(usersUrl, KEY);
    assert.equal(text.status, 502);
    assert.equal(text.json, undefined);
    assert.match(text.headers.get('content-type') ?? '', /text\/html/);
  });

  it('replaces a listing page with invalid JSON, then serves good pages again', async () => {
    sim.faults.malformedPage({ kind: 'invalid-json' });
    assert.equal((await call(`${sim.baseUrl}/v1/orgs`, KEY)).json.data.length, 1);
    const broken = await call(usersUrl, KEY);
    assert.equal(broken.status, 200);
    assert.throws(() => JSON.parse(broken.text));
    assert.equal((await call(usersUrl, KEY)).json.data.length, 10);
  });

  it('replaces a listing page with a body of the wrong shape', async () => {
    sim.faults.malformedPage({ kind: 'bad-schema', match: '/v2/' });
    assert.equal((await call(usersUrl, KEY)).json.data.length, 10);
    const odd = await call(`${sim.baseUrl}/v2/orgs/${orgId}/directories/-/users?limit=5`, KEY);
    assert.equal(odd.status, 200);
    assert.equal(Array.isArray(odd.json.data), false);
    assert.equal(typeof odd.json.links.next, 'number');
  });

  it('resets the connection without an answer and records status 0', async () => {
    sim.faults.networkReset({ times: 1 });
    sim.resetRequests();
    await assert.rejects(fetch(usersUrl, { headers: { authorization: `Bearer ${KEY}` } }));
    assert.equal((await call(usersUrl, KEY)).status, 200);
    assert.deepEqual(sim.requests.map((r) => r.status), [0, 200]);
  });

  it('delays every answer by the configured latency', async () => {
    sim.setLatency(60);
    const started = performance.now();
    assert.equal((await call(usersUrl, KEY)).status, 200);
    assert.ok(performance.now() - started >= 55);
  });
});
