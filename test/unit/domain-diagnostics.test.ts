import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clearDiagnostics,
  guardRequiredDiagnostic,
  hasDiagnostic,
  keyExpiringDiagnostic,
  keyRejectedDiagnostic,
  rateLimitedDiagnostic,
  setDiagnostic,
  syncHeldDiagnostic,
  upstreamUnavailableDiagnostic,
} from '../../functions/core/domain/diagnostics.js';

const T0 = new Date('2026-12-01T00:00:00.000Z');
const T1 = new Date('2026-12-02T00:00:00.000Z');

describe('diagnostic messages', () => {
  it('explains both causes of GUARD_REQUIRED and where to check them', () => {
    const diagnostic = guardRequiredDiagnostic(T0);
    assert.equal(diagnostic.code, 'GUARD_REQUIRED');
    assert.equal(diagnostic.since, T0.toISOString());
    assert.match(diagnostic.message, /Atlassian Guard/);
    assert.match(diagnostic.message, /verified/);
    assert.match(diagnostic.message, /claimed/);
    assert.match(diagnostic.message, /admin\.atlassian\.com/);
  });

  it('tells how to rotate a rejected key, naming the org when known', () => {
    assert.equal(
      keyRejectedDiagnostic(T0).message,
      'the Atlassian API key was rejected — it may have expired or been revoked; rotate it with PUT /orgs/{orgId}/api-key',
    );
    const named = keyRejectedDiagnostic(T0, 'org-9');
    assert.match(named.message, /PUT \/orgs\/org-9\/api-key/);
    assert.equal(named.severity, 'error');
  });

  it('says an estimated expiry is an estimate', () => {
    const diagnostic = keyExpiringDiagnostic({
      expiresAt: '2027-01-10T00:00:00.000Z',
      source: 'estimated',
      daysLeft: 9,
      severity: 'warning',
      orgId: 'org-1',
      since: T0,
    });
    assert.equal(diagnostic.code, 'KEY_EXPIRING');
    assert.equal(diagnostic.severity, 'warning');
    assert.match(diagnostic.message, /expires in 9 days/);
    assert.match(diagnostic.message, /estimated/);
    assert.match(diagnostic.message, /PUT \/orgs\/org-1\/api-key/);
  });

  it('raises severity to error for a critical or expired key', () => {
    const base = { expiresAt: '2027-01-02T00:00:00Z', source: 'declared' as const, since: T0 };
    assert.equal(keyExpiringDiagnostic({ ...base, daysLeft: 1, severity: 'critical' }).severity, 'error');
    const expired = keyExpiringDiagnostic({ ...base, daysLeft: -1, severity: 'expired' });
    assert.equal(expired.severity, 'error');
    assert.match(expired.message, /expired on 2027-01-02/);
    assert.match(keyExpiringDiagnostic({ ...base, daysLeft: 1, severity: 'critical' }).message, /in 1 day,/);
  });

  it('carries the reason a sync was held', () => {
    const diagnostic = syncHeldDiagnostic('it would remove 80% of the users', T0);
    assert.equal(diagnostic.code, 'SYNC_HELD');
    assert.match(diagnostic.message, /would remove 80% of the users/);
  });

  it('mentions the retry delay of a rate limit when Atlassian gave one', () => {
    assert.match(rateLimitedDiagnostic(T0, 30).message, /30 seconds/);
    assert.doesNotMatch(rateLimitedDiagnostic(T0).message, /seconds/);
    assert.equal(upstreamUnavailableDiagnostic(T0, 'HTTP 503').code, 'UPSTREAM_UNAVAILABLE');
    assert.match(upstreamUnavailableDiagnostic(T0, 'HTTP 503').message, /HTTP 503/);
  });
});

describe('setDiagnostic and clearDiagnostics', () => {
  it('adds a diagnostic without touching the original list', () => {
    const original = [guardRequiredDiagnostic(T0)];
    const next = setDiagnostic(original, keyRejectedDiagnostic(T0));
    assert.equal(original.length, 1);
    assert.deepEqual(next.map((d) => d.code), ['GUARD_REQUIRED', 'KEY_REJECTED']);
  });

  it('replaces a diagnostic of the same code but keeps when it was first seen', () => {
    const first = setDiagnostic([], rateLimitedDiagnostic(T0, 10));
    const second = setDiagnostic(first, rateLimitedDiagnostic(T1, 60));
    assert.equal(second.length, 1);
    assert.equal(second[0]?.since, T0.toISOString());
    assert.match(second[0]?.message ?? '', /60 seconds/);
  });

  it('clears only the named codes', () => {
    const list = setDiagnostic(setDiagnostic([], keyRejectedDiagnostic(T0)), guardRequiredDiagnostic(T0));
    const cleared = clearDiagnostics(list, ['KEY_REJECTED', 'KEY_EXPIRING']);
    assert.deepEqual(cleared.map((d) => d.code), ['GUARD_REQUIRED']);
    assert.equal(hasDiagnostic(cleared, 'KEY_REJECTED'), false);
    assert.equal(hasDiagnostic(cleared, 'GUARD_REQUIRED'), true);
  });
});
