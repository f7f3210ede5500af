/**
 * The sync Lambdas as factories over `ConnectorDependencies`, so Lambda, local mode and
 * tests run the same code. The entry files (`dispatcher.ts`, `worker.ts`) bind AWS adapters.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../core/observability.js';
import type { SyncRequest } from '../core/ports.js';
import type { ConnectorDependencies } from '../core/runtime/dependencies.js';
import { OrgNotFoundError } from '../core/store/index.js';
import { dispatchScheduledSyncs, isSyncRetryableError, syncOrg, type DispatchResult } from '../core/sync/index.js';
import * as z from '../core/zod.js';

const SyncRequestMessage = z.object({
  orgId: z.string().check(z.minLength(1)),
  runId: z.string().check(z.minLength(1)),
  trigger: z.enum(['schedule', 'manual', 'connect', 'continuation']),
});

/** Scheduled EventBridge event → one queued run and one queue message per connected org. */
export function createSyncDispatcher(deps: ConnectorDependencies) {
  return middy<ScheduledEvent, DispatchResult, Error, Context>()
    .use(injectLambdaContext(logger))
    .handler(function dispatchSyncs() {
      return dispatchScheduledSyncs(deps);
    });
}

/**
 * SQS batch → one org synced per message, each until the Lambda's deadline. Reports only
 * the messages worth retrying (`batchItemFailures`): another run of the org holds its
 * lease, rate limits, Atlassian or AWS unavailable, unreadable messages (they reach the
 * DLQ). Recorded outcomes — succeeded, held, partial with a continuation, rejected or
 * missing key, missing Guard, superseded — are not retried.
 */
export function createSyncWorker(deps: ConnectorDependencies) {
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger))
    .handler(async function syncQueuedOrgs(event, context) {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        const retry = await syncRecord(record, deps, context);
        if (retry) batchItemFailures.push({ itemIdentifier: record.messageId });
      }
      return { batchItemFailures };
    });
}

/** Syncs the org of one message; `true` when the message should be delivered again. */
async function syncRecord(record: SQSRecord, deps: ConnectorDependencies, context: Context): Promise<boolean> {
  const request = parseMessage(record);
  if (request === undefined) return true;
  try {
    const deadline = deps.clock().getTime() + context.getRemainingTimeInMillis();
    const result = await syncOrg(request, deps, { deadline });
    logger.info('sync message processed', { ...request, outcome: result.outcome, skipped: result.skipped, error: result.error?.code });
    return false;
  } catch (error) {
    if (error instanceof OrgNotFoundError) {
      logger.warn('sync message for an unknown organization dropped', { ...request });
      return false;
    }
    if (isSyncRetryableError(error)) {
      logger.warn('sync will be retried', { ...request, code: error.code });
      return true;
    }
    logger.error('sync failed unexpectedly; it will be retried', { ...request, error });
    return true;
  }
}

function parseMessage(record: SQSRecord): SyncRequest | undefined {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const parsed = SyncRequestMessage.safeParse(body);
  if (parsed.success) return parsed.data;
  logger.error('unreadable sync message; it goes to the dead-letter queue after its retries', {
    messageId: record.messageId,
    problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`),
  });
  return undefined;
}
