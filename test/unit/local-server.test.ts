import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { startLocalServer, type HttpLambda } from '../../bin/local/server.js';

const echo: HttpLambda = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ routeKey: event.routeKey, pathParameters: event.pathParameters, query: event.queryStringParameters, body: event.body }),
});

describe('local mode HTTP front door', () => {
  it('builds API Gateway v2 events from the route table and routes deprovisioning to its own handler', async () => {
    const refused: HttpLambda = async () => ({ statusCode: 500, headers: {}, body: 'wrong handler' });
    const { server, url } = await startLocalServer({ port: 0, handlers: { api: echo, deprovision: refused }, extras: {} });
    try {
      const users = await (await fetch(`${url}/orgs/o%201/users?accessState=active&limit=5`)).json();
      assert.deepEqual(users, {
        routeKey: 'GET /orgs/{orgId}/users',
        pathParameters: { orgId: 'o 1' },
        query: { accessState: 'active', limit: '5' },
      });
      const deprovision = await fetch(`${url}/orgs/o1/users/a1/deprovision`, { method: 'POST', body: '{}' });
      assert.equal(deprovision.status, 500);
      assert.equal(await deprovision.text(), 'wrong handler');
    } finally {
      server.close();
    }
  });

  it('answers an unknown route with a 404 problem and serves the local extras', async () => {
    const { server, url } = await startLocalServer({ port: 0, handlers: { api: echo, deprovision: echo }, extras: { '/local/events': () => ({ items: [1] }) } });
    try {
      const missing = await fetch(`${url}/nope`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await missing.json()) as { code: string }).code, 'ROUTE_NOT_FOUND');
      assert.deepEqual(await (await fetch(`${url}/local/events`)).json(), { items: [1] });
    } finally {
      server.close();
    }
  });

  it('says which port is taken and how to pick another', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      await assert.rejects(startLocalServer({ port, handlers: { api: echo, deprovision: echo }, extras: {} }), {
        message: `port ${port} is already in use; set PORT to another port (PORT=0 picks a free one)`,
      });
    } finally {
      taken.close();
    }
  });
});
