import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GUARD_REQUIRED_MESSAGE } from '../../functions/core/domain/diagnostics.js';
import { OrgNotFoundError } from '../../functions/core/store/index.js';
import { NO_MANAGED_ACCOUNTS_REASON, SyncRetryableError, requestSync, syncOrg } from '../../functions/core/sync/index.js';
import { afterPages, noDeadline, startSyncHarness, storedUsers, type SyncHarness } from './sync-harness.js';

const ORGS = [
  { name: 'Flaky', apiKeys: ['key-flaky'] as [string], userCount: 500 },
  { name: 'Lapsed', apiKeys: ['key-lapsed'] as [string], userCount: 150 },
  { name: 'NoGuard', apiKeys: ['key-noguard'] as [string], userCount: 0, guard: false },
  { name: 'Revoked', apiKeys: ['key-revoked'] as [string], userCount: 400 },
  { name: 'Shrinking', apiKeys: ['key-shrinking'] as [string], userCount: 200 },
  { name: 'Slow', apiKeys: ['key-slow'] as [string], userCount: 1000 },
  { name: 'Throttled', apiKeys: ['key-throttled'] as [string], userCount: 300 },
];

describe('syncOrg against the Atlassian simulator and DynamoDB', () => {
  let h: SyncHarness;

  before(async () => {
    h = await startSyncHarness(ORGS);
  });
  after(async () => h.close());

  /** Queues a manual sync and runs it in one invocation. */
  async function syncNow(orgId: string) {
    const runId = await requestSync(orgId, 'manual', h.deps);
    h.queue.take();
    return syncOrg({ orgId, runId, trigger: 'manual' }, h.deps, { deadline: noDeadline() });
  }

  it('tombstones nothing when Atlassian keeps failing mid-way, and the redelivered message resumes from the checkpoint and completes', async () => {
    // Prepare: a first complete sync, then a user removed upstream
    const orgId = await h.connect('Flaky');
    await syncNow(orgId);
    const [gone] = [...h.sim.users(orgId)];
    h.sim.removeUser(orgId, gone!.accountId);
    const realAtlassian = h.deps.atlassian;
    h.useAtlassian(afterPages(realAtlassian, 2, () => h.sim.faults.serverError({ status: 503, times: 5, match: orgId })));
    const runId = await requestSync(orgId, 'schedule', h.deps);
    h.queue.take();

    // Act
    const failure = await syncOrg({ orgId, runId, trigger: 'schedule' }, h.deps, { deadline: noDeadline() }).catch((e: unknown) => e);

    // Assess: retryable, run failed with its checkpoint, nothing tombstoned
    assert.ok(failure instanceof SyncRetryableError);
    assert.equal(failure.code, 'UPSTREAM_UNAVAILABLE');
    const failed = await h.deps.stores.syncRuns.getSyncRun(orgId, runId);
    assert.equal(failed?.outcome, 'failed');
    assert.equal(failed?.error?.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(failed?.pages, 2);
    assert.ok(failed?.checkpoint);
    assert.equal((await h.deps.stores.snapshots.getSnapshot(orgId, gone!.accountId))?.removedAt, undefined);
    const org = await h.deps.stores.orgs.getOrg(orgId);
    assert.deepEqual(org?.diagnostics.map((d) => d.code), ['UPSTREAM_UNAVAILABLE']);
    assert.equal(org?.status, 'healthy');

    // Act: SQS redelivers the message
    h.useAtlassian(realAtlassian);
    h.sim.resetRequests();
    const resumed = await syncOrg({ orgId, runId, trigger: 'schedule' }, h.deps, { deadline: noDeadline() });

    // Assess: resumed after page 2 (3 of 5 pages fetched), completed and tombstoned the removed user
    assert.equal(resumed.outcome, 'succeeded');
    assert.equal(resumed.pages, 5);
    assert.equal(h.sim.requests.filter((r) => r.orgId === orgId).length, 3);
    assert.equal(resumed.counts.removed, 1);
    assert.equal((await h.deps.stores.snapshots.getSnapshot(orgId, gone!.accountId))?.accessState, 'removed');
    const healed = await h.deps.stores.orgs.getOrg(orgId);
    assert.deepEqual(healed?.diagnostics, []);
    assert.equal(healed?.userCount, 499);
  });

  it('marks an org whose key is rejected mid-sync KEY_REJECTED without losing or tombstoning anything, and a sync with a rotated key clears it', async () => {
    // Prepare
    const orgId = await h.connect('Revoked');
    await syncNow(orgId);
    const before = await storedUsers(h.deps, orgId);
    const realAtlassian = h.deps.atlassian;
    h.useAtlassian(afterPages(realAtlassian, 1, () => h.sim.revokeKey('key-revoked')));

    // Act
    const result = await syncNow(orgId);

    // Assess
    assert.equal(result.outcome, 'failed');
    assert.equal(result.error?.code, 'KEY_REJECTED');
    const org = await h.deps.stores.orgs.getOrg(orgId);
    assert.equal(org?.status, 'error');
    assert.match(org?.statusReason ?? '', /API key was rejected.*rotate it with PUT \/orgs\/.+\/api-key/);
    assert.deepEqual(org?.diagnostics.map((d) => d.code), ['KEY_REJECTED']);
    assert.equal(org?.lastSync?.outcome, 'failed');
    const after = await storedUsers(h.deps, orgId);
    assert.equal(after.length, before.length);
    assert.equal(after.filter((user) => user.removedAt !== undefined).length, 0);
    assert.ok(!JSON.stringify(org).includes('key-revoked'));

    // Act: a redelivery does not retry a rejected key; a rotated key syncs again
    h.sim.resetRequests();
    const redelivered = await syncOrg({ orgId, runId: result.runId, trigger: 'manual' }, h.deps, { deadline: noDeadline() });
    h.useAtlassian(realAtlassian);
    h.sim.addKey(orgId, 'key-revoked-2');
    await h.deps.secrets.putApiKey(orgId, 'key-revoked-2');
    const rotated = await syncNow(orgId);

    // Assess
    assert.equal(redelivered.skipped, 'finished');
    assert.equal(h.sim.requests.filter((r) => r.orgId === orgId && r.status === 401).length, 0);
    assert.equal(rotated.outcome, 'succeeded');
    const healthy = await h.deps.stores.orgs.getOrg(orgId);
    assert.equal(healthy?.status, 'healthy');
    assert.equal(healthy?.statusReason, undefined);
    assert.deepEqual(healthy?.diagnostics, []);
  });

  it('says GUARD_REQUIRED for an org without managed accounts instead of looking like a healthy empty org', async () => {
    // Prepare
    const orgId = await h.connect('NoGuard');

    // Act
    const result = await syncNow(orgId);

    // Assess
    assert.equal(result.outcome, 'succeeded');
    assert.equal(result.counts.seen, 0);
    const org = await h.deps.stores.orgs.getOrg(orgId);
    assert.equal(org?.status, 'error');
    assert.equal(org?.statusReason, NO_MANAGED_ACCOUNTS_REASON);
    assert.deepEqual(org?.diagnostics.map((d) => [d.code, d.message]), [['GUARD_REQUIRED', GUARD_REQUIRED_MESSAGE]]);
  });

  it('keeps the previous snapshot when Guard lapses, holding the run, and clears GUARD_REQUIRED once users come back', async () => {
    // Prepare
    const orgId = await h.connect('Lapsed');
    await syncNow(orgId);
    h.sim.setGuard(orgId, false);

    // Act
    const lapsed = await syncNow(orgId);

    // Assess: held, nothing removed, GUARD_REQUIRED on the org
    assert.equal(lapsed.outcome, 'held');
    assert.match(lapsed.heldReason ?? '', /no managed accounts while 150 user\(s\) are stored/);
    assert.equal(lapsed.counts.removed, 0);
    const users = await storedUsers(h.deps, orgId);
    assert.equal(users.length, 150);
    assert.ok(users.every((user) => user.removedAt === undefined));
    const org = await h.deps.stores.orgs.getOrg(orgId);
    assert.deepEqual(org?.diagnostics.map((d) => d.code), ['GUARD_REQUIRED']);
    assert.equal(org?.userCount, 150);

    // Act: Guard is back
    h.sim.setGuard(orgId, true);
    const restored = await syncNow(orgId);

    // Assess
    assert.equal(restored.outcome, 'succeeded');
    assert.deepEqual(restored.counts, { seen: 150, added: 0, changed: 0, removed: 0, unchanged: 150 });
    const healed = await h.deps.stores.orgs.getOrg(orgId);
    assert.equal(healed?.status, 'healthy');
    assert.deepEqual(healed?.diagnostics, []);
  });

  it('holds a run that would remove more than half of the users, and applies the removals when the next complete run confirms them', async () => {
    // Prepare: 60% of the users disappear upstream
    const orgId = await h.connect('Shrinking');
    await syncNow(orgId);
    const doomed = [...h.sim.users(orgId)].slice(0, 120).map((user) => user.accountId);
    for (const accountId of doomed) h.sim.removeUser(orgId, accountId);

    // Act
    const held = await syncNow(orgId);

    // Assess: held and reported, nothing removed
    assert.equal(held.outcome, 'held');
    assert.match(held.heldReason ?? '', /would remove 120 of 200 user\(s\) \(60%\), more than the 50% allowed/);
    assert.equal((await storedUsers(h.deps, orgId)).filter((user) => user.removedAt !== undefined).length, 0);
    const org = await h.deps.stores.orgs.getOrg(orgId);
    assert.equal(org?.lastSync?.outcome, 'held');
    const syncHeld = org?.diagnostics.find((d) => d.code === 'SYNC_HELD');
    assert.match(syncHeld?.message ?? '', /would remove 120 of 200.*next sync applies the removals/);

    // Act: Atlassian still reports the same users
    const confirmed = await syncNow(orgId);

    // Assess
    assert.equal(confirmed.outcome, 'succeeded');
    assert.equal(confirmed.counts.removed, 120);
    const removed = (await storedUsers(h.deps, orgId)).filter((user) => user.removedAt !== undefined);
    assert.deepEqual(new Set(removed.map((user) => user.accountId)), new Set(doomed));
    const after = await h.deps.stores.orgs.getOrg(orgId);
    assert.deepEqual(after?.diagnostics, []);
    assert.equal(after?.userCount, 80);
  });

  it('stops before the deadline with a checkpoint, queues a continuation of the same run, and tombstones only when the continuation completes', async () => {
    // Prepare
    const orgId = await h.connect('Slow');
    await syncNow(orgId);
    const gone = [...h.sim.users(orgId)].slice(-3).map((user) => user.accountId);
    for (const accountId of gone) h.sim.removeUser(orgId, accountId);
    h.sim.setLatency(30);
    const runId = await requestSync(orgId, 'schedule', h.deps);
    h.queue.take();

    try {
      // Act: a short invocation
      const first = await syncOrg({ orgId, runId, trigger: 'schedule' }, h.deps, { deadline: Date.now() + 100 });

      // Assess: partial, checkpoint saved, continuation queued, nothing tombstoned
      assert.equal(first.outcome, 'partial');
      assert.ok(first.pages >= 1 && first.pages < 10, `pages before the deadline: ${first.pages}`);
      const saved = await h.deps.stores.syncRuns.getSyncRun(orgId, runId);
      assert.ok(saved?.checkpoint);
      assert.deepEqual(h.queue.requests, [{ orgId, runId, trigger: 'continuation' }]);
      assert.ok((await storedUsers(h.deps, orgId)).every((user) => user.removedAt === undefined));

      // Act: deliver continuations until the run is complete
      let last = first;
      let invocations = 1;
      for (const request of h.queue.take()) {
        let next: typeof request | undefined = request;
        while (next !== undefined) {
          last = await syncOrg(next, h.deps, { deadline: Date.now() + 150 });
          invocations++;
          next = h.queue.take()[0];
          if (last.outcome === 'partial') assert.ok((await storedUsers(h.deps, orgId)).every((user) => user.removedAt === undefined));
        }
      }

      // Assess: one run, every page once, removals applied at the end only
      assert.ok(invocations >= 2);
      assert.equal(last.runId, runId);
      assert.equal(last.outcome, 'succeeded');
      assert.equal(last.pages, 10);
      assert.deepEqual(last.counts, { seen: 997, added: 0, changed: 0, removed: 3, unchanged: 997 });
      const removed = (await storedUsers(h.deps, orgId)).filter((user) => user.removedAt !== undefined);
      assert.deepEqual(new Set(removed.map((user) => user.accountId)), new Set(gone));
    } finally {
      h.sim.setLatency(0);
    }
  });

  it('records RATE_LIMITED and asks for a retry when Atlassian keeps rate-limiting, and clears it when the retry completes', async () => {
    // Prepare
    const orgId = await h.connect('Throttled');
    h.sim.faults.rateLimit({ burst: 5, retryAfter: '0', match: orgId });
    const runId = await requestSync(orgId, 'manual', h.deps);
    h.queue.take();

    // Act
    const failure = await syncOrg({ orgId, runId, trigger: 'manual' }, h.deps, { deadline: noDeadline() }).catch((e: unknown) => e);
    const limited = await h.deps.stores.orgs.getOrg(orgId);
    const retried = await syncOrg({ orgId, runId, trigger: 'manual' }, h.deps, { deadline: noDeadline() });

    // Assess
    assert.ok(failure instanceof SyncRetryableError);
    assert.equal(failure.code, 'RATE_LIMITED');
    assert.deepEqual(limited?.diagnostics.map((d) => d.code), ['RATE_LIMITED']);
    assert.equal(limited?.lastSync?.outcome, 'failed');
    assert.equal(retried.outcome, 'succeeded');
    assert.equal(retried.counts.added, 300);
    const runs = await h.deps.stores.syncRuns.listSyncRuns(orgId);
    assert.equal(runs.items.length, 1);
    assert.deepEqual((await h.deps.stores.orgs.getOrg(orgId))?.diagnostics, []);
  });

  it('refuses to sync an unknown organization with a clear error', async () => {
    await assert.rejects(
      syncOrg({ orgId: 'no-such-org', runId: 'run-1', trigger: 'manual' }, h.deps, { deadline: noDeadline() }),
      (error: unknown) => error instanceof OrgNotFoundError && /organization no-such-org is not connected/.test(error.message),
    );
    await assert.rejects(requestSync('no-such-org', 'manual', h.deps), OrgNotFoundError);
  });
});
