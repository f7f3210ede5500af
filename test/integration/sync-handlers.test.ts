import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lambdaContext, scheduledEvent, sqsEvent } from '../../bin/local/lambda-adapter.js';
import type { SyncRequest } from '../../functions/core/ports.js';
import { createSyncDispatcher, createSyncWorker } from '../../functions/sync/handlers.js';
import { startSyncHarness, storedUsers, type SyncHarness } from './sync-harness.js';

/** Collects the Powertools log lines written to stdout and stderr until `stop()`; everything else passes through. */
function captureLogs() {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    const write = originals[i] as (...args: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!text.startsWith('{"level"')) return write(chunk, ...rest);
      chunks.push(text);
      const callback = rest.at(-1);
      if (typeof callback === 'function') callback();
      return true;
    }) as typeof stream.write;
  });
  return {
    text: () => chunks.join(''),
    stop: () => {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
    },
  };
}

const messagesOf = (requests: SyncRequest[]) => requests.map((request) => ({ id: `msg-${request.orgId}`, body: JSON.stringify(request) }));

describe('sync dispatcher and worker Lambdas', () => {
  let h: SyncHarness;
  let ids: Record<'alpha' | 'beta' | 'gamma' | 'delta' | 'epsilon', string>;

  before(async () => {
    h = await startSyncHarness([
      { name: 'Alpha', apiKeys: ['key-alpha'], userCount: 250 },
      { name: 'Beta', apiKeys: ['key-beta'], userCount: 150 },
      { name: 'Gamma', apiKeys: ['key-gamma'], userCount: 50 },
      { name: 'Delta', apiKeys: ['key-delta'], userCount: 80 },
      { name: 'Epsilon', apiKeys: ['key-epsilon'], userCount: 300 },
    ]);
    ids = {
      alpha: await h.connect('Alpha'),
      beta: await h.connect('Beta'),
      gamma: await h.connect('Gamma'),
      delta: await h.connect('Delta'),
      epsilon: await h.connect('Epsilon'),
    };
    await h.deps.stores.orgs.updateOrg(ids.gamma, { status: 'disconnected', disconnectedAt: new Date().toISOString() });
  });
  after(async () => h.close());

  it('queues one message and one queued run per connected org on schedule, skipping disconnected orgs', async () => {
    // Act
    const result = await createSyncDispatcher(h.deps)(scheduledEvent('sync'), lambdaContext('sync-test', 60_000));

    // Assess
    assert.equal(result.queued, 4);
    assert.equal(result.skipped, 1);
    const queued = h.queue.take();
    assert.deepEqual(queued.map((request) => request.orgId).sort(), [ids.alpha, ids.beta, ids.delta, ids.epsilon].sort());
    assert.ok(queued.every((request) => request.trigger === 'schedule'));
    assert.deepEqual(queued.map((request) => request.runId).sort(), [...result.runIds].sort());
    for (const request of queued) {
      const run = await h.deps.stores.syncRuns.getSyncRun(request.orgId, request.runId);
      assert.equal(run?.outcome, 'queued');
    }
    assert.equal((await h.deps.stores.syncRuns.listSyncRuns(ids.gamma)).items.length, 0);
  });

  it('syncs each org of a batch independently and reports only the org worth retrying in batchItemFailures', async () => {
    // Prepare: Beta's Atlassian listing keeps failing, Delta's key was revoked
    const { runIds } = await createSyncDispatcher(h.deps)(scheduledEvent('sync'), lambdaContext('sync-test', 60_000));
    const requests = h.queue.take();
    h.sim.faults.serverError({ status: 502, times: 1000, match: ids.beta });
    h.sim.revokeKey('key-delta');

    const logged = captureLogs();
    try {
      // Act
      const response = await createSyncWorker(h.deps)(sqsEvent(messagesOf(requests)), lambdaContext('sync-test', 60_000)).finally(logged.stop);

      // Assess: only Beta is retried; Alpha and Epsilon are synced; Delta's rejected key is recorded, not retried
      assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: `msg-${ids.beta}` }]);
      const runOf = async (orgId: string) => {
        const runId = runIds.find((id) => requests.some((r) => r.runId === id && r.orgId === orgId)) ?? '';
        return h.deps.stores.syncRuns.getSyncRun(orgId, runId);
      };
      assert.equal((await runOf(ids.alpha))?.outcome, 'succeeded');
      assert.equal((await runOf(ids.epsilon))?.outcome, 'succeeded');
      assert.equal((await runOf(ids.beta))?.error?.code, 'UPSTREAM_UNAVAILABLE');
      assert.equal((await runOf(ids.delta))?.error?.code, 'KEY_REJECTED');
      assert.equal((await storedUsers(h.deps, ids.alpha)).length, 250);
      assert.equal((await storedUsers(h.deps, ids.epsilon)).length, 300);
      assert.equal((await storedUsers(h.deps, ids.beta)).length, 0);
      assert.equal((await h.deps.stores.orgs.getOrg(ids.delta))?.status, 'error');
      assert.equal((await h.deps.stores.orgs.getOrg(ids.alpha))?.status, 'healthy');
      const lines = logged.text().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.ok(lines.some((line) => line.message === 'sync finished' && line.orgId === ids.alpha && line.seen === 250));
      assert.ok(lines.some((line) => line.message === 'sync failed' && line.orgId === ids.delta && line.code === 'KEY_REJECTED'));
      for (const key of ['key-alpha', 'key-beta', 'key-delta', 'key-epsilon']) assert.ok(!logged.text().includes(key), `${key} never logged`);

      // Act: SQS redelivers Beta's message once Atlassian answers again
      h.sim.faults.clear();
      const betaRequest = requests.filter((request) => request.orgId === ids.beta);
      const retry = await createSyncWorker(h.deps)(sqsEvent(messagesOf(betaRequest)), lambdaContext('sync-test', 60_000));

      // Assess
      assert.deepEqual(retry.batchItemFailures, []);
      assert.equal((await runOf(ids.beta))?.outcome, 'succeeded');
      assert.equal((await storedUsers(h.deps, ids.beta)).length, 150);
    } finally {
      h.sim.faults.clear();
    }
  });

  it('continues a sync past the Lambda deadline through a queued continuation instead of a retry', async () => {
    // Prepare
    const runId = `manual-${Date.now()}`;
    const request: SyncRequest = { orgId: ids.epsilon, runId, trigger: 'manual' };
    const worker = createSyncWorker({ ...h.deps, config: { ...h.deps.config, deadlineSafetyMs: 5_000 } });

    // Act: an invocation with less time left than the safety margin, then the continuation with time
    const first = await worker(sqsEvent(messagesOf([request])), lambdaContext('sync-test', 4_000));
    const continuation = h.queue.take();
    const second = await worker(sqsEvent(messagesOf(continuation)), lambdaContext('sync-test', 60_000));

    // Assess
    assert.deepEqual(first.batchItemFailures, []);
    assert.deepEqual(continuation, [{ orgId: ids.epsilon, runId, trigger: 'continuation' }]);
    assert.deepEqual(second.batchItemFailures, []);
    const run = await h.deps.stores.syncRuns.getSyncRun(ids.epsilon, runId);
    assert.equal(run?.outcome, 'succeeded');
    assert.equal(run?.trigger, 'manual');
  });

  it('sends unreadable messages back to the queue (and so to the dead-letter queue) and drops messages of unknown orgs', async () => {
    // Act
    const response = await createSyncWorker(h.deps)(
      sqsEvent([
        { id: 'not-json', body: '{"orgId":' },
        { id: 'no-trigger', body: JSON.stringify({ orgId: ids.alpha, runId: 'r' }) },
        { id: 'unknown-org', body: JSON.stringify({ orgId: 'no-such-org', runId: 'r', trigger: 'manual' }) },
      ]),
      lambdaContext('sync-test', 60_000),
    );

    // Assess
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: 'not-json' }, { itemIdentifier: 'no-trigger' }]);
    assert.equal(await h.deps.stores.syncRuns.getSyncRun('no-such-org', 'r'), undefined);
  });
});
