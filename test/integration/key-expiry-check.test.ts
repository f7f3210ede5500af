import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgePublisher } from '../../functions/core/events/eventbridge-publisher.js';
import { LocalEventPublisher } from '../../functions/core/events/local-publisher.js';
import { checkApiKeys, type KeyCheckDependencies } from '../../functions/core/key-expiry/check-keys.js';
import { keyExpiringDiagnostic } from '../../functions/core/domain/diagnostics.js';
import type { Org } from '../../functions/core/domain/model.js';
import type { EventPublisher } from '../../functions/core/ports.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import { startDynalite, type DynaliteServer } from '../support/dynamo.js';
import {
  secretsWith,
  captureConsole,
  clock,
  countingAtlassian,
  daysFromNow,
  freshMetrics,
  metricNames,
  org,
  orgStoreWith,
  type EmfLine,
} from './key-expiry-fixtures.js';

const HEALTHY = 'a0000000-0000-4000-8000-000000000001';
const EXPIRING = 'a0000000-0000-4000-8000-000000000002';
const REVOKED = 'a0000000-0000-4000-8000-000000000003';
const EXPIRED = 'a0000000-0000-4000-8000-000000000004';
const CANARY = 'ATCTT3xFfGN0-canary-key-revoked-7d1f';

const KEYS: Record<string, string> = {
  [HEALTHY]: 'key-healthy-0001',
  [EXPIRING]: 'key-expiring-0002',
  [REVOKED]: CANARY,
  [EXPIRED]: 'key-expired-0004',
};

const REJECTED_REASON = `the Atlassian API key was rejected — it may have expired or been revoked; rotate it with PUT /orgs/${REVOKED}/api-key`;

function fleetLine(emf: EmfLine[]): EmfLine {
  const fleet = emf.filter((line) => metricNames(line).includes('OrgsWithExpiringKeys'));
  assert.equal(fleet.length, 1, 'exactly one EMF line carries the fleet metrics');
  return fleet[0]!;
}

function orgDays(emf: EmfLine[]): Map<string, number> {
  return new Map(
    emf
      .filter((line) => metricNames(line).includes('DaysToKeyExpiry'))
      .map((line) => [line['OrgId'] as string, line['DaysToKeyExpiry'] as number]),
  );
}

