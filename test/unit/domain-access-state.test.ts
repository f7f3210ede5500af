import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveAccessState } from '../../functions/core/domain/access-state.js';
import type { AccessState, ManagedUser } from '../../functions/core/domain/model.js';

const JIRA = [{ key: 'jira-software' }];

interface Case {
  name: string;
  accountStatus: ManagedUser['accountStatus'];
  membershipStatus?: ManagedUser['membershipStatus'];
  products: ManagedUser['productAccess'];
  removed?: boolean;
  expected: AccessState;
}

const cases: Case[] = [
  { name: 'active account with a product', accountStatus: 'active', products: JIRA, expected: 'active' },
  { name: 'active account and membership with a product', accountStatus: 'active', membershipStatus: 'active', products: JIRA, expected: 'active' },
  { name: 'active account without products', accountStatus: 'active', products: [], expected: 'no_product_access' },
  { name: 'active membership without products', accountStatus: 'active', membershipStatus: 'active', products: [], expected: 'no_product_access' },
  { name: 'suspended membership with a product', accountStatus: 'active', membershipStatus: 'suspended', products: JIRA, expected: 'suspended' },
  { name: 'suspended membership without products', accountStatus: 'active', membershipStatus: 'suspended', products: [], expected: 'suspended' },
  { name: 'inactive account with a product', accountStatus: 'inactive', products: JIRA, expected: 'deactivated' },
  { name: 'inactive account with suspended membership', accountStatus: 'inactive', membershipStatus: 'suspended', products: [], expected: 'deactivated' },
  { name: 'closed account with a product', accountStatus: 'closed', products: JIRA, expected: 'closed' },
  { name: 'closed account with suspended membership', accountStatus: 'closed', membershipStatus: 'suspended', products: [], expected: 'closed' },
  { name: 'removed active user', accountStatus: 'active', products: JIRA, removed: true, expected: 'removed' },
  { name: 'removed closed user', accountStatus: 'closed', products: [], removed: true, expected: 'removed' },
  { name: 'not removed when the option is false', accountStatus: 'active', products: JIRA, removed: false, expected: 'active' },
  { name: 'status in upper case', accountStatus: 'ACTIVE', membershipStatus: 'Suspended', products: JIRA, expected: 'suspended' },
  { name: 'status with blanks', accountStatus: ' closed ', products: JIRA, expected: 'closed' },
  { name: 'unknown account status', accountStatus: 'pending_deletion', products: JIRA, expected: 'deactivated' },
  { name: 'empty account status', accountStatus: '', products: JIRA, expected: 'deactivated' },
  { name: 'no_membership with a product', accountStatus: 'active', membershipStatus: 'no_membership', products: JIRA, expected: 'active' },
  { name: 'no_membership without products', accountStatus: 'active', membershipStatus: 'no_membership', products: [], expected: 'no_product_access' },
  { name: 'unknown membership status', accountStatus: 'active', membershipStatus: 'invited', products: JIRA, expected: 'active' },
];

describe('deriveAccessState', () => {
  for (const c of cases) {
    it(`derives ${c.expected} for ${c.name}`, () => {
      const user = { accountStatus: c.accountStatus, membershipStatus: c.membershipStatus, productAccess: c.products };
      assert.equal(deriveAccessState(user, { removed: c.removed }), c.expected);
    });
  }

  it('treats a missing options argument as not removed', () => {
    assert.equal(deriveAccessState({ accountStatus: 'active', productAccess: JIRA }), 'active');
  });
});
