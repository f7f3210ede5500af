/**
 * `SecretStore` for local mode and tests: keys in memory, or in one JSON file
 * (`api-keys.json`, mode 0600, in a 0700 directory) when a directory is given, so keys
 * survive a restart of `npm start`.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretStore } from '../ports.js';
import { assertSecretNameSafe, SecretNotFoundError } from './errors.js';

export const LOCAL_SECRETS_FILE = 'api-keys.json';

export interface LocalSecretStoreOptions {
  /** Directory of the key file; keys stay in memory only when absent. */
  directory?: string;
}

export class LocalSecretStore implements SecretStore {
  readonly #file: string | undefined;
  #keys: Map<string, string> | undefined;
  #writes: Promise<void> = Promise.resolve();

  constructor(options: LocalSecretStoreOptions = {}) {
    this.#file = options.directory === undefined ? undefined : join(options.directory, LOCAL_SECRETS_FILE);
  }

  async putApiKey(orgId: string, apiKey: string): Promise<string> {
    assertSecretNameSafe(orgId);
    const keys = await this.#load();
    keys.set(orgId, apiKey);
    await this.#save();
    return `local:${orgId}`;
  }

  async getApiKey(orgId: string): Promise<string> {
    const apiKey = (await this.#load()).get(orgId);
    if (apiKey === undefined) throw new SecretNotFoundError(orgId);
    return apiKey;
  }

  async deleteApiKey(orgId: string): Promise<void> {
    const keys = await this.#load();
    if (keys.delete(orgId)) await this.#save();
  }

  async #load(): Promise<Map<string, string>> {
    if (this.#keys !== undefined) return this.#keys;
    let stored: Record<string, string> = {};
    if (this.#file !== undefined) {
      try {
        stored = JSON.parse(await readFile(this.#file, 'utf8')) as Record<string, string>;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the local key file ${LOCAL_SECRETS_FILE}`);
      }
    }
    this.#keys ??= new Map(Object.entries(stored));
    return this.#keys;
  }

  /** Writes are serialized and atomic (temporary file, then rename), never world-readable. */
  async #save(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return;
    const content = JSON.stringify(Object.fromEntries(this.#keys ?? []), null, 2);
    const write = this.#writes.then(async () => {
      await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, content, { mode: 0o600 });
      await chmod(temporary, 0o600);
      await rename(temporary, file);
    });
    this.#writes = write.catch(() => undefined);
    await write;
  }
}