describe('checkApiKeys', () => {
  let dynamo: DynaliteServer;
  let sim: Simulator;

  before(async () => {
    dynamo = await startDynalite();
    sim = await startSimulator({
      now: clock,
      orgs: [HEALTHY, EXPIRING, REVOKED, EXPIRED].map((orgId) => ({
        orgId,
        name: `Sim ${orgId.slice(-1)}`,
        apiKeys: [KEYS[orgId]!],
        userCount: 0,
      })),
    });
    sim.revokeKey(CANARY);
  });
  after(async () => {
    await sim.close();
    await dynamo.close();
  });

  async function setUp(orgs: Org[], events: EventPublisher = new LocalEventPublisher()) {
    const store = await orgStoreWith(dynamo, orgs);
    const atlassian = countingAtlassian(sim.baseUrl);
    const deps: KeyCheckDependencies = {
      config: { keyExpiry: { warningDays: 30, criticalDays: 7 }, keyCheckConcurrency: 4 },
      stores: { orgs: store },
      secrets: await secretsWith(KEYS),
      atlassian: atlassian.factory,
      events,
      clock,
    };
    return { store, deps, stats: atlassian.stats };
  }

  async function run(deps: KeyCheckDependencies) {
    const metrics = freshMetrics();
    const logger = new Logger({ serviceName: 'atlassian-access-connector', logLevel: 'DEBUG' });
    return captureConsole(async () => {
      const results = await checkApiKeys(deps, { metrics, logger });
      metrics.publishStoredMetrics();
      return results;
    });
  }

  describe('with EventBridge', () => {
    const eventBridge = mockClient(EventBridgeClient);
    beforeEach(() => eventBridge.reset());
    afterEach(() => eventBridge.reset());

    it('warns with metrics and exactly one event for an org whose key expires in 10 days', async () => {
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
      const expiresAt = daysFromNow(10);
      const { store, deps } = await setUp(
        [org(HEALTHY), org(EXPIRING, { name: 'Acme Expiring', keyExpiresAt: expiresAt, keyExpirySource: 'estimated' })],
        new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'connector-bus'),
      );

      const { result, emf } = await run(deps);

      const expiring = result.find((entry) => entry.orgId === EXPIRING);
      assert.equal(expiring?.severity, 'warning');
      assert.equal(expiring?.daysLeft, 10);
      assert.equal(expiring?.probe, 'accepted');
      assert.equal(result.find((entry) => entry.orgId === HEALTHY)?.severity, 'ok');

      const stored = await store.getOrg(EXPIRING);
      assert.equal(stored?.status, 'healthy');
      const diagnostic = stored?.diagnostics.find((entry) => entry.code === 'KEY_EXPIRING');
      assert.equal(diagnostic?.severity, 'warning');
      assert.match(diagnostic!.message, /expires in 10 days/);
      assert.match(diagnostic!.message, /at the latest \(estimated: connection time \+ 365 days/);
      assert.match(diagnostic!.message, new RegExp(`PUT /orgs/${EXPIRING}/api-key`));

      const calls = eventBridge.commandCalls(PutEventsCommand);
      assert.equal(calls.length, 1);
      assert.deepEqual(calls[0]!.args[0].input, {
        Entries: [
          {
            EventBusName: 'connector-bus',
            Source: 'atlassian-access-connector',
            DetailType: 'Atlassian API Key Expiring',
            Detail: JSON.stringify({
              orgId: EXPIRING,
              orgName: 'Acme Expiring',
              severity: 'warning',
              daysLeft: 10,
              keyExpiresAt: expiresAt,
              keyExpirySource: 'estimated',
              message: diagnostic!.message,
            }),
          },
        ],
      });

      const fleet = fleetLine(emf);
      assert.deepEqual(fleet._aws.CloudWatchMetrics[0]!.Dimensions, [['service']]);
      assert.equal(fleet._aws.CloudWatchMetrics[0]!.Namespace, 'AtlassianAccessConnector');
      assert.equal(fleet['service'], 'atlassian-access-connector');
      assert.equal(fleet['OrgId'], undefined);
      assert.equal(fleet['OrgsWithExpiringKeys'], 1);
      assert.equal(fleet['OrgsWithExpiredOrRejectedKeys'], 0);
      assert.equal(fleet['MinDaysToKeyExpiry'], 10);

      assert.deepEqual(orgDays(emf), new Map([[HEALTHY, 200], [EXPIRING, 10]]));
      const perOrg = emf.find((line) => line['OrgId'] === EXPIRING)!;
      assert.deepEqual(perOrg._aws.CloudWatchMetrics[0]!.Dimensions, [['service', 'OrgId']]);
      assert.deepEqual(metricNames(perOrg), ['DaysToKeyExpiry']);
    });

    it('emits nothing but metrics for a healthy org and clears a KEY_EXPIRING left from an older key', async () => {
      const stale = keyExpiringDiagnostic({
        expiresAt: daysFromNow(-2),
        source: 'declared',
        daysLeft: 3,
        severity: 'critical',
        since: new Date('2027-02-20T00:00:00Z'),
      });
      const { store, deps } = await setUp(
        [org(HEALTHY, { keyRotatedAt: '2027-02-27T00:00:00.000Z', diagnostics: [stale] })],
        new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'connector-bus'),
      );

      const { result, emf } = await run(deps);

      assert.deepEqual(
        result.map(({ orgId, severity, probe }) => ({ orgId, severity, probe })),
        [{ orgId: HEALTHY, severity: 'ok', probe: 'accepted' }],
      );
      assert.equal(eventBridge.commandCalls(PutEventsCommand).length, 0);
      const stored = await store.getOrg(HEALTHY);
      assert.deepEqual(stored?.diagnostics, []);
      assert.equal(stored?.status, 'healthy');
      const fleet = fleetLine(emf);
      assert.equal(fleet['OrgsWithExpiringKeys'], 0);
      assert.equal(fleet['OrgsWithExpiredOrRejectedKeys'], 0);
      assert.equal(fleet['MinDaysToKeyExpiry'], 200);
      assert.deepEqual(orgDays(emf), new Map([[HEALTHY, 200]]));
    });
  });

  it('marks an org error with the rotation reason and emits a rejected event when Atlassian rejects its key', async () => {
    const events = new LocalEventPublisher({ now: clock });
    const { store, deps } = await setUp([org(HEALTHY), org(REVOKED, { name: 'Revoked Inc' })], events);

    const { result, text } = await run(deps);

    const revoked = result.find((entry) => entry.orgId === REVOKED)!;
    assert.equal(revoked.severity, 'rejected');
    assert.equal(revoked.probe, 'rejected');
    const stored = await store.getOrg(REVOKED);
    assert.equal(stored?.status, 'error');
    assert.equal(stored?.statusReason, REJECTED_REASON);
    assert.deepEqual(
      stored?.diagnostics.map(({ code, severity, message }) => ({ code, severity, message })),
      [{ code: 'KEY_REJECTED', severity: 'error', message: REJECTED_REASON }],
    );
    assert.equal((await store.getOrg(HEALTHY))?.status, 'healthy');

    assert.deepEqual(
      events.events().map(({ detailType, detail }) => ({ detailType, detail })),
      [
        {
          detailType: 'Atlassian API Key Rejected',
          detail: {
            orgId: REVOKED,
            orgName: 'Revoked Inc',
            severity: 'rejected',
            daysLeft: 200,
            keyExpiresAt: daysFromNow(200),
            keyExpirySource: 'declared',
            message: REJECTED_REASON,
          },
        },
      ],
    );
    const fleet = fleetLine((await run(deps)).emf);
    assert.equal(fleet['OrgsWithExpiredOrRejectedKeys'], 1);
    assert.equal(fleet['OrgsWithRejectedKeys'], 1);

    assert.match(text, /API key rejected; org marked error/);
    const everything = JSON.stringify([result, events.events(), await store.listOrgs()]) + text;
    assert.ok(!everything.includes(CANARY), 'the API key appears nowhere');
  });

  it('keeps a rejected org in error with the same reason on the next day’s check', async () => {
    const { store, deps } = await setUp([org(REVOKED)]);
    await run(deps);
    const first = await store.getOrg(REVOKED);

    await run(deps);

    const second = await store.getOrg(REVOKED);
    assert.equal(second?.status, 'error');
    assert.equal(second?.statusReason, REJECTED_REASON);
    assert.deepEqual(second?.diagnostics, first?.diagnostics);
  });

  it('reports a key past its date as expired even while Atlassian still accepts it', async () => {
    const events = new LocalEventPublisher();
    const { store, deps } = await setUp([org(EXPIRED, { keyExpiresAt: daysFromNow(-1.5) })], events);

    const { result, emf } = await run(deps);

    assert.equal(result[0]?.severity, 'expired');
    assert.equal(result[0]?.daysLeft, -2);
    assert.deepEqual(
      events.events().map((event) => [event.detailType, event.detail['severity']]),
      [['Atlassian API Key Expiring', 'expired']],
    );
    const diagnostic = (await store.getOrg(EXPIRED))?.diagnostics[0];
    assert.equal(diagnostic?.code, 'KEY_EXPIRING');
    assert.equal(diagnostic?.severity, 'error');
    assert.match(diagnostic!.message, /expired on/);
    const fleet = fleetLine(emf);
    assert.equal(fleet['OrgsWithExpiredOrRejectedKeys'], 1);
    assert.equal(fleet['OrgsWithExpiringKeys'], 0);
    assert.equal(fleet['MinDaysToKeyExpiry'], -2);
  });

  it('treats a key that no longer sees its org as rejected', async () => {
    const events = new LocalEventPublisher();
    const { store, deps } = await setUp([org(EXPIRING)], events);
    deps.secrets = await secretsWith({ [EXPIRING]: KEYS[HEALTHY]! });

    const { result } = await run(deps);

    assert.equal(result[0]?.severity, 'rejected');
    assert.equal(result[0]?.probe, 'org-not-visible');
    const stored = await store.getOrg(EXPIRING);
    assert.equal(stored?.status, 'error');
    assert.match(stored!.statusReason!, /no longer has access to this organization/);
    assert.match(stored!.statusReason!, new RegExp(`PUT /orgs/${EXPIRING}/api-key`));
    assert.equal(events.events()[0]?.detailType, 'Atlassian API Key Rejected');
  });

  it('skips disconnected orgs', async () => {
    const { deps, stats } = await setUp([org(HEALTHY), org(EXPIRING, { status: 'disconnected', keyExpiresAt: daysFromNow(3) })]);

    const { result } = await run(deps);

    assert.deepEqual(result.map((entry) => entry.orgId), [HEALTHY]);
    assert.equal(stats.probes, 1);
  });

  it('still warns about an expiring key when the probe fails, without marking the org error', async () => {
    const events = new LocalEventPublisher();
    const { store, deps } = await setUp([org(EXPIRING, { keyExpiresAt: daysFromNow(5) })], events);
    sim.faults.serverError({ match: '/v1/orgs', times: 2, status: 503 });

    const { result } = await run(deps);

    assert.equal(result[0]?.probe, 'failed');
    assert.equal(result[0]?.error?.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(result[0]?.severity, 'critical');
    assert.equal((await store.getOrg(EXPIRING))?.status, 'healthy');
    assert.deepEqual(
      events.events().map((event) => event.detail['severity']),
      ['critical'],
    );
  });
});

