/** Errors of the sync engine. */
import { ConnectorError } from '../errors.js';

/**
 * The run failed for a reason that a later attempt can fix (rate limit, Atlassian or AWS
 * unavailable). The run was recorded as `failed` with its checkpoint; the queue should
 * redeliver the message, which resumes the run from that checkpoint.
 */
export class SyncRetryableError extends ConnectorError {
  readonly orgId: string;
  readonly runId: string;

  constructor(code: string, orgId: string, runId: string, message: string, options?: { cause?: unknown }) {
    super(code, `sync run ${runId} of organization ${orgId}: ${message}`, options);
    this.name = 'SyncRetryableError';
    this.orgId = orgId;
    this.runId = runId;
  }
}

export function isSyncRetryableError(thrown: unknown): thrown is SyncRetryableError {
  return thrown instanceof SyncRetryableError;
}

/**
 * Another run took the org's lease while this run still worked on it (this run outlived its
 * lease). The run stops writing; it is recorded as failed and retried later.
 */
export class SyncLeaseLostError extends ConnectorError {
  constructor(orgId: string, runId: string) {
    super('SYNC_LEASE_LOST', `sync run ${runId} of organization ${orgId} lost its lease to another run; it stops here and is retried later`);
    this.name = 'SyncLeaseLostError';
  }
}
