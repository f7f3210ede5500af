/**
 * The one place that reads configuration from the environment.
 *
 * Everything else receives a `ConnectorConfig` (or a part of it). Defaults are the
 * documented ones; bad values fail fast with a message naming the variable.
 */
import * as z from './zod.js';

const intFrom = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.nonnegative()), fallback);

const text = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);

const EnvSchema = z.object({
  TABLE_NAME: text('atlassian-access-connector'),
  SECRET_PREFIX: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9/_+=.@-]+\/$/, 'must be a Secrets Manager name prefix ending with "/"')),
    'atlassian-access-connector/',
  ),
  /** Days Secrets Manager keeps a deleted org key before it is gone (7–30). */
  SECRET_RECOVERY_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(7), z.lte(30)), 7),
  ATLASSIAN_BASE_URL: z._default(z.url(), 'https://api.atlassian.com/admin'),
  SYNC_QUEUE_URL: z.optional(z.string()),
  EVENT_BUS_NAME: text('default'),
  KEY_EXPIRY_WARNING_DAYS: intFrom(30),
  KEY_EXPIRY_CRITICAL_DAYS: intFrom(7),
  /** Share (0–1) of an org's users a single sync may remove before it is held as suspicious. */
  SUSPICIOUS_REMOVAL_SHARE: z._default(z.coerce.number().check(z.gte(0), z.lte(1)), 0.5),
  CHANGE_TTL_DAYS: intFrom(400),
  /** Milliseconds kept in reserve before the Lambda deadline to save a checkpoint. */
  DEADLINE_SAFETY_MS: intFrom(20_000),
  /** Orgs checked at once by the key-expiry probe. */
  KEY_CHECK_CONCURRENCY: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(32)), 4),
  AWS_REGION: text('us-east-1'),
  /** Set by local mode to point the SDK at the embedded DynamoDB emulator. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
});

export interface ConnectorConfig {
  tableName: string;
  secretPrefix: string;
  secretRecoveryDays: number;
  atlassianBaseUrl: string;
  syncQueueUrl?: string;
  eventBusName: string;
  keyExpiry: { warningDays: number; criticalDays: number };
  suspiciousRemovalShare: number;
  changeTtlDays: number;
  deadlineSafetyMs: number;
  keyCheckConcurrency: number;
  region: string;
  dynamoDbEndpoint?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates configuration; throws a `ConfigError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConnectorConfig {
  const e = parseEnv(EnvSchema, env, 'invalid configuration');
  if (e.KEY_EXPIRY_CRITICAL_DAYS > e.KEY_EXPIRY_WARNING_DAYS) {
    throw new ConfigError('invalid configuration: KEY_EXPIRY_CRITICAL_DAYS must not exceed KEY_EXPIRY_WARNING_DAYS');
  }
  return {
    tableName: e.TABLE_NAME,
    secretPrefix: e.SECRET_PREFIX,
    secretRecoveryDays: e.SECRET_RECOVERY_DAYS,
    atlassianBaseUrl: e.ATLASSIAN_BASE_URL.replace(/\/+$/, ''),
    syncQueueUrl: e.SYNC_QUEUE_URL,
    eventBusName: e.EVENT_BUS_NAME,
    keyExpiry: { warningDays: e.KEY_EXPIRY_WARNING_DAYS, criticalDays: e.KEY_EXPIRY_CRITICAL_DAYS },
    suspiciousRemovalShare: e.SUSPICIOUS_REMOVAL_SHARE,
    changeTtlDays: e.CHANGE_TTL_DAYS,
    deadlineSafetyMs: e.DEADLINE_SAFETY_MS,
    keyCheckConcurrency: e.KEY_CHECK_CONCURRENCY,
    region: e.AWS_REGION,
    dynamoDbEndpoint: e.DYNAMODB_ENDPOINT,
  };
}

/** Validates the environment against a schema; the error names every bad variable. */
function parseEnv<S extends z.ZodMiniType>(schema: S, env: NodeJS.ProcessEnv, label: string): z.infer<S> {
  const parsed = schema.safeParse(stripEmpty(env));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`${label}: ${problems.join('; ')}`);
}

/** Treats empty strings as unset, as shells and CloudFormation often produce them. */
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

const LocalEnvSchema = z.object({
  PORT: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(65535)), 3000),
  /** Persist the emulated DynamoDB and the local secret file here; in memory when unset. */
  DATA_DIR: z.optional(z.string().check(z.minLength(1))),
  /** Start the Atlassian simulator with demo orgs (default). `false` talks to ATLASSIAN_BASE_URL instead. */
  DEMO: z._default(z.enum(['true', 'false']), 'true'),
  ATLASSIAN_BASE_URL: z.optional(z.url()),
  SYNC_INTERVAL_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(5)), 300),
  KEY_CHECK_INTERVAL_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(5)), 3600),
});

/** Settings of local mode (`npm start`), on top of `ConnectorConfig`. */
export interface LocalModeConfig {
  port: number;
  dataDir?: string;
  demo: boolean;
  /** The real Atlassian API (or another) when not in demo mode. */
  atlassianBaseUrl?: string;
  syncIntervalMs: number;
  keyCheckIntervalMs: number;
}

export function loadLocalModeConfig(env: NodeJS.ProcessEnv = process.env): LocalModeConfig {
  const e = parseEnv(LocalEnvSchema, env, 'invalid local mode configuration');
  return {
    port: e.PORT,
    dataDir: e.DATA_DIR,
    demo: e.DEMO === 'true',
    atlassianBaseUrl: e.ATLASSIAN_BASE_URL?.replace(/\/+$/, ''),
    syncIntervalMs: e.SYNC_INTERVAL_SECONDS * 1000,
    keyCheckIntervalMs: e.KEY_CHECK_INTERVAL_SECONDS * 1000,
  };
}
