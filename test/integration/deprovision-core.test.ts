import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ForbiddenError } from '../../functions/core/atlassian/index.js';
import { deprovisionUser, type DeprovisionInput } from '../../functions/core/deprovision/index.js';
import { ApiProblem } from '../../functions/core/http/problem.js';
import type { AtlassianDirectory } from '../../functions/core/ports.js';
import { startDeprovisionWorld, type DeprovisionWorld } from './deprovision-fixtures.js';

describe('deprovisionUser', () => {
  let world: DeprovisionWorld;
  let orgId: string;

  before(async () => {
    world = await startDeprovisionWorld([{ name: 'Initech', apiKeys: ['initech-key-0042'], userCount: 12, scimShare: 0.5 }]);
    orgId = world.orgIds.Initech!;
  });

  after(async () => {
    await world.close();
  });

  function input(accountId: string, patch: Partial<DeprovisionInput> = {}): DeprovisionInput {
    return { orgId, accountId, action: 'suspend', reason: 'Offboarded', dryRun: false, requester: 'local', ...patch };
  }

  it('answers 409 IDEMPOTENCY_IN_PROGRESS after a bounded wait when the first request never finishes', async () => {
    const user = [...world.sim.users(orgId)][0]!;
    await world.deps.stores.deprovisions.claimIdempotencyKey(orgId, 'stuck-key', {
      requestId: 'request-that-never-finished',
      accountId: user.accountId,
      action: 'suspend',
    });
    const waits: number[] = [];

    await assert.rejects(
      deprovisionUser(world.deps, input(user.accountId, { idempotencyKey: 'stuck-key' }), {
        waitForFirstMs: 300,
        pollIntervalMs: 100,
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
      (error: unknown) =>
        error instanceof ApiProblem &&
        error.status === 409 &&
        error.code === 'IDEMPOTENCY_IN_PROGRESS' &&
        /retry with the same Idempotency-Key/.test(error.message),
    );
    assert.deepEqual(waits, [100, 100]);
    assert.equal(world.writeCalls().length, 0);
  });

  it('replays the stored answer to a duplicate that arrives while the first request is being recorded', async () => {
    const user = [...world.sim.users(orgId)].find((u) => u.managementSource !== 'synced' && u.products.length > 0)!;
    const first = await deprovisionUser(world.deps, input(user.accountId, { idempotencyKey: 'replay-key' }));
    let polls = 0;

    const duplicate = await deprovisionUser(world.deps, input(user.accountId, { idempotencyKey: 'replay-key' }), {
      sleep: async () => {
        polls++;
      },
    });

    assert.equal(first.replayed, false);
    assert.equal(duplicate.replayed, true);
    assert.equal(polls, 0);
    assert.deepEqual({ status: duplicate.status, body: duplicate.body }, { status: first.status, body: first.body });
  });

  it('treats a plain 403 for an account the snapshot says is SCIM-managed as SCIM_MANAGED', async () => {
    const user = [...world.sim.users(orgId)].find((u) => u.managementSource === 'synced')!;
    let writes = 0;
    const refusing: AtlassianDirectory = {
      listOrgs: async () => [],
      listUserPages: async function* () {},
      suspendAccess: async () => {
        writes++;
        throw new ForbiddenError({ action: 'suspendAccess', status: 403, atlassianCode: 'ADMIN-403-1', detail: 'Forbidden' });
      },
      restoreAccess: async () => ({ status: 200 }),
      removeFromDirectory: async () => ({ status: 204 }),
    };

    const reply = await deprovisionUser(
      { ...world.deps, atlassian: () => refusing },
      input(user.accountId, { idempotencyKey: 'plain-403' }),
    );

    assert.equal(reply.status, 409);
    assert.equal(reply.body.code, 'SCIM_MANAGED');
    assert.equal(reply.body.outcome, 'blocked_scim');
    assert.equal(writes, 1);
    const audit = await world.deps.stores.deprovisions.getDeprovisionRequest(orgId, String(reply.body.requestId));
    assert.equal(audit?.outcome, 'blocked_scim');
    assert.deepEqual(audit?.atlassian, { status: 403, code: 'ADMIN-403-1', message: 'Forbidden' });
  });
});
