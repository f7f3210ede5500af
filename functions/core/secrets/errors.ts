/** Errors of the secret stores. They carry the org id and the failed action, never the key. */
import { ConnectorError } from '../errors.js';

export class SecretNotFoundError extends ConnectorError {
  readonly orgId: string;

  constructor(orgId: string) {
    super('SECRET_NOT_FOUND', `no API key is stored for organization ${orgId}; connect it again with POST /orgs`);
    this.name = 'SecretNotFoundError';
    this.orgId = orgId;
  }
}

export class SecretStoreError extends ConnectorError {
  readonly orgId: string;

  constructor(action: string, orgId: string, detail: string, options?: { cause?: unknown }) {
    super('SECRET_STORE_FAILED', `${action}: organization ${orgId}: ${detail}`, options);
    this.name = 'SecretStoreError';
    this.orgId = orgId;
  }
}

/** Secrets Manager names allow letters, digits and `/_+=.@-`; org ids are checked before use in one. */
export function assertSecretNameSafe(orgId: string): void {
  if (!/^[A-Za-z0-9_+=.@-]{1,200}$/.test(orgId)) {
    throw new SecretStoreError('secret name', orgId.slice(0, 64), 'the organization id contains characters a secret name cannot hold');
  }
}

/** Replaces every occurrence of `secret` in `text`, for messages that might echo it. */
export function redact(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('[redacted]');
}
