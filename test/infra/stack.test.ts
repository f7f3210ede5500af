import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { ROUTES, routeKey } from '../../functions/api/routes.js';
import { loadConfig } from '../../functions/core/config.js';
import { createTableInput, TABLE_DEFINITION } from '../../functions/core/store/table-definition.js';
import { SYNC_WORKER_TIMEOUT, type ConnectorStack } from '../../lib/connector-stack.js';
import { DEFAULT_SETTINGS } from '../../lib/settings.js';
import { logicalId, permissionsOf, type Synthesized, synthesize } from './synth.js';

const DDB_READ = ['BatchGetItem', 'ConditionCheckItem', 'DescribeTable', 'GetItem', 'Query', 'Scan', 'GetRecords', 'GetShardIterator'];
const DDB_WRITE = ['BatchWriteItem', 'DeleteItem', 'PutItem', 'UpdateItem'];
const SQS_SEND = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const SQS_CONSUME = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const SECRET = 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:atlassian-access-connector/*';

type FunctionName = keyof ConnectorStack['functions'];

/** Readable names for the resources policies point at, keyed by logical id. */
function resourceNames(stack: ConnectorStack): Record<string, string> {
  const names: Record<string, string> = {
    [logicalId(stack.table)]: 'Table',
    [logicalId(stack.syncQueue)]: 'SyncQueue',
    [logicalId(stack.eventBus)]: 'EventBus',
  };
  for (const fn of Object.values(stack.functions)) names[logicalId(fn.logGroup)] = 'OwnLogGroup';
  return names;
}

function on(resources: string[], actions: string[]): string[] {
  return resources.flatMap((resource) => actions.map((action) => `${action} on ${resource}`));
}

/** Every context option set to a non-default value, synthesized once. */
const OVERRIDES = {
  syncSchedule: 'rate(1 hour)',
  keyExpirySchedule: 'cron(30 5 * * ? *)',
  keyExpiryWarningDays: '45',
  keyExpiryCriticalDays: 10,
  atlassianBaseUrl: 'https://atlassian-proxy.example.com/admin',
  secretPrefix: 'acme/atlassian/',
  alarmEmail: 'it-ops@example.com',
  reservedConcurrency: 'false',
  tracing: 'true',
};

