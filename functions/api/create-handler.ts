/**
 * The `api` Lambda as a factory over its dependencies: a middy handler that dispatches on
 * API Gateway's `routeKey` through the route table, with problem+json errors and Powertools
 * Lambda context in every log line.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { problemJsonErrors } from '../core/http/middleware.js';
import { ApiProblem } from '../core/http/problem.js';
import { validationFailed } from '../core/http/request.js';
import type { HttpResponse } from '../core/http/response.js';
import { logger as defaultLogger } from '../core/observability.js';
import type { ConnectorDependencies } from '../core/runtime/dependencies.js';
import { InvalidCursorError } from '../core/store/errors.js';
import { API_OPERATIONS, type ApiOperation, type ApiOperationName } from './operations.js';
import { ROUTES, routeKey } from './routes.js';

export interface ApiHandlerOptions {
  /** @default the shared Powertools logger */
  logger?: Logger;
}

/** Route key (`GET /orgs/{orgId}`) → operation, for the routes this Lambda serves. */
const OPERATION_BY_ROUTE_KEY: ReadonlyMap<string, ApiOperation> = new Map(
  ROUTES.filter((route) => route.target === 'api').map((route) => [
    routeKey(route),
    API_OPERATIONS[route.operation as ApiOperationName],
  ]),
);

export function createApiHandler(deps: ConnectorDependencies, options: ApiHandlerOptions = {}) {
  const logger = options.logger ?? defaultLogger;
  return middy<APIGatewayProxyEventV2, HttpResponse, Error, Context>()
    // Never log the request event, even with POWERTOOLS_LOGGER_LOG_EVENT=true: bodies carry API keys.
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(problemJsonErrors({ logger }))
    .handler(async function apiHandler(event) {
      const operation = OPERATION_BY_ROUTE_KEY.get(event.routeKey);
      if (operation === undefined) {
        throw new ApiProblem(404, 'ROUTE_NOT_FOUND', `No API route ${event.routeKey}; see the route table in the README.`);
      }
      try {
        const response = await operation(event, deps);
        logger.info('request served', { routeKey: event.routeKey, status: response.statusCode });
        return response;
      } catch (thrown) {
        // The store rejects cursors it did not issue; say which parameter was wrong.
        if (thrown instanceof InvalidCursorError) validationFailed([{ field: 'query.cursor', message: thrown.message }]);
        throw thrown;
      }
    });
}
