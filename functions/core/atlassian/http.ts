/**
 * The one place that talks HTTP to Atlassian: bearer auth, per-request timeout,
 * retries with backoff, the caller's deadline, and mapping of failures to typed errors.
 *
 * Retry policy
 * - Reads (GET, and the POST users search) are retried on 429, 5xx, timeouts and
 *   network errors.
 * - Writes (suspend, restore, remove) are retried on 429 (Atlassian did not process
 *   the request), 502/503/504 and timeouts/network errors. These writes are
 *   idempotent in effect (suspending a suspended user leaves it suspended), so a
 *   repeat after an ambiguous failure cannot do harm; a repeated remove may answer
 *   404 when the first attempt went through, which the caller sees as NotFoundError.
 *   A plain 500 on a write is not retried: it is more likely a deterministic failure
 *   of that action than a transient one.
 * - 429 waits what `Retry-After` says (seconds or HTTP date), else until
 *   `X-RateLimit-Reset`, else exponential backoff with full jitter; a wait longer
 *   than `maxRetryAfterMs` is not slept but reported as RateLimitedError.
 * - Attempts are bounded by `maxAttempts`; no wait and no request goes past the
 *   caller's deadline (DeadlineExceededError instead).
 *
 * The API key lives only in a private field and the Authorization header; errors
 * carry summaries (status, Atlassian code, short detail), never requests, headers
 * or the original network error objects.
 */
import type { Clock } from '../ports.js';
import {
  AtlassianApiError,
  type AtlassianErrorInfo,
  DeadlineExceededError,
  ForbiddenError,
  InvalidResponseError,
  KeyRejectedError,
  NotFoundError,
  RateLimitedError,
  RequestRejectedError,
  ScimManagedError,
  UpstreamError,
} from './errors.js';

/** Bounds of the retry loop. */
export interface RetryOptions {
  /** Total attempts per request, first one included. @default 5 */
  maxAttempts: number;
  /** First backoff ceiling; doubles per attempt (full jitter). @default 500 */
  baseDelayMs: number;
  /** Largest backoff ceiling. @default 20000 */
  maxDelayMs: number;
  /** Longest `Retry-After`/`X-RateLimit-Reset` wait that is slept rather than reported. @default 60000 */
  maxRetryAfterMs?: number;
}

/** The logging the client does: retries and fallbacks. Compatible with the Powertools Logger. */
export interface AtlassianLogger {
  debug(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
}

/** Attributes of a log line: plain values only (ids, statuses, codes, delays). */
export type LogAttributes = Record<string, string | number | boolean | undefined>;

export interface AtlassianHttpOptions {
  apiKey: string;
  /** E.g. `https://api.atlassian.com/admin`. */
  baseUrl: string;
  fetch?: typeof fetch;
  retry?: Partial<RetryOptions>;
  /** Per-attempt timeout, body included. @default 30000 */
  requestTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: Clock;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
  logger?: AtlassianLogger;
}

export interface AtlassianRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the base URL, starting with `/`. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Names the failed action in errors, e.g. `listUsers: org 1234`. */
  action: string;
  /** Epoch ms after which no request is started and no wait ends. */
  deadline?: number;
  /** Directory writes follow the stricter retry policy. */
  write?: boolean;
}

export interface AtlassianResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
};
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const READ_RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const WRITE_RETRY_STATUSES = new Set([429, 502, 503, 504]);
const DETAIL_MAX = 240;

type Attempt =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'network'; summary: string }
  | { kind: 'deadline' };