describe('checkApiKeys across 50 orgs', () => {
  const ORG_COUNT = 50;
  const orgIds = Array.from({ length: ORG_COUNT }, (_, i) => `b0000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const keys = Object.fromEntries(orgIds.map((orgId, i) => [orgId, `fleet-key-${i}`]));
  const missingSecret = orgIds[17]!;
  let dynamo: DynaliteServer;
  let sim: Simulator;

  before(async () => {
    dynamo = await startDynalite();
    sim = await startSimulator({
      orgs: orgIds.map((orgId, i) => ({ orgId, name: `Fleet ${i}`, apiKeys: [keys[orgId]!], userCount: 0 })),
      latencyMs: 15,
    });
  });
  after(async () => {
    await sim.close();
    await dynamo.close();
  });

  it('checks every org with at most the configured probes in flight, and one failure does not stop the rest', async () => {
    const store = await orgStoreWith(
      dynamo,
      orgIds.map((orgId, i) => org(orgId, { keyExpiresAt: daysFromNow(5 + i * 10) })),
    );
    const { [missingSecret]: _missing, ...present } = keys;
    const secrets = await secretsWith(present);
    const atlassian = countingAtlassian(sim.baseUrl);
    const deps: KeyCheckDependencies = {
      config: { keyExpiry: { warningDays: 30, criticalDays: 7 }, keyCheckConcurrency: 4 },
      stores: { orgs: store },
      secrets,
      atlassian: atlassian.factory,
      events: new LocalEventPublisher(),
      clock,
    };
    const metrics = freshMetrics();

    const { result, emf } = await captureConsole(async () => {
      const results = await checkApiKeys(deps, { metrics });
      metrics.publishStoredMetrics();
      return results;
    });

    assert.equal(result.length, ORG_COUNT);
    assert.equal(atlassian.stats.maxInFlight, 4);
    assert.equal(atlassian.stats.probes, ORG_COUNT - 1);
    assert.equal(sim.requests.filter((request) => request.status === 200).length, ORG_COUNT - 1);
    const failed = result.filter((entry) => entry.probe === 'failed');
    assert.deepEqual(
      failed.map(({ orgId, error }) => ({ orgId, code: error?.code })),
      [{ orgId: missingSecret, code: 'SECRET_NOT_FOUND' }],
    );
    assert.equal(result.filter((entry) => entry.probe === 'accepted').length, ORG_COUNT - 1);
    assert.deepEqual(
      result.filter((entry) => entry.severity !== 'ok').map(({ severity, daysLeft }) => [severity, daysLeft]),
      [['critical', 5], ['warning', 15], ['warning', 25]],
    );
    const fleet = fleetLine(emf);
    assert.equal(fleet['OrgsWithExpiringKeys'], 3);
    assert.equal(fleet['OrgsCheckedForKeyExpiry'], ORG_COUNT);
    assert.equal(fleet['KeyChecksFailed'], 1);
    assert.equal(orgDays(emf).size, ORG_COUNT);
  });
});
