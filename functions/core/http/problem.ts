/**
 * RFC 9457 problem details: the only error shape the HTTP API returns.
 *
 * Errors meant for the client carry a stable `code`; everything else becomes a
 * generic 500 with a correlation id (no internals), as middy's http-error-handler does.
 */
import { ConnectorError } from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** HTTP status for each stable error code that may cross the API. */
const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_FAILED: 400,
  ORG_AMBIGUOUS: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  ORG_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ORG_ALREADY_CONNECTED: 409,
  ORG_DISCONNECTED: 409,
  ORG_MISMATCH: 422,
  SCIM_MANAGED: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  ATLASSIAN_REJECTED: 422,
  KEY_REJECTED: 502,
  FORBIDDEN: 502,
  NOT_FOUND: 502,
  INVALID_RESPONSE: 502,
  RATE_LIMITED: 429,
  UPSTREAM_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 503,
};

const TITLE_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** An error with an explicit HTTP status, raised by handlers and the HTTP layer. */
export class ApiProblem extends ConnectorError {
  readonly status: number;
  /** Extra problem members (e.g. `errors` for validation, `retryAfterSeconds`). */
  readonly extensions: Record<string, unknown>;

  constructor(status: number, code: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(code, detail);
    this.name = 'ApiProblem';
    this.status = status;
    this.extensions = extensions;
  }
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  correlationId?: string;
  [extension: string]: unknown;
}

/** Turns any thrown value into a problem document; unknown errors become an opaque 500. */
export function toProblem(thrown: unknown, context: { correlationId?: string; instance?: string } = {}): ProblemDocument {
  if (thrown instanceof ApiProblem) {
    return document(thrown.status, thrown.code, thrown.message, context, thrown.extensions);
  }
  if (thrown instanceof ConnectorError && STATUS_BY_CODE[thrown.code] !== undefined) {
    const extensions: Record<string, unknown> = {};
    const retryAfterMs = (thrown as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof retryAfterMs === 'number') extensions.retryAfterSeconds = Math.ceil(retryAfterMs / 1000);
    return document(STATUS_BY_CODE[thrown.code]!, thrown.code, thrown.message, context, extensions);
  }
  return document(
    500,
    'INTERNAL_ERROR',
    'An unexpected error occurred. Quote the correlation id when reporting it.',
    context,
    {},
  );
}

function document(
  status: number,
  code: string,
  detail: string,
  context: { correlationId?: string; instance?: string },
  extensions: Record<string, unknown>,
): ProblemDocument {
  return {
    type: `urn:atlassian-access-connector:problem:${code.toLowerCase()}`,
    title: TITLE_BY_STATUS[status] ?? 'Error',
    status,
    code,
    detail,
    ...(context.instance ? { instance: context.instance } : {}),
    ...(context.correlationId ? { correlationId: context.correlationId } : {}),
    ...extensions,
  };
}
