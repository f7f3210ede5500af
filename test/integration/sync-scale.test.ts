import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requestSync, syncOrg } from '../../functions/core/sync/index.js';
import { expectedAccessState, noDeadline, startSyncHarness, storedUsers, type SyncHarness } from './sync-harness.js';

describe('syncOrg at scale against the Atlassian simulator and DynamoDB', () => {
  let h: SyncHarness;

  before(async () => {
    h = await startSyncHarness([{ name: 'Big', apiKeys: ['key-big'], userCount: 3000 }]);
  });
  after(async () => h.close());

  /** Queues a manual sync and runs it in one invocation. */
  async function syncNow(orgId: string) {
    const runId = await requestSync(orgId, 'manual', h.deps);
    h.queue.take();
    return syncOrg({ orgId, runId, trigger: 'manual' }, h.deps, { deadline: noDeadline() });
  }

  it('stores every user of a 3,000-user org with the access state the domain derives, then writes nothing when nothing changed, then about 1% on 1% churn', async () => {
    // Prepare
    const orgId = await h.connect('Big');

    // Act: first sync
    const first = await syncNow(orgId);

    // Assess: every simulated user is stored, with the derived access state
    const simUsers = [...h.sim.users(orgId)];
    assert.equal(first.outcome, 'succeeded');
    assert.deepEqual(first.counts, { seen: 3000, added: 3000, changed: 0, removed: 0, unchanged: 0 });
    assert.equal(first.pages, 30);
    const stored = new Map((await storedUsers(h.deps, orgId)).map((user) => [user.accountId, user]));
    assert.equal(stored.size, simUsers.length);
    for (const simUser of simUsers) {
      const snapshot = stored.get(simUser.accountId);
      assert.ok(snapshot, `user ${simUser.accountId} stored`);
      assert.equal(snapshot.accessState, expectedAccessState(simUser), `access state of ${simUser.accountId}`);
      assert.equal(snapshot.accountStatus, simUser.accountStatus);
      assert.deepEqual(snapshot.productKeys, [...new Set(simUser.products.map((p) => p.key))].sort());
    }
    const states = new Set([...stored.values()].map((user) => user.accessState));
    assert.ok(states.size >= 3, `a realistic mix of access states: ${[...states].join(', ')}`);
    const org = await h.deps.stores.orgs.getOrg(orgId);
    assert.equal(org?.status, 'healthy');
    assert.equal(org?.userCount, 3000);
    assert.equal(org?.lastSync?.outcome, 'succeeded');
    assert.equal(org?.lastSync?.runId, first.runId);

    // Act: re-sync with no upstream change
    h.writes.reset();
    const second = await syncNow(orgId);

    // Assess: no user item and no change written
    assert.equal(second.outcome, 'succeeded');
    assert.deepEqual(second.counts, { seen: 3000, added: 0, changed: 0, removed: 0, unchanged: 3000 });
    assert.equal(h.writes.count('user', orgId), 0);
    assert.equal(h.writes.count('change', orgId), 0);

    // Act: 1% churn upstream
    const churn = h.sim.churn(orgId, 0.01);
    const churnStart = new Date().toISOString();
    h.writes.reset();
    const third = await syncNow(orgId);

    // Assess: only the churned users are written, each with a change record
    const touched = churn.changed.length + churn.added.length + churn.removed.length;
    assert.ok(touched >= 20 && touched <= 40, `about 1% churn: ${touched}`);
    assert.equal(third.outcome, 'succeeded');
    assert.equal(third.counts.added, churn.added.length);
    assert.equal(third.counts.removed, churn.removed.length);
    assert.ok(third.counts.changed <= churn.changed.length);
    assert.equal(h.writes.count('user', orgId), third.counts.added + third.counts.changed + third.counts.removed);
    assert.ok(h.writes.count('user', orgId) <= touched);
    const changes = await h.deps.stores.changes.listOrgChanges(orgId, { since: churnStart, limit: 1000 });
    const thisRun = changes.items.filter((change) => change.runId === third.runId);
    assert.equal(thisRun.filter((c) => c.kind === 'added').length, churn.added.length);
    assert.equal(thisRun.filter((c) => c.kind === 'removed').length, churn.removed.length);
    assert.deepEqual(new Set(thisRun.filter((c) => c.kind === 'removed').map((c) => c.accountId)), new Set(churn.removed));
    assert.equal(h.writes.count('change', orgId), thisRun.length);
    for (const accountId of churn.removed) {
      const tombstone = await h.deps.stores.snapshots.getSnapshot(orgId, accountId);
      assert.equal(tombstone?.accessState, 'removed');
      assert.ok(tombstone?.removedAt);
    }
    assert.equal((await h.deps.stores.orgs.getOrg(orgId))?.userCount, 3000 - churn.removed.length + churn.added.length);

    // Act: the same message delivered again
    h.sim.resetRequests();
    const again = await syncOrg({ orgId, runId: third.runId, trigger: 'manual' }, h.deps, { deadline: noDeadline() });

    // Assess: a finished run does nothing
    assert.equal(again.skipped, 'finished');
    assert.equal(h.sim.requests.length, 0);
  });
});
