import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffSnapshots, trackedFieldChanges } from '../../functions/core/domain/diff.js';
import type { ManagedUser } from '../../functions/core/domain/model.js';
import { buildSnapshot, snapshotNeedsWrite, tombstoneSnapshot } from '../../functions/core/domain/snapshot.js';

const T0 = new Date('2026-12-01T00:00:00.000Z');
const T1 = new Date('2026-12-01T06:00:00.000Z');
const T2 = new Date('2026-12-01T12:00:00.000Z');
const context = (at: Date) => ({ at: at.toISOString(), runId: 'run-1', source: 'sync' as const });

const user: ManagedUser = {
  accountId: 'acc-1',
  accountType: 'atlassian',
  name: 'Grace Hopper',
  email: 'grace@example.com',
  accountStatus: 'active',
  membershipStatus: 'active',
  productAccess: [{ key: 'jira-software', lastActiveAt: '2026-11-30T09:00:00Z' }, { key: 'confluence' }],
  source: 'v2',
};

describe('buildSnapshot', () => {
  it('derives state, sorted products and first-seen times for a new user', () => {
    const snapshot = buildSnapshot('org-1', user, undefined, T0);
    assert.equal(snapshot.orgId, 'org-1');
    assert.equal(snapshot.accessState, 'active');
    assert.deepEqual(snapshot.productKeys, ['confluence', 'jira-software']);
    assert.deepEqual(snapshot.productAccess.map((p) => p.key), ['confluence', 'jira-software']);
    assert.equal(snapshot.firstSeenAt, T0.toISOString());
    assert.equal(snapshot.lastSeenAt, T0.toISOString());
    assert.equal(snapshot.lastChangedAt, T0.toISOString());
    assert.equal(snapshot.removedAt, undefined);
  });

  it('keeps first-seen and last-changed times when nothing tracked changed', () => {
    const first = buildSnapshot('org-1', user, undefined, T0);
    const second = buildSnapshot('org-1', { ...user, productAccess: [...user.productAccess].reverse() }, first, T1);
    assert.equal(second.firstSeenAt, T0.toISOString());
    assert.equal(second.lastChangedAt, T0.toISOString());
    assert.equal(second.lastSeenAt, T1.toISOString());
    assert.equal(second.contentHash, first.contentHash);
    assert.equal(snapshotNeedsWrite(first, second), false);
  });

  it('moves last-changed time when a tracked field changes', () => {
    const first = buildSnapshot('org-1', user, undefined, T0);
    const second = buildSnapshot('org-1', { ...user, productAccess: [] }, first, T1);
    assert.equal(second.accessState, 'no_product_access');
    assert.equal(second.lastChangedAt, T1.toISOString());
    assert.equal(snapshotNeedsWrite(first, second), true);
  });

  it('needs a write but keeps last-changed time when only activity moved to another day', () => {
    const first = buildSnapshot('org-1', user, undefined, T0);
    const second = buildSnapshot('org-1', { ...user, lastActiveAt: '2026-12-01T05:00:00Z' }, first, T1);
    assert.equal(snapshotNeedsWrite(first, second), true);
    assert.equal(second.lastChangedAt, T0.toISOString());
    assert.equal(diffSnapshots(first, second, context(T1)), undefined);
  });

  it('brings a returning user back from its tombstone, keeping when it was first seen', () => {
    const first = buildSnapshot('org-1', user, undefined, T0);
    const tombstone = tombstoneSnapshot(first, T1);
    const back = buildSnapshot('org-1', user, tombstone, T2);
    assert.equal(back.removedAt, undefined);
    assert.equal(back.accessState, 'active');
    assert.equal(back.firstSeenAt, T0.toISOString());
    assert.equal(back.lastChangedAt, T2.toISOString());
    assert.equal(snapshotNeedsWrite(tombstone, back), true);
  });
});

