import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Change, DeprovisionRequest, SyncRun } from '../../functions/core/domain/model.js';
import { DynamoChangeStore } from '../../functions/core/store/dynamo-change-store.js';
import { DynamoDeprovisionStore } from '../../functions/core/store/dynamo-deprovision-store.js';
import { DynamoSyncRunStore } from '../../functions/core/store/dynamo-sync-run-store.js';
import { InvalidCursorError, StaleWriteError } from '../../functions/core/store/errors.js';
import { startDynamo, type TestDynamo } from '../support/dynamo.js';

const NOW = new Date('2026-12-01T00:00:00.000Z');
const hoursAfter = (h: number) => new Date(NOW.getTime() + h * 3_600_000).toISOString();

function change(orgId: string, accountId: string, hour: number, patch: Partial<Change> = {}): Change {
  return {
    orgId,
    accountId,
    at: hoursAfter(hour),
    kind: 'changed',
    fields: { accessState: { before: 'active', after: 'no_product_access' } },
    runId: `run-${hour}`,
    source: 'sync',
    ...patch,
  };
}

function run(orgId: string, runId: string, hour: number, patch: Partial<SyncRun> = {}): SyncRun {
  return {
    runId,
    orgId,
    trigger: 'schedule',
    outcome: 'queued',
    queuedAt: hoursAfter(hour),
    pages: 0,
    counts: { seen: 0, added: 0, changed: 0, removed: 0, unchanged: 0 },
    ...patch,
  };
}

function deprovision(orgId: string, requestId: string, hour: number): DeprovisionRequest {
  return {
    requestId,
    orgId,
    accountId: 'acc-1',
    action: 'suspend',
    reason: 'left the company',
    dryRun: false,
    requester: 'arn:aws:iam::123456789012:role/admin',
    idempotencyKey: `key-${requestId}`,
    outcome: 'done',
    atlassian: { status: 204 },
    requestedAt: hoursAfter(hour),
    completedAt: hoursAfter(hour),
  };
}

