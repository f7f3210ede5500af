import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  daysUntilKeyExpiry,
  describeKeyExpiry,
  estimateKeyExpiry,
  keyExpirySeverity,
  type KeyExpirySeverity,
} from '../../functions/core/domain/key-expiry.js';

describe('daysUntilKeyExpiry', () => {
  const cases: [string, string | undefined, string, number | undefined][] = [
    ['exactly 30 days', '2027-01-31T00:00:00Z', '2027-01-01T00:00:00Z', 30],
    ['30 days less one second', '2027-01-31T00:00:00Z', '2027-01-01T00:00:01Z', 29],
    ['less than a day', '2027-01-01T12:00:00Z', '2027-01-01T00:00:00Z', 0],
    ['the instant of expiry', '2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 0],
    ['one second after expiry', '2027-01-01T00:00:00Z', '2027-01-01T00:00:01Z', -1],
    ['two days after expiry', '2027-01-01T00:00:00Z', '2027-01-03T00:00:00Z', -2],
    ['leap day expiry seen from UTC+14 on the eve', '2028-02-29T00:00:00Z', '2028-02-29T09:59:59+14:00', 0],
    ['leap day expiry seen from UTC+14 a day before', '2028-02-29T00:00:00Z', '2028-02-28T13:00:00+14:00', 1],
    ['leap day expiry seen from UTC-12 already past', '2028-02-29T00:00:00Z', '2028-02-28T12:00:01-12:00', -1],
    ['leap day expiry seen from UTC-12 before', '2028-02-29T00:00:00Z', '2028-02-28T11:00:00-12:00', 0],
    ['leap day expiry across February', '2028-02-29T00:00:00Z', '2028-02-01T00:00:00Z', 28],
    ['expiry written in UTC+14', '2028-03-01T00:00:00+14:00', '2028-02-28T00:00:00Z', 1],
    ['expiry written in UTC-12', '2028-02-29T00:00:00-12:00', '2028-02-28T00:00:00Z', 1],
    ['a date without time means midnight UTC', '2028-02-29', '2028-02-27T00:00:00Z', 2],
    ['one year across a leap day', '2028-12-31T00:00:00Z', '2027-12-31T00:00:00Z', 366],
    ['missing expiry', undefined, '2027-01-01T00:00:00Z', undefined],
    ['unparsable expiry', 'next tuesday', '2027-01-01T00:00:00Z', undefined],
  ];
  for (const [name, expiresAt, now, expected] of cases) {
    it(`counts ${String(expected)} for ${name}`, () => {
      assert.equal(daysUntilKeyExpiry(expiresAt, new Date(now)), expected);
    });
  }
});

describe('keyExpirySeverity', () => {
  const now = '2028-02-01T00:00:00Z';
  const cases: [string, { expiresAt: string | undefined; rejected?: boolean; now?: string; warningDays?: number; criticalDays?: number }, KeyExpirySeverity][] = [
    ['far future', { expiresAt: '2029-01-01T00:00:00Z' }, 'ok'],
    ['31 days left', { expiresAt: '2028-03-03T00:00:00Z' }, 'ok'],
    ['30 days and one second left', { expiresAt: '2028-03-02T00:00:01Z' }, 'ok'],
    ['exactly 30 days left', { expiresAt: '2028-03-02T00:00:00Z' }, 'warning'],
    ['8 days left', { expiresAt: '2028-02-09T00:00:00Z' }, 'warning'],
    ['7 days and one second left', { expiresAt: '2028-02-08T00:00:01Z' }, 'warning'],
    ['exactly 7 days left', { expiresAt: '2028-02-08T00:00:00Z' }, 'critical'],
    ['one second left', { expiresAt: '2028-02-01T00:00:01Z' }, 'critical'],
    ['the instant of expiry', { expiresAt: '2028-02-01T00:00:00Z' }, 'expired'],
    ['long expired', { expiresAt: '2027-01-01T00:00:00Z' }, 'expired'],
    ['rejected with a future date', { expiresAt: '2029-01-01T00:00:00Z', rejected: true }, 'rejected'],
    ['rejected without a date', { expiresAt: undefined, rejected: true }, 'rejected'],
    ['no date', { expiresAt: undefined }, 'unknown'],
    ['a garbled date', { expiresAt: '2028-13-45' }, 'unknown'],
    ['leap day expiry, UTC+14 clock at 14:00 on the 22nd', { expiresAt: '2028-02-29T00:00:00Z', now: '2028-02-22T14:00:00+14:00' }, 'critical'],
    ['leap day expiry, UTC+14 clock a second earlier', { expiresAt: '2028-02-29T00:00:00Z', now: '2028-02-22T13:59:59+14:00' }, 'warning'],
    ['leap day expiry, UTC-12 clock on the 21st', { expiresAt: '2028-02-29T00:00:00Z', now: '2028-02-21T11:59:59-12:00' }, 'warning'],
    ['leap day expiry, UTC-12 clock after it', { expiresAt: '2028-02-29T00:00:00Z', now: '2028-02-28T12:00:00-12:00' }, 'expired'],
    ['custom thresholds, 10 days left', { expiresAt: '2028-02-11T00:00:00Z', warningDays: 14, criticalDays: 10 }, 'critical'],
    ['custom thresholds, 12 days left', { expiresAt: '2028-02-13T00:00:00Z', warningDays: 14, criticalDays: 10 }, 'warning'],
    ['custom thresholds, 15 days left', { expiresAt: '2028-02-16T00:00:00Z', warningDays: 14, criticalDays: 10 }, 'ok'],
  ];
  for (const [name, input, expected] of cases) {
    it(`is ${expected} for ${name}`, () => {
      const thresholds =
        input.warningDays === undefined ? undefined : { warningDays: input.warningDays, criticalDays: input.criticalDays ?? 0 };
      const severity = keyExpirySeverity({
        expiresAt: input.expiresAt,
        rejected: input.rejected,
        now: new Date(input.now ?? now),
        thresholds,
      });
      assert.equal(severity, expected);
    });
  }
});

describe('estimateKeyExpiry', () => {
  const cases: [string, string][] = [
    ['2027-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z'],
    ['2027-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2028-02-29T12:00:00Z', '2029-02-28T12:00:00.000Z'],
    ['2028-01-01T00:00:00Z', '2028-12-31T00:00:00.000Z'],
    ['2027-06-01T10:00:00+14:00', '2028-05-30T20:00:00.000Z'],
    ['2027-06-01T10:00:00-12:00', '2028-05-31T22:00:00.000Z'],
  ];
  for (const [connectedAt, expected] of cases) {
    it(`estimates ${expected} for a key connected at ${connectedAt}`, () => {
      assert.equal(estimateKeyExpiry(connectedAt), expected);
      assert.equal(estimateKeyExpiry(new Date(connectedAt)), expected);
    });
  }

  it('refuses a time that does not parse', () => {
    assert.throws(() => estimateKeyExpiry('yesterday'), RangeError);
  });
});

describe('describeKeyExpiry', () => {
  it('says that an estimated date is an estimate and the latest possible one', () => {
    const text = describeKeyExpiry('2028-02-29T00:00:00.000Z', 'estimated');
    assert.match(text, /^2028-02-29 at the latest/);
    assert.match(text, /estimated/);
  });

  it('names the origin of declared and discovered dates', () => {
    assert.match(describeKeyExpiry('2028-02-29T00:00:00Z', 'declared'), /declared/);
    assert.match(describeKeyExpiry('2028-02-29T00:00:00Z', 'discovered'), /Atlassian/);
  });
});
