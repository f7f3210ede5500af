import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AtlassianClient,
  ForbiddenError,
  KeyRejectedError,
  NotFoundError,
  RequestRejectedError,
  ScimManagedError,
  UpstreamError,
} from '../../functions/core/atlassian/index.js';
import { isScimRefusal, parseErrorBody } from '../../functions/core/atlassian/http.js';
import type { ManagedUserPage } from '../../functions/core/ports.js';
import { startSimulator, type Simulator } from '../simulator/index.js';

const KEY = 'errors-test-key-5d0c';
const OTHER_KEY = 'errors-test-other-key-2a11';
const OTHER_KEY_W = 'errors-test-other-key-w-8e52';

async function collect(pages: AsyncIterable<ManagedUserPage>): Promise<ManagedUserPage[]> {
  const out: ManagedUserPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('AtlassianClient error mapping', () => {
  let sim: Simulator;
  let orgId: string;
  let foreignOrgId: string;
  const client = (apiKey = KEY) => new AtlassianClient({ apiKey, baseUrl: sim.baseUrl, sleep: async () => {} });

  before(async () => {
    sim = await startSimulator({
      orgs: [
        { name: 'Mapped Org', apiKeys: [KEY], userCount: 20 },
        { name: 'Foreign Org', apiKeys: [OTHER_KEY], userCount: 5 },
      ],
    });
    [orgId, foreignOrgId] = sim.orgs.map((o) => o.orgId) as [string, string];
  });

  after(async () => {
    await sim.close();
  });

  it('maps 401 from an unknown key to KeyRejectedError and does not retry it', async () => {
    sim.resetRequests();

    await assert.rejects(client('unknown-key-0000').listOrgs(), (err: unknown) => {
      assert.ok(err instanceof KeyRejectedError);
      assert.equal(err.code, 'KEY_REJECTED');
      assert.equal(err.status, 401);
      assert.equal(err.atlassianCode, '401');
      assert.equal(err.detail, 'Unauthorized');
      assert.match(err.message, /^listOrgs: the Atlassian API key was rejected.*rotate it/);
      return true;
    });
    assert.equal(sim.requests.length, 1);
  });

  it('maps 401 after the key is revoked to KeyRejectedError on user listing, without falling back to v1', async () => {
    const revoked = 'errors-test-revoked-key-77aa';
    sim.addKey(orgId, revoked);
    sim.revokeKey(revoked);
    sim.resetRequests();

    await assert.rejects(collect(client(revoked).listUserPages(orgId)), KeyRejectedError);
    assert.equal(sim.requests.length, 1);
  });

  it('maps 403 on an org the key may not manage to ForbiddenError with the Atlassian code', async () => {
    await assert.rejects(collect(client().listUserPages(foreignOrgId)), (err: unknown) => {
      assert.ok(err instanceof ForbiddenError);
      assert.equal(err.code, 'FORBIDDEN');
      assert.equal(err.status, 403);
      assert.equal(err.atlassianCode, 'ADMIN-403-3');
      assert.match(err.message, new RegExp(`^listUsers: org ${foreignOrgId}: `));
      return true;
    });
  });

  it('maps 404 on an unknown org to NotFoundError', async () => {
    const unknownOrg = '00000000-0000-4000-8000-000000000000';

    await assert.rejects(collect(client().listUserPages(unknownOrg)), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.code, 'NOT_FOUND');
      assert.equal(err.status, 404);
      return true;
    });
  });
});

