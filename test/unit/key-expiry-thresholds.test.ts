import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../functions/core/config.js';
import {
  DEFAULT_KEY_EXPIRY_THRESHOLDS,
  daysUntilKeyExpiry,
  estimateKeyExpiry,
  keyExpirySeverity,
  type KeyExpirySeverity,
} from '../../functions/core/domain/key-expiry.js';

describe('key-expiry thresholds from configuration', () => {
  it('default to warning at 30 days and critical at 7, in the domain and in the configuration', () => {
    assert.deepEqual(DEFAULT_KEY_EXPIRY_THRESHOLDS, { warningDays: 30, criticalDays: 7 });
    assert.deepEqual(loadConfig({}).keyExpiry, { warningDays: 30, criticalDays: 7 });
  });

  const now = new Date('2027-06-01T00:00:00Z');
  const cases: [string, Record<string, string>, number, KeyExpirySeverity][] = [
    ['60/14, 45 days left', { KEY_EXPIRY_WARNING_DAYS: '60', KEY_EXPIRY_CRITICAL_DAYS: '14' }, 45, 'warning'],
    ['60/14, 14 days left', { KEY_EXPIRY_WARNING_DAYS: '60', KEY_EXPIRY_CRITICAL_DAYS: '14' }, 14, 'critical'],
    ['60/14, 61 days left', { KEY_EXPIRY_WARNING_DAYS: '60', KEY_EXPIRY_CRITICAL_DAYS: '14' }, 61, 'ok'],
    ['equal thresholds skip warning', { KEY_EXPIRY_WARNING_DAYS: '10', KEY_EXPIRY_CRITICAL_DAYS: '10' }, 10, 'critical'],
    ['equal thresholds, a day more', { KEY_EXPIRY_WARNING_DAYS: '10', KEY_EXPIRY_CRITICAL_DAYS: '10' }, 11, 'ok'],
    ['no critical stage', { KEY_EXPIRY_WARNING_DAYS: '5', KEY_EXPIRY_CRITICAL_DAYS: '0' }, 1, 'warning'],
    ['no warning at all still reports expiry', { KEY_EXPIRY_WARNING_DAYS: '0', KEY_EXPIRY_CRITICAL_DAYS: '0' }, 0, 'expired'],
  ];
  for (const [name, env, daysLeft, expected] of cases) {
    it(`is ${expected} for ${name}`, () => {
      const expiresAt = new Date(now.getTime() + daysLeft * 86_400_000).toISOString();
      assert.equal(keyExpirySeverity({ expiresAt, now, thresholds: loadConfig(env).keyExpiry }), expected);
    });
  }

  it('refuses a critical threshold above the warning threshold', () => {
    assert.throws(() => loadConfig({ KEY_EXPIRY_WARNING_DAYS: '7', KEY_EXPIRY_CRITICAL_DAYS: '30' }), /CRITICAL/);
  });
});

describe('an estimated expiry across a leap day', () => {
  const expiresAt = estimateKeyExpiry('2027-03-01T08:00:00Z');

  it('lands on 29 February', () => {
    assert.equal(expiresAt, '2028-02-29T08:00:00.000Z');
  });

  const cases: [string, number, KeyExpirySeverity][] = [
    ['2028-01-30T08:00:00Z', 30, 'warning'],
    ['2028-01-30T07:59:59Z', 30, 'ok'],
    ['2028-02-22T08:00:00+00:00', 7, 'critical'],
    ['2028-02-29T21:59:59+14:00', 0, 'critical'],
    ['2028-02-28T22:00:00-12:00', -1, 'expired'],
  ];
  for (const [now, days, severity] of cases) {
    it(`has ${days} days left and is ${severity} at ${now}`, () => {
      assert.equal(daysUntilKeyExpiry(expiresAt, new Date(now)), days);
      assert.equal(keyExpirySeverity({ expiresAt, now: new Date(now) }), severity);
    });
  }
});
