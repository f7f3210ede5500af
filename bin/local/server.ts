/**
 * Local mode's HTTP front door: routes requests through the shared route table to the
 * same handler factories API Gateway invokes in AWS, plus `GET /local/events`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { matchRoute, routeKeyOf } from '../../functions/api/router.js';
import type { RouteTarget } from '../../functions/api/routes.js';
import { PROBLEM_CONTENT_TYPE, toProblem, ApiProblem } from '../../functions/core/http/problem.js';
import type { HttpResponse } from '../../functions/core/http/response.js';
import { apiGatewayEvent, lambdaContext } from './lambda-adapter.js';

export type HttpLambda = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResponse>;

export interface LocalServerOptions {
  port: number;
  handlers: Record<RouteTarget, HttpLambda>;
  /** Extra read-only JSON endpoints served as they are, e.g. `/local/events`. */
  extras: Record<string, () => unknown>;
}

const MAX_BODY_BYTES = 1_000_000;

export async function startLocalServer(options: LocalServerOptions): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      writeResponse(response, problemResponse(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${options.port} is already in use; set PORT to another port (PORT=0 picks a free one)`)
          : error,
      );
    });
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://localhost:${port}` };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: LocalServerOptions): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const body = await readBody(request);
  const extra = request.method === 'GET' ? options.extras[url.pathname] : undefined;
  if (extra) {
    writeResponse(response, { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(extra()) });
    return;
  }
  const match = matchRoute(request.method ?? 'GET', url.pathname);
  if (match === undefined) {
    throw new ApiProblem(404, 'ROUTE_NOT_FOUND', `No API route ${request.method} ${url.pathname}; see the route table in the README.`);
  }
  const routeKey = routeKeyOf(match);
  const event = apiGatewayEvent(request, body, url, { routeKey, pathParameters: match.pathParameters });
  const handler = options.handlers[match.route.target];
  writeResponse(response, await handler(event, lambdaContext(`local-${match.route.target}`)));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiProblem(400, 'VALIDATION_FAILED', 'Invalid request: body: larger than 1 MB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function problemResponse(error: unknown): HttpResponse {
  const problem = toProblem(error);
  return { statusCode: problem.status, headers: { 'content-type': PROBLEM_CONTENT_TYPE }, body: JSON.stringify(problem) };
}

function writeResponse(response: ServerResponse, result: HttpResponse): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  response.writeHead(result.statusCode, headers).end(result.body ?? '');
}
