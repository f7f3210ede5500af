import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Org, UserSnapshot } from '../../functions/core/domain/model.js';
import { orgHealth } from '../../functions/core/orgs/health.js';
import { csvCell, USER_CSV_COLUMNS, userCsvRow } from '../../functions/core/users/csv.js';

describe('csvCell', () => {
  const cases: Array<[unknown, string]> = [
    ['plain', 'plain'],
    [undefined, ''],
    [null, ''],
    [true, 'true'],
    ['Doe, Jane', '"Doe, Jane"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1:A2)', "'=SUM(A1:A2)"],
    ['+1 555', "'+1 555"],
    ['-2', "'-2"],
    ['@import', "'@import"],
    ['\tindent', "'\tindent"],
    ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
    ['a=b', 'a=b'],
  ];
  for (const [value, expected] of cases) {
    it(`writes ${JSON.stringify(value)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(csvCell(value), expected);
    });
  }
});

describe('userCsvRow', () => {
  it('writes one cell per column, products separated by semicolons, absent fields empty', () => {
    const user: UserSnapshot = {
      orgId: 'o1',
      accountId: 'a1',
      accountType: 'atlassian',
      name: 'Ada',
      accountStatus: 'active',
      productAccess: [{ key: 'confluence' }, { key: 'jira-software' }],
      productKeys: ['confluence', 'jira-software'],
      source: 'v2',
      accessState: 'active',
      contentHash: 'h',
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-02T00:00:00.000Z',
      lastChangedAt: '2026-01-01T00:00:00.000Z',
    };

    const cells = userCsvRow(user).split(',');

    assert.equal(cells.length, USER_CSV_COLUMNS.length);
    assert.equal(cells[USER_CSV_COLUMNS.indexOf('products')], 'confluence;jira-software');
    assert.equal(cells[USER_CSV_COLUMNS.indexOf('email')], '');
    assert.equal(cells[USER_CSV_COLUMNS.indexOf('removedAt')], '');
  });
});

describe('orgHealth', () => {
  const now = new Date('2026-06-01T00:00:00.000Z');
  const org: Org = {
    orgId: 'o1',
    name: 'Acme',
    status: 'healthy',
    secretRef: 'atlassian-access-connector/o1',
    keyExpiresAt: '2026-06-21T00:00:00.000Z',
    keyExpirySource: 'estimated',
    connectedAt: '2025-06-21T00:00:00.000Z',
    diagnostics: [],
    updatedAt: '2026-06-01T00:00:00.000Z',
  };
  const thresholds = { warningDays: 30, criticalDays: 7 };

  it('gives days to expiry and severity, and says that an estimated expiry is an estimate', () => {
    const health = orgHealth(org, now, thresholds);

    assert.equal(health.daysToKeyExpiry, 20);
    assert.equal(health.keyExpirySeverity, 'warning');
    assert.match(health.keyExpiryDescription, /^2026-06-21 at the latest \(estimated/);
  });

  it('reports a rejected key whatever its date says', () => {
    const rejected = { ...org, diagnostics: [{ code: 'KEY_REJECTED' as const, severity: 'error' as const, message: 'm', since: '2026-05-31T00:00:00.000Z' }] };

    assert.equal(orgHealth(rejected, now, thresholds).keyExpirySeverity, 'rejected');
  });

  it('does not expose the secret reference', () => {
    assert.equal('secretRef' in orgHealth(org, now, thresholds), false);
  });
});
