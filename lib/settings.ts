/**
 * Deploy-time settings of the connector stack, read from CDK context
 * (`cdk.json` "context", or `-c key=value` on the command line).
 *
 * Every setting has the documented default, so `npx cdk deploy` with no options
 * deploys a working connector. Bad values fail the synth with a message naming
 * the context key, before anything reaches CloudFormation.
 */
import type { Node } from 'constructs';

export interface ConnectorSettings {
  /** Secrets Manager name prefix for org API keys; IAM is scoped to `secret:${prefix}*`. */
  secretPrefix: string;
  /** Days Secrets Manager keeps a disconnected org's key before deleting it (7–30). */
  secretRecoveryDays: number;
  atlassianBaseUrl: string;
  /** EventBridge schedule expression for the sync dispatcher. */
  syncSchedule: string;
  /** EventBridge schedule expression for the key-expiry check. */
  keyExpirySchedule: string;
  keyExpiryWarningDays: number;
  keyExpiryCriticalDays: number;
  suspiciousRemovalShare: number;
  changeTtlDays: number;
  /** E-mail address subscribed to the alarm topic; none when unset. */
  alarmEmail?: string;
  /**
   * Reserve concurrency for the sync worker and the deprovision function. Accounts whose
   * concurrency quota is still the new-account default (10) cannot reserve any, so this can
   * be switched off; the worker then stays capped by its SQS event source `maxConcurrency`.
   */
  reservedConcurrency: boolean;
  /** Active X-Ray tracing on every function. */
  tracing: boolean;
}

export const DEFAULT_SETTINGS: Readonly<ConnectorSettings> = {
  secretPrefix: 'atlassian-access-connector/',
  secretRecoveryDays: 7,
  atlassianBaseUrl: 'https://api.atlassian.com/admin',
  syncSchedule: 'rate(6 hours)',
  keyExpirySchedule: 'cron(0 7 * * ? *)',
  keyExpiryWarningDays: 30,
  keyExpiryCriticalDays: 7,
  suspiciousRemovalShare: 0.5,
  changeTtlDays: 400,
  reservedConcurrency: true,
  tracing: false,
};

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** Reads and validates the connector's context keys from a construct node (usually the app's). */
export function readSettings(node: Node): ConnectorSettings {
  const raw = (key: keyof ConnectorSettings): unknown => {
    const value: unknown = node.tryGetContext(key);
    return value === '' ? undefined : value;
  };
  const text = (key: keyof ConnectorSettings, fallback: string): string => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'string') throw new SettingsError(`context "${key}" must be a string`);
    return value;
  };
  const number = (key: keyof ConnectorSettings, fallback: number, min: number, max: number, integer = true): number => {
    const value = raw(key);
    if (value === undefined) return fallback;
    const parsed = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max || (integer && !Number.isInteger(parsed))) {
      throw new SettingsError(`context "${key}" must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}, got "${String(value)}"`);
    }
    return parsed;
  };
  const flag = (key: keyof ConnectorSettings, fallback: boolean): boolean => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new SettingsError(`context "${key}" must be true or false, got "${String(value)}"`);
  };
  const schedule = (key: 'syncSchedule' | 'keyExpirySchedule'): string => {
    const value = text(key, DEFAULT_SETTINGS[key]);
    if (!/^(rate|cron)\(.+\)$/.test(value)) {
      throw new SettingsError(`context "${key}" must be an EventBridge schedule expression such as "rate(6 hours)" or "cron(0 7 * * ? *)", got "${value}"`);
    }
    return value;
  };

  const secretPrefix = text('secretPrefix', DEFAULT_SETTINGS.secretPrefix);
  if (!/^[A-Za-z0-9/_+=.@-]+\/$/.test(secretPrefix)) {
    throw new SettingsError(`context "secretPrefix" must be a Secrets Manager name prefix ending with "/", got "${secretPrefix}"`);
  }
  const atlassianBaseUrl = text('atlassianBaseUrl', DEFAULT_SETTINGS.atlassianBaseUrl);
  if (!URL.canParse(atlassianBaseUrl) || !atlassianBaseUrl.startsWith('https://')) {
    throw new SettingsError(`context "atlassianBaseUrl" must be an https URL, got "${atlassianBaseUrl}"`);
  }
  const alarmEmail = raw('alarmEmail') === undefined ? undefined : text('alarmEmail', '');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new SettingsError(`context "alarmEmail" must be an e-mail address, got "${alarmEmail}"`);
  }

  const settings: ConnectorSettings = {
    secretPrefix,
    secretRecoveryDays: number('secretRecoveryDays', DEFAULT_SETTINGS.secretRecoveryDays, 7, 30),
    atlassianBaseUrl,
    syncSchedule: schedule('syncSchedule'),
    keyExpirySchedule: schedule('keyExpirySchedule'),
    keyExpiryWarningDays: number('keyExpiryWarningDays', DEFAULT_SETTINGS.keyExpiryWarningDays, 1, 365),
    keyExpiryCriticalDays: number('keyExpiryCriticalDays', DEFAULT_SETTINGS.keyExpiryCriticalDays, 0, 365),
    suspiciousRemovalShare: number('suspiciousRemovalShare', DEFAULT_SETTINGS.suspiciousRemovalShare, 0, 1, false),
    changeTtlDays: number('changeTtlDays', DEFAULT_SETTINGS.changeTtlDays, 1, 3650),
    reservedConcurrency: flag('reservedConcurrency', DEFAULT_SETTINGS.reservedConcurrency),
    tracing: flag('tracing', DEFAULT_SETTINGS.tracing),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
  };
  if (settings.keyExpiryCriticalDays > settings.keyExpiryWarningDays) {
    throw new SettingsError('context "keyExpiryCriticalDays" must not exceed "keyExpiryWarningDays"');
  }
  return settings;
}