describe('AtlassianClient directory writes', () => {
  let sim: Simulator;
  let orgId: string;
  let scimOrgId: string;
  let umShapeSim: Simulator;
  const client = (target: Simulator) =>
    new AtlassianClient({ apiKey: KEY, baseUrl: target.baseUrl, sleep: async () => {} });

  before(async () => {
    sim = await startSimulator({
      orgs: [
        { name: 'Write Org', apiKeys: [KEY], userCount: 30, adminCount: 2 },
        { name: 'Scim Org', apiKeys: [KEY], userCount: 10, scimShare: 1 },
      ],
    });
    [orgId, scimOrgId] = sim.orgs.map((o) => o.orgId) as [string, string];
    umShapeSim = await startSimulator({
      scimErrorShape: 'user-management',
      orgs: [{ name: 'Scim Org UM', apiKeys: [KEY], userCount: 3, scimShare: 1 }],
    });
  });

  afterEach(() => {
    sim.faults.clear();
    sim.resetRequests();
  });

  after(async () => {
    await sim.close();
    await umShapeSim.close();
  });

  const regularUser = () => {
    const user = [...sim.users(orgId)].find((u) => !u.isOrgAdmin && u.managementSource !== 'synced' && u.membershipStatus === 'active');
    assert.ok(user, 'the simulator has a regular user');
    return user.accountId;
  };

  it('suspends and restores a user through the v1 directory endpoints', async () => {
    const accountId = regularUser();

    const suspended = await client(sim).suspendAccess(orgId, accountId);
    assert.equal(suspended.status, 200);
    assert.equal(sim.user(orgId, accountId)?.membershipStatus, 'suspended');

    const restored = await client(sim).restoreAccess(orgId, accountId);
    assert.equal(restored.status, 200);
    assert.equal(sim.user(orgId, accountId)?.membershipStatus, 'active');
    assert.deepEqual(
      sim.requests.map((r) => `${r.method} ${r.path.replace(sim.baseUrl.replace(/^https?:\/\/[^/]+/, ''), '')}`),
      [
        `POST /v1/orgs/${orgId}/directory/users/${encodeURIComponent(accountId)}/suspend-access`,
        `POST /v1/orgs/${orgId}/directory/users/${encodeURIComponent(accountId)}/restore-access`,
      ],
    );
  });

  it('removes a user from the directory so the next listing no longer returns it', async () => {
    const accountId = regularUser();

    const removed = await client(sim).removeFromDirectory(orgId, accountId);

    assert.equal(removed.status, 204);
    assert.equal(sim.user(orgId, accountId), undefined);
    const listed = (await collect(client(sim).listUserPages(orgId))).flatMap((p) => p.users.map((u) => u.accountId));
    assert.ok(!listed.includes(accountId));
  });

  it('maps the refusal to suspend an org admin to RequestRejectedError (400 ADMIN-400-4)', async () => {
    const admin = [...sim.users(orgId)].find((u) => u.isOrgAdmin);
    assert.ok(admin);

    await assert.rejects(client(sim).suspendAccess(orgId, admin.accountId), (err: unknown) => {
      assert.ok(err instanceof RequestRejectedError);
      assert.equal(err.code, 'ATLASSIAN_REJECTED');
      assert.equal(err.status, 400);
      assert.equal(err.atlassianCode, 'ADMIN-400-4');
      assert.ok(err.message.startsWith(`suspendAccess: org ${orgId}: user ${admin.accountId}: `));
      return true;
    });
    assert.equal(sim.requests.length, 1);
  });

  it('maps a write on an unknown user to NotFoundError (404 ADMIN-404-8)', async () => {
    await assert.rejects(client(sim).removeFromDirectory(orgId, '5b10ac8d82e05b22cc7d4ef5'), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.atlassianCode, 'ADMIN-404-8');
      return true;
    });
  });

  it('maps the refusal to suspend a SCIM-managed account to ScimManagedError (ADMIN-403 body)', async () => {
    const user = [...sim.users(scimOrgId)][0];
    assert.ok(user);

    await assert.rejects(client(sim).suspendAccess(scimOrgId, user.accountId), (err: unknown) => {
      assert.ok(err instanceof ScimManagedError);
      assert.equal(err.code, 'SCIM_MANAGED');
      assert.equal(err.status, 403);
      assert.equal(err.atlassianCode, 'ADMIN-403-3');
      assert.match(err.message, /identity provider/);
      return true;
    });
    assert.equal(sim.requests.length, 1);
  });

  it('maps a {key:"forbidden.action"} refusal to ScimManagedError', async () => {
    const target = umShapeSim.orgs[0]?.orgId as string;
    const user = [...umShapeSim.users(target)][0];
    assert.ok(user);

    await assert.rejects(client(umShapeSim).removeFromDirectory(target, user.accountId), (err: unknown) => {
      assert.ok(err instanceof ScimManagedError);
      assert.equal(err.atlassianCode, 'forbidden.action');
      return true;
    });
  });

  it('retries a write answered with 503 and does not retry one answered with 500', async () => {
    const accountId = regularUser();
    sim.faults.serverError({ status: 503, times: 1, match: '/suspend-access' });
    const suspended = await client(sim).suspendAccess(orgId, accountId);
    assert.equal(suspended.status, 200);
    assert.deepEqual(sim.requests.map((r) => r.status), [503, 200]);

    sim.resetRequests();
    sim.faults.serverError({ status: 500, times: 1, match: '/restore-access' });
    await assert.rejects(client(sim).restoreAccess(orgId, accountId), UpstreamError);
    assert.deepEqual(sim.requests.map((r) => r.status), [500]);
  });

  it('falls back to the v2 write when v1 refuses with a plain 403, and reports the v2 refusal when v2 refuses too', async () => {
    const foreign = await startSimulator({
      orgs: [
        { name: 'Mine', apiKeys: [KEY], userCount: 1 },
        { name: 'Theirs', apiKeys: [OTHER_KEY_W], userCount: 3 },
      ],
    });
    try {
      const theirs = foreign.orgs[1]?.orgId as string;
      const accountId = [...foreign.users(theirs)][0]?.accountId as string;

      await assert.rejects(client(foreign).suspendAccess(theirs, accountId), (err: unknown) => {
        assert.ok(err instanceof ForbiddenError);
        assert.equal(err.atlassianCode, 'ADMIN-403-3');
        return true;
      });
      assert.deepEqual(
        foreign.requests.map((r) => `${r.method} ${r.path.split('/').slice(2, 5).join('/')} ${r.status}`),
        [`POST v1/orgs/${theirs} 403`, `GET v2/orgs/${theirs} 403`],
      );
      assert.equal(foreign.user(theirs, accountId)?.membershipStatus, [...foreign.users(theirs)][0]?.membershipStatus);
    } finally {
      await foreign.close();
    }
  });

  it('lists the org API keys with their expiry, never their values', async () => {
    const expiresAt = '2027-01-31T00:00:00.000Z';
    sim.addKey(orgId, 'errors-test-extra-key-31c9', expiresAt);

    const keys = await client(sim).listApiKeys(orgId);

    assert.ok(keys.length >= 2);
    assert.ok(keys.every((k) => typeof k.id === 'string' && k.id.length > 0));
    assert.ok(keys.some((k) => k.expiresAt === expiresAt));
    assert.ok(!JSON.stringify(keys).includes('errors-test-extra-key-31c9'));
  });
});

