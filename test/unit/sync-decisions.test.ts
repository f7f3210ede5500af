import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManagedUser, UserSnapshot } from '../../functions/core/domain/model.js';
import { buildSnapshot, tombstoneSnapshot } from '../../functions/core/domain/snapshot.js';
import { decideRemovals, planPage, type RemovalInput } from '../../functions/core/sync/index.js';

const EARLIER = new Date('2026-11-01T00:00:00.000Z');
const NOW = new Date('2026-12-01T00:00:00.000Z');

function user(id: string, patch: Partial<ManagedUser> = {}): ManagedUser {
  return {
    accountId: id,
    accountType: 'atlassian',
    name: `User ${id}`,
    email: `${id}@example.com`,
    accountStatus: 'active',
    membershipStatus: 'active',
    lastActiveAt: '2026-10-30T10:00:00Z',
    productAccess: [{ key: 'jira-software', lastActiveAt: '2026-10-30T10:00:00Z' }],
    source: 'v2',
    ...patch,
  };
}

const stored = (u: ManagedUser): UserSnapshot => buildSnapshot('org-1', u, undefined, EARLIER);

describe('planPage', () => {
  it('writes nothing for users whose content hash did not change', () => {
    const previous = new Map([['a', stored(user('a'))]]);
    const plan = planPage('org-1', 'run-1', [user('a', { lastActiveAt: '2026-10-30T18:00:00Z' })], previous, NOW);
    assert.deepEqual(plan.writes, []);
    assert.deepEqual(plan.changes, []);
    assert.deepEqual(plan.counts, { seen: 1, added: 0, changed: 0, removed: 0, unchanged: 1 });
  });

  it('writes a new user and records it as added', () => {
    const plan = planPage('org-1', 'run-1', [user('b')], new Map(), NOW);
    assert.equal(plan.writes.length, 1);
    assert.equal(plan.writes[0]?.firstSeenAt, NOW.toISOString());
    assert.deepEqual(plan.changes.map((c) => [c.accountId, c.kind, c.runId, c.source]), [['b', 'added', 'run-1', 'sync']]);
    assert.equal(plan.counts.added, 1);
  });

  it('writes a changed user with a change naming the fields before and after', () => {
    const previous = new Map([['a', stored(user('a'))]]);
    const plan = planPage('org-1', 'run-1', [user('a', { productAccess: [] })], previous, NOW);
    assert.equal(plan.counts.changed, 1);
    assert.equal(plan.writes[0]?.accessState, 'no_product_access');
    assert.deepEqual(plan.changes[0]?.fields.accessState, { before: 'active', after: 'no_product_access' });
    assert.deepEqual(plan.changes[0]?.fields.productKeys, { before: ['jira-software'], after: [] });
  });

  it('writes an activity-only change without a change record, because activity dates are not tracked', () => {
    const previous = new Map([['a', stored(user('a'))]]);
    const plan = planPage('org-1', 'run-1', [user('a', { lastActiveAt: '2026-11-29T10:00:00Z' })], previous, NOW);
    assert.equal(plan.writes.length, 1);
    assert.equal(plan.counts.changed, 1);
    assert.deepEqual(plan.changes, []);
  });

  it('counts a user returning after a tombstone as added and keeps when it was first seen', () => {
    const previous = new Map([['a', tombstoneSnapshot(stored(user('a')), EARLIER)]]);
    const plan = planPage('org-1', 'run-1', [user('a')], previous, NOW);
    assert.equal(plan.counts.added, 1);
    assert.equal(plan.writes[0]?.removedAt, undefined);
    assert.equal(plan.writes[0]?.firstSeenAt, EARLIER.toISOString());
    assert.equal(plan.changes[0]?.kind, 'added');
  });

  it('counts a user listed twice on one page once, keeping the last record', () => {
    const plan = planPage('org-1', 'run-1', [user('a', { name: 'First' }), user('a', { name: 'Second' })], new Map(), NOW);
    assert.deepEqual(plan.accountIds, ['a']);
    assert.equal(plan.counts.seen, 1);
    assert.equal(plan.writes[0]?.name, 'Second');
  });
});

describe('decideRemovals', () => {
  const scan = (missing: number, currentTotal: number) => ({ missing: Array.from({ length: missing }, (_, i) => `m${i}`), currentTotal });
  const base: RemovalInput = { seen: 100, added: 0, scan: scan(0, 100), suspiciousShare: 0.5, confirmsHeldRun: false };

  const cases: Array<[string, Partial<RemovalInput>, boolean]> = [
    ['applies when nobody is missing', {}, true],
    ['applies a small share of removals', { seen: 90, scan: scan(10, 100) }, true],
    ['applies exactly the allowed share', { seen: 50, scan: scan(50, 100) }, true],
    ['holds more than the allowed share', { seen: 49, scan: scan(51, 100) }, false],
    ['does not let users added in the run dilute the share', { seen: 80, added: 60, scan: scan(60, 140) }, false],
    ['applies more than the share when the next run confirms a held run', { seen: 40, scan: scan(60, 100), confirmsHeldRun: true }, true],
    ['holds zero users seen where there were some', { seen: 0, scan: scan(100, 100) }, false],
    ['holds zero users seen even when a held run is being confirmed', { seen: 0, scan: scan(100, 100), confirmsHeldRun: true }, false],
    ['applies when zero users are seen and none were stored', { seen: 0, scan: scan(0, 0) }, true],
    ['honours a stricter configured share', { seen: 85, scan: scan(15, 100), suspiciousShare: 0.1 }, false],
  ];
  for (const [name, patch, apply] of cases) {
    it(`${name}`, () => {
      assert.equal(decideRemovals({ ...base, ...patch }).apply, apply);
    });
  }

  it('explains a held run with the numbers and the setting to change', () => {
    const decision = decideRemovals({ ...base, seen: 40, scan: scan(60, 100) });
    assert.deepEqual(decision, {
      apply: false,
      zeroSeen: false,
      reason: 'the sync would remove 60 of 100 user(s) (60%), more than the 50% allowed (SUSPICIOUS_REMOVAL_SHARE)',
    });
  });

  it('explains a run that saw no users as the missing-Guard case', () => {
    const decision = decideRemovals({ ...base, seen: 0, scan: scan(30, 30) });
    assert.deepEqual(decision, {
      apply: false,
      zeroSeen: true,
      reason: 'Atlassian returned no managed accounts while 30 user(s) are stored; the snapshot is kept',
    });
  });
});
