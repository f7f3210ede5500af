import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { orgHealth } from '../../functions/core/orgs/health.js';
import { rotateApiKey } from '../../functions/core/orgs/rotate.js';
import type { AtlassianDirectoryFactory, SyncRequest } from '../../functions/core/ports.js';
import type { SyncLease } from '../../functions/core/store/index.js';
import { SYNC_LEASE_DURATION_MS, SyncRetryableError, requestSync, syncOrg } from '../../functions/core/sync/index.js';
import { noDeadline, startSyncHarness, storedUsers, withListing, type SyncHarness } from './sync-harness.js';

const ORGS = [
  { name: 'Busy', apiKeys: ['key-busy'] as [string], userCount: 300 },
  { name: 'Crashy', apiKeys: ['key-crashy'] as [string], userCount: 200 },
  { name: 'Keyless', apiKeys: ['key-keyless'] as [string], userCount: 120 },
  { name: 'Long', apiKeys: ['key-long'] as [string], userCount: 1000 },
];

/** A promise with its resolve function, to hold a run at a known point. */
function deferred(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * The real client, except that a listing waits for `gate` before its first request
 * (`entered` is called when the run reaches it): a run held there has taken the lease and
 * has not talked to Atlassian yet, like a worker frozen mid-invocation.
 */
function gated(factory: AtlassianDirectoryFactory, gate: Promise<void>, entered: () => void = () => {}): AtlassianDirectoryFactory {
  return withListing(factory, async function* (directory, orgId, options) {
    entered();
    await gate;
    yield* directory.listUserPages(orgId, options);
  });
}

describe('one sync run per org at a time (lease), and a key missing from the secret store', () => {
  let h: SyncHarness;

  before(async () => {
    h = await startSyncHarness(ORGS);
  });
  after(async () => h.close());

  /** The `syncLease` attribute as stored on the org item (the store never returns it in an `Org`). */
  async function storedLease(orgId: string): Promise<SyncLease | undefined> {
    const output = await h.dynamo.documentClient.send(
      new GetCommand({ TableName: h.dynamo.tableName, Key: { pk: `ORG#${orgId}`, sk: 'ORG' }, ConsistentRead: true }),
    );
    return output.Item?.syncLease as SyncLease | undefined;
  }

  const listingRequests = (orgId: string) => h.sim.requests.filter((request) => request.orgId === orgId).length;

  async function queue(orgId: string, trigger: 'manual' | 'schedule'): Promise<SyncRequest> {
    const runId = await requestSync(orgId, trigger, h.deps);
    h.queue.take();
    return { orgId, runId, trigger };
  }

  it('lets only one of two runs of an org started together sync; the other is refused as retryable without an Atlassian request and syncs once the first has finished', async () => {
    // Prepare: two queued runs of one org, delivered at the same time; the listing waits at a gate
    const orgId = await h.connect('Busy');
    const requests = [await queue(orgId, 'manual'), await queue(orgId, 'schedule')];
    const gate = deferred();
    const deps = { ...h.deps, atlassian: gated(h.deps.atlassian, gate.promise) };
    h.sim.resetRequests();

    // Act: both start; the refused one settles while the other is held at the gate
    const runs = requests.map((request) => syncOrg(request, deps, { deadline: noDeadline() }));
    const refusedIndex = await Promise.race(runs.map((run, i) => run.then(() => i, () => i)));
    const refused = requests[refusedIndex]!;
    const winner = requests[1 - refusedIndex]!;
    const refusal = await runs[refusedIndex]!.catch((error: unknown) => error);

    // Assess: refused as retryable, nothing touched, the other run holds the lease
    assert.ok(refusal instanceof SyncRetryableError);
    assert.equal(refusal.code, 'SYNC_IN_PROGRESS');
    assert.match(refusal.message, new RegExp(`run ${winner.runId} is syncing this organization`));
    assert.equal(listingRequests(orgId), 0);
    assert.equal((await h.deps.stores.syncRuns.getSyncRun(orgId, refused.runId))?.outcome, 'queued');
    assert.equal((await storedLease(orgId))?.runId, winner.runId);

    // Act: the first run completes
    gate.open();
    const first = await runs[1 - refusedIndex]!;

    // Assess: one listing of 3 pages, all by the first run; the lease is released
    assert.equal(first.outcome, 'succeeded');
    assert.equal(first.counts.added, 300);
    assert.equal(listingRequests(orgId), 3);
    assert.equal(await storedLease(orgId), undefined);

    // Act: SQS delivers the refused message again
    const second = await syncOrg(refused, h.deps, { deadline: noDeadline() });

    // Assess: it syncs now
    assert.equal(second.runId, refused.runId);
    assert.equal(second.outcome, 'succeeded');
    assert.deepEqual(second.counts, { seen: 300, added: 0, changed: 0, removed: 0, unchanged: 300 });
    assert.equal(listingRequests(orgId), 6);
    assert.equal(await storedLease(orgId), undefined);
  });

  it('takes over the lease of a crashed worker once it expires; the run that outlived its lease removes no one, and its redelivery is closed as superseded', async () => {
    // Prepare: a synced org and a run frozen after taking the lease
    const orgId = await h.connect('Crashy');
    await syncOrg(await queue(orgId, 'manual'), h.deps, { deadline: noDeadline() });
    const realClock = h.deps.clock;
    let offsetMs = 0;
    h.deps.clock = () => new Date(Date.now() + offsetMs);
    const deadline = () => h.deps.clock().getTime() + 60_000;
    try {
      const crashed = await queue(orgId, 'manual');
      const later = await queue(orgId, 'schedule');
      const gate = deferred();
      const entered = deferred();
      const frozenDeps = { ...h.deps, atlassian: gated(h.deps.atlassian, gate.promise, entered.open) };
      const frozen = syncOrg(crashed, frozenDeps, { deadline: deadline() + SYNC_LEASE_DURATION_MS });
      await entered.promise;
      await assert.rejects(
        syncOrg(later, h.deps, { deadline: deadline() }),
        (error: unknown) => error instanceof SyncRetryableError && error.code === 'SYNC_IN_PROGRESS',
      );

      // Act: the lease expires; the next delivery of the other run takes it over
      offsetMs = SYNC_LEASE_DURATION_MS + 1_000;
      const takeover = await syncOrg(later, h.deps, { deadline: deadline() });

      // Assess
      assert.equal(takeover.outcome, 'succeeded');
      assert.equal(takeover.counts.seen, 200);
      assert.equal(await storedLease(orgId), undefined);

      // Act: the frozen run wakes up; meanwhile a user left upstream
      const [gone] = [...h.sim.users(orgId)];
      h.sim.removeUser(orgId, gone!.accountId);
      gate.open();
      const woken = await frozen.catch((error: unknown) => error);

      // Assess: it lists and writes its pages, but cannot renew its lease before removals
      assert.ok(woken instanceof SyncRetryableError);
      assert.equal(woken.code, 'SYNC_LEASE_LOST');
      const lost = await h.deps.stores.syncRuns.getSyncRun(orgId, crashed.runId);
      assert.equal(lost?.outcome, 'failed');
      assert.equal(lost?.error?.code, 'SYNC_LEASE_LOST');
      assert.equal(lost?.counts.removed, 0);
      assert.equal((await h.deps.stores.snapshots.getSnapshot(orgId, gone!.accountId))?.removedAt, undefined);
      assert.equal((await h.deps.stores.orgs.getOrg(orgId))?.lastSync?.runId, later.runId);
      assert.equal(await storedLease(orgId), undefined);

      // Act: SQS redelivers the run that lost its lease
      h.sim.resetRequests();
      const redelivered = await syncOrg(crashed, h.deps, { deadline: deadline() });

      // Assess: a newer complete run finished after it started, so it stops without touching Atlassian
      assert.equal(redelivered.skipped, 'superseded');
      assert.equal(redelivered.outcome, 'failed');
      assert.equal(redelivered.error?.code, 'SYNC_SUPERSEDED');
      assert.match(redelivered.error?.message ?? '', new RegExp(`run ${later.runId} completed a full listing`));
      assert.equal(listingRequests(orgId), 0);
      assert.equal(await storedLease(orgId), undefined);
      assert.equal((await syncOrg(crashed, h.deps, { deadline: deadline() })).skipped, 'finished');
    } finally {
      h.deps.clock = realClock;
    }
  });

  it('keeps the lease across a deadline continuation, so another run waits until the continuation has completed', async () => {
    // Prepare
    const orgId = await h.connect('Long');
    const paused = await queue(orgId, 'schedule');
    const manual = await queue(orgId, 'manual');
    h.sim.setLatency(30);
    try {
      // Act: a short invocation stops before the deadline
      const first = await syncOrg(paused, h.deps, { deadline: Date.now() + 100 });
      const continuation = h.queue.take();

      // Assess: partial, still holding the lease, which the org's health view does not show
      assert.equal(first.outcome, 'partial');
      assert.deepEqual(continuation, [{ orgId, runId: paused.runId, trigger: 'continuation' }]);
      const lease = await storedLease(orgId);
      assert.equal(lease?.runId, paused.runId);
      assert.ok(lease.expiresAt > Date.now() + SYNC_LEASE_DURATION_MS - 10_000);
      const org = await h.deps.stores.orgs.getOrg(orgId);
      assert.equal(Object.hasOwn(org!, 'syncLease'), false);
      assert.doesNotMatch(JSON.stringify(orgHealth(org!, new Date(), h.deps.config.keyExpiry)), /lease/i);

      // Act + Assess: the manual run is refused while the paused run holds the lease
      h.sim.resetRequests();
      await assert.rejects(
        syncOrg(manual, h.deps, { deadline: noDeadline() }),
        (error: unknown) => error instanceof SyncRetryableError && error.code === 'SYNC_IN_PROGRESS',
      );
      assert.equal(listingRequests(orgId), 0);

      // Act: continuations until the paused run completes
      let last = first;
      let next: SyncRequest | undefined = continuation[0];
      while (next !== undefined) {
        last = await syncOrg(next, h.deps, { deadline: Date.now() + 150 });
        next = h.queue.take()[0];
      }
      h.sim.setLatency(0);
      const afterwards = await syncOrg(manual, h.deps, { deadline: noDeadline() });

      // Assess: the paused run completed first, then the manual run synced
      assert.equal(last.runId, paused.runId);
      assert.equal(last.outcome, 'succeeded');
      assert.equal(last.counts.added, 1000);
      assert.equal(afterwards.outcome, 'succeeded');
      assert.equal(afterwards.counts.unchanged, 1000);
      assert.equal(await storedLease(orgId), undefined);
    } finally {
      h.sim.setLatency(0);
    }
  });

  it('records a key missing from the secret store as KEY_MISSING, without a retry or an Atlassian request, and rotating the key clears it', async () => {
    // Prepare: a synced org whose secret is then deleted
    const orgId = await h.connect('Keyless');
    await syncOrg(await queue(orgId, 'manual'), h.deps, { deadline: noDeadline() });
    const before = await storedUsers(h.deps, orgId);
    await h.secrets.deleteApiKey(orgId);
    const request = await queue(orgId, 'schedule');
    h.sim.resetRequests();

    // Act
    const result = await syncOrg(request, h.deps, { deadline: noDeadline() });

    // Assess: a recorded, final failure (no throw, so SQS does not retry it) that says what to do
    const advice = `the API key for this org is missing from the secret store`;
    assert.equal(result.outcome, 'failed');
    assert.equal(result.error?.code, 'KEY_MISSING');
    assert.ok(result.error?.message.startsWith(advice));
    assert.ok(result.error?.message.endsWith(`rotate it with PUT /orgs/${orgId}/api-key`));
    assert.equal(listingRequests(orgId), 0);
    const org = await h.deps.stores.orgs.getOrg(orgId);
    assert.equal(org?.status, 'error');
    assert.equal(org?.statusReason, result.error?.message);
    assert.deepEqual(org?.diagnostics.map((d) => [d.code, d.severity]), [['KEY_MISSING', 'error']]);
    assert.equal(org?.lastSync?.runId, request.runId);
    assert.deepEqual(await storedUsers(h.deps, orgId), before);
    assert.equal(await storedLease(orgId), undefined);
    assert.equal((await syncOrg(request, h.deps, { deadline: noDeadline() })).skipped, 'finished');

    // Act: the admin rotates the key, then a sync runs
    const rotated = await rotateApiKey(orgId, { apiKey: 'key-keyless' }, h.deps);
    const synced = await syncOrg(await queue(orgId, 'manual'), h.deps, { deadline: noDeadline() });

    // Assess
    assert.equal(rotated.status, 'healthy');
    assert.equal(rotated.statusReason, undefined);
    assert.deepEqual(rotated.diagnostics, []);
    assert.equal(synced.outcome, 'succeeded');
    assert.equal(synced.counts.unchanged, 120);
  });
});
