import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AtlassianClient,
  InvalidResponseError,
  RequestRejectedError,
  createAtlassianDirectory,
} from '../../functions/core/atlassian/index.js';
import type { ManagedUser } from '../../functions/core/domain/model.js';
import type { ManagedUserPage } from '../../functions/core/ports.js';
import { startSimulator, type SimUser, type Simulator } from '../simulator/index.js';

const KEY = 'listing-test-key-7f3a';
const noWait = async () => {};

async function collect(pages: AsyncIterable<ManagedUserPage>): Promise<ManagedUserPage[]> {
  const out: ManagedUserPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

function clientFor(sim: Simulator): AtlassianClient {
  return new AtlassianClient({ apiKey: KEY, baseUrl: sim.baseUrl, sleep: noWait });
}

function userRequests(sim: Simulator, listing: 'v1' | 'v2'): number {
  const marker = listing === 'v2' ? '/directories/-/users/search' : '/users';
  return sim.requests.filter((r) => r.path.includes(`/${listing}/`) && r.path.includes(marker)).length;
}

describe('AtlassianClient user listing', () => {
  let sim: Simulator;
  let big: string;
  let legacy: string;
  let noGuard: string;

  before(async () => {
    sim = await startSimulator({
      seed: 7,
      now: () => new Date('2026-11-20T00:00:00Z'),
      orgs: [
        { name: 'Big Corp', apiKeys: [KEY], userCount: 1050, scimShare: 0.2 },
        { name: 'Legacy Ltd', apiKeys: [KEY], userCount: 1050, v2Refused: true },
        { name: 'No Guard Inc', apiKeys: [KEY], userCount: 300, guard: false },
      ],
    });
    [big, legacy, noGuard] = sim.orgs.map((o) => o.orgId) as [string, string, string];
  });

  after(async () => {
    await sim.close();
  });

  it('lists the orgs the key administers with their names', async () => {
    const orgs = await clientFor(sim).listOrgs();

    assert.deepEqual(
      orgs.map((o) => o.name).sort(),
      ['Big Corp', 'Legacy Ltd', 'No Guard Inc'],
    );
    assert.deepEqual(new Set(orgs.map((o) => o.orgId)), new Set([big, legacy, noGuard]));
  });

  it('pages through 1,050 users of the v2 search in pages of 100 and normalizes every one', async () => {
    sim.resetRequests();

    const pages = await collect(clientFor(sim).listUserPages(big));

    const users = pages.flatMap((p) => p.users);
    assert.equal(pages.length, 11);
    assert.deepEqual(pages.map((p) => p.users.length), [...Array(10).fill(100), 50]);
    assert.ok(pages.every((p) => p.source === 'v2'));
    assert.equal(users.length, 1050);
    assert.equal(new Set(users.map((u) => u.accountId)).size, 1050);
    assert.deepEqual(users.map((u) => u.accountId), [...sim.users(big)].map((u) => u.accountId));
    assert.ok(pages.slice(0, -1).every((p) => p.nextCursor?.startsWith('v2:')));
    assert.equal(pages.at(-1)?.nextCursor, undefined);
    assert.equal(userRequests(sim, 'v2'), 11);
    assert.equal(userRequests(sim, 'v1'), 0);
  });

  it('maps v2 fields to our model, including SCIM management, membership and per-product activity', async () => {
    const expected = [...sim.users(big)];
    const pages = await collect(clientFor(sim).listUserPages(big));
    const users = pages.flatMap((p) => p.users);

    for (const [index, user] of users.entries()) {
      const sim = expected[index] as SimUser;
      assert.deepEqual(user, expectedV2(sim), `user ${index}`);
    }
    assert.ok(users.some((u) => u.managementSource === 'synced'));
    assert.ok(users.some((u) => u.email === undefined));
  });

  it('falls back to the v1 managed-accounts list when v2 is refused and pages through all 1,050 users', async () => {
    sim.resetRequests();

    const pages = await collect(clientFor(sim).listUserPages(legacy));

    const users = pages.flatMap((p) => p.users);
    assert.equal(users.length, 1050);
    assert.ok(pages.every((p) => p.source === 'v1'));
    assert.ok(pages.slice(0, -1).every((p) => p.nextCursor?.startsWith('v1:')));
    assert.deepEqual(users.map((u) => u.accountId), [...sim.users(legacy)].map((u) => u.accountId));
    assert.equal(userRequests(sim, 'v2'), 1);
    assert.equal(userRequests(sim, 'v1'), 11);
  });

  it('maps v1 fields to our model, including billable and product names', async () => {
    const expected = [...sim.users(legacy)];
    const users = (await collect(clientFor(sim).listUserPages(legacy))).flatMap((p) => p.users);

    for (const [index, user] of users.entries()) {
      assert.deepEqual(user, expectedV1(expected[index] as SimUser), `user ${index}`);
    }
    assert.ok(users.some((u) => u.billable === true) && users.some((u) => u.billable === false));
  });

  it('resumes a v2 listing from a checkpoint cursor in a new client', async () => {
    const first = clientFor(sim).listUserPages(big);
    const pages: ManagedUserPage[] = [];
    for await (const page of first) {
      pages.push(page);
      if (pages.length === 3) break;
    }
    const checkpoint = pages.at(-1)?.nextCursor;
    sim.resetRequests();

    const rest = await collect(createAtlassianDirectory({ baseUrl: sim.baseUrl })(KEY).listUserPages(big, { cursor: checkpoint }));

    const ids = [...pages, ...rest].flatMap((p) => p.users.map((u) => u.accountId));
    assert.equal(rest.length, 8);
    assert.deepEqual(ids, [...sim.users(big)].map((u) => u.accountId));
    assert.equal(userRequests(sim, 'v2'), 8);
  });

  it('resumes a v1 listing from a v1 checkpoint without asking v2 again', async () => {
    const iterator = clientFor(sim).listUserPages(legacy)[Symbol.asyncIterator]();
    const firstPage = (await iterator.next()).value as ManagedUserPage;
    await iterator.return?.(undefined);
    sim.resetRequests();

    const rest = await collect(clientFor(sim).listUserPages(legacy, { cursor: firstPage.nextCursor }));

    assert.equal(rest.flatMap((p) => p.users).length, 950);
    assert.equal(userRequests(sim, 'v2'), 0);
    assert.equal(userRequests(sim, 'v1'), 10);
  });

  it('restarts from the beginning of the v1 list when v2 is refused in the middle of a resumed listing', async () => {
    const iterator = clientFor(sim).listUserPages(big)[Symbol.asyncIterator]();
    const firstPage = (await iterator.next()).value as ManagedUserPage;
    await iterator.return?.(undefined);
    sim.setV2Refused(big, true);
    try {
      const rest = await collect(clientFor(sim).listUserPages(big, { cursor: firstPage.nextCursor }));

      assert.ok(rest.every((p) => p.source === 'v1'));
      assert.deepEqual(
        rest.flatMap((p) => p.users.map((u) => u.accountId)),
        [...sim.users(big)].map((u) => u.accountId),
      );
    } finally {
      sim.setV2Refused(big, false);
    }
  });

  it('returns a single empty page for an org without Atlassian Guard', async () => {
    const pages = await collect(clientFor(sim).listUserPages(noGuard));

    assert.equal(pages.length, 1);
    assert.deepEqual(pages[0]?.users, []);
    assert.equal(pages[0]?.nextCursor, undefined);
  });

  it('refuses a cursor it did not issue', async () => {
    await assert.rejects(collect(clientFor(sim).listUserPages(big, { cursor: 'not-ours' })), (err: unknown) => {
      assert.ok(err instanceof RequestRejectedError);
      assert.equal(err.code, 'ATLASSIAN_REJECTED');
      assert.match(err.message, /^listUsers: org /);
      return true;
    });
  });

  it('reports a page that is not JSON as an invalid response', async () => {
    sim.faults.malformedPage({ kind: 'invalid-json', match: big });
    try {
      await assert.rejects(collect(clientFor(sim).listUserPages(big)), (err: unknown) => {
        assert.ok(err instanceof InvalidResponseError);
        assert.equal(err.code, 'INVALID_RESPONSE');
        assert.match(err.message, /not valid JSON/);
        return true;
      });
    } finally {
      sim.faults.clear();
    }
  });

  it('names the index and field of a user record that does not match the schema', async () => {
    const fourth = [...sim.users(big)][3] as SimUser;
    const original = fourth.email;
    sim.updateUser(big, fourth.accountId, { email: 1234 as unknown as string });
    try {
      await assert.rejects(collect(clientFor(sim).listUserPages(big)), (err: unknown) => {
        assert.ok(err instanceof InvalidResponseError);
        assert.match(err.detail ?? '', /^data\[3\]\.email: /);
        assert.match(err.message, /data\[3\]\.email/);
        return true;
      });
    } finally {
      sim.updateUser(big, fourth.accountId, { email: original });
    }
  });

  it('names the path of the bad field when a page does not match the schema', async () => {
    sim.faults.malformedPage({ kind: 'bad-schema', match: big });
    try {
      await assert.rejects(collect(clientFor(sim).listUserPages(big)), (err: unknown) => {
        assert.ok(err instanceof InvalidResponseError);
        assert.match(err.detail ?? '', /^data(\[\d+\])?(\.\w+)*: /);
        assert.match(err.message, new RegExp(`listUsers: org ${big}`));
        return true;
      });
    } finally {
      sim.faults.clear();
    }
  });
});

describe('AtlassianClient v1 listing with bare-cursor next links', () => {
  let sim: Simulator;
  let orgId: string;

  before(async () => {
    sim = await startSimulator({
      orgs: [{ name: 'Cursor Style', apiKeys: [KEY], userCount: 230, v2Refused: true }],
      v1PageSize: 50,
      v1NextStyle: 'cursor',
    });
    orgId = sim.orgs[0]?.orgId as string;
  });

  after(async () => {
    await sim.close();
  });

  it('follows a bare cursor in links.next as well as a URL', async () => {
    const pages = await collect(clientFor(sim).listUserPages(orgId));

    assert.deepEqual(pages.map((p) => p.users.length), [50, 50, 50, 50, 30]);
    assert.equal(new Set(pages.flatMap((p) => p.users.map((u) => u.accountId))).size, 230);
  });
});

function expectedV2(user: SimUser): ManagedUser {
  const out: ManagedUser = {
    accountId: user.accountId,
    accountType: user.accountType,
    name: user.name,
    accountStatus: user.accountStatus,
    productAccess: user.products.map((p) => (p.lastActive ? { key: p.key, lastActiveAt: p.lastActive } : { key: p.key })),
    source: 'v2',
  };
  if (user.email !== undefined) out.email = user.email;
  out.membershipStatus = user.membershipStatus;
  if (user.managementSource) out.managementSource = user.managementSource;
  const latest = user.products
    .map((p) => p.lastActive)
    .filter((t): t is string => t !== undefined)
    .sort()
    .at(-1);
  if (latest) out.lastActiveAt = latest;
  return out;
}

function expectedV1(user: SimUser): ManagedUser {
  const out: ManagedUser = {
    accountId: user.accountId,
    accountType: user.accountType,
    name: user.name,
    accountStatus: user.accountStatus,
    productAccess: user.products.map((p) =>
      p.lastActive ? { key: p.key, name: p.name, lastActiveAt: p.lastActive } : { key: p.key, name: p.name },
    ),
    source: 'v1',
  };
  if (user.email !== undefined) out.email = user.email;
  out.billable = user.billable;
  if (user.lastActive) out.lastActiveAt = user.lastActive;
  return out;
}
