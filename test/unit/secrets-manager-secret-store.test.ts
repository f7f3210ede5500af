import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretNotFoundError, SecretStoreError, SecretsManagerSecretStore } from '../../functions/core/secrets/index.js';

const CANARY = 'ATATT-canary-key-0123456789abcdef';
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlassian-access-connector/org-1-AbCdEf';
const metadata = { $metadata: {} };

/** Every way an error could reach a log line or a response. */
function exposed(error: unknown): string {
  const e = error as Error & { cause?: unknown };
  return [e.message, e.stack, JSON.stringify(e), String(e.cause ?? ''), JSON.stringify(e.cause ?? null)].join('\n');
}

describe('SecretsManagerSecretStore', () => {
  const sm = mockClient(SecretsManagerClient);
  let now = 0;
  const store = () =>
    new SecretsManagerSecretStore({
      client: new SecretsManagerClient({ region: 'us-east-1' }),
      prefix: 'atlassian-access-connector/',
      recoveryWindowDays: 7,
      cacheTtlMs: 60_000,
      clock: () => new Date(now),
    });

  beforeEach(() => {
    sm.reset();
    now = Date.parse('2026-12-01T00:00:00Z');
  });

  it('creates one secret per org, named by prefix and org id and tagged with the org id', async () => {
    sm.on(CreateSecretCommand).resolves({ ARN, Name: 'atlassian-access-connector/org-1' });
    assert.equal(await store().putApiKey('org-1', CANARY), ARN);
    assert.equal(sm.calls().length, 1);
    assert.deepEqual(sm.commandCalls(CreateSecretCommand)[0]?.args[0].input, {
      Name: 'atlassian-access-connector/org-1',
      SecretString: CANARY,
      Description: 'Atlassian Admin API key of organization org-1',
      Tags: [{ Key: 'atlassian-access-connector:org-id', Value: 'org-1' }],
    });
  });

  it('puts a new value when the secret already exists', async () => {
    sm.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', ...metadata }));
    sm.on(PutSecretValueCommand).resolves({ ARN });
    assert.equal(await store().putApiKey('org-1', CANARY), ARN);
    assert.deepEqual(sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input), [
      { SecretId: 'atlassian-access-connector/org-1', SecretString: CANARY },
    ]);
  });

  it('restores a secret scheduled for deletion before putting the new value', async () => {
    sm.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', ...metadata }));
    sm.on(PutSecretValueCommand)
      .rejectsOnce(new InvalidRequestException({ message: 'marked for deletion', ...metadata }))
      .resolves({ ARN });
    sm.on(RestoreSecretCommand).resolves({ ARN });
    assert.equal(await store().putApiKey('org-1', CANARY), ARN);
    assert.deepEqual(sm.commandCalls(RestoreSecretCommand)[0]?.args[0].input, { SecretId: 'atlassian-access-connector/org-1' });
    assert.equal(sm.commandCalls(PutSecretValueCommand).length, 2);
  });

  it('reads a key once and serves it from memory until the cache expires', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: CANARY });
    const secrets = store();
    assert.equal(await secrets.getApiKey('org-1'), CANARY);
    now += 59_999;
    assert.equal(await secrets.getApiKey('org-1'), CANARY);
    assert.equal(sm.commandCalls(GetSecretValueCommand).length, 1);
    now += 1;
    assert.equal(await secrets.getApiKey('org-1'), CANARY);
    assert.deepEqual(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input), [
      { SecretId: 'atlassian-access-connector/org-1' },
      { SecretId: 'atlassian-access-connector/org-1' },
    ]);
  });

  it('serves a rotated key from memory without another read', async () => {
    sm.on(CreateSecretCommand).resolves({ ARN });
    const secrets = store();
    await secrets.putApiKey('org-1', 'new-key');
    assert.equal(await secrets.getApiKey('org-1'), 'new-key');
    assert.equal(sm.commandCalls(GetSecretValueCommand).length, 0);
  });

  it('reports a missing secret as not found', async () => {
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'no such secret', ...metadata }));
    await assert.rejects(store().getApiKey('org-2'), (error: unknown) => {
      assert.ok(error instanceof SecretNotFoundError);
      assert.equal(error.code, 'SECRET_NOT_FOUND');
      assert.match(error.message, /org-2/);
      return true;
    });
  });

  it('schedules deletion with the configured recovery window and forgets the cached key', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: CANARY });
    sm.on(DeleteSecretCommand).resolves({});
    const secrets = store();
    await secrets.getApiKey('org-1');
    await secrets.deleteApiKey('org-1');
    assert.deepEqual(sm.commandCalls(DeleteSecretCommand)[0]?.args[0].input, {
      SecretId: 'atlassian-access-connector/org-1',
      RecoveryWindowInDays: 7,
    });
    await secrets.getApiKey('org-1');
    assert.equal(sm.commandCalls(GetSecretValueCommand).length, 2);
  });

  it('treats deleting a secret that is already gone as done', async () => {
    sm.on(DeleteSecretCommand).rejects(new ResourceNotFoundException({ message: 'gone', ...metadata }));
    await store().deleteApiKey('org-1');
    assert.equal(sm.commandCalls(DeleteSecretCommand).length, 1);
  });

  it('never puts the key in an error, even when AWS echoes it', async () => {
    sm.on(CreateSecretCommand).rejects(new Error(`validation failed for value ${CANARY}`));
    await assert.rejects(store().putApiKey('org-1', CANARY), (error: unknown) => {
      assert.ok(error instanceof SecretStoreError);
      assert.equal(error.code, 'SECRET_STORE_FAILED');
      assert.match(error.message, /putApiKey: organization org-1/);
      assert.doesNotMatch(exposed(error), new RegExp(CANARY));
      return true;
    });

    sm.reset();
    sm.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', ...metadata }));
    sm.on(PutSecretValueCommand).rejects(new Error(`throttled while storing ${CANARY}`));
    await assert.rejects(store().putApiKey('org-1', CANARY), (error: unknown) => {
      assert.doesNotMatch(exposed(error), new RegExp(CANARY));
      return true;
    });
  });

  it('refuses an org id that cannot be part of a secret name, before calling AWS', async () => {
    await assert.rejects(store().putApiKey('org 1/../x', CANARY), SecretStoreError);
    assert.equal(sm.calls().length, 0);
  });
});