describe('connector stack', () => {
  let synth: Synthesized;
  let custom: Synthesized;
  let names: Record<string, string>;
  let tableArns: string[];

  before(() => {
    synth = synthesize();
    custom = synthesize(OVERRIDES);
    names = resourceNames(synth.stack);
    const indexed = Object.keys(synth.template.findResources('AWS::DynamoDB::Table', {
      Properties: { GlobalSecondaryIndexes: Match.anyValue() },
    })).includes(logicalId(synth.stack.table));
    tableArns = ['Table.Arn', ...(indexed ? ['Table.Arn/index/*'] : [])];
  });

  const permissions = (fn: FunctionName): string[] =>
    permissionsOf(synth.template, logicalId(synth.stack.functions[fn].role), names);
  const ddb = (resources: string[], actions: string[]): string[] => on(resources, actions.map((action) => `dynamodb:${action}`));
  const logs = on(['OwnLogGroup.Arn'], ['logs:CreateLogStream', 'logs:PutLogEvents']);

  describe('table', () => {
    it('keeps the data on stack deletion, with point-in-time recovery, encryption and TTL', () => {
      const table = synth.template.toJSON().Resources[logicalId(synth.stack.table)];
      assert.equal(table.DeletionPolicy, 'Retain');
      assert.equal(table.UpdateReplacePolicy, 'Retain');
      assert.deepEqual(table.Properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
      assert.deepEqual(table.Properties.SSESpecification, { SSEEnabled: true });
      assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST');
    });

    it('builds the table from the shared table definition: keys, indexes and TTL attribute', () => {
      const table = synth.template.toJSON().Resources[logicalId(synth.stack.table)].Properties;
      const expected = createTableInput('unused');
      assert.deepEqual(table.KeySchema, expected.KeySchema);
      assert.deepEqual(table.GlobalSecondaryIndexes, expected.GlobalSecondaryIndexes);
      assert.deepEqual(
        [...table.AttributeDefinitions].sort((x: { AttributeName: string }, y: { AttributeName: string }) => x.AttributeName.localeCompare(y.AttributeName)),
        [...expected.AttributeDefinitions!].sort((x, y) => x.AttributeName!.localeCompare(y.AttributeName!)),
      );
      assert.deepEqual(table.TimeToLiveSpecification, { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true });
    });
  });

  describe('functions', () => {
    it('run every function on nodejs22.x arm64 as a minified ESM bundle with source maps', () => {
      synth.template.resourceCountIs('AWS::DynamoDB::Table', 1);
      const functions = synth.template.findResources('AWS::Lambda::Function');
      assert.equal(Object.keys(functions).length, 5);
      for (const fn of Object.values(functions)) {
        assert.equal(fn.Properties.Runtime, 'nodejs22.x');
        assert.deepEqual(fn.Properties.Architectures, ['arm64']);
        assert.equal(fn.Properties.Handler, 'index.handler');
        assert.equal(fn.Properties.Environment.Variables.NODE_OPTIONS, '--enable-source-maps');
        assert.equal(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE, 'AtlassianAccessConnector');
        assert.equal(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, 'atlassian-access-connector');
        assert.ok(fn.Properties.LoggingConfig.LogGroup, 'logs go to the function\'s own log group');
      }
    });

    it('gives each function a log group with a retention period', () => {
      for (const fn of Object.values(synth.stack.functions)) {
        const group = synth.template.toJSON().Resources[logicalId(fn.logGroup)];
        assert.equal(group.Properties.RetentionInDays, 30);
        const config = synth.template.toJSON().Resources[logicalId(fn.function)].Properties.LoggingConfig;
        assert.deepEqual(config.LogGroup, { Ref: logicalId(fn.logGroup) });
      }
    });

    it('hands every function an environment that the runtime configuration accepts with the deploy settings', () => {
      for (const fn of Object.values(synth.stack.functions)) {
        const variables = synth.template.toJSON().Resources[logicalId(fn.function)].Properties.Environment.Variables as Record<string, unknown>;
        // Tokens (table name, queue URL, bus name) become placeholder strings, as CloudFormation would resolve them.
        const env = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, typeof value === 'string' ? value : `resolved-${key}`]));
        const config = loadConfig(env);
        assert.equal(config.secretPrefix, DEFAULT_SETTINGS.secretPrefix);
        assert.equal(config.atlassianBaseUrl, DEFAULT_SETTINGS.atlassianBaseUrl);
        assert.deepEqual(config.keyExpiry, { warningDays: 30, criticalDays: 7 });
        assert.equal(config.secretRecoveryDays, 7);
        assert.equal(config.suspiciousRemovalShare, 0.5);
        assert.equal(config.changeTtlDays, 400);
        assert.deepEqual(variables.TABLE_NAME, { Ref: logicalId(synth.stack.table) });
      }
    });

    it('passes the queue URL only to functions that send to the queue and the bus name only to functions that publish', () => {
      const variables = (fn: FunctionName) =>
        synth.template.toJSON().Resources[logicalId(synth.stack.functions[fn].function)].Properties.Environment.Variables;
      const withQueue = (['api', 'deprovision', 'syncDispatcher', 'syncWorker', 'keyExpiry'] as const).filter((fn) => 'SYNC_QUEUE_URL' in variables(fn));
      const withBus = (['api', 'deprovision', 'syncDispatcher', 'syncWorker', 'keyExpiry'] as const).filter((fn) => 'EVENT_BUS_NAME' in variables(fn));
      assert.deepEqual(withQueue, ['api', 'syncDispatcher', 'syncWorker']);
      assert.deepEqual(withBus, ['keyExpiry']);
    });

    it('reserves concurrency for the sync worker and deprovisioning to protect Atlassian rate limits', () => {
      const reserved = (fn: FunctionName) =>
        synth.template.toJSON().Resources[logicalId(synth.stack.functions[fn].function)].Properties.ReservedConcurrentExecutions;
      assert.equal(reserved('syncWorker'), 4);
      assert.equal(reserved('deprovision'), 2);
      assert.equal(reserved('api'), undefined);
    });

    it('drops reserved concurrency when the account cannot reserve any, keeping the queue concurrency cap', () => {
      const { template } = custom;
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        assert.equal(fn.Properties.ReservedConcurrentExecutions, undefined);
      }
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 4 } });
    });
  });

  describe('least privilege', () => {
    it('lets the API function manage org keys under the prefix, use the table and queue syncs', () => {
      const secretActions = ['CreateSecret', 'DeleteSecret', 'GetSecretValue', 'PutSecretValue', 'RestoreSecret', 'TagResource'];
      assert.deepEqual(
        permissions('api'),
        [
          ...logs,
          ...ddb(tableArns, [...DDB_READ, ...DDB_WRITE]),
          ...on([SECRET], secretActions.map((action) => `secretsmanager:${action}`)),
          ...on(['SyncQueue.Arn'], SQS_SEND),
        ].sort(),
      );
    });

    it('lets the deprovision function read org keys and use the table (which also holds idempotency claims) only', () => {
      assert.deepEqual(
        permissions('deprovision'),
        [...logs, ...ddb(tableArns, [...DDB_READ, ...DDB_WRITE]), ...on([SECRET], ['secretsmanager:GetSecretValue'])].sort(),
      );
    });

    it('gives the sync dispatcher no secret access: it reads orgs, records runs and queues messages', () => {
      assert.deepEqual(
        permissions('syncDispatcher'),
        [...logs, ...ddb(tableArns, [...DDB_READ, ...DDB_WRITE]), ...on(['SyncQueue.Arn'], SQS_SEND)].sort(),
      );
    });

    it('lets the sync worker read org keys and consume and continue the queue, nothing more', () => {
      assert.deepEqual(
        permissions('syncWorker'),
        [
          ...logs,
          ...ddb(tableArns, [...DDB_READ, ...DDB_WRITE]),
          ...on([SECRET], ['secretsmanager:GetSecretValue']),
          ...on(['SyncQueue.Arn'], [...new Set([...SQS_SEND, ...SQS_CONSUME])]),
        ].sort(),
      );
    });

    it('lets the key-expiry check read org keys, update orgs and publish to the bus', () => {
      assert.deepEqual(
        permissions('keyExpiry'),
        [
          ...logs,
          ...ddb(tableArns, [...DDB_READ, ...DDB_WRITE]),
          ...on([SECRET], ['secretsmanager:GetSecretValue']),
          'events:PutEvents on EventBus.Arn',
        ].sort(),
      );
    });

    it('uses no managed policies, no service wildcards and no "*" resources', () => {
      for (const role of Object.values(synth.template.findResources('AWS::IAM::Role'))) {
        assert.equal(role.Properties.ManagedPolicyArns, undefined);
      }
      for (const policy of Object.values(synth.template.findResources('AWS::IAM::Policy'))) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          for (const action of [statement.Action].flat()) assert.doesNotMatch(action, /:\*$|^\*$/);
          assert.ok(![statement.Resource].flat().includes('*'), `"*" resource for ${String(statement.Action)}`);
        }
      }
    });

    it('adds the X-Ray grant on "*" only when tracing is enabled, as X-Ray has no resource-level permissions', () => {
      const { template } = custom;
      const starStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
        (policy.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>).filter((statement) =>
          [statement.Resource].flat().includes('*'),
        ),
      );
      assert.equal(starStatements.length, 5);
      for (const statement of starStatements) assert.deepEqual(statement.Action, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        assert.deepEqual(fn.Properties.TracingConfig, { Mode: 'Active' });
      }
    });

    it('scopes secret access to the configured prefix', () => {
      const { template, stack } = custom;
      const facts = permissionsOf(template, logicalId(stack.functions.keyExpiry.role), {});
      assert.ok(
        facts.includes('secretsmanager:GetSecretValue on arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:acme/atlassian/*'),
      );
    });
  });

  describe('HTTP API', () => {
    it('has exactly one route per entry of the route table, each requiring IAM authorization', () => {
      const routes = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route'));
      assert.deepEqual(routes.map((route) => route.Properties.RouteKey).sort(), ROUTES.map(routeKey).sort());
      for (const route of routes) assert.equal(route.Properties.AuthorizationType, 'AWS_IAM');
    });

    it('integrates each route with the function named by its target', () => {
      const resources = synth.template.toJSON().Resources;
      const functionOfIntegration = (target: { 'Fn::Join': [string, unknown[]] }): string => {
        const integrationId = (target['Fn::Join'][1][1] as { Ref: string }).Ref;
        return resources[integrationId].Properties.IntegrationUri['Fn::GetAtt'][0];
      };
      const expected = { api: logicalId(synth.stack.functions.api.function), deprovision: logicalId(synth.stack.functions.deprovision.function) };
      for (const route of Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route'))) {
        const definition = ROUTES.find((candidate) => routeKey(candidate) === route.Properties.RouteKey);
        assert.ok(definition);
        assert.equal(functionOfIntegration(route.Properties.Target), expected[definition.target], route.Properties.RouteKey);
      }
    });

    it('throttles and access-logs the default stage', () => {
      const stage = Object.values(synth.template.findResources('AWS::ApiGatewayV2::Stage'));
      assert.equal(stage.length, 1);
      const properties = stage[0]!.Properties;
      assert.equal(properties.StageName, '$default');
      assert.equal(properties.AutoDeploy, true);
      assert.deepEqual(properties.DefaultRouteSettings, { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 25 });
      assert.ok(properties.AccessLogSettings.DestinationArn['Fn::GetAtt']);
      const format = JSON.parse(properties.AccessLogSettings.Format);
      assert.equal(format.requestId, '$context.requestId');
      assert.equal(format.caller, '$context.identity.userArn');
    });
  });

  describe('schedules', () => {
    const schedules = (s: Synthesized) => {
      const target = (fn: FunctionName) =>
        Object.values(s.template.findResources('AWS::Events::Rule')).find(
          (rule) => rule.Properties.Targets[0].Arn['Fn::GetAtt'][0] === logicalId(s.stack.functions[fn].function),
        );
      return { sync: target('syncDispatcher')?.Properties.ScheduleExpression, keyExpiry: target('keyExpiry')?.Properties.ScheduleExpression };
    };

    it('syncs every 6 hours and checks key expiry daily by default', () => {
      assert.deepEqual(schedules(synth), { sync: 'rate(6 hours)', keyExpiry: 'cron(0 7 * * ? *)' });
    });

    it('takes both schedules from context', () => {
      assert.deepEqual(schedules(custom), { sync: 'rate(1 hour)', keyExpiry: 'cron(30 5 * * ? *)' });
    });

    it('refuses a schedule that is not an EventBridge expression, naming the context key', () => {
      assert.throws(() => synthesize({ syncSchedule: 'every 6 hours' }), /context "syncSchedule"/);
    });
  });

  describe('sync queue', () => {
    it('is encrypted, TLS-only, redrives to a dead-letter queue after 3 receives, and outlasts six worker timeouts', () => {
      const queue = synth.template.toJSON().Resources[logicalId(synth.stack.syncQueue)].Properties;
      assert.equal(queue.SqsManagedSseEnabled, true);
      assert.deepEqual(queue.RedrivePolicy, {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(synth.stack.syncDeadLetterQueue), 'Arn'] },
        maxReceiveCount: 3,
      });
      const workerTimeout = synth.template.toJSON().Resources[logicalId(synth.stack.functions.syncWorker.function)].Properties.Timeout;
      assert.equal(workerTimeout, SYNC_WORKER_TIMEOUT.toSeconds());
      assert.ok(queue.VisibilityTimeout >= 6 * workerTimeout);
      const dlq = synth.template.toJSON().Resources[logicalId(synth.stack.syncDeadLetterQueue)].Properties;
      assert.equal(dlq.SqsManagedSseEnabled, true);
    });

    it('denies every request to either queue that does not use TLS', () => {
      const policies = Object.values(synth.template.findResources('AWS::SQS::QueuePolicy'));
      assert.equal(policies.length, 2);
      for (const policy of policies) {
        assert.deepEqual(policy.Properties.PolicyDocument.Statement[0].Condition, { Bool: { 'aws:SecureTransport': 'false' } });
        assert.equal(policy.Properties.PolicyDocument.Statement[0].Effect, 'Deny');
      }
    });

    it('feeds the worker one org per invocation and lets it report failed items', () => {
      synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(synth.stack.functions.syncWorker.function) },
        EventSourceArn: { 'Fn::GetAtt': [logicalId(synth.stack.syncQueue), 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 4 },
      });
    });
  });

  describe('alarms', () => {
    it('alarms on expiring keys, rejected keys, the dead-letter queue and every function\'s errors, all to the topic', () => {
      const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'));
      const topic = { Ref: logicalId(synth.stack.alarmTopic) };
      for (const alarm of alarms) {
        assert.deepEqual(alarm.Properties.AlarmActions, [topic]);
        assert.equal(alarm.Properties.Threshold, 1);
        assert.equal(alarm.Properties.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
      }
      const metrics = alarms.map((alarm) => `${alarm.Properties.Namespace}/${alarm.Properties.MetricName}`).sort();
      assert.deepEqual(metrics, [
        'AWS/Lambda/Errors',
        'AWS/Lambda/Errors',
        'AWS/Lambda/Errors',
        'AWS/Lambda/Errors',
        'AWS/Lambda/Errors',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        'AtlassianAccessConnector/OrgsWithExpiredOrRejectedKeys',
        'AtlassianAccessConnector/OrgsWithExpiringKeys',
      ]);
      const keyAlarm = alarms.find((alarm) => alarm.Properties.MetricName === 'OrgsWithExpiringKeys')!;
      assert.deepEqual(keyAlarm.Properties.Dimensions, [{ Name: 'service', Value: 'atlassian-access-connector' }]);
      const errorAlarms = alarms.filter((alarm) => alarm.Properties.MetricName === 'Errors');
      assert.deepEqual(
        errorAlarms.map((alarm) => alarm.Properties.Dimensions[0].Value.Ref).sort(),
        Object.values(synth.stack.functions).map((fn) => logicalId(fn.function)).sort(),
      );
    });

    it('encrypts the alarm topic with a rotated key CloudWatch may use, and refuses non-TLS publishing', () => {
      const topic = synth.template.toJSON().Resources[logicalId(synth.stack.alarmTopic)].Properties;
      const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0];
      const key = synth.template.toJSON().Resources[keyId].Properties;
      assert.equal(key.EnableKeyRotation, true);
      const cloudWatch = key.KeyPolicy.Statement.find(
        (statement: { Principal?: { Service?: string } }) => statement.Principal?.Service === 'cloudwatch.amazonaws.com',
      );
      assert.deepEqual(cloudWatch.Action, ['kms:Decrypt', 'kms:GenerateDataKey*']);
      const [policy] = Object.values(synth.template.findResources('AWS::SNS::TopicPolicy'));
      const statements = policy!.Properties.PolicyDocument.Statement;
      assert.ok(statements.some((s: { Effect: string; Condition?: unknown }) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}'));
      assert.ok(statements.some((s: { Principal?: { Service?: string }; Action: string }) => s.Principal?.Service === 'cloudwatch.amazonaws.com' && s.Action === 'sns:Publish'));
    });

    it('subscribes an e-mail address to the alarm topic only when one is given', () => {
      synth.template.resourceCountIs('AWS::SNS::Subscription', 0);
      custom.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'it-ops@example.com' });
    });

    it('has a dashboard', () => {
      synth.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });
  });

  describe('settings and outputs', () => {
    it('outputs the API URL, table name, event bus name and alarm topic ARN', () => {
      const outputs = synth.template.toJSON().Outputs;
      assert.deepEqual(Object.keys(outputs).sort(), ['AlarmTopicArn', 'ApiUrl', 'EventBusName', 'TableName']);
      assert.deepEqual(outputs.TableName.Value, { Ref: logicalId(synth.stack.table) });
    });

    it('passes deploy settings from context to the functions', () => {
      const { template, stack } = custom;
      const variables = template.toJSON().Resources[logicalId(stack.functions.keyExpiry.function)].Properties.Environment.Variables;
      assert.equal(variables.KEY_EXPIRY_WARNING_DAYS, '45');
      assert.equal(variables.KEY_EXPIRY_CRITICAL_DAYS, '10');
      assert.equal(variables.ATLASSIAN_BASE_URL, 'https://atlassian-proxy.example.com/admin');
    });

    it('refuses inconsistent or malformed settings before synthesizing anything', () => {
      assert.throws(() => synthesize({ keyExpiryWarningDays: 5, keyExpiryCriticalDays: 7 }), /keyExpiryCriticalDays" must not exceed/);
      assert.throws(() => synthesize({ secretPrefix: 'no-trailing-slash' }), /context "secretPrefix"/);
      assert.throws(() => synthesize({ alarmEmail: 'not-an-address' }), /context "alarmEmail"/);
      assert.throws(() => synthesize({ atlassianBaseUrl: 'http://insecure.example.com' }), /context "atlassianBaseUrl"/);
    });

    it('is environment-agnostic: no account, region or lookup is baked into the template', () => {
      assert.deepEqual(synth.stack.resolve(synth.stack.account), { Ref: 'AWS::AccountId' });
      assert.deepEqual(synth.stack.resolve(synth.stack.region), { Ref: 'AWS::Region' });
      assert.doesNotMatch(JSON.stringify(synth.template.toJSON()), /\b\d{12}\b/);
      const assembly = synth.app.synth();
      assert.equal(assembly.getStackArtifact(synth.stack.artifactId).environment.name, 'aws://unknown-account/unknown-region');
      assert.deepEqual(assembly.manifest.missing ?? [], [], 'no context lookups are pending');
    });
  });
});
