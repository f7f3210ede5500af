/**
 * The AWS composition root: real adapters, created once per Lambda container and shared
 * by every invocation (clients keep their connections warm).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAtlassianDirectory } from '../atlassian/index.js';
import { ConfigError, loadConfig } from '../config.js';
import { EventBridgePublisher } from '../events/eventbridge-publisher.js';
import { logger } from '../observability.js';
import { systemClock } from '../ports.js';
import { SqsSyncQueue } from '../queue/sqs-sync-queue.js';
import { SecretsManagerSecretStore } from '../secrets/index.js';
import { createDocumentClient, createDynamoStores } from '../store/index.js';
import type { ConnectorDependencies } from './dependencies.js';

let cached: ConnectorDependencies | undefined;

/** Builds (once) the dependencies of a Lambda function from its environment. */
export function awsDependencies(): ConnectorDependencies {
  if (cached) return cached;
  const config = loadConfig();
  const dynamo = new DynamoDBClient({
    region: config.region,
    ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
  });
  const documentClient = createDocumentClient(dynamo);
  cached = {
    config,
    stores: createDynamoStores({ documentClient, tableName: config.tableName, changeTtlDays: config.changeTtlDays }),
    secrets: new SecretsManagerSecretStore({
      client: new SecretsManagerClient({ region: config.region }),
      prefix: config.secretPrefix,
      recoveryWindowDays: config.secretRecoveryDays,
    }),
    atlassian: createAtlassianDirectory({ baseUrl: config.atlassianBaseUrl, logger }),
    syncQueue: config.syncQueueUrl
      ? new SqsSyncQueue(new SQSClient({ region: config.region }), config.syncQueueUrl)
      : {
          enqueue: async () => {
            throw new ConfigError('SYNC_QUEUE_URL is not set for this function, so it cannot queue syncs');
          },
        },
    events: new EventBridgePublisher(new EventBridgeClient({ region: config.region }), config.eventBusName),
    clock: systemClock,
  };
  return cached;
}
