import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@aws-lambda-powertools/logger';
import { lambdaContext, scheduledEvent as scheduledEventOf } from '../../bin/local/lambda-adapter.js';
import { loadConfig } from '../../functions/core/config.js';
import { LocalEventPublisher } from '../../functions/core/events/local-publisher.js';
import { LocalSyncQueue } from '../../functions/core/queue/local-sync-queue.js';
import type { ConnectorDependencies } from '../../functions/core/runtime/dependencies.js';
import { createDynamoStores } from '../../functions/core/store/index.js';
import { createDocumentClient } from '../../functions/core/store/dynamo-common.js';
import { createKeyExpiryHandler } from '../../functions/key-expiry/create-handler.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import { createTable, startDynalite, uniqueTableName, type DynaliteServer } from '../support/dynamo.js';
import {
  secretsWith,
  NOW,
  captureConsole,
  clock,
  countingAtlassian,
  daysFromNow,
  freshMetrics,
  metricNames,
  org,
} from './key-expiry-fixtures.js';

const OK_ORG = 'c0000000-0000-4000-8000-000000000001';
const SOON_ORG = 'c0000000-0000-4000-8000-000000000002';

const scheduledEvent = () => scheduledEventOf('KeyExpirySchedule', NOW);

describe('key-expiry handler', () => {
  let dynamo: DynaliteServer;
  let sim: Simulator;
  let deps: ConnectorDependencies;
  let events: LocalEventPublisher;

  before(async () => {
    dynamo = await startDynalite();
    sim = await startSimulator({
      now: clock,
      orgs: [
        { orgId: OK_ORG, name: 'Fine', apiKeys: ['key-ok'], userCount: 0 },
        { orgId: SOON_ORG, name: 'Soon', apiKeys: ['key-soon'], userCount: 0 },
      ],
    });
    const tableName = uniqueTableName('key-expiry-handler');
    await createTable(dynamo.client, tableName);
    events = new LocalEventPublisher({ now: clock });
    deps = {
      config: { ...loadConfig({}), tableName, keyCheckConcurrency: 2 },
      stores: createDynamoStores({ documentClient: createDocumentClient(dynamo.client), tableName, clock }),
      secrets: await secretsWith({ [OK_ORG]: 'key-ok', [SOON_ORG]: 'key-soon' }),
      atlassian: countingAtlassian(sim.baseUrl).factory,
      syncQueue: new LocalSyncQueue(),
      events,
      clock,
    };
    await deps.stores.orgs.createOrg(org(OK_ORG, { name: 'Fine' }));
    await deps.stores.orgs.createOrg(org(SOON_ORG, { name: 'Soon', keyExpiresAt: daysFromNow(6.5) }));
  });
  after(async () => {
    await sim.close();
    await dynamo.close();
  });

  it('answers a scheduled event with a summary and flushes fleet metrics with only the service dimension', async () => {
    const metrics = freshMetrics();
    const logger = new Logger({ serviceName: 'atlassian-access-connector', logLevel: 'INFO' });
    const handler = createKeyExpiryHandler(deps, { logger, metrics });

    const context = lambdaContext('KeyExpiryFunction', 280_000);
    const { result, emf, text } = await captureConsole(() => handler(scheduledEvent(), context));

    assert.deepEqual(result, {
      checkedAt: NOW.toISOString(),
      checked: 2,
      ok: 1,
      warning: 0,
      critical: 1,
      expired: 0,
      rejected: 0,
      unknown: 0,
      probesFailed: 0,
      minDaysToKeyExpiry: 6,
      orgs: [
        { orgId: OK_ORG, severity: 'ok', daysLeft: 200, probe: 'accepted' },
        { orgId: SOON_ORG, severity: 'critical', daysLeft: 6, probe: 'accepted' },
      ],
    });
    assert.deepEqual(
      events.events().map((event) => [event.detailType, event.detail['orgId'], event.detail['severity']]),
      [['Atlassian API Key Expiring', SOON_ORG, 'critical']],
    );

    const fleet = emf.filter((line) => line['OrgId'] === undefined);
    assert.equal(fleet.length, 1, 'the middleware flushes the fleet metrics once');
    assert.deepEqual(fleet[0]!._aws.CloudWatchMetrics[0]!.Dimensions, [['service']]);
    assert.equal(fleet[0]!['OrgsWithExpiringKeys'], 1);
    assert.equal(fleet[0]!['OrgsWithExpiredOrRejectedKeys'], 0);
    assert.ok(!emf.some((line) => metricNames(line).includes('ColdStart')), 'no cold-start metric');
    assert.match(text, new RegExp(`"function_request_id":\\s*"${context.awsRequestId}"`));
    assert.match(text, /API keys checked/);
  });

  it('stops probing at the Lambda deadline and still reports every org by date', async () => {
    const metrics = freshMetrics();
    const handler = createKeyExpiryHandler(deps, { logger: new Logger({ logLevel: 'SILENT' }), metrics });
    sim.resetRequests();

    const { result } = await captureConsole(() => handler(scheduledEvent(), lambdaContext('KeyExpiryFunction', deps.config.deadlineSafetyMs)));

    assert.equal(sim.requests.length, 0);
    assert.equal(result.probesFailed, 2);
    assert.deepEqual(
      result.orgs.map(({ severity, probe }) => [severity, probe]),
      [
        ['ok', 'failed'],
        ['critical', 'failed'],
      ],
    );
  });
});
