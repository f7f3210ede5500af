/**
 * Base class of every error the connector raises on purpose.
 *
 * `code` is stable and crosses the HTTP API (problem+json `code`); `message` is for
 * humans and says what to do next. Subclasses set `name` and keep `cause`.
 */
export class ConnectorError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectorError';
    this.code = code;
  }
}

/** Narrows an unknown thrown value to an Error (wrapping non-errors). */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
