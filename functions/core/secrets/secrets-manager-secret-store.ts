/**
 * `SecretStore` over AWS Secrets Manager: one secret per org, named `${prefix}${orgId}`,
 * tagged with the org id. Reads are cached in memory for a short time (never forever),
 * so a rotated key is picked up by every Lambda within `cacheTtlMs`.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { systemClock, type Clock, type SecretStore } from '../ports.js';
import { assertSecretNameSafe, redact, SecretNotFoundError, SecretStoreError } from './errors.js';

/** Tag key that names the org a secret belongs to. */
export const ORG_ID_TAG = 'atlassian-access-connector:org-id';

export interface SecretsManagerSecretStoreOptions {
  client: SecretsManagerClient;
  /** Name prefix ending with `/`, e.g. `atlassian-access-connector/`. */
  prefix: string;
  /** Days Secrets Manager keeps a deleted key (7–30). */
  recoveryWindowDays: number;
  /** How long a read key is served from memory. @default 60000 */
  cacheTtlMs?: number;
  /** @default the system clock */
  clock?: Clock;
}

export class SecretsManagerSecretStore implements SecretStore {
  readonly #client: SecretsManagerClient;
  readonly #prefix: string;
  readonly #recoveryWindowDays: number;
  readonly #cacheTtlMs: number;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { apiKey: string; expiresAt: number }>();

  constructor(options: SecretsManagerSecretStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#recoveryWindowDays = options.recoveryWindowDays;
    this.#cacheTtlMs = options.cacheTtlMs ?? 60_000;
    this.#clock = options.clock ?? systemClock;
  }

  /** The secret name of an org. */
  secretName(orgId: string): string {
    assertSecretNameSafe(orgId);
    return `${this.#prefix}${orgId}`;
  }

  async putApiKey(orgId: string, apiKey: string): Promise<string> {
    const name = this.secretName(orgId);
    try {
      const created = await this.#client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: apiKey,
          Description: `Atlassian Admin API key of organization ${orgId}`,
          Tags: [{ Key: ORG_ID_TAG, Value: orgId }],
        }),
      );
      this.#remember(orgId, apiKey);
      return created.ARN ?? name;
    } catch (error) {
      if (errorName(error) !== 'ResourceExistsException') throw keyFreeError('putApiKey', orgId, error, apiKey);
    }
    try {
      const arn = await this.#replaceValue(name, apiKey);
      this.#remember(orgId, apiKey);
      return arn;
    } catch (error) {
      throw keyFreeError('putApiKey', orgId, error, apiKey);
    }
  }

  async getApiKey(orgId: string): Promise<string> {
    const cached = this.#cache.get(orgId);
    if (cached !== undefined && cached.expiresAt > this.#clock().getTime()) return cached.apiKey;
    this.#cache.delete(orgId);
    const name = this.secretName(orgId);
    let secret: string | undefined;
    try {
      secret = (await this.#client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') throw new SecretNotFoundError(orgId);
      throw new SecretStoreError('getApiKey', orgId, describe(error), { cause: error });
    }
    if (secret === undefined || secret === '') throw new SecretNotFoundError(orgId);
    this.#remember(orgId, secret);
    return secret;
  }

  async deleteApiKey(orgId: string): Promise<void> {
    const name = this.secretName(orgId);
    this.#cache.delete(orgId);
    try {
      await this.#client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: this.#recoveryWindowDays }));
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return;
      throw new SecretStoreError('deleteApiKey', orgId, describe(error), { cause: error });
    }
  }

  /** New value for an existing secret; a secret scheduled for deletion (disconnected org) is restored first. */
  async #replaceValue(name: string, apiKey: string): Promise<string> {
    try {
      const put = await this.#client.send(new PutSecretValueCommand({ SecretId: name, SecretString: apiKey }));
      return put.ARN ?? name;
    } catch (error) {
      if (errorName(error) !== 'InvalidRequestException') throw error;
      await this.#client.send(new RestoreSecretCommand({ SecretId: name }));
      const put = await this.#client.send(new PutSecretValueCommand({ SecretId: name, SecretString: apiKey }));
      return put.ARN ?? name;
    }
  }

  #remember(orgId: string, apiKey: string): void {
    this.#cache.set(orgId, { apiKey, expiresAt: this.#clock().getTime() + this.#cacheTtlMs });
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * A write failed: the error keeps the AWS error's name and (redacted) message but not the
 * original error object, whose properties could echo the request.
 */
function keyFreeError(action: string, orgId: string, error: unknown, apiKey: string): SecretStoreError {
  return new SecretStoreError(action, orgId, redact(describe(error), apiKey));
}