describe('tombstoneSnapshot', () => {
  it('marks the user removed at the given time', () => {
    const tombstone = tombstoneSnapshot(buildSnapshot('org-1', user, undefined, T0), T1);
    assert.equal(tombstone.accessState, 'removed');
    assert.equal(tombstone.removedAt, T1.toISOString());
    assert.equal(tombstone.lastChangedAt, T1.toISOString());
  });

  it('leaves an existing tombstone untouched', () => {
    const tombstone = tombstoneSnapshot(buildSnapshot('org-1', user, undefined, T0), T1);
    assert.equal(tombstoneSnapshot(tombstone, T2), tombstone);
  });
});

describe('diffSnapshots', () => {
  const first = buildSnapshot('org-1', user, undefined, T0);

  it('reports a new user as added with every tracked field', () => {
    const change = diffSnapshots(undefined, first, context(T0));
    assert.equal(change?.kind, 'added');
    assert.equal(change?.orgId, 'org-1');
    assert.equal(change?.accountId, 'acc-1');
    assert.equal(change?.runId, 'run-1');
    assert.equal(change?.source, 'sync');
    assert.deepEqual(change?.fields.accessState, { before: null, after: 'active' });
    assert.deepEqual(change?.fields.productKeys, { before: null, after: ['confluence', 'jira-software'] });
    assert.equal(change?.fields.billable, undefined, 'fields absent on both sides are not reported');
  });

  it('reports a tombstone as removed', () => {
    const change = diffSnapshots(first, tombstoneSnapshot(first, T1), context(T1));
    assert.equal(change?.kind, 'removed');
    assert.deepEqual(change?.fields, { accessState: { before: 'active', after: 'removed' } });
  });

  it('reports a vanished user as removed', () => {
    const change = diffSnapshots(first, undefined, context(T1));
    assert.equal(change?.kind, 'removed');
    assert.deepEqual(change?.fields.accessState, { before: 'active', after: 'removed' });
  });

  it('reports a returning user as added with the tombstone as before', () => {
    const tombstone = tombstoneSnapshot(first, T1);
    const change = diffSnapshots(tombstone, buildSnapshot('org-1', user, tombstone, T2), context(T2));
    assert.equal(change?.kind, 'added');
    assert.deepEqual(change?.fields, { accessState: { before: 'removed', after: 'active' } });
  });

  const edits: [string, Partial<ManagedUser>, Record<string, { before: unknown; after: unknown }>][] = [
    ['a lost product', { productAccess: [{ key: 'confluence' }] }, {
      productKeys: { before: ['confluence', 'jira-software'], after: ['confluence'] },
    }],
    ['suspension', { membershipStatus: 'suspended' }, {
      membershipStatus: { before: 'active', after: 'suspended' },
      accessState: { before: 'active', after: 'suspended' },
    }],
    ['deactivation', { accountStatus: 'inactive' }, {
      accountStatus: { before: 'active', after: 'inactive' },
      accessState: { before: 'active', after: 'deactivated' },
    }],
    ['an email hidden by the user', { email: undefined }, { email: { before: 'grace@example.com', after: null } }],
    ['a new name', { name: 'Rear Admiral Hopper' }, { name: { before: 'Grace Hopper', after: 'Rear Admiral Hopper' } }],
    ['SCIM taking over', { managementSource: 'synced' }, { managementSource: { before: null, after: 'synced' } }],
    ['billable becoming known', { billable: false }, { billable: { before: null, after: false } }],
  ];
  for (const [what, patch, expected] of edits) {
    it(`reports ${what} as changed with before and after`, () => {
      const next = buildSnapshot('org-1', { ...user, ...patch }, first, T1);
      const change = diffSnapshots(first, next, context(T1));
      assert.equal(change?.kind, 'changed');
      assert.deepEqual(change?.fields, expected);
      assert.equal(change?.at, T1.toISOString());
    });
  }

  it('reports nothing when both sides are tombstones or absent', () => {
    const tombstone = tombstoneSnapshot(first, T1);
    assert.equal(diffSnapshots(tombstone, tombstone, context(T2)), undefined);
    assert.equal(diffSnapshots(undefined, undefined, context(T2)), undefined);
  });

  it('lists no tracked change between equal snapshots', () => {
    assert.deepEqual(trackedFieldChanges(first, structuredClone(first)), {});
  });
});
