/**
 * `POST /orgs/{orgId}/users/{accountId}/deprovision` as a Lambda handler: validates the
 * request, hands it to `deprovisionUser` and returns its answer (JSON or problem+json).
 * The only function allowed to call Atlassian's directory write endpoints.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { UserPath } from '../api/schemas.js';
import { deprovisionUser, type DeprovisionOptions } from '../core/deprovision/index.js';
import { problemJsonErrors } from '../core/http/middleware.js';
import { PROBLEM_CONTENT_TYPE } from '../core/http/problem.js';
import { header, parseBody, parsePath, requesterOf, validationFailed } from '../core/http/request.js';
import { json, text, type HttpResponse } from '../core/http/response.js';
import { logger as sharedLogger } from '../core/observability.js';
import type { ConnectorDependencies } from '../core/runtime/dependencies.js';
import * as z from '../core/zod.js';

/** Time kept back from the Lambda deadline to record the outcome after Atlassian answers. */
export const RECORDING_RESERVE_MS = 5_000;

const BodySchema = z.strictObject({
  action: z.enum(['suspend', 'remove', 'restore']),
  reason: z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(1000)),
  dryRun: z.optional(z.boolean()),
});

/** 1–128 printable ASCII characters, no leading or trailing blank. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/;

export interface DeprovisionHandlerOptions extends Pick<DeprovisionOptions, 'waitForFirstMs' | 'pollIntervalMs' | 'sleep'> {
  /** @default the shared Powertools logger */
  logger?: Logger;
}

export function createDeprovisionHandler(deps: ConnectorDependencies, options: DeprovisionHandlerOptions = {}) {
  const logger = options.logger ?? sharedLogger;
  return middy(async function deprovision(event: APIGatewayProxyEventV2, context: Context): Promise<HttpResponse> {
    const { orgId, accountId } = parsePath(event, UserPath);
    const body = parseBody(event, BodySchema);
    const idempotencyKey = header(event, 'idempotency-key');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      validationFailed([{ field: 'header.idempotency-key', message: 'must be 1 to 128 printable ASCII characters' }]);
    }
    const remainingMs = context?.getRemainingTimeInMillis?.();
    const deadline = remainingMs === undefined ? undefined : Date.now() + remainingMs - RECORDING_RESERVE_MS;
    const reply = await deprovisionUser(
      deps,
      {
        orgId,
        accountId,
        action: body.action,
        reason: body.reason,
        dryRun: body.dryRun ?? false,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        requester: requesterOf(event),
        instance: event.rawPath,
      },
      {
        ...options,
        logger,
        ...(deadline === undefined ? {} : { deadline, waitForFirstMs: Math.min(options.waitForFirstMs ?? 10_000, deadline - Date.now()) }),
      },
    );
    const headers: Record<string, string> = reply.replayed ? { 'idempotent-replayed': 'true' } : {};
    if (reply.status < 400) return json(reply.status, reply.body, headers);
    if (typeof reply.body.retryAfterSeconds === 'number') headers['retry-after'] = String(reply.body.retryAfterSeconds);
    return text(reply.status, JSON.stringify(reply.body), PROBLEM_CONTENT_TYPE, headers);
  })
    // Never log the request event, even with POWERTOOLS_LOGGER_LOG_EVENT=true: the audit trail records requests.
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(problemJsonErrors({ logger }));
}
