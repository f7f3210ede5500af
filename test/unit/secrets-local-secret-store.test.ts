import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LOCAL_SECRETS_FILE, LocalSecretStore, SecretNotFoundError } from '../../functions/core/secrets/index.js';

describe('LocalSecretStore', () => {
  let directory: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'connector-secrets-'));
  });
  after(async () => rm(directory, { recursive: true, force: true }));

  it('keeps keys in memory when no directory is given', async () => {
    const store = new LocalSecretStore();
    assert.equal(await store.putApiKey('org-1', 'key-1'), 'local:org-1');
    assert.equal(await store.getApiKey('org-1'), 'key-1');
    await store.putApiKey('org-1', 'key-2');
    assert.equal(await store.getApiKey('org-1'), 'key-2');
    await store.deleteApiKey('org-1');
    await assert.rejects(store.getApiKey('org-1'), SecretNotFoundError);
  });

  it('persists keys in a file only its owner can read, and reads them after a restart', async () => {
    const keysDir = join(directory, 'nested');
    const first = new LocalSecretStore({ directory: keysDir });
    await Promise.all([first.putApiKey('org-a', 'key-a'), first.putApiKey('org-b', 'key-b')]);
    const file = join(keysDir, LOCAL_SECRETS_FILE);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(keysDir)).mode & 0o777, 0o700);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { 'org-a': 'key-a', 'org-b': 'key-b' });

    const second = new LocalSecretStore({ directory: keysDir });
    assert.equal(await second.getApiKey('org-b'), 'key-b');
    await second.deleteApiKey('org-a');
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { 'org-b': 'key-b' });
  });

  it('reports an unknown org without revealing other keys', async () => {
    const store = new LocalSecretStore({ directory });
    await store.putApiKey('org-known', 'secret-value');
    await assert.rejects(store.getApiKey('org-unknown'), (error: unknown) => {
      assert.ok(error instanceof SecretNotFoundError);
      assert.doesNotMatch(String((error as Error).message), /secret-value/);
      return true;
    });
  });
});