interface Failure {
  error: AtlassianApiError;
  retryable: boolean;
  /** Wait asked for by Atlassian (429 headers). */
  waitMs?: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class AtlassianHttp {
  readonly #apiKey: string;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #retry: Required<RetryOptions>;
  readonly #requestTimeoutMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: Clock;
  readonly #random: () => number;
  readonly #logger?: AtlassianLogger;

  constructor(options: AtlassianHttpOptions) {
    this.#apiKey = options.apiKey;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#sleep = options.sleep ?? realSleep;
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger;
  }

  /** Sends a request with retries; resolves with a 2xx answer or throws a typed error. */
  async send(request: AtlassianRequest): Promise<AtlassianResponse> {
    const url = this.#url(request);
    for (let attempt = 1; ; attempt++) {
      this.#assertBeforeDeadline(request);
      const outcome = await this.#attempt(url, request);
      if (outcome.kind === 'deadline') {
        throw new DeadlineExceededError({ action: request.action, detail: 'the deadline came during the request' });
      }
      if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
        return { status: outcome.status, body: this.#parseSuccessBody(request, outcome.text) };
      }
      const failure = this.#classify(request, outcome);
      if (!failure.retryable || attempt >= this.#retry.maxAttempts) throw failure.error;
      if (failure.waitMs !== undefined && failure.waitMs > this.#retry.maxRetryAfterMs) throw failure.error;
      const delayMs = failure.waitMs ?? this.#backoff(attempt);
      if (request.deadline !== undefined && this.#now().getTime() + delayMs >= request.deadline) {
        throw new DeadlineExceededError(
          { action: request.action, detail: `a retry wait of ${delayMs} ms would pass the deadline` },
          { cause: failure.error },
        );
      }
      this.#logger?.warn('Atlassian request will be retried', {
        action: request.action,
        attempt,
        status: failure.error.status,
        atlassianCode: failure.error.atlassianCode,
        delayMs,
      });
      await this.#sleep(delayMs);
    }
  }

  #url(request: AtlassianRequest): string {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) query.set(name, value);
    }
    const search = query.size > 0 ? `?${query.toString()}` : '';
    return `${this.#baseUrl}${request.path}${search}`;
  }

  #assertBeforeDeadline(request: AtlassianRequest): void {
    if (request.deadline !== undefined && this.#now().getTime() >= request.deadline) {
      throw new DeadlineExceededError({ action: request.action, detail: 'the deadline passed before the request' });
    }
  }

  async #attempt(url: string, request: AtlassianRequest): Promise<Attempt> {
    const remaining = request.deadline === undefined ? Infinity : request.deadline - this.#now().getTime();
    const boundByDeadline = remaining < this.#requestTimeoutMs;
    const timeoutMs = Math.max(0, Math.min(remaining, this.#requestTimeoutMs));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#apiKey}`,
      accept: 'application/json',
    };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await this.#fetch(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: controller.signal,
      });
      const text = await response.text();
      this.#logger?.debug('Atlassian request answered', {
        action: request.action,
        method: request.method,
        path: request.path,
        status: response.status,
      });
      return { kind: 'response', status: response.status, headers: response.headers, text };
    } catch (thrown) {
      if (controller.signal.aborted) {
        return boundByDeadline ? { kind: 'deadline' } : { kind: 'network', summary: `timed out after ${timeoutMs} ms` };
      }
      return { kind: 'network', summary: this.#redact(describeNetworkError(thrown)) };
    } finally {
      clearTimeout(timer);
    }
  }

  #parseSuccessBody(request: AtlassianRequest, text: string): unknown {
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new InvalidResponseError({ action: request.action, detail: 'the body is not valid JSON' });
    }
  }

  #classify(request: AtlassianRequest, outcome: Exclude<Attempt, { kind: 'deadline' }>): Failure {
    if (outcome.kind === 'network') {
      return {
        error: new UpstreamError(
          { action: request.action, detail: outcome.summary },
          { cause: new Error(outcome.summary) },
        ),
        retryable: true,
      };
    }
    const parsed = parseErrorBody(outcome.text);
    const info: AtlassianErrorInfo = { action: request.action, status: outcome.status };
    if (parsed.atlassianCode !== undefined) info.atlassianCode = this.#redact(parsed.atlassianCode);
    if (parsed.detail !== undefined) info.detail = this.#redact(parsed.detail);
    const status = outcome.status;
    const retryStatuses = request.write ? WRITE_RETRY_STATUSES : READ_RETRY_STATUSES;
    const retryable = retryStatuses.has(status);
    if (status === 429) {
      const waitMs = rateLimitWaitMs(outcome.headers, this.#now());
      const error = new RateLimitedError(waitMs === undefined ? info : { ...info, retryAfterMs: waitMs });
      return waitMs === undefined ? { error, retryable } : { error, retryable, waitMs };
    }
    if (status >= 500) return { error: new UpstreamError(info), retryable };
    if (status === 401) return { error: new KeyRejectedError(info), retryable: false };
    if (status === 403) {
      const error = isScimRefusal(parsed) ? new ScimManagedError(info) : new ForbiddenError(info);
      return { error, retryable: false };
    }
    if (status === 404) return { error: new NotFoundError(info), retryable: false };
    return { error: new RequestRejectedError(info), retryable: false };
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.#random() * ceiling);
  }

  #redact(text: string): string {
    return this.#apiKey.length >= 8 ? text.split(this.#apiKey).join('[redacted]') : text;
  }
}

