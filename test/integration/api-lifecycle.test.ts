import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deriveAccessState } from '../../functions/core/domain/access-state.js';
import { exportUsersCsv } from '../../functions/core/users/index.js';
import type { SimUser } from '../simulator/index.js';
import { startApiHarness, type ApiHarness, type ApiResponse } from './api-harness.js';

const ACME_KEY = 'acme-admin-key-1';
const ROTATED_KEY = 'acme-admin-key-2';

function accessStateOf(user: SimUser) {
  return deriveAccessState({ accountStatus: user.accountStatus, membershipStatus: user.membershipStatus, productAccess: user.products });
}

async function allPages(api: ApiHarness, path: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const response: ApiResponse = await api.request('GET', cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path);
    assert.equal(response.status, 200, response.body);
    items.push(...response.json.items);
    cursor = response.json.nextCursor;
  } while (cursor !== undefined);
  return items;
}

describe('HTTP API: connect, sync, query, rotate, disconnect', () => {
  let api: ApiHarness;
  let orgId: string;

  before(async () => {
    api = await startApiHarness({ seed: 11, orgs: [{ name: 'Acme', apiKeys: [ACME_KEY], userCount: 240, scimShare: 0.3 }] });
    orgId = api.sim.orgs[0]!.orgId;
  });
  after(() => api.close());

  it('connects an org with a valid key: 201, pending, expiry discovered from Atlassian, first sync queued', async () => {
    const response = await api.request('POST', '/orgs', { body: { apiKey: ACME_KEY } });

    assert.equal(response.status, 201, response.body);
    assert.equal(response.headers.location, `/orgs/${orgId}`);
    assert.equal(response.json.orgId, orgId);
    assert.equal(response.json.name, 'Acme');
    assert.equal(response.json.status, 'pending');
    assert.equal(response.json.keyExpirySource, 'discovered');
    assert.equal(typeof response.json.daysToKeyExpiry, 'number');
    assert.equal(typeof response.json.firstSyncRunId, 'string');
    const run = await api.deps.stores.syncRuns.getSyncRun(orgId, response.json.firstSyncRunId);
    assert.equal(run?.trigger, 'connect');
    assert.equal(await api.secrets.getApiKey(orgId), ACME_KEY);
  });

  it('shows the org healthy with its user count once the first sync has run', async () => {
    await api.drained();
    const response = await api.request('GET', `/orgs/${orgId}`);

    assert.equal(response.status, 200);
    assert.equal(response.json.status, 'healthy', response.body);
    assert.equal(response.json.userCount, [...api.sim.users(orgId)].length);
    assert.equal(response.json.lastSync.outcome, 'succeeded');
    assert.deepEqual(response.json.diagnostics, []);
    const list = await api.request('GET', '/orgs');
    assert.deepEqual(list.json.items.map((org: { orgId: string }) => org.orgId), [orgId]);
  });

  it('lists exactly the users with no product access when filtered by accessState', async () => {
    const expected = [...api.sim.users(orgId)].filter((user) => accessStateOf(user) === 'no_product_access');
    const listed = await allPages(api, `/orgs/${orgId}/users?accessState=no_product_access&limit=7`);

    assert.ok(expected.length > 0, 'the simulator generated users without product access');
    assert.deepEqual(listed.map((user) => user.accountId).sort(), expected.map((user) => user.accountId).sort());
    assert.ok(listed.every((user) => user.accessState === 'no_product_access' && user.accountStatus === 'active'));
  });

  it('filters users by product, SCIM management, status and name prefix', async () => {
    const users = [...api.sim.users(orgId)];
    const confluence = await allPages(api, `/orgs/${orgId}/users?product=confluence&limit=1000`);
    const scim = await allPages(api, `/orgs/${orgId}/users?scimManaged=true&limit=1000`);
    const inactive = await allPages(api, `/orgs/${orgId}/users?status=inactive&limit=1000`);
    const prefix = users[0]!.name.slice(0, 3);
    const named = await allPages(api, `/orgs/${orgId}/users?q=${encodeURIComponent(prefix.toLowerCase())}&limit=1000`);

    const ids = (list: Array<{ accountId: string }>) => list.map((user) => user.accountId).sort();
    assert.deepEqual(ids(confluence), ids(users.filter((user) => user.products.some((p) => p.key === 'confluence'))));
    assert.deepEqual(ids(scim), ids(users.filter((user) => user.managementSource === 'synced')));
    assert.deepEqual(ids(inactive), ids(users.filter((user) => user.accountStatus === 'inactive')));
    assert.ok(named.length > 0);
    assert.ok(
      named.every(
        (user) => user.name.toLowerCase().startsWith(prefix.toLowerCase()) || (user.email ?? '').toLowerCase().startsWith(prefix.toLowerCase()),
      ),
    );
  });

  it('filters users inactive for N days: last active before now minus N days, or never', async () => {
    const listed = await allPages(api, `/orgs/${orgId}/users?inactiveDays=90&limit=1000`);
    const cutoff = Date.now() - 90 * 86_400_000;
    const all = await allPages(api, `/orgs/${orgId}/users?limit=1000`);
    const expected = all.filter((user) => user.lastActiveAt === undefined || Date.parse(user.lastActiveAt) < cutoff);

    assert.ok(expected.length > 0);
    assert.deepEqual(listed.map((u) => u.accountId).sort(), expected.map((u) => u.accountId).sort());
  });

  it('exports the filtered users as CSV when asked with Accept: text/csv', async () => {
    const target = [...api.sim.users(orgId)].find((user) => accessStateOf(user) === 'active')!;
    api.sim.updateUser(orgId, target.accountId, { name: '=HYPERLINK("http://evil.example","Doe, J")' });
    await api.request('POST', `/orgs/${orgId}/sync`);
    await api.drained();

    const response = await api.request('GET', `/orgs/${orgId}/users?accessState=active`, { headers: { Accept: 'text/csv' } });

    assert.equal(response.status, 200);
    assert.match(response.headers['content-type']!, /^text\/csv/);
    assert.equal(response.headers['x-next-cursor'], undefined);
    const lines = response.body.trimEnd().split('\r\n');
    assert.match(lines[0]!, /^accountId,name,email,accountStatus/);
    const expected = [...api.sim.users(orgId)].filter((user) => accessStateOf(user) === 'active');
    assert.equal(lines.length - 1, expected.length);
    assert.equal(response.headers['x-row-count'], String(expected.length));
    const row = lines.find((line) => line.startsWith(`${target.accountId},`));
    assert.ok(row?.startsWith(`${target.accountId},"'=HYPERLINK(""http://evil.example"",""Doe, J"")",`), row);
  });

  it('splits a CSV export at its bound and continues from the returned cursor', async () => {
    const accountIds: string[] = [];
    const rowCounts: number[] = [];
    let cursor: string | undefined;
    do {
      const part = await exportUsersCsv(orgId, { limit: 50, ...(cursor ? { cursor } : {}) }, api.deps, { maxRows: 100, maxBytes: 1_000_000 });
      const lines = part.csv.trimEnd().split('\r\n');
      assert.match(lines[0]!, /^accountId,/);
      accountIds.push(...lines.slice(1).map((line) => line.slice(0, line.indexOf(','))));
      rowCounts.push(part.rows);
      cursor = part.nextCursor;
    } while (cursor !== undefined);

    const users = [...api.sim.users(orgId)];
    assert.deepEqual(accountIds.sort(), users.map((user) => user.accountId).sort());
    assert.deepEqual(rowCounts.slice(0, 2), [100, 100]);
  });

  it('returns one user with its change history, newest first', async () => {
    const target = [...api.sim.users(orgId)].find((user) => user.name.startsWith('=HYPERLINK'))!;
    const response = await api.request('GET', `/orgs/${orgId}/users/${encodeURIComponent(target.accountId)}`);

    assert.equal(response.status, 200, response.body);
    assert.equal(response.json.user.accountId, target.accountId);
    assert.equal(response.json.changes.items[0].kind, 'changed');
    assert.deepEqual(response.json.changes.items[0].fields.name.after, target.name);
  });

  it('serves the change feed between since and until', async () => {
    const all = await allPages(api, `/orgs/${orgId}/changes?limit=1000`);
    const renamed = all.find((change) => change.kind === 'changed')!;
    const window = await allPages(
      api,
      `/orgs/${orgId}/changes?since=${encodeURIComponent(renamed.at)}&until=${encodeURIComponent(new Date(Date.parse(renamed.at) + 1).toISOString())}`,
    );

    assert.ok(all.filter((change) => change.kind === 'added').length >= [...api.sim.users(orgId)].length - 1);
    assert.ok(window.length >= 1);
    assert.ok(window.every((change) => change.at === renamed.at));
  });

  it('finds the same person across connected orgs by email', async () => {
    const withEmail = [...api.sim.users(orgId)].find((user) => user.email !== undefined)!;
    const response = await api.request('GET', `/users?email=${encodeURIComponent(withEmail.email!.toUpperCase())}`);

    assert.equal(response.status, 200, response.body);
    assert.deepEqual(response.json.items.map((user: { accountId: string }) => user.accountId), [withEmail.accountId]);
  });

  it('lists sync runs newest first with cursor pagination', async () => {
    const first = await api.request('GET', `/orgs/${orgId}/sync-runs?limit=1`);
    const runs = await allPages(api, `/orgs/${orgId}/sync-runs?limit=1`);

    assert.equal(first.json.items.length, 1);
    assert.equal(typeof first.json.nextCursor, 'string');
    assert.deepEqual(runs.map((run) => run.trigger), ['manual', 'connect']);
    assert.ok(runs.every((run) => run.outcome === 'succeeded'));
  });

  it('lists the deprovision audit trail newest first', async () => {
    const request = (requestId: string, requestedAt: string) => ({
      requestId,
      orgId,
      accountId: 'u-1',
      action: 'suspend' as const,
      reason: 'left the company',
      dryRun: false,
      requester: 'arn:aws:iam::123456789012:user/admin',
      outcome: 'done' as const,
      requestedAt,
      completedAt: requestedAt,
    });
    await api.deps.stores.deprovisions.putDeprovisionRequest(request('r-old', '2026-01-01T00:00:00.000Z'));
    await api.deps.stores.deprovisions.putDeprovisionRequest(request('r-new', '2026-02-01T00:00:00.000Z'));

    const listed = await allPages(api, `/orgs/${orgId}/deprovisions?limit=1`);

    assert.deepEqual(listed.map((entry) => entry.requestId), ['r-new', 'r-old']);
  });

  it('marks the org in error when Atlassian rejects its key, and rotating a new key restores it without losing data', async () => {
    const before = await allPages(api, `/orgs/${orgId}/users?limit=1000`);
    const changesBefore = await allPages(api, `/orgs/${orgId}/changes?limit=1000`);
    api.sim.revokeKey(ACME_KEY);
    const sync = await api.request('POST', `/orgs/${orgId}/sync`);
    await api.drained();
    const broken = await api.request('GET', `/orgs/${orgId}`);
    assert.equal(sync.status, 202);
    assert.equal(broken.json.status, 'error');
    assert.equal(broken.json.keyExpirySeverity, 'rejected');
    assert.ok(broken.json.diagnostics.some((d: { code: string }) => d.code === 'KEY_REJECTED'));

    api.sim.addKey(orgId, ROTATED_KEY);
    const rotated = await api.request('PUT', `/orgs/${orgId}/api-key`, { body: { apiKey: ROTATED_KEY } });

    assert.equal(rotated.status, 200, rotated.body);
    assert.equal(rotated.json.status, 'healthy');
    assert.equal(rotated.json.statusReason, undefined);
    assert.deepEqual(rotated.json.diagnostics, []);
    assert.equal(rotated.json.keyExpirySource, 'discovered');
    assert.equal(typeof rotated.json.keyRotatedAt, 'string');
    assert.equal(await api.secrets.getApiKey(orgId), ROTATED_KEY);
    assert.deepEqual(await allPages(api, `/orgs/${orgId}/users?limit=1000`), before);
    assert.deepEqual(await allPages(api, `/orgs/${orgId}/changes?limit=1000`), changesBefore);
    assert.equal((await allPages(api, `/orgs/${orgId}/sync-runs`)).length, 3);

    await api.request('POST', `/orgs/${orgId}/sync`);
    await api.drained();
    const synced = await api.request('GET', `/orgs/${orgId}`);
    assert.equal(synced.json.status, 'healthy');
    assert.equal(synced.json.lastSync.outcome, 'succeeded');
  });

  it('marks the org in error with KEY_MISSING when its key is gone from the secret store, and rotating the key restores it', async () => {
    await api.secrets.deleteApiKey(orgId);
    const sync = await api.request('POST', `/orgs/${orgId}/sync`);
    await api.drained();
    const broken = await api.request('GET', `/orgs/${orgId}`);
    const runs = await api.request('GET', `/orgs/${orgId}/sync-runs?limit=1`);

    assert.equal(sync.status, 202);
    assert.equal(broken.json.status, 'error');
    assert.match(broken.json.statusReason, new RegExp(`missing from the secret store.*rotate it with PUT /orgs/${orgId}/api-key`));
    assert.deepEqual(broken.json.diagnostics.map((d: { code: string; severity: string }) => [d.code, d.severity]), [['KEY_MISSING', 'error']]);
    assert.equal(runs.json.items[0].outcome, 'failed');
    assert.equal(runs.json.items[0].error.code, 'KEY_MISSING');

    const rotated = await api.request('PUT', `/orgs/${orgId}/api-key`, { body: { apiKey: ROTATED_KEY } });

    assert.equal(rotated.status, 200, rotated.body);
    assert.equal(rotated.json.status, 'healthy');
    assert.equal(rotated.json.statusReason, undefined);
    assert.deepEqual(rotated.json.diagnostics, []);
    assert.equal(await api.secrets.getApiKey(orgId), ROTATED_KEY);
  });

  it('disconnects with purge: schedules the key deletion, deletes snapshots, refuses syncs, and allows reconnecting', async () => {
    const userCount = (await api.request('GET', `/orgs/${orgId}`)).json.userCount;
    const response = await api.request('DELETE', `/orgs/${orgId}?purge=true`);

    assert.equal(response.status, 200, response.body);
    assert.equal(response.json.status, 'disconnected');
    assert.equal(response.json.purged, true);
    assert.equal(response.json.secretDeletionScheduled, true);
    assert.equal(response.json.snapshotsDeleted, userCount);
    await assert.rejects(api.secrets.getApiKey(orgId));
    assert.equal((await api.request('GET', `/orgs/${orgId}`)).json.status, 'disconnected');
    assert.deepEqual((await api.request('GET', `/orgs/${orgId}/users`)).json.items, []);
    const sync = await api.request('POST', `/orgs/${orgId}/sync`);
    assert.equal(sync.status, 409);
    assert.equal(sync.json.code, 'ORG_DISCONNECTED');
    const emailLookup = await api.request('GET', `/users?email=${encodeURIComponent('nobody@example.com')}`);
    assert.deepEqual(emailLookup.json.items, []);

    const reconnected = await api.request('POST', '/orgs', {
      body: { apiKey: ROTATED_KEY, keyExpiresAt: new Date(Date.now() + 100 * 86_400_000).toISOString() },
    });
    assert.equal(reconnected.status, 201, reconnected.body);
    assert.equal(reconnected.json.keyExpirySource, 'declared');
    assert.ok([99, 100].includes(reconnected.json.daysToKeyExpiry));
    await api.drained();
    assert.equal((await api.request('GET', `/orgs/${orgId}`)).json.status, 'healthy');
  });
});
