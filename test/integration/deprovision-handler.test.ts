import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DeprovisionRequest } from '../../functions/core/domain/model.js';
import { SCIM_GUIDANCE } from '../../functions/core/deprovision/index.js';
import type { SimUser } from '../simulator/index.js';
import { REQUESTER, startDeprovisionWorld, type DeprovisionWorld } from './deprovision-fixtures.js';

const ACME_KEY = 'acme-canary-key-5b1f0d7c9e';
const GLOBEX_KEY = 'globex-canary-key-77aa01';

describe('POST /orgs/{orgId}/users/{accountId}/deprovision', () => {
  let world: DeprovisionWorld;
  let acme: string;
  let globex: string;
  const taken = new Set<string>();

  before(async () => {
    world = await startDeprovisionWorld([
      { name: 'Acme', apiKeys: [ACME_KEY], userCount: 60, scimShare: 0.25, adminCount: 2 },
      { name: 'Globex', apiKeys: [GLOBEX_KEY], userCount: 5 },
    ]);
    acme = world.orgIds.Acme!;
    globex = world.orgIds.Globex!;
  });

  after(async () => {
    await world.close();
  });

  /** A user of the org no other test has used yet. */
  function pick(orgId: string, matches: (user: SimUser) => boolean): SimUser {
    const user = [...world.sim.users(orgId)].find((u) => !taken.has(u.accountId) && matches(u));
    assert.ok(user, 'the simulator has a user for this test');
    taken.add(user.accountId);
    return user;
  }

  const activeInvited = (u: SimUser) =>
    u.managementSource !== 'synced' &&
    !u.isOrgAdmin &&
    u.accountStatus === 'active' &&
    u.membershipStatus === 'active' &&
    u.products.length > 0;

  async function auditOf(orgId: string, requestId: unknown): Promise<DeprovisionRequest> {
    const record = await world.deps.stores.deprovisions.getDeprovisionRequest(orgId, String(requestId));
    assert.ok(record, `request ${String(requestId)} is audited`);
    return record;
  }

  it('suspends and then restores a user, updating the snapshot and the change feed at once', async () => {
    const user = pick(acme, activeInvited);
    const writesBefore = world.writeCalls().length;

    const suspended = await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'suspend-1',
      body: { action: 'suspend', reason: 'Left the company (HR-1234)' },
    });
    assert.equal(suspended.statusCode, 200);
    assert.equal(suspended.json.outcome, 'done');
    assert.equal((suspended.json.user as { accessState: string }).accessState, 'suspended');
    assert.equal(world.sim.user(acme, user.accountId)?.membershipStatus, 'suspended');
    const afterSuspend = await world.deps.stores.snapshots.getSnapshot(acme, user.accountId);
    assert.equal(afterSuspend?.accessState, 'suspended');
    assert.equal(afterSuspend?.membershipStatus, 'suspended');

    const restored = await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'restore-1',
      body: { action: 'restore', reason: 'Rehired' },
    });
    assert.equal(restored.statusCode, 200);
    assert.equal(restored.json.outcome, 'done');
    assert.equal(world.sim.user(acme, user.accountId)?.membershipStatus, 'active');
    const afterRestore = await world.deps.stores.snapshots.getSnapshot(acme, user.accountId);
    assert.equal(afterRestore?.accessState, 'active');
    assert.equal(world.writeCalls().length - writesBefore, 2);

    const history = await world.deps.stores.changes.listUserChanges(acme, user.accountId, { newestFirst: false });
    assert.deepEqual(
      history.items.map((c) => [c.source, c.runId, c.kind, c.fields.accessState]),
      [
        ['deprovision', suspended.json.requestId, 'changed', { before: 'active', after: 'suspended' }],
        ['deprovision', restored.json.requestId, 'changed', { before: 'suspended', after: 'active' }],
      ],
    );
    const audit = await auditOf(acme, suspended.json.requestId);
    assert.equal(audit.outcome, 'done');
    assert.equal(audit.requester, REQUESTER);
    assert.equal(audit.reason, 'Left the company (HR-1234)');
    assert.equal(audit.idempotencyKey, 'suspend-1');
    assert.equal(audit.atlassian?.status, 200);
    assert.ok(audit.completedAt >= audit.requestedAt);
  });

  it('removes a user from the directory and tombstones the snapshot', async () => {
    const user = pick(acme, activeInvited);

    const removed = await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'remove-1',
      body: { action: 'remove', reason: 'Offboarded' },
    });

    assert.equal(removed.statusCode, 200);
    assert.equal(removed.json.outcome, 'done');
    assert.equal(world.sim.user(acme, user.accountId), undefined);
    const snapshot = await world.deps.stores.snapshots.getSnapshot(acme, user.accountId);
    assert.equal(snapshot?.accessState, 'removed');
    assert.ok(snapshot?.removedAt);
    const history = await world.deps.stores.changes.listUserChanges(acme, user.accountId);
    assert.equal(history.items[0]?.kind, 'removed');
    assert.equal(history.items[0]?.runId, removed.json.requestId);
    assert.equal(history.items[0]?.source, 'deprovision');
  });

  it('counts a remove that Atlassian answers with not found as done', async () => {
    const user = pick(acme, activeInvited);
    await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'remove-twice-1',
      body: { action: 'remove', reason: 'Offboarded' },
    });

    const again = await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'remove-twice-2',
      body: { action: 'remove', reason: 'Offboarded, second attempt' },
    });

    assert.equal(again.statusCode, 200);
    assert.equal(again.json.outcome, 'done');
    assert.deepEqual(again.json.atlassian, { status: 404, code: 'ADMIN-404-8', message: 'Not Found: User not found.' });
    assert.match(String((again.json.warnings as string[])[0]), /counts as removed/);
  });

  it('answers 409 SCIM_MANAGED with guidance for an IdP-managed account, audits it and calls Atlassian once', async () => {
    const user = pick(acme, (u) => u.managementSource === 'synced' && !u.isOrgAdmin && u.accountStatus === 'active');
    const writesBefore = world.writeCalls().length;

    const response = await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'scim-1',
      body: { action: 'remove', reason: 'Left the company' },
    });

    assert.equal(response.statusCode, 409);
    assert.equal(response.headers?.['content-type'], 'application/problem+json');
    assert.equal(response.json.code, 'SCIM_MANAGED');
    assert.equal(response.json.guidance, SCIM_GUIDANCE);
    assert.match(String(response.json.detail), /identity provider through SCIM; remove or deactivate it there/);
    assert.equal(world.writeCalls().length - writesBefore, 1);
    const audit = await auditOf(acme, response.json.requestId);
    assert.equal(audit.outcome, 'blocked_scim');
    assert.deepEqual(audit.atlassian?.status, 403);
    assert.equal(audit.atlassian?.code, 'ADMIN-403-3');
    assert.equal(audit.error?.code, 'SCIM_MANAGED');
    assert.equal((await world.deps.stores.snapshots.getSnapshot(acme, user.accountId))?.accessState, 'active');
  });

  it('returns the first result to a sequential duplicate without calling Atlassian again', async () => {
    const user = pick(acme, activeInvited);
    const call = {
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'dup-sequential',
      body: { action: 'suspend', reason: 'Security incident' },
    };
    const writesBefore = world.writeCalls().length;

    const first = await world.invoke(call);
    const second = await world.invoke(call);

    assert.equal(first.statusCode, 200);
    assert.equal(second.statusCode, 200);
    assert.equal(second.body, first.body);
    assert.equal(second.headers?.['idempotent-replayed'], 'true');
    assert.equal(world.writeCalls().length - writesBefore, 1);
  });

  it('calls Atlassian once for five concurrent duplicates and gives all of them the same answer', async () => {
    const user = pick(acme, activeInvited);
    world.sim.setLatency(30);
    const writesBefore = world.writeCalls().length;
    try {
      const call = {
        orgId: acme,
        accountId: user.accountId,
        idempotencyKey: 'dup-concurrent',
        body: { action: 'suspend', reason: 'Security incident' },
      };
      const responses = await Promise.all(Array.from({ length: 5 }, () => world.invoke(call)));

      assert.deepEqual(new Set(responses.map((r) => r.statusCode)), new Set([200]));
      assert.equal(new Set(responses.map((r) => r.body)).size, 1);
      assert.equal(responses.filter((r) => r.headers?.['idempotent-replayed'] === 'true').length, 4);
      assert.equal(world.writeCalls().length - writesBefore, 1);
      const audit = await world.deps.stores.deprovisions.listDeprovisionRequests(acme, { limit: 1000 });
      assert.equal(audit.items.filter((r) => r.idempotencyKey === 'dup-concurrent').length, 1);
    } finally {
      world.sim.setLatency(0);
    }
  });

  it('refuses with 422 a key reused with a different body', async () => {
    const user = pick(acme, activeInvited);
    const base = { orgId: acme, accountId: user.accountId, idempotencyKey: 'reused-key' };
    await world.invoke({ ...base, body: { action: 'suspend', reason: 'Contract ended' } });
    const writesBefore = world.writeCalls().length;

    const otherReason = await world.invoke({ ...base, body: { action: 'suspend', reason: 'Another reason' } });
    const otherAction = await world.invoke({ ...base, body: { action: 'remove', reason: 'Contract ended' } });
    const dryRun = await world.invoke({ ...base, body: { action: 'suspend', reason: 'Contract ended', dryRun: true } });

    for (const response of [otherReason, otherAction, dryRun]) {
      assert.equal(response.statusCode, 422);
      assert.equal(response.json.code, 'IDEMPOTENCY_KEY_REUSED');
    }
    assert.equal(world.writeCalls().length, writesBefore);
  });

  it('answers 404 USER_NOT_FOUND for an account unknown to the org, and audits it', async () => {
    const response = await world.invoke({
      orgId: acme,
      accountId: 'no-such-account',
      idempotencyKey: 'unknown-user',
      body: { action: 'suspend', reason: 'Offboarded' },
    });

    assert.equal(response.statusCode, 404);
    assert.equal(response.json.code, 'USER_NOT_FOUND');
    assert.equal(world.writeCalls().filter((w) => w.path.includes('no-such-account')).length, 0);
    assert.equal((await auditOf(acme, response.json.requestId)).outcome, 'failed');
  });

  it('answers 404 USER_NOT_FOUND when suspending a removed user', async () => {
    const user = pick(acme, activeInvited);
    await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'remove-then-suspend-1',
      body: { action: 'remove', reason: 'Offboarded' },
    });

    const response = await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'remove-then-suspend-2',
      body: { action: 'suspend', reason: 'Offboarded' },
    });

    assert.equal(response.statusCode, 404);
    assert.match(String(response.json.detail), /no longer in organization/);
  });

  it('reports what a dry run would do without calling any write endpoint', async () => {
    const scimUser = pick(acme, (u) => u.managementSource === 'synced' && u.accountStatus === 'active');
    const writesBefore = world.writeCalls().length;

    const response = await world.invoke({
      orgId: acme,
      accountId: scimUser.accountId,
      body: { action: 'suspend', reason: 'Checking first', dryRun: true },
    });

    assert.equal(response.statusCode, 200);
    assert.equal(response.json.outcome, 'dry_run');
    assert.equal(
      response.json.wouldCall,
      `POST /admin/v1/orgs/${acme}/directory/users/${encodeURIComponent(scimUser.accountId)}/suspend-access`,
    );
    assert.equal(response.json.scimManaged, true);
    assert.match(String((response.json.warnings as string[])[0]), /looks SCIM-managed \(managementSource: synced\)/);
    assert.equal(world.writeCalls().length, writesBefore);
    const audit = await auditOf(acme, response.json.requestId);
    assert.equal(audit.outcome, 'dry_run');
    assert.equal(audit.dryRun, true);
  });

  it('warns in a dry run that a suspended user is already suspended', async () => {
    const user = pick(acme, activeInvited);
    await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      idempotencyKey: 'suspend-before-dry-run',
      body: { action: 'suspend', reason: 'Leave of absence' },
    });

    const response = await world.invoke({
      orgId: acme,
      accountId: user.accountId,
      body: { action: 'suspend', reason: 'Leave of absence', dryRun: true },
    });

    assert.equal(response.json.scimManaged, false);
    assert.deepEqual(response.json.warnings, ['the account is already suspended; suspending it again changes nothing']);
  });

  it('answers 422 ATLASSIAN_REJECTED for an org admin and audits the failure', async () => {
    const admin = pick(acme, (u) => u.isOrgAdmin && u.managementSource !== 'synced');

    const response = await world.invoke({
      orgId: acme,
      accountId: admin.accountId,
      idempotencyKey: 'admin-1',
      body: { action: 'suspend', reason: 'Offboarded' },
    });

    assert.equal(response.statusCode, 422);
    assert.equal(response.json.code, 'ATLASSIAN_REJECTED');
    assert.match(String(response.json.detail), /Organization admins cannot be suspended/);
    const audit = await auditOf(acme, response.json.requestId);
    assert.equal(audit.outcome, 'failed');
    assert.equal(audit.atlassian?.status, 400);
    assert.equal(audit.atlassian?.code, 'ADMIN-400-4');
  });

  it('answers 429 RATE_LIMITED with retryAfterSeconds when Atlassian keeps rate-limiting', async () => {
    const user = pick(acme, activeInvited);
    world.sim.faults.rateLimit({ everyNth: 1, retryAfter: '120', match: encodeURIComponent(user.accountId) });
    try {
      const response = await world.invoke({
        orgId: acme,
        accountId: user.accountId,
        idempotencyKey: 'rate-limited',
        body: { action: 'suspend', reason: 'Offboarded' },
      });

      assert.equal(response.statusCode, 429);
      assert.equal(response.json.code, 'RATE_LIMITED');
      assert.equal(response.json.retryAfterSeconds, 120);
      assert.equal(response.headers?.['retry-after'], '120');
      assert.equal((await auditOf(acme, response.json.requestId)).outcome, 'failed');
    } finally {
      world.sim.faults.clear();
    }
  });

  it('answers KEY_REJECTED for a revoked key, audits it and marks the org', async () => {
    const user = pick(globex, activeInvited);
    world.sim.revokeKey(GLOBEX_KEY);

    const response = await world.invoke({
      orgId: globex,
      accountId: user.accountId,
      idempotencyKey: 'revoked-1',
      body: { action: 'suspend', reason: 'Offboarded' },
    });

    assert.equal(response.statusCode, 502);
    assert.equal(response.json.code, 'KEY_REJECTED');
    assert.match(String(response.json.detail), new RegExp(`PUT /orgs/${globex}/api-key`));
    const audit = await auditOf(globex, response.json.requestId);
    assert.equal(audit.outcome, 'failed');
    assert.equal(audit.atlassian?.status, 401);
    const org = await world.deps.stores.orgs.getOrg(globex);
    assert.equal(org?.status, 'error');
    assert.deepEqual(org?.diagnostics.map((d) => d.code), ['KEY_REJECTED']);
  });

  it('requires an Idempotency-Key for a real run', async () => {
    const response = await world.invoke({
      orgId: acme,
      accountId: 'anyone',
      body: { action: 'suspend', reason: 'Offboarded' },
    });

    assert.equal(response.statusCode, 400);
    assert.equal(response.json.code, 'IDEMPOTENCY_KEY_REQUIRED');
  });

  it('rejects bad input with 400 VALIDATION_FAILED naming the field', async () => {
    const cases: [unknown, string, string?][] = [
      [{ action: 'delete', reason: 'x' }, 'body.action'],
      [{ action: 'suspend', reason: '   ' }, 'body.reason'],
      [{ action: 'suspend', reason: 'x'.repeat(1001) }, 'body.reason'],
      [{ action: 'suspend', reason: 'x', force: true }, 'body'],
      [{ action: 'suspend', reason: 'x' }, 'header.idempotency-key', 'k'.repeat(129)],
      [{ action: 'suspend', reason: 'x' }, 'header.idempotency-key', 'tab\tkey'],
    ];
    for (const [body, field, idempotencyKey = 'valid-key'] of cases) {
      const response = await world.invoke({ orgId: acme, accountId: 'anyone', idempotencyKey, body });
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.json.code, 'VALIDATION_FAILED');
      const fields = (response.json.errors as { field: string }[]).map((e) => e.field);
      assert.ok(fields.includes(field), `${fields.join(', ')} names ${field}`);
    }
  });

  it('answers 404 ORG_NOT_FOUND for an org that is not connected, and 409 for a disconnected one', async () => {
    const unknown = await world.invoke({
      orgId: 'not-connected',
      accountId: 'anyone',
      idempotencyKey: 'unknown-org',
      body: { action: 'suspend', reason: 'Offboarded' },
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json.code, 'ORG_NOT_FOUND');

    const user = pick(globex, activeInvited);
    await world.deps.stores.orgs.updateOrg(globex, { status: 'disconnected' });
    const disconnected = await world.invoke({
      orgId: globex,
      accountId: user.accountId,
      idempotencyKey: 'disconnected-org',
      body: { action: 'suspend', reason: 'Offboarded' },
    });
    assert.equal(disconnected.statusCode, 409);
    assert.equal(disconnected.json.code, 'ORG_DISCONNECTED');
  });

  it('never stores the API key', async () => {
    const { Items = [] } = await world.dynamo.documentClient.send(new ScanCommand({ TableName: world.dynamo.tableName }));
    const dump = JSON.stringify(Items);
    assert.ok(Items.length > 0);
    assert.ok(!dump.includes(ACME_KEY));
    assert.ok(!dump.includes(GLOBEX_KEY));
  });
});
