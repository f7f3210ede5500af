import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  atlassianWriteEndpoint,
  bodyHashOf,
  dryRunWarnings,
  snapshotAfter,
} from '../../functions/core/deprovision/index.js';
import { contentHash } from '../../functions/core/domain/content-hash.js';
import type { DeprovisionAction, UserSnapshot } from '../../functions/core/domain/model.js';
import { buildSnapshot } from '../../functions/core/domain/snapshot.js';

const SEEN = new Date('2026-11-01T00:00:00.000Z');
const NOW = new Date('2026-12-04T12:00:00.000Z');

function snapshot(patch: Partial<UserSnapshot> = {}): UserSnapshot {
  const base = buildSnapshot(
    'org-1',
    {
      accountId: '712020:abc',
      accountType: 'atlassian',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      accountStatus: 'active',
      membershipStatus: 'active',
      managementSource: 'invited',
      productAccess: [{ key: 'confluence' }, { key: 'jira-software' }],
      source: 'v2',
    },
    undefined,
    SEEN,
  );
  return { ...base, ...patch };
}

describe('snapshotAfter', () => {
  const cases: [DeprovisionAction, Partial<UserSnapshot>, Partial<UserSnapshot>][] = [
    ['suspend', {}, { membershipStatus: 'suspended', accessState: 'suspended' }],
    ['restore', { membershipStatus: 'suspended', accessState: 'suspended' }, { membershipStatus: 'active', accessState: 'active' }],
    ['restore', { membershipStatus: 'suspended', accessState: 'suspended', productAccess: [], productKeys: [] }, { accessState: 'no_product_access' }],
    ['remove', {}, { accessState: 'removed', removedAt: NOW.toISOString() }],
  ];
  for (const [action, before, expected] of cases) {
    it(`${action} from ${before.accessState ?? 'active'} gives ${JSON.stringify(expected)}`, () => {
      const next = snapshotAfter(action, snapshot(before), NOW);
      for (const [field, value] of Object.entries(expected)) assert.deepEqual(next[field as keyof UserSnapshot], value, field);
      assert.equal(next.lastChangedAt, NOW.toISOString());
      assert.equal(next.lastSeenAt, SEEN.toISOString());
    });
  }

  it('rehashes the content after a membership change so the next sync compares against it', () => {
    const next = snapshotAfter('suspend', snapshot(), NOW);
    assert.equal(next.contentHash, contentHash(next));
    assert.notEqual(next.contentHash, snapshot().contentHash);
  });

  it('keeps lastChangedAt when suspending an already suspended user', () => {
    const suspended = snapshot({ membershipStatus: 'suspended', accessState: 'suspended' });
    assert.equal(snapshotAfter('suspend', suspended, NOW).lastChangedAt, SEEN.toISOString());
  });
});

describe('dryRunWarnings', () => {
  const cases: [string, DeprovisionAction, Partial<UserSnapshot>, RegExp[]][] = [
    ['nothing for an active invited user', 'suspend', {}, []],
    ['SCIM management', 'remove', { managementSource: 'synced' }, [/looks SCIM-managed \(managementSource: synced\); Atlassian will likely refuse/]],
    ['an already suspended user', 'suspend', { accessState: 'suspended', membershipStatus: 'suspended' }, [/already suspended/]],
    ['restoring a user who is not suspended', 'restore', {}, [/not suspended \(accessState: active, membership: active\)/]],
    ['removing a tombstoned user', 'remove', { accessState: 'removed', removedAt: SEEN.toISOString() }, [/no longer saw this account/]],
    ['suspending a closed account', 'suspend', { accountStatus: 'closed', accessState: 'closed' }, [/closed/]],
  ];
  for (const [name, action, patch, expected] of cases) {
    it(`warns about ${name}`, () => {
      const warnings = dryRunWarnings(action, snapshot(patch));
      assert.equal(warnings.length, expected.length, warnings.join(' | '));
      expected.forEach((pattern, index) => assert.match(warnings[index]!, pattern));
    });
  }
});

describe('atlassianWriteEndpoint', () => {
  it('names the v1 directory write the client calls first, with encoded ids', () => {
    assert.equal(atlassianWriteEndpoint('suspend', 'o1', 'a:b'), 'POST /admin/v1/orgs/o1/directory/users/a%3Ab/suspend-access');
    assert.equal(atlassianWriteEndpoint('restore', 'o1', 'a'), 'POST /admin/v1/orgs/o1/directory/users/a/restore-access');
    assert.equal(atlassianWriteEndpoint('remove', 'o1', 'a'), 'DELETE /admin/v1/orgs/o1/directory/users/a');
  });
});

describe('bodyHashOf', () => {
  const body = { accountId: 'a', action: 'suspend' as const, reason: 'Offboarded', dryRun: false };

  it('is equal for equal bodies and differs when any field differs', () => {
    assert.equal(bodyHashOf(body), bodyHashOf({ ...body }));
    const variants = [{ accountId: 'b' }, { action: 'remove' as const }, { reason: 'offboarded' }, { dryRun: true }];
    for (const variant of variants) assert.notEqual(bodyHashOf({ ...body, ...variant }), bodyHashOf(body), JSON.stringify(variant));
  });
});