/** What an error body says, whatever its shape. */
export interface ParsedErrorBody {
  atlassianCode?: string;
  /** Title and detail (or message), shortened. */
  detail?: string;
  /** Title and detail, unshortened, for classification. */
  text?: string;
}

/**
 * Parses every error body shape Atlassian uses: `{errors:[{code,title,detail}]}`,
 * gateway `{code,message}`, user-management `{key}`, lifecycle `[{code,message}]`,
 * and non-JSON text.
 */
export function parseErrorBody(text: string): ParsedErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    return plain === '' ? {} : { detail: shorten(plain), text: plain };
  }
  const first = Array.isArray(body) ? body[0] : body;
  if (!isRecord(first)) return {};
  const entry = Array.isArray(first.errors) && isRecord(first.errors[0]) ? first.errors[0] : first;
  const code = firstString(entry.code, entry.key, entry.errorKey);
  const words = [entry.title, entry.detail ?? entry.message ?? entry.error]
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
    .join(': ');
  const result: ParsedErrorBody = {};
  if (code !== undefined) result.atlassianCode = code;
  if (words !== '') {
    result.detail = shorten(words.replace(/\s+/g, ' ').trim());
    result.text = words;
  }
  return result;
}

/** A 403 body that says the account is managed by an identity provider through SCIM. */
export function isScimRefusal(parsed: ParsedErrorBody): boolean {
  if (parsed.atlassianCode === 'forbidden.action') return true;
  return (
    (parsed.atlassianCode ?? '').startsWith('ADMIN-403') &&
    /scim|identity provider|synced/i.test(parsed.text ?? '')
  );
}

/** Milliseconds to wait after a 429: `Retry-After` (seconds or HTTP date), else `X-RateLimit-Reset`. */
export function rateLimitWaitMs(headers: Headers, now: Date): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now.getTime());
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset) {
    if (/^\d+(\.\d+)?$/.test(reset)) {
      const value = Number(reset);
      // Epoch milliseconds, epoch seconds, or seconds from now.
      if (value > 1e12) return Math.max(0, Math.ceil(value - now.getTime()));
      if (value > 1e9) return Math.max(0, Math.ceil(value * 1000 - now.getTime()));
      return Math.ceil(value * 1000);
    }
    const at = Date.parse(reset);
    if (!Number.isNaN(at)) return Math.max(0, at - now.getTime());
  }
  return undefined;
}

function describeNetworkError(thrown: unknown): string {
  if (!(thrown instanceof Error)) return 'network error';
  const cause = thrown.cause;
  const causeCode = isRecord(cause) && typeof cause.code === 'string' ? cause.code : undefined;
  const causeMessage = cause instanceof Error ? cause.message : undefined;
  const reason = causeCode ?? causeMessage;
  return shorten(reason ? `${thrown.message}: ${reason}` : thrown.message);
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function shorten(text: string): string {
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX - 1)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
