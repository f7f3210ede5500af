/** Atlassian Admin API client: public surface. */
export {
  AtlassianClient,
  createAtlassianDirectory,
  directoryWriteEndpoint,
  type AtlassianApiKeySummary,
  type AtlassianClientOptions,
  type DirectoryWriteKind,
} from './client.js';
export {
  AtlassianApiError,
  DeadlineExceededError,
  ForbiddenError,
  InvalidResponseError,
  KeyRejectedError,
  NotFoundError,
  RateLimitedError,
  RequestRejectedError,
  ScimManagedError,
  UpstreamError,
  isAtlassianApiError,
  type AtlassianErrorInfo,
} from './errors.js';
export { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_RETRY, type AtlassianLogger, type RetryOptions } from './http.js';
export { normalizeV1User, normalizeV2User } from './normalize.js';
