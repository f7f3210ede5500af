import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgePublisher } from '../../functions/core/events/eventbridge-publisher.js';
import { LocalEventPublisher } from '../../functions/core/events/local-publisher.js';
import { LocalSyncQueue } from '../../functions/core/queue/local-sync-queue.js';
import { SqsSyncQueue } from '../../functions/core/queue/sqs-sync-queue.js';
import type { SyncRequest } from '../../functions/core/ports.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/sync';

function requests(count: number): SyncRequest[] {
  return Array.from({ length: count }, (_, i) => ({ orgId: `org-${i}`, runId: `run-${i}`, trigger: 'schedule' as const }));
}

describe('SqsSyncQueue', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());

  it('sends one message per org in batches of ten', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await new SqsSyncQueue(new SQSClient({}), QUEUE_URL).enqueue(requests(23));

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    assert.deepEqual(
      calls.map((call) => call.args[0].input.Entries?.length),
      [10, 10, 3],
    );
    assert.equal(calls[0]!.args[0].input.QueueUrl, QUEUE_URL);
    assert.deepEqual(JSON.parse(calls[2]!.args[0].input.Entries![2]!.MessageBody!), {
      orgId: 'org-22',
      runId: 'run-22',
      trigger: 'schedule',
    });
  });

  it('fails naming the orgs whose message SQS refused', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '1', SenderFault: false, Code: 'x', Message: 'throttled' }] });
    await assert.rejects(new SqsSyncQueue(new SQSClient({}), QUEUE_URL).enqueue(requests(2)), {
      code: 'QUEUE_UNAVAILABLE',
      message: /org-1: throttled/,
    });
  });
});

describe('EventBridgePublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  beforeEach(() => eventBridge.reset());

  it('puts events on the connector bus with the connector as source', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    await new EventBridgePublisher(new EventBridgeClient({}), 'connector-bus').publish([
      { detailType: 'Atlassian API Key Expiring', detail: { orgId: 'o1', daysLeft: 10 } },
    ]);

    const [call] = eventBridge.commandCalls(PutEventsCommand);
    assert.deepEqual(call!.args[0].input, {
      Entries: [
        {
          EventBusName: 'connector-bus',
          Source: 'atlassian-access-connector',
          DetailType: 'Atlassian API Key Expiring',
          Detail: '{"orgId":"o1","daysLeft":10}',
        },
      ],
    });
  });

  it('fails when EventBridge reports failed entries', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'X', ErrorMessage: 'bus gone' }] });
    await assert.rejects(
      new EventBridgePublisher(new EventBridgeClient({}), 'bus').publish([{ detailType: 'x', detail: {} }]),
      { code: 'EVENTS_UNAVAILABLE', message: /bus gone/ },
    );
  });
});

describe('local adapters', () => {
  it('delivers queued sync requests in order and keeps going after a failing one', async () => {
    const queue = new LocalSyncQueue();
    const seen: string[] = [];
    queue.attach(async (request) => {
      seen.push(request.orgId);
      if (request.orgId === 'org-1') throw new Error('boom');
    });
    await queue.enqueue(requests(3));
    await queue.drained();
    assert.deepEqual(seen, ['org-0', 'org-1', 'org-2']);
  });

  it('logs published events as structured lines and keeps the newest', async () => {
    const lines: string[] = [];
    const publisher = new LocalEventPublisher({ log: (line) => lines.push(line), keep: 2, now: () => new Date('2026-01-01T00:00:00Z') });
    await publisher.publish([1, 2, 3].map((n) => ({ detailType: `t${n}`, detail: { n } })));
    assert.deepEqual(publisher.events().map((event) => event.detailType), ['t2', 't3']);
    assert.deepEqual(JSON.parse(lines[0]!), {
      kind: 'event',
      detailType: 't1',
      detail: { n: 1 },
      source: 'atlassian-access-connector',
      time: '2026-01-01T00:00:00.000Z',
    });
  });
});
