import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activityDay, contentHash } from '../../functions/core/domain/content-hash.js';
import type { ManagedUser } from '../../functions/core/domain/model.js';

const base: ManagedUser = {
  accountId: 'acc-1',
  accountType: 'atlassian',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  accountStatus: 'active',
  membershipStatus: 'active',
  managementSource: 'synced',
  billable: true,
  lastActiveAt: '2026-11-30T10:00:00.000Z',
  productAccess: [
    { key: 'jira-software', name: 'Jira', lastActiveAt: '2026-11-30T10:00:00.000Z' },
    { key: 'confluence', name: 'Confluence', lastActiveAt: '2026-11-29T08:00:00.000Z' },
  ],
  source: 'v2',
};

describe('contentHash', () => {
  it('is a stable string for the same user', () => {
    assert.equal(contentHash(base), contentHash(structuredClone(base)));
    assert.match(contentHash(base), /^[A-Za-z0-9_-]{43}$/);
  });

  it('ignores the order of product access', () => {
    const reordered = { ...base, productAccess: [...base.productAccess].reverse() };
    assert.equal(contentHash(reordered), contentHash(base));
  });

  it('ignores the listing the user came from and the connector bookkeeping', () => {
    const withBookkeeping = { ...base, source: 'v1' as const, lastSeenAt: '2030-01-01T00:00:00Z', firstSeenAt: 'x' };
    assert.equal(contentHash(withBookkeeping), contentHash(base));
  });

  it('ignores activity time of day but not the day', () => {
    assert.equal(contentHash({ ...base, lastActiveAt: '2026-11-30T23:59:00.000Z' }), contentHash(base));
    assert.notEqual(contentHash({ ...base, lastActiveAt: '2026-12-01T00:00:00.000Z' }), contentHash(base));
  });

  const changes: [string, Partial<ManagedUser>][] = [
    ['name', { name: 'Ada King' }],
    ['email', { email: 'ada@example.org' }],
    ['email removed', { email: undefined }],
    ['account status', { accountStatus: 'inactive' }],
    ['membership status', { membershipStatus: 'suspended' }],
    ['management source', { managementSource: 'invited' }],
    ['billable', { billable: false }],
    ['billable unknown', { billable: undefined }],
    ['account type', { accountType: 'app' }],
    ['account id', { accountId: 'acc-2' }],
    ['product removed', { productAccess: [base.productAccess[0]!] }],
    ['product added', { productAccess: [...base.productAccess, { key: 'bitbucket' }] }],
    ['product last active day', { productAccess: [{ ...base.productAccess[0]!, lastActiveAt: '2026-12-02T00:00:00Z' }, base.productAccess[1]!] }],
    ['last active removed', { lastActiveAt: undefined }],
  ];
  for (const [field, patch] of changes) {
    it(`changes when the ${field} changes`, () => {
      assert.notEqual(contentHash({ ...base, ...patch }), contentHash(base));
    });
  }

  it('does not confuse a missing email with an empty one', () => {
    assert.notEqual(contentHash({ ...base, email: undefined }), contentHash({ ...base, email: '' }));
  });
});

describe('activityDay', () => {
  const cases: [string | undefined, string | null][] = [
    [undefined, null],
    ['2026-11-30T10:00:00.000Z', '2026-11-30'],
    ['2026-11-30T23:30:00-02:00', '2026-12-01'],
    ['2026-12-01T05:00:00+14:00', '2026-11-30'],
    ['2026-11-30', '2026-11-30'],
    ['not a date', 'not a date'],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${String(input)} as ${String(expected)}`, () => {
      assert.equal(activityDay(input), expected);
    });
  }
});
