/**
 * The whole connector as one stack: the table, five Lambdas, the IAM-authorized HTTP API,
 * the sync queue with its dead-letter queue, schedules, the connector event bus, alarms
 * and a dashboard.
 *
 * The stack is environment-agnostic (no account or region lookups), so `cdk synth`
 * works offline and without credentials. Every function gets only the permissions it
 * uses; where a wildcard remains, the acknowledgment next to it says why.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations, ArnFormat } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type Attribute, AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ROUTES, type RouteTarget } from '../functions/api/routes.js';
import { type KeyAttribute, TABLE_DEFINITION } from '../functions/core/store/table-definition.js';
import { SYNC_WORKER_TIMEOUT_SECONDS } from '../functions/core/sync/timing.js';
import { ConnectorFunction, FUNCTION_RUNTIME } from './connector-function.js';
import { type ConnectorSettings, readSettings } from './settings.js';

/** CloudWatch namespace and `service` dimension of the connector's EMF metrics (Powertools Metrics). */
export const METRICS_NAMESPACE = 'AtlassianAccessConnector';
export const POWERTOOLS_SERVICE_NAME = 'atlassian-access-connector';

/**
 * Timeout of the sync worker; the queue's visibility timeout is six times this. Set from the
 * sync engine's constant, which its per-org lease duration is derived from.
 */
export const SYNC_WORKER_TIMEOUT = Duration.seconds(SYNC_WORKER_TIMEOUT_SECONDS);
/** Parallel sync workers, the main lever on Atlassian's per-key and per-org rate limits. */
export const SYNC_WORKER_CONCURRENCY = 4;
/** Parallel deprovision calls; admins deprovision people one by one, never in bulk. */
export const DEPROVISION_CONCURRENCY = 2;

export interface ConnectorStackProps extends StackProps {
  /** @default read from CDK context by `readSettings` */
  settings?: ConnectorSettings;
}

export class ConnectorStack extends Stack {
  readonly table: Table;
  readonly syncQueue: Queue;
  readonly syncDeadLetterQueue: Queue;
  readonly eventBus: EventBus;
  readonly alarmTopic: Topic;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly functions: {
    api: ConnectorFunction;
    deprovision: ConnectorFunction;
    syncDispatcher: ConnectorFunction;
    syncWorker: ConnectorFunction;
    keyExpiry: ConnectorFunction;
  };

  constructor(scope: Construct, id: string, props: ConnectorStackProps = {}) {
    super(scope, id, props);
    const settings = props.settings ?? readSettings(this.node);

    // ---- Storage --------------------------------------------------------------------------
    // Built from the same definition as local mode and the store tests, so they cannot drift.
    this.table = new Table(this, 'Table', {
      partitionKey: attribute(TABLE_DEFINITION.partitionKey),
      sortKey: attribute(TABLE_DEFINITION.sortKey),
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Snapshots, change history and the deprovision audit trail outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_DEFINITION.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType[index.projection],
      });
    }
    const tableIndexed = TABLE_DEFINITION.globalSecondaryIndexes.length > 0;

