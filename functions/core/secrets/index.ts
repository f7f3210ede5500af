/** Where org API keys live: AWS Secrets Manager in AWS, memory or a 0600 file locally. */
export { SecretsManagerSecretStore, ORG_ID_TAG, type SecretsManagerSecretStoreOptions } from './secrets-manager-secret-store.js';
export { LocalSecretStore, LOCAL_SECRETS_FILE, type LocalSecretStoreOptions } from './local-secret-store.js';
export { SecretNotFoundError, SecretStoreError } from './errors.js';
