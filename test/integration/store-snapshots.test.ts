import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ManagedUser, UserSnapshot } from '../../functions/core/domain/model.js';
import { buildSnapshot, tombstoneSnapshot } from '../../functions/core/domain/snapshot.js';
import { DynamoSnapshotStore } from '../../functions/core/store/dynamo-snapshot-store.js';
import { BatchIncompleteError, InvalidCursorError } from '../../functions/core/store/errors.js';
import { createDocumentClient } from '../../functions/core/store/dynamo-common.js';
import { startDynamo, type TestDynamo } from '../support/dynamo.js';

const NOW = new Date('2026-12-01T00:00:00.000Z');
const noWait = { sleep: async () => {}, random: () => 0.5 };

function user(i: number, patch: Partial<ManagedUser> = {}): ManagedUser {
  return {
    accountId: `acc-${String(i).padStart(5, '0')}`,
    accountType: 'atlassian',
    name: `User ${i}`,
    email: `user${i}@example.com`,
    accountStatus: 'active',
    membershipStatus: 'active',
    lastActiveAt: '2026-11-30T00:00:00Z',
    productAccess: [{ key: 'jira-software', lastActiveAt: '2026-11-30T00:00:00Z' }],
    source: 'v2',
    ...patch,
  };
}

const snap = (orgId: string, u: ManagedUser, previous?: UserSnapshot) => buildSnapshot(orgId, u, previous, NOW);