    // ---- Messaging --------------------------------------------------------------------------
    this.syncDeadLetterQueue = new Queue(this, 'SyncDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.syncQueue = new Queue(this, 'SyncQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A message must not reappear while a worker (with retries) may still hold it.
      visibilityTimeout: Duration.seconds(SYNC_WORKER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.syncDeadLetterQueue, maxReceiveCount: 3 },
    });

    this.eventBus = new EventBus(this, 'EventBus', {
      description: 'Atlassian Access Connector events (API keys expiring or rejected); add rules to route them anywhere.',
    });

    // ---- Functions --------------------------------------------------------------------------
    const common = {
      TABLE_NAME: this.table.tableName,
      SECRET_PREFIX: settings.secretPrefix,
      SECRET_RECOVERY_DAYS: String(settings.secretRecoveryDays),
      ATLASSIAN_BASE_URL: settings.atlassianBaseUrl,
      KEY_EXPIRY_WARNING_DAYS: String(settings.keyExpiryWarningDays),
      KEY_EXPIRY_CRITICAL_DAYS: String(settings.keyExpiryCriticalDays),
      SUSPICIOUS_REMOVAL_SHARE: String(settings.suspiciousRemovalShare),
      CHANGE_TTL_DAYS: String(settings.changeTtlDays),
      POWERTOOLS_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    const tracing = settings.tracing;

    const api = new ConnectorFunction(this, 'ApiFunction', {
      entry: 'functions/api/handler.ts',
      description: 'Atlassian Access Connector HTTP API (every route except deprovision)',
      memorySize: 512,
      environment: { ...common, SYNC_QUEUE_URL: this.syncQueue.queueUrl },
      tables: [{ table: this.table, access: 'readwrite', indexed: tableIndexed }],
      tracing,
    });

    // The only function meant to call Atlassian's directory write endpoints (suspend, restore,
    // remove). IAM cannot tell Atlassian's read calls from its writes (both are HTTPS with the
    // org key), so the separation is by code: only this handler contains the write client.
    // It is a separate function so that its concurrency, logs and alarms stand on their own.
    const deprovision = new ConnectorFunction(this, 'DeprovisionFunction', {
      entry: 'functions/deprovision/handler.ts',
      description: 'Atlassian Access Connector deprovisioning (suspend, restore, remove users)',
      environment: common,
      // Also holds the `Idempotency-Key` claims (items with a TTL), so no separate idempotency table.
      tables: [{ table: this.table, access: 'readwrite', indexed: tableIndexed }],
      reservedConcurrentExecutions: settings.reservedConcurrency ? DEPROVISION_CONCURRENCY : undefined,
      tracing,
    });

    const syncDispatcher = new ConnectorFunction(this, 'SyncDispatcherFunction', {
      entry: 'functions/sync/dispatcher.ts',
      description: 'Atlassian Access Connector sync dispatcher (one queue message per connected org)',
      timeout: Duration.minutes(1),
      environment: { ...common, SYNC_QUEUE_URL: this.syncQueue.queueUrl },
      // Reads the connected orgs; writes a queued sync-run record per org.
      tables: [{ table: this.table, access: 'readwrite', indexed: tableIndexed }],
      tracing,
    });

    const syncWorker = new ConnectorFunction(this, 'SyncWorkerFunction', {
      entry: 'functions/sync/worker.ts',
      description: 'Atlassian Access Connector sync worker (one org per message)',
      timeout: SYNC_WORKER_TIMEOUT,
      memorySize: 512,
      environment: { ...common, SYNC_QUEUE_URL: this.syncQueue.queueUrl },
      tables: [{ table: this.table, access: 'readwrite', indexed: tableIndexed }],
      reservedConcurrentExecutions: settings.reservedConcurrency ? SYNC_WORKER_CONCURRENCY : undefined,
      tracing,
    });

    const keyExpiry = new ConnectorFunction(this, 'KeyExpiryFunction', {
      entry: 'functions/key-expiry/handler.ts',
      description: 'Atlassian Access Connector daily API-key expiry check',
      timeout: Duration.minutes(5),
      environment: { ...common, EVENT_BUS_NAME: this.eventBus.eventBusName },
      tables: [{ table: this.table, access: 'readwrite', indexed: tableIndexed }],
      tracing,
    });
    this.functions = { api, deprovision, syncDispatcher, syncWorker, keyExpiry };

    // ---- Permissions beyond the table grants -------------------------------------------------
    const secretArns = [
      this.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${settings.secretPrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ];
    const secretWildcardFinding = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${settings.secretPrefix}*]`;
    const secretWildcardReason =
      'Org API keys are created at run time, one secret per org, named under the configured prefix; the wildcard is that prefix (Secrets Manager also appends a random suffix to every secret ARN).';

    api.addToRolePolicy(
      new PolicyStatement({
        sid: 'ManageOrgApiKeys',
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DeleteSecret',
          'secretsmanager:TagResource',
          'secretsmanager:RestoreSecret',
        ],
        resources: secretArns,
      }),
    );
    for (const fn of [deprovision, syncWorker, keyExpiry]) {
      fn.addToRolePolicy(
        new PolicyStatement({ sid: 'ReadOrgApiKeys', actions: ['secretsmanager:GetSecretValue'], resources: secretArns }),
      );
    }
    for (const fn of [api, deprovision, syncWorker, keyExpiry]) {
      Validations.of(fn.role).acknowledge({ id: secretWildcardFinding, reason: secretWildcardReason });
    }

    // Manual syncs (api), scheduled fan-out (dispatcher) and continuations past the Lambda deadline (worker).
    for (const fn of [api, syncDispatcher, syncWorker]) this.syncQueue.grantSendMessages(fn.role);
    this.eventBus.grantPutEventsTo(keyExpiry.role);

    syncWorker.function.addEventSource(
      new SqsEventSource(this.syncQueue, {
        // One org per invocation: a slow org never delays another, and the deadline checkpoint is per org.
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: Math.max(2, SYNC_WORKER_CONCURRENCY),
      }),
    );

    // ---- Schedules ---------------------------------------------------------------------------
    new Rule(this, 'SyncSchedule', {
      description: 'Starts a sync of every connected org',
      schedule: Schedule.expression(settings.syncSchedule),
      targets: [new LambdaFunction(syncDispatcher.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });
    new Rule(this, 'KeyExpirySchedule', {
      description: 'Checks the expiry of every org API key',
      schedule: Schedule.expression(settings.keyExpirySchedule),
      targets: [new LambdaFunction(keyExpiry.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });

    // ---- HTTP API ----------------------------------------------------------------------------
    const iamAuthorizer = new HttpIamAuthorizer();
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Atlassian Access Connector API (IAM-authorized; sign requests with SigV4)',
      defaultAuthorizer: iamAuthorizer,
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.apiStage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 25, burstLimit: 50 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            caller: '$context.identity.userArn',
            sourceIp: '$context.identity.sourceIp',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const integrations: Record<RouteTarget, HttpLambdaIntegration> = {
      api: new HttpLambdaIntegration('ApiIntegration', api.function),
      deprovision: new HttpLambdaIntegration('DeprovisionIntegration', deprovision.function),
    };
    for (const route of ROUTES) {
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations[route.target],
        authorizer: iamAuthorizer,
      });
    }

    // ---- Alarms ------------------------------------------------------------------------------
    // CloudWatch can only publish to an encrypted topic whose key lets it use the key, which an
    // AWS managed key never does: hence a customer managed key, rotated yearly.
    const alarmTopicKey = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Atlassian Access Connector alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    alarmTopicKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'Atlassian Access Connector alarms',
      masterKey: alarmTopicKey,
      enforceSSL: true,
    });
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': this.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    if (settings.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));
    const alarmAction = new SnsAction(this.alarmTopic);

    const connectorMetric = (metricName: string): Metric =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: POWERTOOLS_SERVICE_NAME },
        statistic: 'Maximum',
        period: Duration.days(1),
      });
    const alarms: Alarm[] = [
      new Alarm(this, 'KeysExpiringAlarm', {
        alarmDescription: `At least one Atlassian org API key expires within ${settings.keyExpiryWarningDays} days: rotate it with PUT /orgs/{orgId}/api-key (GET /orgs shows which).`,
        metric: connectorMetric('OrgsWithExpiringKeys'),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'KeysExpiredOrRejectedAlarm', {
        alarmDescription:
          'At least one Atlassian org API key has expired or was rejected: that org no longer syncs. Rotate the key with PUT /orgs/{orgId}/api-key.',
        metric: connectorMetric('OrgsWithExpiredOrRejectedKeys'),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'SyncDeadLetterAlarm', {
        alarmDescription: 'A sync request failed three times and reached the dead-letter queue; check the sync worker logs.',
        metric: this.syncDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      ...Object.entries(this.functions).map(
        ([name, fn]) =>
          new Alarm(this, `${capitalize(name)}ErrorsAlarm`, {
            alarmDescription: `The ${name} function failed (unhandled error or timeout); check its log group.`,
            metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
            threshold: 1,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      ),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(alarmAction);

    // ---- Dashboard ---------------------------------------------------------------------------
    const perFunction = (metric: (fn: ConnectorFunction) => IMetric): IMetric[] => Object.values(this.functions).map(metric);
    new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new TextWidget({
            markdown: '## Atlassian Access Connector\nKey health, sync queue and function health. Alarms publish to the alarm topic.',
            width: 24,
            height: 2,
          }),
        ],
        [
          new SingleValueWidget({
            title: 'API keys',
            metrics: [connectorMetric('OrgsWithExpiringKeys'), connectorMetric('OrgsWithExpiredOrRejectedKeys')],
            width: 8,
          }),
          new GraphWidget({
            title: 'Sync queue',
            left: [
              this.syncQueue.metricApproximateNumberOfMessagesVisible(),
              this.syncQueue.metricApproximateAgeOfOldestMessage(),
              this.syncDeadLetterQueue.metricApproximateNumberOfMessagesVisible(),
            ],
            width: 16,
          }),
        ],
        [
          new GraphWidget({ title: 'Function errors', left: perFunction((fn) => fn.function.metricErrors()), width: 8 }),
          new GraphWidget({ title: 'Function duration (p95)', left: perFunction((fn) => fn.function.metricDuration({ statistic: 'p95' })), width: 8 }),
          new GraphWidget({ title: 'Function throttles', left: perFunction((fn) => fn.function.metricThrottles()), width: 8 }),
        ],
        [
          new GraphWidget({
            title: 'HTTP API',
            left: [this.api.metricCount(), this.api.metricClientError(), this.api.metricServerError()],
            right: [this.api.metricLatency({ statistic: 'p95' })],
            width: 24,
          }),
        ],
      ],
    });

    // ---- Acknowledged cdk-nag findings --------------------------------------------------------
    for (const fn of Object.values(this.functions)) {
      Validations.of(fn.function).acknowledge({
        id: 'AwsSolutions-L1',
        reason: `${FUNCTION_RUNTIME.name} is pinned on purpose: bundles target node20 and CI runs Node 20/22; move to a newer runtime only after the test suite runs on it.`,
      });
    }

    // ---- Outputs -----------------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the IAM-authorized HTTP API', value: this.apiStage.url });
    new CfnOutput(this, 'TableName', { description: 'DynamoDB table with orgs, user snapshots, changes and audit records', value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { description: 'EventBridge bus receiving connector events', value: this.eventBus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { description: 'SNS topic receiving every connector alarm', value: this.alarmTopic.topicArn });
  }
}

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: { S: AttributeType.STRING }[key.type] };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
