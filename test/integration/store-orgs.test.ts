import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyRejectedDiagnostic, rateLimitedDiagnostic, guardRequiredDiagnostic } from '../../functions/core/domain/diagnostics.js';
import type { Org } from '../../functions/core/domain/model.js';
import { DynamoOrgStore } from '../../functions/core/store/dynamo-org-store.js';
import { OrgAlreadyConnectedError, OrgNotFoundError, StaleWriteError } from '../../functions/core/store/errors.js';
import { startDynamo, type TestDynamo } from '../support/dynamo.js';

const NOW = new Date('2026-12-01T00:00:00.000Z');

function org(orgId: string, patch: Partial<Org> = {}): Org {
  return {
    orgId,
    name: `Org ${orgId}`,
    status: 'pending',
    secretRef: `atlassian-access-connector/${orgId}`,
    keyExpiresAt: '2027-12-01T00:00:00.000Z',
    keyExpirySource: 'estimated',
    connectedAt: NOW.toISOString(),
    diagnostics: [],
    updatedAt: NOW.toISOString(),
    ...patch,
  };
}

describe('DynamoOrgStore', () => {
  let dynamo: TestDynamo;
  let store: DynamoOrgStore;

  before(async () => {
    dynamo = await startDynamo({ tablePrefix: 'store-orgs' });
    store = new DynamoOrgStore({ documentClient: dynamo.documentClient, tableName: dynamo.tableName, clock: () => NOW });
  });
  after(async () => dynamo.close());

  it('creates an org and reads it back unchanged', async () => {
    const created = org('org-a', { diagnostics: [guardRequiredDiagnostic(NOW)] });
    await store.createOrg(created);
    assert.deepEqual(await store.getOrg('org-a'), created);
  });

  it('refuses to connect an org twice but replaces a disconnected one', async () => {
    await store.createOrg(org('org-b'));
    await assert.rejects(store.createOrg(org('org-b', { name: 'Again' })), OrgAlreadyConnectedError);
    await store.updateOrg('org-b', { status: 'disconnected', disconnectedAt: NOW.toISOString() });
    await store.createOrg(org('org-b', { name: 'Reconnected' }));
    const reconnected = await store.getOrg('org-b');
    assert.equal(reconnected?.name, 'Reconnected');
    assert.equal(reconnected?.status, 'pending');
    assert.equal(reconnected?.disconnectedAt, undefined);
  });

  it('lists every org in id order', async () => {
    await store.createOrg(org('org-c'));
    const ids = (await store.listOrgs()).map((o) => o.orgId);
    assert.deepEqual(ids, [...ids].sort());
    assert.ok(['org-a', 'org-b', 'org-c'].every((id) => ids.includes(id)));
  });

  it('updates only the named attributes and removes those set to null', async () => {
    await store.createOrg(org('org-d', { statusReason: 'first sync pending', userCount: 3 }));
    const later = '2026-12-02T00:00:00.000Z';
    const updated = await store.updateOrg('org-d', { status: 'healthy', statusReason: null, updatedAt: later });
    assert.equal(updated.status, 'healthy');
    assert.equal(updated.statusReason, undefined);
    assert.equal(updated.userCount, 3, 'attributes not named are kept');
    assert.equal(updated.updatedAt, later);
    assert.deepEqual(await store.getOrg('org-d'), updated);
  });

  it('does not clobber a concurrent writer of other attributes', async () => {
    await store.createOrg(org('org-e'));
    await Promise.all([
      store.updateOrg('org-e', { status: 'healthy' }),
      store.updateOrg('org-e', { userCount: 42 }),
      store.setDiagnostic('org-e', guardRequiredDiagnostic(NOW)),
      store.updateOrg('org-e', { lastSync: { runId: 'r1', outcome: 'succeeded', finishedAt: NOW.toISOString(), counts: { seen: 1, added: 1, changed: 0, removed: 0, unchanged: 0 } } }),
    ]);
    const stored = await store.getOrg('org-e');
    assert.equal(stored?.status, 'healthy');
    assert.equal(stored?.userCount, 42);
    assert.equal(stored?.lastSync?.runId, 'r1');
    assert.deepEqual(stored?.diagnostics.map((d) => d.code), ['GUARD_REQUIRED']);
  });

  it('applies a status change only from an expected status', async () => {
    await store.createOrg(org('org-f', { status: 'disconnected' }));
    await assert.rejects(store.updateOrg('org-f', { status: 'healthy' }, { expectedStatus: ['pending', 'healthy', 'error'] }), StaleWriteError);
    assert.equal((await store.getOrg('org-f'))?.status, 'disconnected');
    const updated = await store.updateOrg('org-f', { status: 'pending' }, { expectedStatus: ['disconnected'] });
    assert.equal(updated.status, 'pending');
  });

  it('reports an unknown org as not found on update and on diagnostics', async () => {
    await assert.rejects(store.updateOrg('org-missing', { status: 'healthy' }), OrgNotFoundError);
    await assert.rejects(store.setDiagnostic('org-missing', keyRejectedDiagnostic(NOW)), OrgNotFoundError);
    await assert.rejects(store.clearDiagnostics('org-missing', ['KEY_REJECTED']), OrgNotFoundError);
    assert.equal(await store.getOrg('org-missing'), undefined);
  });

  it('sets a diagnostic per code, keeps when it was first seen, and clears only named codes', async () => {
    await store.createOrg(org('org-g'));
    const later = new Date('2026-12-05T00:00:00.000Z');
    await store.setDiagnostic('org-g', rateLimitedDiagnostic(NOW, 10));
    await store.setDiagnostic('org-g', keyRejectedDiagnostic(NOW, 'org-g'));
    await store.setDiagnostic('org-g', rateLimitedDiagnostic(later, 60));
    let stored = await store.getOrg('org-g');
    assert.deepEqual(stored?.diagnostics.map((d) => d.code), ['KEY_REJECTED', 'RATE_LIMITED']);
    const rateLimited = stored?.diagnostics.find((d) => d.code === 'RATE_LIMITED');
    assert.equal(rateLimited?.since, NOW.toISOString());
    assert.match(rateLimited?.message ?? '', /60 seconds/);

    await store.clearDiagnostics('org-g', ['KEY_REJECTED', 'KEY_EXPIRING']);
    stored = await store.getOrg('org-g');
    assert.deepEqual(stored?.diagnostics.map((d) => d.code), ['RATE_LIMITED']);
  });

  it('gives the sync lease to one run at a time: free, expired or already its own; renewed and released only by its holder', async () => {
    await store.createOrg(org('org-lease'));
    const minute = 60_000;
    const at = (ms: number) => new Date(NOW.getTime() + ms);

    const first = await store.takeSyncLease('org-lease', 'run-a', { now: NOW, durationMs: 5 * minute });
    const refused = await store.takeSyncLease('org-lease', 'run-b', { now: at(minute), durationMs: 5 * minute });
    const extended = await store.takeSyncLease('org-lease', 'run-a', { now: at(2 * minute), durationMs: 5 * minute });
    const renewedByOther = await store.renewSyncLease('org-lease', 'run-b', { now: at(3 * minute), durationMs: 5 * minute });
    const releasedByOther = await store.releaseSyncLease('org-lease', 'run-b');
    const takenOver = await store.takeSyncLease('org-lease', 'run-b', { now: at(7 * minute), durationMs: 5 * minute });
    const renewedByLoser = await store.renewSyncLease('org-lease', 'run-a', { now: at(8 * minute), durationMs: 5 * minute });
    const renewed = await store.renewSyncLease('org-lease', 'run-b', { now: at(8 * minute), durationMs: 5 * minute });
    const held = await store.takeSyncLease('org-lease', 'run-c', { now: at(12 * minute), durationMs: 5 * minute });
    const released = await store.releaseSyncLease('org-lease', 'run-b');
    const afterRelease = await store.takeSyncLease('org-lease', 'run-c', { now: at(12 * minute), durationMs: 5 * minute });

    assert.deepEqual(first, { taken: true, lease: { runId: 'run-a', expiresAt: at(5 * minute).getTime() } });
    assert.deepEqual(refused, { taken: false, holder: { runId: 'run-a', expiresAt: at(5 * minute).getTime() } });
    assert.deepEqual(extended, { taken: true, lease: { runId: 'run-a', expiresAt: at(7 * minute).getTime() } });
    assert.equal(renewedByOther, false);
    assert.equal(releasedByOther, false);
    assert.deepEqual(takenOver, { taken: true, lease: { runId: 'run-b', expiresAt: at(12 * minute).getTime() } });
    assert.equal(renewedByLoser, false);
    assert.equal(renewed, true);
    assert.deepEqual(held, { taken: false, holder: { runId: 'run-b', expiresAt: at(13 * minute).getTime() } });
    assert.equal(released, true);
    assert.equal(afterRelease.taken, true);
  });

  it('keeps the sync lease out of the org as read and listed, and leaves updatedAt alone', async () => {
    const created = org('org-lease-hidden');
    await store.createOrg(created);
    await store.takeSyncLease('org-lease-hidden', 'run-a', { now: NOW, durationMs: 60_000 });

    const read = await store.getOrg('org-lease-hidden');
    const listed = (await store.listOrgs()).find((candidate) => candidate.orgId === 'org-lease-hidden');

    assert.deepEqual(read, created);
    assert.deepEqual(listed, created);
  });

  it('reports an unknown org as not found when a run takes or renews its lease', async () => {
    await assert.rejects(store.takeSyncLease('org-missing', 'run-a', { now: NOW, durationMs: 60_000 }), OrgNotFoundError);
    await assert.rejects(store.renewSyncLease('org-missing', 'run-a', { now: NOW, durationMs: 60_000 }), OrgNotFoundError);
    assert.equal(await store.releaseSyncLease('org-missing', 'run-a'), false);
    assert.equal(await store.getOrg('org-missing'), undefined);
  });

  it('deletes an org', async () => {
    await store.createOrg(org('org-h'));
    await store.deleteOrg('org-h');
    assert.equal(await store.getOrg('org-h'), undefined);
  });
});
