/**
 * `ConnectorFunction`: one Lambda of the connector with the house defaults baked in,
 * so the stack only says what differs (entry, timeout, environment, grants).
 *
 * Least privilege by construction: every function gets its own role with no managed
 * policy at all. Logging rights are an explicit grant on the function's own log group
 * (instead of `AWSLambdaBasicExecutionRole`, which allows writing to any log group),
 * and table access is granted by mode, never with `dynamodb:*`.
 */
import { fileURLToPath } from 'node:url';
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Folder holding `package.json` and `package-lock.json`; entries are given relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runtime of every function. Bundles target node20 so they also run where Node 20 runs. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_22_X;

/**
 * ESM bundles that contain CommonJS dependencies call `require`, which ESM lacks;
 * the banner defines it (under an alias so it cannot clash with bundled names).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as connectorCreateRequire } from 'node:module'; const require = connectorCreateRequire(import.meta.url);";

export type TableAccess = 'read' | 'readwrite';

export interface TableGrant {
  table: ITable;
  access: TableAccess;
  /** The table has secondary indexes, so the grant also covers `<table>/index/*`. @default false */
  indexed?: boolean;
}

export interface ConnectorFunctionProps {
  /** Entry file, relative to the project root, e.g. `functions/api/handler.ts`. */
  entry: string;
  description: string;
  /** @default Duration.seconds(29), just under API Gateway's 30-second integration limit */
  timeout?: Duration;
  /** @default 256 */
  memorySize?: number;
  /** Variables the function reads through `functions/core/config.ts`. */
  environment: Record<string, string>;
  /** Tables the function uses and how; access is granted by mode. @default none */
  tables?: ReadonlyArray<TableGrant>;
  /** Reserved concurrency, where it protects Atlassian's rate limits. @default none */
  reservedConcurrentExecutions?: number;
  /** Active X-Ray tracing. @default false */
  tracing?: boolean;
  /** @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
}

export class ConnectorFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ConnectorFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Logs are operational, not the audit trail (that lives in the table), so they go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: fileURLToPath(new URL(props.entry, new URL('..', import.meta.url))),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(29),
      role: this.role,
      logGroup: this.logGroup,
      // Powertools Logger and Metrics write JSON/EMF lines themselves; Lambda must pass them through untouched.
      loggingFormat: LoggingFormat.TEXT,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node20',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The nodejs22.x runtime ships AWS SDK v3. Leaving it out saves about 360 KB per bundle
        // (measured on the shared core: 520 KB vs 880 KB minified) and keeps cold starts short;
        // the price is running the runtime's SDK version rather than the lock file's.
        bundleAwsSDK: false,
        externalModules: ['@aws-sdk/*'],
      },
    });

    for (const grant of props.tables ?? []) this.grantTable(grant);

    if (props.tracing) {
      // The X-Ray grant CDK adds for active tracing is on "*": PutTraceSegments and
      // PutTelemetryRecords do not support resource-level permissions.
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; added only when tracing is enabled.',
      });
    }
  }

  /** Grants read or read-write data access (items and indexes, never table management). */
  grantTable({ table, access, indexed = false }: TableGrant): void {
    if (access === 'read') table.grantReadData(this.role);
    else table.grantReadWriteData(this.role);
    if (!indexed) return;
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(table).getLogicalId(table.node.defaultChild as CfnElement)}.Arn>/index/*]`,
      reason: "Queries on the table's own secondary indexes; the wildcard covers only indexes of this one table.",
    });
  }

  /** Adds a statement to this function's role only. */
  addToRolePolicy(statement: PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}