describe('change, sync-run and deprovision stores', () => {
  let dynamo: TestDynamo;
  let changes: DynamoChangeStore;
  let runs: DynamoSyncRunStore;
  let deprovisions: DynamoDeprovisionStore;
  let now = NOW;

  before(async () => {
    dynamo = await startDynamo({ tablePrefix: 'store-history' });
    const options = { documentClient: dynamo.documentClient, tableName: dynamo.tableName, clock: () => now };
    changes = new DynamoChangeStore({ ...options, changeTtlDays: 400 });
    runs = new DynamoSyncRunStore(options);
    deprovisions = new DynamoDeprovisionStore({ ...options, idempotencyTtlHours: 24 });
  });
  after(async () => dynamo.close());

  describe('DynamoChangeStore', () => {
    before(async () => {
      const feed = Array.from({ length: 30 }, (_, hour) => change('org-1', `acc-${hour % 3}`, hour));
      await changes.writeChanges([...feed, change('org-2', 'acc-0', 5), change('org-1', 'acc-0', 0)]);
    });

    it('stores each change with a TTL 400 days after its time', async () => {
      const c = change('org-ttl', 'acc-9', 0);
      await changes.writeChanges([c]);
      const { Item } = await dynamo.documentClient.send(
        new GetCommand({ TableName: dynamo.tableName, Key: { pk: 'ORG#org-ttl#CHANGE', sk: `${c.at}#acc-9#run-0` } }),
      );
      assert.equal(Item?.ttl, NOW.getTime() / 1000 + 400 * 86_400);
      const page = await changes.listOrgChanges('org-ttl');
      assert.deepEqual(page.items, [c], 'store attributes are not returned');
    });

    it('serves an org feed oldest first, between since and until, with a cursor', async () => {
      const first = await changes.listOrgChanges('org-1', { since: hoursAfter(10), until: hoursAfter(20), limit: 4 });
      assert.deepEqual(first.items.map((c) => c.at), [10, 11, 12, 13].map(hoursAfter));
      const rest = await changes.listOrgChanges('org-1', { since: hoursAfter(10), until: hoursAfter(20), limit: 100, cursor: first.nextCursor });
      assert.deepEqual(rest.items.map((c) => c.at), [14, 15, 16, 17, 18, 19].map(hoursAfter), 'until is exclusive');
      assert.equal(rest.nextCursor, undefined);
    });

    it('accepts bounds with offsets and serves newest first on request', async () => {
      const page = await changes.listOrgChanges('org-1', { since: '2026-12-02T03:00:00+02:00', newestFirst: true, limit: 3 });
      assert.deepEqual(page.items.map((c) => c.at), [29, 28, 27].map(hoursAfter));
      const until = await changes.listOrgChanges('org-1', { until: hoursAfter(2) });
      assert.deepEqual(until.items.map((c) => c.at), [0, 1].map(hoursAfter));
    });

    it('lists one user history newest first and keeps orgs apart', async () => {
      const history = await changes.listUserChanges('org-1', 'acc-0');
      assert.equal(history.items.length, 10);
      assert.deepEqual(history.items.slice(0, 2).map((c) => c.at), [27, 24].map(hoursAfter));
      assert.ok(history.items.every((c) => c.orgId === 'org-1' && c.accountId === 'acc-0'));
      const other = await changes.listUserChanges('org-2', 'acc-0');
      assert.deepEqual(other.items.map((c) => c.at), [hoursAfter(5)]);
    });

    it('refuses a feed cursor for another org', async () => {
      const page = await changes.listOrgChanges('org-1', { limit: 1 });
      await assert.rejects(changes.listOrgChanges('org-2', { cursor: page.nextCursor }), InvalidCursorError);
    });
  });

  describe('DynamoSyncRunStore', () => {
    it('creates a run once and ignores a re-delivered create', async () => {
      assert.equal(await runs.createSyncRun(run('org-1', 'r-a', 1)), true);
      assert.equal(await runs.createSyncRun(run('org-1', 'r-a', 1, { trigger: 'manual' })), false);
      assert.deepEqual(await runs.getSyncRun('org-1', 'r-a'), run('org-1', 'r-a', 1));
      assert.equal(await runs.getSyncRun('org-2', 'r-a'), undefined);
    });

    it('updates a run only from an expected outcome and removes cleared attributes', async () => {
      await runs.createSyncRun(run('org-1', 'r-b', 2));
      const started = await runs.updateSyncRun('org-1', 'r-b', { outcome: 'running', startedAt: hoursAfter(2) }, { expectedOutcome: ['queued'] });
      assert.equal(started.outcome, 'running');
      const partial = await runs.updateSyncRun('org-1', 'r-b', { outcome: 'partial', checkpoint: 'cursor-7', pages: 7 });
      assert.equal(partial.checkpoint, 'cursor-7');
      await assert.rejects(runs.updateSyncRun('org-1', 'r-b', { outcome: 'running' }, { expectedOutcome: ['queued'] }), StaleWriteError);
      const done = await runs.updateSyncRun('org-1', 'r-b', { outcome: 'succeeded', checkpoint: null, finishedAt: hoursAfter(3) }, { expectedOutcome: ['running', 'partial'] });
      assert.equal(done.checkpoint, undefined);
      assert.equal(done.pages, 7);
      await assert.rejects(runs.updateSyncRun('org-1', 'r-missing', { outcome: 'running' }), StaleWriteError);
    });

    it('lists runs newest first with a cursor', async () => {
      for (const hour of [10, 12, 11]) await runs.createSyncRun(run('org-runs', `r-${hour}`, hour));
      const first = await runs.listSyncRuns('org-runs', { limit: 2 });
      assert.deepEqual(first.items.map((r) => r.runId), ['r-12', 'r-11']);
      const second = await runs.listSyncRuns('org-runs', { limit: 2, cursor: first.nextCursor });
      assert.deepEqual(second.items.map((r) => r.runId), ['r-10']);
      assert.equal(second.nextCursor, undefined);
    });

    it('saves seen-account chunks idempotently and reads them back in chunk order', async () => {
      const chunkCount = 12;
      for (let chunk = chunkCount - 1; chunk >= 0; chunk--) {
        await runs.saveSeenChunk('org-1', 'r-c', chunk, Array.from({ length: 100 }, (_, i) => `acc-${chunk}-${i}`));
      }
      await runs.saveSeenChunk('org-1', 'r-c', 3, ['acc-3-replaced']);
      const chunks: string[][] = [];
      for await (const ids of runs.seenChunks('org-1', 'r-c')) chunks.push(ids);
      assert.equal(chunks.length, chunkCount);
      assert.equal(chunks[0]?.[0], 'acc-0-0');
      assert.deepEqual(chunks[3], ['acc-3-replaced']);
      assert.equal(chunks[11]?.length, 100);
      const none: string[][] = [];
      for await (const ids of runs.seenChunks('org-2', 'r-c')) none.push(ids);
      assert.deepEqual(none, []);
      const { Item } = await dynamo.documentClient.send(
        new GetCommand({ TableName: dynamo.tableName, Key: { pk: 'ORG#org-1#RUN#r-c#SEEN', sk: '00000000' } }),
      );
      assert.equal(Item?.ttl, NOW.getTime() / 1000 + 7 * 86_400);
    });

    it('refuses chunks too large for one item', async () => {
      await assert.rejects(runs.saveSeenChunk('org-1', 'r-d', 0, Array.from({ length: 5001 }, (_, i) => `a${i}`)), RangeError);
      await assert.rejects(runs.saveSeenChunk('org-1', 'r-d', -1, []), RangeError);
    });
  });

  describe('DynamoDeprovisionStore', () => {
    it('records requests and lists them newest first per org', async () => {
      for (const [id, hour] of [['d-1', 1], ['d-3', 3], ['d-2', 2]] as const) {
        await deprovisions.putDeprovisionRequest(deprovision('org-1', id, hour));
      }
      await deprovisions.putDeprovisionRequest(deprovision('org-2', 'd-9', 9));
      const page = await deprovisions.listDeprovisionRequests('org-1', { limit: 2 });
      assert.deepEqual(page.items.map((d) => d.requestId), ['d-3', 'd-2']);
      const rest = await deprovisions.listDeprovisionRequests('org-1', { cursor: page.nextCursor });
      assert.deepEqual(rest.items.map((d) => d.requestId), ['d-1']);
      assert.deepEqual(await deprovisions.getDeprovisionRequest('org-1', 'd-2'), deprovision('org-1', 'd-2', 2));
      assert.equal(await deprovisions.getDeprovisionRequest('org-2', 'd-2'), undefined);
    });

    it('grants an idempotency key once and tells later callers what holds it', async () => {
      const claim = { requestId: 'd-10', accountId: 'acc-1', action: 'remove' as const };
      assert.deepEqual(await deprovisions.claimIdempotencyKey('org-1', 'idem-1', claim), { claimed: true });
      assert.deepEqual(await deprovisions.claimIdempotencyKey('org-1', 'idem-1', { ...claim, requestId: 'd-11' }), {
        claimed: false,
        existing: claim,
      });
      assert.deepEqual(await deprovisions.claimIdempotencyKey('org-2', 'idem-1', claim), { claimed: true }, 'keys are per org');
    });

    it('frees an idempotency key once its reservation expired, even before TTL deletion', async () => {
      const claim = { requestId: 'd-20', accountId: 'acc-2', action: 'suspend' as const };
      await deprovisions.claimIdempotencyKey('org-1', 'idem-2', claim);
      now = new Date(NOW.getTime() + 25 * 3_600_000);
      try {
        assert.deepEqual(await deprovisions.claimIdempotencyKey('org-1', 'idem-2', { ...claim, requestId: 'd-21' }), { claimed: true });
      } finally {
        now = NOW;
      }
    });
  });
});
