import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allPages, call } from './http.js';
import { encodeCursor, startSimulator, type Simulator } from './index.js';

const NOW = () => new Date('2026-06-01T12:00:00Z');
const KEY = 'sim-test-key-0123456789';

function v2Url(sim: Simulator, orgId: string, query = ''): string {
  return `${sim.baseUrl}/v2/orgs/${orgId}/directories/-/users${query}`;
}

describe('simulator: generation and pagination', () => {
  let sim: Simulator;
  let orgId: string;

  before(async () => {
    sim = await startSimulator({ seed: 42, now: NOW, v1PageSize: 50, orgs: [{ name: 'Acme Corp', apiKeys: [KEY], userCount: 253 }] });
    orgId = sim.orgs[0]!.orgId;
  });
  after(() => sim.close());

  it('generates the same users for the same seed and different users for another seed', async () => {
    const twin = await startSimulator({ seed: 42, now: NOW, orgs: [{ name: 'Acme Corp', apiKeys: [KEY], userCount: 253 }] });
    const other = await startSimulator({ seed: 43, now: NOW, orgs: [{ name: 'Acme Corp', apiKeys: [KEY], userCount: 253 }] });
    try {
      const body = { limit: 100, expand: ['productAccess'] };
      const search = (s: Simulator) => call(`${v2Url(s, s.orgs[0]!.orgId)}/search`, KEY, { method: 'POST', body });
      const [a, b, c] = await Promise.all([search(sim), search(twin), search(other)]);
      assert.equal(twin.orgs[0]!.orgId, orgId);
      assert.deepEqual(a.json.data, b.json.data);
      assert.notDeepEqual(
        a.json.data.map((u: any) => u.accountId),
        c.json.data.map((u: any) => u.accountId),
      );
    } finally {
      await Promise.all([twin.close(), other.close()]);
    }
  });

  it('lists every user exactly once through the v1 cursor pages, with meta.total', async () => {
    const pages = await allPages(`${sim.baseUrl}/v1/orgs/${orgId}/users`, KEY, (p) => p.links.next);
    const ids = pages.flatMap((p) => p.data.map((u: any) => u.account_id));
    assert.equal(pages.length, 6);
    assert.equal(ids.length, 253);
    assert.equal(new Set(ids).size, 253);
    assert.ok(pages.every((p) => p.meta.total === 253));
    assert.deepEqual(ids, [...sim.users(orgId)].map((u) => u.accountId));
    assert.match(pages[0].links.next, /^http:\/\/127\.0\.0\.1:\d+\/admin\/v1\/orgs\/.+\/users\?cursor=/);
  });

  it('lists every user exactly once through the v2 GET and POST search pages', async () => {
    const viaGet = await allPages(v2Url(sim, orgId, '?limit=100'), KEY, (p) =>
      p.links.next ? v2Url(sim, orgId, `?limit=100&cursor=${p.links.next}`) : undefined,
    );
    const getIds = viaGet.flatMap((p) => p.data.map((u: any) => u.accountId));
    assert.equal(viaGet.length, 3);
    assert.equal(new Set(getIds).size, 253);

    const searchIds: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(`${v2Url(sim, orgId)}/search`, KEY, { method: 'POST', body: { limit: 37, cursor } });
      searchIds.push(...page.json.data.map((u: any) => u.accountId));
      cursor = page.json.links.next;
    } while (cursor !== undefined);
    assert.deepEqual(searchIds, getIds);
  });

  it('gives v1 next links as bare cursors when asked to', async () => {
    const bare = await startSimulator({ seed: 42, now: NOW, v1NextStyle: 'cursor', orgs: [{ name: 'Acme Corp', apiKeys: [KEY], userCount: 150 }] });
    try {
      const first = await call(`${bare.baseUrl}/v1/orgs/${orgId}/users`, KEY);
      assert.doesNotMatch(first.json.links.next, /[/?]/);
      const second = await call(`${bare.baseUrl}/v1/orgs/${orgId}/users?cursor=${first.json.links.next}`, KEY);
      assert.equal(second.json.data.length, 50);
      assert.equal(second.json.links.next, undefined);
    } finally {
      await bare.close();
    }
  });

  it('refuses v2 limits outside 1..100 with ADMIN-400-24 and accepts the bounds', async () => {
    for (const limit of ['0', '101', 'abc', '1.5', '-3']) {
      const answer = await call(v2Url(sim, orgId, `?limit=${limit}`), KEY);
      assert.equal(answer.status, 400, `limit ${limit}`);
      assert.equal(answer.json.errors[0].code, 'ADMIN-400-24');
    }
    const viaSearch = await call(`${v2Url(sim, orgId)}/search`, KEY, { method: 'POST', body: { limit: 500 } });
    assert.equal(viaSearch.status, 400);
    assert.equal(viaSearch.json.errors[0].code, 'ADMIN-400-24');
    assert.equal((await call(v2Url(sim, orgId, '?limit=1'), KEY)).json.data.length, 1);
    assert.equal((await call(v2Url(sim, orgId, '?limit=100'), KEY)).json.data.length, 100);
    assert.equal((await call(v2Url(sim, orgId), KEY)).json.data.length, 20);
  });

  it('answers a garbage cursor with 400 ADMIN-400-1 on v1 and v2', async () => {
    const garbage = ['not a cursor', 'eyJ4IjoxfQ', 'Zm9v', encodeURIComponent('{"o":1}')];
    for (const cursor of garbage) {
      const v1 = await call(`${sim.baseUrl}/v1/orgs/${orgId}/users?cursor=${encodeURIComponent(cursor)}`, KEY);
      const v2 = await call(v2Url(sim, orgId, `?cursor=${encodeURIComponent(cursor)}`), KEY);
      const search = await call(`${v2Url(sim, orgId)}/search`, KEY, { method: 'POST', body: { cursor } });
      for (const answer of [v1, v2, search]) {
        assert.equal(answer.status, 400, `cursor ${cursor}`);
        assert.equal(answer.json.errors[0].code, 'ADMIN-400-1');
        assert.equal(answer.json.errors[0].status, '400');
      }
    }
  });

  it('returns productAccess in v2 only when expanded', async () => {
    const plain = await call(v2Url(sim, orgId, '?limit=50'), KEY);
    const expanded = await call(`${v2Url(sim, orgId)}/search`, KEY, { method: 'POST', body: { limit: 50, expand: ['productAccess'] } });
    assert.ok(plain.json.data.every((u: any) => !('productAccess' in u)));
    assert.ok(expanded.json.data.every((u: any) => Array.isArray(u.productAccess)));
    const access = expanded.json.data.flatMap((u: any) => u.productAccess);
    assert.ok(access.length > 0);
    assert.ok(access.every((p: any) => typeof p.key === 'string' && p.id.startsWith('ari:cloud:')));
  });

  it('serves v1 users in Atlassian snake_case and v2 users in camelCase', async () => {
    const v1 = (await call(`${sim.baseUrl}/v1/orgs/${orgId}/users`, KEY)).json.data[0];
    for (const field of ['account_id', 'account_type', 'account_status', 'name', 'picture', 'access_billable', 'product_access', 'links']) {
      assert.ok(field in v1, field);
    }
    const v2 = (await call(v2Url(sim, orgId, '?limit=1'), KEY)).json.data[0];
    for (const field of ['accountId', 'accountType', 'status', 'accountStatus', 'membershipStatus', 'managementSource', 'claimStatus', 'addedToOrg', 'platformRoles']) {
      assert.ok(field in v2, field);
    }
    assert.equal(v2.claimStatus, 'managed');
  });

  it('lists the orgs a key can see and one org by id', async () => {
    const orgs = await call(`${sim.baseUrl}/v1/orgs`, KEY);
    assert.deepEqual(orgs.json.data.map((o: any) => [o.id, o.type, o.attributes.name]), [[orgId, 'orgs', 'Acme Corp']]);
    const one = await call(`${sim.baseUrl}/v1/orgs/${orgId}`, KEY);
    assert.equal(one.json.data.id, orgId);
  });
});