describe('parseErrorBody', () => {
  const cases: Array<[string, string, { atlassianCode?: string; detail?: string }]> = [
    [
      'an application error',
      JSON.stringify({ errors: [{ id: 'x', status: '404', code: 'ADMIN-404-8', title: 'Not Found', detail: 'User not found.' }] }),
      { atlassianCode: 'ADMIN-404-8', detail: 'Not Found: User not found.' },
    ],
    ['a gateway error', JSON.stringify({ code: 429, message: 'Rate limit exceeded' }), { atlassianCode: '429', detail: 'Rate limit exceeded' }],
    ['a user-management refusal', JSON.stringify({ key: 'forbidden.action' }), { atlassianCode: 'forbidden.action' }],
    ['a lifecycle error list', JSON.stringify([{ code: 'ERR-1', message: 'Nope' }]), { atlassianCode: 'ERR-1', detail: 'Nope' }],
    ['plain text', 'upstream connect error\n', { detail: 'upstream connect error' }],
    ['an HTML page', '<html><body><h1>502 Bad Gateway</h1></body></html>', { detail: '502 Bad Gateway' }],
    ['an empty body', '', {}],
    ['JSON without anything known', JSON.stringify({ unexpected: true }), {}],
  ];
  for (const [name, body, expected] of cases) {
    it(`reads ${name}`, () => {
      const parsed = parseErrorBody(body);
      assert.equal(parsed.atlassianCode, expected.atlassianCode);
      assert.equal(parsed.detail, expected.detail);
    });
  }

  it('shortens a long detail', () => {
    const parsed = parseErrorBody('x'.repeat(5000));
    assert.ok((parsed.detail?.length ?? 0) <= 240);
  });

  const scimCases: Array<[string, string, boolean]> = [
    ['forbidden.action', JSON.stringify({ key: 'forbidden.action' }), true],
    [
      'an ADMIN-403 naming the identity provider',
      JSON.stringify({ errors: [{ code: 'ADMIN-403-3', title: 'Forbidden', detail: 'managed by an identity provider (SCIM)' }] }),
      true,
    ],
    [
      'an ADMIN-403 about a synced account',
      JSON.stringify({ errors: [{ code: 'ADMIN-403-5', title: 'Forbidden', detail: 'The account is synced from Okta' }] }),
      true,
    ],
    [
      'a plain ADMIN-403-3',
      JSON.stringify({ errors: [{ code: 'ADMIN-403-3', title: 'Forbidden', detail: 'You are not allowed to manage this organization.' }] }),
      false,
    ],
    ['forbidden.targetUnverified', JSON.stringify({ key: 'forbidden.targetUnverified' }), false],
  ];
  for (const [name, body, expected] of scimCases) {
    it(`${expected ? 'recognizes' : 'does not mistake'} ${name} as a SCIM refusal`, () => {
      assert.equal(isScimRefusal(parseErrorBody(body)), expected);
    });
  }
});
