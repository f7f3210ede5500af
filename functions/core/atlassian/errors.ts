/**
 * Typed errors of the Atlassian Admin API client.
 *
 * Every error names the action that failed (`listUsers: org <id>: …`), carries the
 * HTTP status, Atlassian's own error code (`ADMIN-404-8`) and a short detail when
 * Atlassian gave them, and a stable `code` for the rest of the connector.
 * None of them ever holds the API key, a request, or request headers.
 */
import { ConnectorError } from '../errors.js';

/** What Atlassian said about a failed request, as far as its body could be parsed. */
export interface AtlassianErrorInfo {
  /** The action that failed, e.g. `listUsers: org 1234`. */
  action: string;
  status?: number;
  /** Atlassian's error code (`ADMIN-403-3`, `forbidden.action`, gateway `429`). */
  atlassianCode?: string;
  /** Atlassian's title/detail/message, shortened. */
  detail?: string;
}

/** Base of every error raised by the Atlassian client. */
export class AtlassianApiError extends ConnectorError {
  readonly action: string;
  readonly status?: number;
  readonly atlassianCode?: string;
  readonly detail?: string;

  constructor(code: string, info: AtlassianErrorInfo, advice: string, options?: { cause?: unknown }) {
    super(code, composeMessage(info, advice), options);
    this.name = 'AtlassianApiError';
    this.action = info.action;
    if (info.status !== undefined) this.status = info.status;
    if (info.atlassianCode !== undefined) this.atlassianCode = info.atlassianCode;
    if (info.detail !== undefined) this.detail = info.detail;
  }
}

/** 401: the key is invalid, expired or revoked. */
export class KeyRejectedError extends AtlassianApiError {
  constructor(info: AtlassianErrorInfo, options?: { cause?: unknown }) {
    super(
      'KEY_REJECTED',
      info,
      'the Atlassian API key was rejected; it may have expired or been revoked: rotate it',
      options,
    );
    this.name = 'KeyRejectedError';
  }
}

/** 403 for any reason other than SCIM management. */
export class ForbiddenError extends AtlassianApiError {
  constructor(info: AtlassianErrorInfo, options?: { cause?: unknown }) {
    super('FORBIDDEN', info, 'the API key is not allowed to do this in the organization', options);
    this.name = 'ForbiddenError';
  }
}

/** 403 because the account is managed by the customer's identity provider (SCIM). */
export class ScimManagedError extends AtlassianApiError {
  constructor(info: AtlassianErrorInfo, options?: { cause?: unknown }) {
    super(
      'SCIM_MANAGED',
      info,
      'the account is managed by an identity provider (SCIM): deprovision it in the identity provider',
      options,
    );
    this.name = 'ScimManagedError';
  }
}

/** 404: unknown organization, user or endpoint. */
export class NotFoundError extends AtlassianApiError {
  constructor(info: AtlassianErrorInfo, options?: { cause?: unknown }) {
    super('NOT_FOUND', info, 'Atlassian does not know this organization or user', options);
    this.name = 'NotFoundError';
  }
}

/** Any other 4xx (e.g. 400 when an org admin cannot be suspended, or a stale cursor). */
export class RequestRejectedError extends AtlassianApiError {
  constructor(info: AtlassianErrorInfo, options?: { cause?: unknown }) {
    super('ATLASSIAN_REJECTED', info, 'Atlassian refused the request', options);
    this.name = 'RequestRejectedError';
  }
}

/** 429 that persisted through every retry. */
export class RateLimitedError extends AtlassianApiError {
  /** How long Atlassian asked us to wait, when it said so. */
  readonly retryAfterMs?: number;

  constructor(info: AtlassianErrorInfo & { retryAfterMs?: number }, options?: { cause?: unknown }) {
    super('RATE_LIMITED', info, 'Atlassian rate-limited the API key: try again later', options);
    this.name = 'RateLimitedError';
    if (info.retryAfterMs !== undefined) this.retryAfterMs = info.retryAfterMs;
  }
}

/** 5xx, timeout or network failure that persisted through every retry. */
export class UpstreamError extends AtlassianApiError {
  constructor(info: AtlassianErrorInfo, options?: { cause?: unknown }) {
    super('UPSTREAM_UNAVAILABLE', info, 'Atlassian is unavailable: try again later', options);
    this.name = 'UpstreamError';
  }
}

/** The body was not JSON, or did not match the expected schema; `detail` names the bad field. */
export class InvalidResponseError extends AtlassianApiError {
  constructor(info: AtlassianErrorInfo, options?: { cause?: unknown }) {
    super('INVALID_RESPONSE', info, 'Atlassian answered with an unexpected body', options);
    this.name = 'InvalidResponseError';
  }
}

/** The caller's deadline came (or a needed wait would pass it) before the action completed. */
export class DeadlineExceededError extends AtlassianApiError {
  constructor(info: AtlassianErrorInfo, options?: { cause?: unknown }) {
    super('DEADLINE_EXCEEDED', info, 'stopped before the deadline: continue from the last cursor', options);
    this.name = 'DeadlineExceededError';
  }
}

/** Narrows a caught value to an Atlassian client error. */
export function isAtlassianApiError(thrown: unknown): thrown is AtlassianApiError {
  return thrown instanceof AtlassianApiError;
}

function composeMessage(info: AtlassianErrorInfo, advice: string): string {
  const answer: string[] = [];
  if (info.status !== undefined) answer.push(String(info.status));
  if (info.atlassianCode !== undefined && info.atlassianCode !== String(info.status)) answer.push(info.atlassianCode);
  const said = answer.length > 0 ? ` (Atlassian answered ${answer.join(' ')}${info.detail ? `: ${info.detail}` : ''})` : '';
  const detailOnly = answer.length === 0 && info.detail ? ` (${info.detail})` : '';
  return `${info.action}: ${advice}${said}${detailOnly}`;
}
