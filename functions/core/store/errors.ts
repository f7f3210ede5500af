/** Errors raised by the DynamoDB store. Messages never contain item contents beyond ids. */
import { ConnectorError } from '../errors.js';

/** A pagination cursor that this store did not issue for this query. */
export class InvalidCursorError extends ConnectorError {
  constructor(reason: string) {
    super('VALIDATION_FAILED', `cursor: ${reason}; pass the nextCursor of the previous page unchanged`);
    this.name = 'InvalidCursorError';
  }
}

export class OrgNotFoundError extends ConnectorError {
  readonly orgId: string;

  constructor(orgId: string) {
    super('ORG_NOT_FOUND', `organization ${orgId} is not connected`);
    this.name = 'OrgNotFoundError';
    this.orgId = orgId;
  }
}

export class OrgAlreadyConnectedError extends ConnectorError {
  readonly orgId: string;

  constructor(orgId: string) {
    super('ORG_ALREADY_CONNECTED', `organization ${orgId} is already connected; rotate its key with PUT /orgs/${orgId}/api-key`);
    this.name = 'OrgAlreadyConnectedError';
    this.orgId = orgId;
  }
}

/** A conditional write lost against a concurrent writer, or the item is not in the expected state. */
export class StaleWriteError extends ConnectorError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('CONFLICT', `${what} was changed concurrently or is not in the expected state; read it again and retry`, options);
    this.name = 'StaleWriteError';
  }
}

/** DynamoDB kept refusing part of a batch (throttling) after every retry. */
export class BatchIncompleteError extends ConnectorError {
  readonly remaining: number;

  constructor(operation: string, remaining: number, attempts: number) {
    super('STORE_THROTTLED', `${operation}: ${remaining} item(s) still unprocessed after ${attempts} attempts`);
    this.name = 'BatchIncompleteError';
    this.remaining = remaining;
  }
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
