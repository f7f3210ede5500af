/** `SyncQueue` over Amazon SQS: one message per org, sent in batches of ten. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ConnectorError } from '../errors.js';
import type { SyncQueue, SyncRequest } from '../ports.js';

const SQS_BATCH_LIMIT = 10;

export class SqsSyncQueue implements SyncQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(requests: SyncRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += SQS_BATCH_LIMIT) {
      const batch = requests.slice(start, start + SQS_BATCH_LIMIT);
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((request, index) => ({ Id: String(index), MessageBody: JSON.stringify(request) })),
        }),
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) {
        const orgIds = failed.map((entry) => batch[Number(entry.Id)]?.orgId).join(', ');
        throw new ConnectorError('QUEUE_UNAVAILABLE', `could not queue a sync for org(s) ${orgIds}: ${failed[0]?.Message ?? 'unknown reason'}`);
      }
    }
  }
}
