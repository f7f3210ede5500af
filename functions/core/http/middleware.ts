/**
 * middy middleware for the HTTP Lambdas: every error leaves as RFC 9457 problem+json.
 *
 * Client errors (`ApiProblem`, or a `ConnectorError` whose code maps to a status) are
 * returned as they are; anything else is logged with a correlation id and answered
 * with a generic 500 that reveals nothing internal.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import type { HttpResponse } from './response.js';

export interface ErrorLogger {
  error(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
}

export interface ProblemJsonOptions {
  logger: ErrorLogger;
}

export function problemJsonErrors(
  options: ProblemJsonOptions,
): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, Context> {
  return {
    onError: async function problemJsonOnError(request) {
      const correlationId = request.context?.awsRequestId ?? request.event.requestContext?.requestId;
      const problem = toProblem(request.error, { correlationId, instance: request.event.rawPath });
      if (problem.status >= 500) {
        options.logger.error('request failed', { correlationId, code: problem.code, error: request.error });
      } else {
        options.logger.warn('request refused', { correlationId, code: problem.code, status: problem.status });
      }
      const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
      if (typeof problem.retryAfterSeconds === 'number') headers['retry-after'] = String(problem.retryAfterSeconds);
      request.response = { statusCode: problem.status, headers, body: JSON.stringify(problem) };
    },
  };
}
