/**
 * Atlassian Admin API simulator: a real HTTP server on 127.0.0.1 speaking the
 * v1/v2 users, directory writes and API Access endpoints, driven by a seedable,
 * lazy user generator, with scenario switches and fault injection.
 *
 * @example
 * const sim = await startSimulator({ seed: 7, orgs: [{ name: 'Acme', apiKeys: ['k'], userCount: 250 }] });
 * const res = await fetch(`${sim.baseUrl}/v1/orgs`, { headers: { authorization: 'Bearer k' } });
 * await sim.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultInjector } from './faults.js';
import { dispatch, type RouteSettings } from './routes.js';
import { SimState } from './state.js';
import type { SimOptions, SimRequestRecord, Simulator } from './types.js';
import { errors, type SimResponse } from './wire.js';

export type { SimFaults, SimOptions, SimOrgSpec, SimProduct, SimRequestRecord, SimUser, Simulator } from './types.js';
export { decodeCursor, encodeCursor } from './wire.js';
export { generateUser, indexOfAccountId, PRODUCTS } from './generator.js';

const MAX_BODY_BYTES = 1_000_000;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function malformedBody(kind: 'invalid-json' | 'bad-schema', json: string): string {
  if (kind === 'invalid-json') return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
  return JSON.stringify({ data: { users: 'unavailable' }, links: { next: 42 }, meta: { total: 'many' } });
}

function send(res: ServerResponse, response: SimResponse, malformed?: 'invalid-json' | 'bad-schema'): void {
  const headers: Record<string, string> = { ...response.headers };
  if (response.status === 204) {
    res.writeHead(204, headers).end();
    return;
  }
  if (response.text !== undefined) {
    res.writeHead(response.status, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(response.text);
    return;
  }
  const json = JSON.stringify(response.body ?? {});
  const payload = malformed ? malformedBody(malformed, json) : json;
  res.writeHead(response.status, { 'content-type': 'application/json', ...headers }).end(payload);
}

function faultResponse(action: { kind: 'rateLimit'; retryAfter: string } | { kind: 'serverError'; status: number; nonJson: boolean }): SimResponse {
  if (action.kind === 'rateLimit') return errors.rateLimited(action.retryAfter);
  if (!action.nonJson) return errors.internal(action.status);
  return { status: action.status, text: `<html><body><h1>${action.status} Server Error</h1></body></html>` };
}

/**
 * Starts a simulator on 127.0.0.1 with a random port.
 * Users are generated per index on demand; only mutations are stored.
 */
export async function startSimulator(options: SimOptions): Promise<Simulator> {
  const state = new SimState(options);
  const faults = new FaultInjector();
  const requests: SimRequestRecord[] = [];
  let latencyMs = options.latencyMs ?? 0;
  const settings: RouteSettings = {
    baseUrl: '',
    v1PageSize: options.v1PageSize ?? 100,
    v1NextStyle: options.v1NextStyle ?? 'url',
    scimErrorShape: options.scimErrorShape ?? 'admin',
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = req.method ?? 'GET';
    const rawPath = req.url ?? '/';
    const url = new URL(rawPath, settings.baseUrl);
    const record: SimRequestRecord = { method, path: rawPath, status: 0, at };
    requests.push(record);
    const body = await readBody(req);
    if (latencyMs > 0) await sleep(latencyMs);
    const fault = faults.beforeRoute(url.pathname);
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault) {
      const response = faultResponse(fault);
      record.status = response.status;
      send(res, response);
      return;
    }
    const { response, orgId } = dispatch(state, settings, method, url, req.headers.authorization, body);
    if (orgId !== undefined) record.orgId = orgId;
    record.status = response.status;
    send(res, response, response.page && response.status === 200 ? faults.forPage(url.pathname) : undefined);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, errors.internal(500));
      process.emitWarning(`simulator: request failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  settings.baseUrl = `http://127.0.0.1:${port}/admin`;

  return {
    baseUrl: settings.baseUrl,
    orgs: [...state.orgs.values()].map((o) => ({ orgId: o.orgId, name: o.name })),
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
    revokeKey: (apiKey) => state.revokeKey(apiKey),
    addKey: (orgId, apiKey, expiresAt) => state.addKey(orgId, apiKey, expiresAt),
    users: (orgId) => state.users(orgId),
    user: (orgId, accountId) => state.findUser(orgId, accountId),
    updateUser: (orgId, accountId, patch) => state.updateUser(orgId, accountId, patch),
    removeUser: (orgId, accountId) => state.removeUser(orgId, accountId),
    addUsers: (orgId, count) => state.addUsers(orgId, count),
    churn: (orgId, share) => state.churn(orgId, share),
    setGuard: (orgId, guard) => {
      state.org(orgId).guard = guard;
    },
    setV2Refused: (orgId, refused) => {
      state.org(orgId).v2Refused = refused;
    },
    faults,
    setLatency: (ms) => {
      latencyMs = ms;
    },
  };
}
