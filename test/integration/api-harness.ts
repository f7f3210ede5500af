/**
 * Test harness for the HTTP API: the real `createApiHandler` over dynalite, the Atlassian
 * simulator, `LocalSecretStore`, `LocalSyncQueue` wired to the real `syncOrg`, and
 * `LocalEventPublisher`. Requests are API Gateway v2-shaped events built with `matchRoute`,
 * as local mode builds them. Every response and every log line is recorded, so tests can
 * grep them for a canary key.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaContext } from '../../bin/local/lambda-adapter.js';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createApiHandler } from '../../functions/api/create-handler.js';
import { matchRoute, routeKeyOf } from '../../functions/api/router.js';
import { createAtlassianDirectory } from '../../functions/core/atlassian/index.js';
import { loadConfig } from '../../functions/core/config.js';
import { LocalEventPublisher } from '../../functions/core/events/local-publisher.js';
import { logger as sharedLogger } from '../../functions/core/observability.js';
import { LocalSyncQueue } from '../../functions/core/queue/local-sync-queue.js';
import type { ConnectorDependencies } from '../../functions/core/runtime/dependencies.js';
import { LocalSecretStore } from '../../functions/core/secrets/index.js';
import { createDynamoStores } from '../../functions/core/store/index.js';
import { syncOrg } from '../../functions/core/sync/sync-org.js';
import { startSimulator, type SimOptions, type Simulator } from '../simulator/index.js';
import { startDynamo, type TestDynamo } from '../support/dynamo.js';

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The parsed body when it is JSON. */
  json: any;
}

export interface RequestOptions {
  body?: unknown;
  /** A raw body string (e.g. invalid JSON); wins over `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Overrides the route key (unknown routes). */
  routeKey?: string;
}

export interface ApiHarness {
  sim: Simulator;
  dynamo: TestDynamo;
  deps: ConnectorDependencies;
  secrets: LocalSecretStore;
  queue: LocalSyncQueue;
  events: LocalEventPublisher;
  /** Every response body, in order. */
  responses: ApiResponse[];
  /** Every line written to stdout or stderr while the harness ran (Powertools logs). */
  logLines: string[];
  request(method: string, pathAndQuery: string, options?: RequestOptions): Promise<ApiResponse>;
  /** Waits until every queued sync has run. */
  drained(): Promise<void>;
  /** Every item of the table, as JSON text. */
  tableDump(): Promise<string>;
  /** Replaces dependencies for one handler (e.g. a failing secret store). */
  handlerWith(overrides: Partial<ConnectorDependencies>): (event: APIGatewayProxyEventV2) => Promise<ApiResponse>;
  close(): Promise<void>;
}

export function apiEvent(method: string, pathAndQuery: string, options: RequestOptions = {}): APIGatewayProxyEventV2 {
  const url = new URL(pathAndQuery, 'http://localhost');
  const match = matchRoute(method, url.pathname);
  const query = [...url.searchParams.keys()].length === 0 ? undefined : Object.fromEntries(url.searchParams);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const requestId = randomUUID();
  const event = {
    version: '2.0',
    routeKey: options.routeKey ?? (match ? routeKeyOf(match) : '$default'),
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId,
      routeKey: options.routeKey ?? (match ? routeKeyOf(match) : '$default'),
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
  if (query !== undefined) event.queryStringParameters = query;
  if (match !== undefined && Object.keys(match.pathParameters).length > 0) event.pathParameters = match.pathParameters;
  if (body !== undefined) event.body = body;
  return event;
}


function toResponse(result: { statusCode: number; headers?: Record<string, unknown>; body?: string }): ApiResponse {
  const body = result.body ?? '';
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
  let json: unknown;
  if ((headers['content-type'] ?? '').includes('json')) json = JSON.parse(body);
  return { status: result.statusCode, headers, body, json };
}

/** Captures stdout/stderr lines that are JSON log lines; other output passes through. */
function captureLogs(lines: string[]): () => void {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      if (text.trimStart().startsWith('{') && text.includes('"level"')) {
        lines.push(text);
        const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }
      return (originals[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  return () =>
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
}

export async function startApiHarness(simOptions: SimOptions): Promise<ApiHarness> {
  const logLines: string[] = [];
  const restore = captureLogs(logLines);
  // As if an operator turned on event logging: request bodies carrying keys must still never be logged.
  const logEventBefore = process.env.POWERTOOLS_LOGGER_LOG_EVENT;
  process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
  const logger = new Logger({ serviceName: 'api-test', logLevel: 'DEBUG' });
  if (logEventBefore === undefined) delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
  else process.env.POWERTOOLS_LOGGER_LOG_EVENT = logEventBefore;
  sharedLogger.setLogLevel('DEBUG');
  const dynamo = await startDynamo({ tablePrefix: 'api' });
  const sim = await startSimulator(simOptions);
  const config = loadConfig({ TABLE_NAME: dynamo.tableName, ATLASSIAN_BASE_URL: sim.baseUrl });
  const secrets = new LocalSecretStore();
  const queue = new LocalSyncQueue();
  const events = new LocalEventPublisher();
  const deps: ConnectorDependencies = {
    config,
    stores: createDynamoStores({ documentClient: dynamo.documentClient, tableName: dynamo.tableName }),
    secrets,
    atlassian: createAtlassianDirectory({
      baseUrl: sim.baseUrl,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      logger,
    }),
    syncQueue: queue,
    events,
    clock: () => new Date(),
  };
  queue.attach(async (request) => {
    await syncOrg(request, deps, { deadline: Date.now() + 120_000 });
  });
  const responses: ApiResponse[] = [];

  function handlerWith(overrides: Partial<ConnectorDependencies>) {
    const handler = createApiHandler({ ...deps, ...overrides }, { logger });
    return async (event: APIGatewayProxyEventV2) => {
      const response = toResponse(await handler(event, lambdaContext('api', 30_000)));
      responses.push(response);
      return response;
    };
  }
  const invoke = handlerWith({});

  return {
    sim,
    dynamo,
    deps,
    secrets,
    queue,
    events,
    responses,
    logLines,
    request: (method, pathAndQuery, options) => invoke(apiEvent(method, pathAndQuery, options)),
    drained: () => queue.drained(),
    async tableDump() {
      const items: unknown[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.documentClient.send(
          new ScanCommand({ TableName: dynamo.tableName, ExclusiveStartKey: startKey }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return JSON.stringify(items);
    },
    handlerWith,
    async close() {
      await queue.drained();
      await sim.close();
      await dynamo.close();
      sharedLogger.setLogLevel('INFO');
      restore();
    },
  };
}