describe('simulator: realistic population', () => {
  let sim: Simulator;
  let orgId: string;

  before(async () => {
    sim = await startSimulator({ seed: 7, now: NOW, orgs: [{ name: 'Globex', apiKeys: [KEY], userCount: 2000, scimShare: 0.3, adminCount: 3 }] });
    orgId = sim.orgs[0]!.orgId;
  });
  after(() => sim.close());

  it('mixes product access, hidden emails, inactivity, closed accounts and suspensions in plausible shares', () => {
    const users = [...sim.users(orgId)];
    const share = (pred: (u: (typeof users)[number]) => boolean) => users.filter(pred).length / users.length;
    const staleBefore = NOW().getTime() - 90 * 86_400_000;
    assert.ok(share((u) => u.products.length === 0) > 0.1 && share((u) => u.products.length === 0) < 0.4);
    assert.ok(share((u) => u.email === undefined) > 0.01 && share((u) => u.email === undefined) < 0.15);
    assert.ok(share((u) => u.lastActive === undefined || Date.parse(u.lastActive) < staleBefore) > 0.1);
    assert.ok(share((u) => u.accountStatus === 'inactive') > 0.02);
    assert.ok(share((u) => u.accountStatus === 'closed') > 0.005);
    assert.ok(share((u) => u.membershipStatus === 'suspended') > 0.02);
    assert.ok(share((u) => u.billable) > 0.5 && share((u) => u.billable) < 0.9);
    assert.ok(Math.abs(share((u) => u.managementSource === 'synced') - 0.3) < 0.05);
    const keys = new Set(users.flatMap((u) => u.products.map((p) => p.key)));
    for (const key of ['jira-software', 'confluence', 'jira-servicedesk', 'bitbucket', 'opsgenie', 'trello']) assert.ok(keys.has(key), key);
  });

  it('gives Atlassian-style account ids, real-looking names and unique emails', () => {
    const users = [...sim.users(orgId)];
    assert.ok(users.every((u) => /^(712020|557058):[0-9a-f-]{36}$|^[0-9a-f]{24}$/.test(u.accountId)));
    assert.ok(users.some((u) => u.accountId.startsWith('712020:')) && users.some((u) => /^[0-9a-f]{24}$/.test(u.accountId)));
    assert.equal(new Set(users.map((u) => u.accountId)).size, users.length);
    const emails = users.flatMap((u) => (u.email ? [u.email] : []));
    assert.equal(new Set(emails).size, emails.length);
    assert.ok(users.filter((u) => u.accountType === 'atlassian').every((u) => /^\S+ \S+/.test(u.name)));
    assert.deepEqual(users.slice(0, 3).map((u) => u.isOrgAdmin), [true, true, true]);
    assert.ok(users.slice(3).every((u) => !u.isOrgAdmin));
  });

  it('keeps a user last activity no earlier than any product activity', () => {
    for (const user of sim.users(orgId)) {
      for (const product of user.products) {
        if (product.lastActive !== undefined) assert.ok(user.lastActive !== undefined && product.lastActive <= user.lastActive);
      }
    }
  });

  it('serves the last page of a 100,000-user org without generating the others', async () => {
    const big = await startSimulator({ seed: 7, now: NOW, orgs: [{ name: 'Initech', apiKeys: [KEY], userCount: 100_000 }] });
    try {
      const bigOrg = big.orgs[0]!.orgId;
      const started = performance.now();
      const last = await call(v2Url(big, bigOrg, `?limit=100&cursor=${encodeCursor(99_950)}`), KEY);
      assert.ok(performance.now() - started < 1000);
      assert.equal(last.json.data.length, 50);
      assert.equal(last.json.links.next, undefined);
      const lastId = last.json.data[49].accountId;
      assert.equal(big.user(bigOrg, lastId)?.accountId, lastId);
    } finally {
      await big.close();
    }
  });
});