/** Sends every page of a listing, following cursors, and returns all items and the pages' costs. */
async function listAll(store: DynamoSnapshotStore, orgId: string, query: Parameters<DynamoSnapshotStore['listUsers']>[1]) {
  const items: UserSnapshot[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.listUsers(orgId, { ...query, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== undefined);
  return { items, pages };
}

describe('DynamoSnapshotStore', () => {
  let dynamo: TestDynamo;
  let store: DynamoSnapshotStore;

  before(async () => {
    dynamo = await startDynamo({ tablePrefix: 'store-snapshots' });
    store = new DynamoSnapshotStore({ documentClient: dynamo.documentClient, tableName: dynamo.tableName, retry: noWait });
  });
  after(async () => dynamo.close());

  it('writes snapshots and reads them back one by one and in batches over 100 keys', async () => {
    const snapshots = Array.from({ length: 130 }, (_, i) => snap('org-batch', user(i)));
    await store.writeSnapshots(snapshots);
    assert.deepEqual(await store.getSnapshot('org-batch', 'acc-00007'), snapshots[7]);
    const ids = [...snapshots.map((s) => s.accountId), 'acc-missing'];
    const found = await store.getSnapshots('org-batch', ids);
    assert.equal(found.size, 130);
    assert.deepEqual(found.get('acc-00129'), snapshots[129]);
    assert.equal(found.has('acc-missing'), false);
    assert.equal((await store.getSnapshots('org-other', ids)).size, 0, 'another org sees none of them');
  });

  it('keeps the last of duplicate snapshots in one write', async () => {
    await store.writeSnapshots([snap('org-dup', user(1)), snap('org-dup', user(1, { name: 'Renamed' }))]);
    assert.equal((await store.getSnapshot('org-dup', 'acc-00001'))?.name, 'Renamed');
  });

  describe('listing an org of 1,500 users', () => {
    const orgId = 'org-big';
    before(async () => {
      const users = Array.from({ length: 1500 }, (_, i) => {
        if (i % 100 === 0) return user(i, { productAccess: [] });
        if (i % 100 === 1) return user(i, { membershipStatus: 'suspended' });
        if (i % 100 === 2) return user(i, { accountStatus: 'inactive' });
        if (i % 50 === 3) return user(i, { lastActiveAt: '2026-01-01T00:00:00Z', productAccess: [{ key: 'confluence', lastActiveAt: '2026-01-01T00:00:00Z' }], billable: true, managementSource: 'synced' });
        if (i % 50 === 4) return user(i, { productAccess: [{ key: 'confluence' }, { key: 'jira-software' }], billable: false });
        return user(i);
      });
      await store.writeSnapshots(users.map((u) => snap(orgId, u)));
      await store.writeSnapshots([snap('org-small', user(0, { productAccess: [] }))]);
    });

    it('lists no-product-access users reading only those users', async () => {
      const page = await store.listUsers(orgId, { accessState: 'no_product_access', limit: 1000 });
      assert.equal(page.items.length, 15);
      assert.equal(page.scannedCount, 15, 'the index partition holds only matching users');
      assert.equal(page.nextCursor, undefined);
      assert.ok(page.items.every((u) => u.orgId === orgId && u.accessState === 'no_product_access'));
    });

    it('pages through every current user with a cursor, without duplicates or gaps', async () => {
      const { items, pages } = await listAll(store, orgId, { limit: 400 });
      assert.equal(pages, 4);
      assert.equal(items.length, 1500);
      assert.equal(new Set(items.map((u) => u.accountId)).size, 1500);
      assert.ok(items.every((u) => u.orgId === orgId));
    });

    it('combines filters with the access-state index and pages a filtered listing', async () => {
      const { items } = await listAll(store, orgId, { accessState: 'active', product: 'confluence', billable: true, limit: 7 });
      assert.equal(items.length, 30);
      assert.ok(items.every((u) => u.productKeys.includes('confluence') && u.billable === true && u.accessState === 'active'));
    });

    const filters: [string, Parameters<DynamoSnapshotStore['listUsers']>[1], number, (u: UserSnapshot) => boolean][] = [
      ['status', { status: 'inactive' }, 15, (u) => u.accountStatus === 'inactive'],
      ['product', { product: 'confluence' }, 60, (u) => u.productKeys.includes('confluence')],
      ['billable false', { billable: false }, 30, (u) => u.billable === false],
      ['SCIM-managed', { scimManaged: true }, 30, (u) => u.managementSource === 'synced'],
      ['not SCIM-managed', { scimManaged: false }, 1470, (u) => u.managementSource !== 'synced'],
      ['inactive since a date', { lastActiveBefore: '2026-06-01T00:00:00+02:00' }, 30, (u) => u.lastActiveAt === '2026-01-01T00:00:00Z'],
      ['name prefix in another case', { q: 'USER 149' }, 11, (u) => u.name.startsWith('User 149')],
      ['email prefix', { q: 'user1499@' }, 1, (u) => u.email === 'user1499@example.com'],
      ['suspended state', { accessState: 'suspended' }, 15, (u) => u.membershipStatus === 'suspended'],
      ['deactivated state with a product', { accessState: 'deactivated', product: 'jira-software' }, 15, (u) => u.accountStatus === 'inactive'],
    ];
    for (const [name, query, expected, check] of filters) {
      it(`filters by ${name}`, async () => {
        const { items } = await listAll(store, orgId, { ...query, limit: 1000 });
        assert.equal(items.length, expected);
        assert.ok(items.every(check));
        assert.ok(items.every((u) => u.orgId === orgId));
      });
    }

    it('refuses a cursor issued for another org or another listing', async () => {
      const page = await store.listUsers(orgId, { limit: 10 });
      assert.ok(page.nextCursor);
      await assert.rejects(store.listUsers('org-small', { cursor: page.nextCursor }), InvalidCursorError);
      await assert.rejects(store.listUsers(orgId, { accessState: 'active', cursor: page.nextCursor }), InvalidCursorError);
      await assert.rejects(store.listUsers(orgId, { cursor: 'not-a-cursor' }), InvalidCursorError);
      await assert.rejects(store.listUsers(orgId, { limit: 1001 }), RangeError);
    });

    it('lists the current account ids from the keys-only index in pages', async () => {
      const pages: string[][] = [];
      for await (const ids of store.currentAccountIds(orgId, { pageSize: 500 })) pages.push(ids);
      assert.deepEqual(pages.map((p) => p.length), [500, 500, 500]);
      assert.equal(new Set(pages.flat()).size, 1500);
    });
  });

  it('keeps tombstones out of current lists but findable by state', async () => {
    const orgId = 'org-tomb';
    const kept = snap(orgId, user(1));
    const gone = snap(orgId, user(2));
    await store.writeSnapshots([kept, gone]);
    await store.writeSnapshots([tombstoneSnapshot(gone, new Date('2026-12-02T00:00:00Z'))]);

    const current: string[] = [];
    for await (const ids of store.currentAccountIds(orgId)) current.push(...ids);
    assert.deepEqual(current, ['acc-00001']);
    assert.deepEqual((await store.listUsers(orgId)).items.map((u) => u.accountId), ['acc-00001']);
    assert.deepEqual((await store.listUsers(orgId, { includeRemoved: true })).items.map((u) => u.accountId), ['acc-00001', 'acc-00002']);
    const removed = await store.listUsers(orgId, { accessState: 'removed' });
    assert.deepEqual(removed.items.map((u) => u.accountId), ['acc-00002']);
    assert.equal((await store.listUsers(orgId, { accessState: 'active' })).items.length, 1, 'the old state partition no longer holds it');
  });

  it('finds the same person across orgs by email, case-insensitively', async () => {
    await store.writeSnapshots([
      snap('org-x', user(7, { email: 'Ada.Lovelace@Example.com' })),
      snap('org-y', user(8, { email: 'ada.lovelace@example.com' })),
      tombstoneSnapshot(snap('org-z', user(9, { email: 'ada.lovelace@example.com' })), NOW),
      snap('org-x', user(10, { email: 'someone.else@example.com' })),
    ]);
    const found = await store.findUsersByEmail('  ADA.lovelace@example.COM ');
    assert.deepEqual(found.map((u) => `${u.orgId}/${u.accountId}`).sort(), ['org-x/acc-00007', 'org-y/acc-00008']);
    assert.equal((await store.findUsersByEmail('ada.lovelace@example.com', { includeRemoved: true })).length, 3);
    assert.deepEqual(await store.findUsersByEmail(''), []);
  });

  it('deletes every snapshot of one org and none of another', async () => {
    await store.writeSnapshots(Array.from({ length: 60 }, (_, i) => snap('org-purge', user(i))));
    await store.writeSnapshots([snap('org-keep', user(1))]);
    assert.equal(await store.deleteOrgSnapshots('org-purge'), 60);
    assert.equal((await store.listUsers('org-purge', { includeRemoved: true })).items.length, 0);
    assert.ok(await store.getSnapshot('org-keep', 'acc-00001'));
  });

  describe('with a DynamoDB that leaves part of each batch unprocessed', () => {
    /** Wraps the real client: every batch request processes only its first half until `failures` runs out. */
    function flakyClient(failures: number) {
      const real = createDocumentClient(dynamo.client);
      const realSend = real.send.bind(real) as (command: unknown) => Promise<any>;
      const calls = { write: 0, get: 0 };
      let left = failures;
      const send = async (command: unknown): Promise<unknown> => {
        if (command instanceof BatchWriteCommand) {
          calls.write++;
          const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0]!;
          if (left-- <= 0 || requests.length < 2) return realSend(command);
          const half = Math.ceil(requests.length / 2);
          await realSend(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, half) } }));
          return { UnprocessedItems: { [table]: requests.slice(half) } };
        }
        if (command instanceof BatchGetCommand) {
          calls.get++;
          const [table, request] = Object.entries(command.input.RequestItems ?? {})[0]!;
          const keys = request.Keys ?? [];
          if (left-- <= 0 || keys.length < 2) return realSend(command);
          const half = Math.ceil(keys.length / 2);
          const output = await realSend(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys.slice(0, half) } } }));
          return { Responses: output.Responses, UnprocessedKeys: { [table]: { Keys: keys.slice(half) } } };
        }
        return realSend(command);
      };
      return { client: Object.assign(real, { send }) as unknown as DynamoDBDocumentClient, calls };
    }

    it('retries unprocessed items and keys with backoff until all are done', async () => {
      const { client, calls } = flakyClient(3);
      const delays: number[] = [];
      const flaky = new DynamoSnapshotStore({
        documentClient: client,
        tableName: dynamo.tableName,
        retry: { sleep: async (ms) => void delays.push(ms), random: () => 0.999, concurrency: 1 },
      });
      const snapshots = Array.from({ length: 20 }, (_, i) => snap('org-flaky', user(i)));
      await flaky.writeSnapshots(snapshots);
      assert.equal(calls.write, 4, 'one request, then three retries of what was left');
      assert.deepEqual(delays, [49, 99, 199], 'exponential backoff with jitter below the ceiling');
      const found = await flaky.getSnapshots('org-flaky', snapshots.map((s) => s.accountId));
      assert.equal(found.size, 20);
      assert.equal(calls.get, 1, 'the failure budget was used up by the writes');
    });

    it('gives up after the configured attempts and says how many items are left', async () => {
      const { client } = flakyClient(100);
      const flaky = new DynamoSnapshotStore({
        documentClient: client,
        tableName: dynamo.tableName,
        retry: { ...noWait, maxAttempts: 3, concurrency: 1 },
      });
      const snapshots = Array.from({ length: 16 }, (_, i) => snap('org-flaky2', user(i)));
      await assert.rejects(flaky.writeSnapshots(snapshots), (error: unknown) => {
        assert.ok(error instanceof BatchIncompleteError);
        assert.equal(error.remaining, 2);
        assert.equal(error.code, 'STORE_THROTTLED');
        return true;
      });
      await assert.rejects(flaky.getSnapshots('org-flaky2', snapshots.map((s) => s.accountId)), BatchIncompleteError);
    });
  });
});
