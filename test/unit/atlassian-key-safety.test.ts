import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  AtlassianApiError,
  AtlassianClient,
  DeadlineExceededError,
  ForbiddenError,
  InvalidResponseError,
  KeyRejectedError,
  NotFoundError,
  RateLimitedError,
  RequestRejectedError,
  ScimManagedError,
  UpstreamError,
  type AtlassianLogger,
} from '../../functions/core/atlassian/index.js';
import type { ManagedUserPage } from '../../functions/core/ports.js';
import { startSimulator, type Simulator } from '../simulator/index.js';

const CANARY = 'ATCTT3xFfGN0-canary-9d41c2e7b8a05f36';

async function drain(pages: AsyncIterable<ManagedUserPage>): Promise<void> {
  for await (const page of pages) assert.ok(Array.isArray(page.users));
}

async function caught(action: () => Promise<unknown>): Promise<AtlassianApiError> {
  try {
    await action();
  } catch (err) {
    assert.ok(err instanceof AtlassianApiError, `expected an AtlassianApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the action to fail');
}

describe('the API key never leaks', () => {
  let sim: Simulator;
  let orgId: string;
  let scimOrgId: string;
  let foreignOrgId: string;
  const logLines: unknown[] = [];
  const logger: AtlassianLogger = {
    debug: (message, ...attributes) => logLines.push({ level: 'debug', message, attributes }),
    warn: (message, ...attributes) => logLines.push({ level: 'warn', message, attributes }),
  };
  const client = () =>
    new AtlassianClient({
      apiKey: CANARY,
      baseUrl: sim.baseUrl,
      sleep: async () => {},
      retry: { maxAttempts: 2 },
      requestTimeoutMs: 2_000,
      logger,
    });

  before(async () => {
    sim = await startSimulator({
      orgs: [
        { name: 'Canary Org', apiKeys: [CANARY], userCount: 40, adminCount: 1 },
        { name: 'Canary Scim Org', apiKeys: [CANARY], userCount: 3, scimShare: 1 },
        { name: 'Not Canary Org', apiKeys: ['someone-else-key-0001'], userCount: 3 },
      ],
    });
    [orgId, scimOrgId, foreignOrgId] = sim.orgs.map((o) => o.orgId) as [string, string, string];
  });

  after(async () => {
    await sim.close();
  });

  it('from any error the client raises, in JSON, util.inspect, String, or the log', async () => {
    const errors: AtlassianApiError[] = [];
    const users = [...sim.users(orgId)];
    const admin = users.find((u) => u.isOrgAdmin)?.accountId as string;
    const scimUser = [...sim.users(scimOrgId)][0]?.accountId as string;

    errors.push(await caught(() => drain(client().listUserPages(foreignOrgId))));
    errors.push(await caught(() => client().suspendAccess(scimOrgId, scimUser)));
    errors.push(await caught(() => client().removeFromDirectory(orgId, 'no-such-user-1234')));
    errors.push(await caught(() => client().suspendAccess(orgId, admin)));

    sim.faults.rateLimit({ burst: 5, retryAfter: '1' });
    errors.push(await caught(() => client().listOrgs()));
    sim.faults.clear();

    sim.faults.serverError({ status: 502, times: 5 });
    errors.push(await caught(() => client().listOrgs()));
    sim.faults.clear();

    sim.faults.networkReset({ times: 5 });
    errors.push(await caught(() => client().listOrgs()));
    sim.faults.clear();

    sim.faults.malformedPage({ kind: 'bad-schema' });
    errors.push(await caught(() => drain(client().listUserPages(orgId))));
    sim.faults.clear();

    sim.faults.malformedPage({ kind: 'invalid-json' });
    errors.push(await caught(() => drain(client().listUserPages(orgId))));
    sim.faults.clear();

    sim.faults.rateLimit({ burst: 1, retryAfter: '30' });
    errors.push(await caught(() => client().listOrgs({ deadline: Date.now() + 5_000 })));
    sim.faults.clear();

    sim.setLatency(500);
    errors.push(await caught(() => client().listOrgs({ deadline: Date.now() + 50 })));
    sim.setLatency(0);

    sim.revokeKey(CANARY);
    errors.push(await caught(() => client().listOrgs()));

    const kinds = new Set(errors.map((e) => e.constructor));
    for (const kind of [
      ForbiddenError,
      ScimManagedError,
      NotFoundError,
      RequestRejectedError,
      RateLimitedError,
      UpstreamError,
      InvalidResponseError,
      DeadlineExceededError,
      KeyRejectedError,
    ]) {
      assert.ok(kinds.has(kind), `${kind.name} was triggered`);
    }
    for (const err of errors) {
      for (const rendering of [JSON.stringify(err), JSON.stringify({ ...err, stack: err.stack }), inspect(err, { depth: 10 }), String(err), err.stack ?? '']) {
        assert.ok(!rendering.includes(CANARY), `${err.name} leaks the key: ${rendering}`);
        assert.ok(!rendering.includes(CANARY.slice(0, 16)), `${err.name} leaks part of the key`);
      }
    }
    assert.ok(logLines.length > 0);
    assert.ok(!JSON.stringify(logLines).includes(CANARY));
    assert.ok(!inspect(logLines, { depth: 10 }).includes(CANARY));
  });

  it('from the client object itself', () => {
    const instance = client();

    assert.ok(!inspect(instance, { depth: 10, showHidden: true }).includes(CANARY));
    assert.ok(!JSON.stringify(instance).includes(CANARY));
  });
});
