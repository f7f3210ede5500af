/**
 * `npm start` as a new user meets it: local mode in a child process on a free port,
 * exercised over HTTP, then stopped with Ctrl-C (SIGINT).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';

interface OrgView {
  orgId: string;
  name: string;
  status: string;
  diagnostics: Array<{ code: string }>;
}

let child: ChildProcess;
let url: string;
let output: () => string;
const orgs = new Map<string, OrgView>();

/** Starts `bin/local.ts` as `npm start` does, and resolves once it prints its ready line. */
async function startLocal(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const started = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    env: { ...process.env, PORT: '0', POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  started.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local mode was not ready in time:\n${printed}`)), 60_000);
    started.stdout!.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const line = /^Ready: (http:\/\/localhost:\d+)/m.exec(printed);
      if (line) {
        clearTimeout(timer);
        resolve(line[1]!);
      }
    });
    started.once('exit', (code) => reject(new Error(`local mode exited with ${code}:\n${printed}`)));
  });
  return { child: started, url: ready, output: () => printed };
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as any };
}

function orgNamed(name: string): OrgView {
  const org = orgs.get(name);
  assert.ok(org, `org ${name} is listed`);
  return org;
}

describe('local mode (npm start)', () => {
  before(async () => {
    ({ child, url, output } = await startLocal({ DATA_DIR: '', DEMO: 'true' }));
    const listed = await call('GET', '/orgs');
    for (const org of listed.body.items as OrgView[]) orgs.set(org.name, org);
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  it('prints where it listens, the demo org ids and copy-paste curl examples', () => {
    assert.match(output(), /== Atlassian Access Connector: local mode ==/);
    for (const org of orgs.values()) assert.ok(output().includes(org.orgId), `banner names ${org.name}`);
    assert.match(output(), /curl -s http:\/\/localhost:\d+\/orgs\n/);
    assert.match(output(), /accessState=no_product_access/);
    assert.match(output(), /"dryRun":true/);
    assert.match(output(), /-X PUT .*\/api-key/);
  });

  it('lists the four demo orgs with their health', () => {
    assert.deepEqual([...orgs.keys()].sort(), [
      'Acme Corp (demo)',
      'Expiring Key Co (demo)',
      'No Guard Ltd (demo)',
      'SCIM Managed Inc (demo)',
    ]);
    assert.equal(orgNamed('Acme Corp (demo)').status, 'healthy');
    assert.deepEqual(orgNamed('Acme Corp (demo)').diagnostics, []);
    assert.ok(orgNamed('No Guard Ltd (demo)').diagnostics.some((d) => d.code === 'GUARD_REQUIRED'));
    assert.ok(orgNamed('Expiring Key Co (demo)').diagnostics.some((d) => d.code === 'KEY_EXPIRING'));
  });

  it('filters the users with no product access', async () => {
    const acme = orgNamed('Acme Corp (demo)').orgId;
    const page = await call('GET', `/orgs/${acme}/users?accessState=no_product_access&limit=1000`);
    assert.equal(page.status, 200);
    assert.ok(page.body.items.length > 0, 'the demo org has users with no product access');
    for (const user of page.body.items) {
      assert.equal(user.accessState, 'no_product_access');
      assert.equal(user.accountStatus, 'active');
      assert.deepEqual(user.productAccess, []);
    }
  });

  it('runs a deprovision dry run, then a real suspend on the healthy org', async () => {
    const acme = orgNamed('Acme Corp (demo)').orgId;
    const users = await call('GET', `/orgs/${acme}/users?accessState=active&scimManaged=false&limit=50`);
    const target = (users.body.items as Array<{ accountId: string }>)[10]!.accountId;
    const path = `/orgs/${acme}/users/${encodeURIComponent(target)}/deprovision`;

    const dryRun = await call('POST', path, { action: 'suspend', reason: 'left the company', dryRun: true });
    assert.equal(dryRun.status, 200);
    assert.equal(dryRun.body.outcome, 'dry_run');

    const suspended = await call('POST', path, { action: 'suspend', reason: 'left the company' }, { 'idempotency-key': 'local-mode-suspend-1' });
    assert.equal(suspended.status, 200);
    assert.equal(suspended.body.outcome, 'done');
    const user = await call('GET', `/orgs/${acme}/users/${encodeURIComponent(target)}`);
    assert.equal(user.body.user?.accessState ?? user.body.accessState, 'suspended');
  });

  it('answers SCIM_MANAGED when removing a user of the SCIM-managed org', async () => {
    const scim = orgNamed('SCIM Managed Inc (demo)').orgId;
    const users = await call('GET', `/orgs/${scim}/users?limit=1`);
    const target = (users.body.items as Array<{ accountId: string }>)[0]!.accountId;
    const refused = await call(
      'POST',
      `/orgs/${scim}/users/${encodeURIComponent(target)}/deprovision`,
      { action: 'remove', reason: 'offboarding' },
      { 'idempotency-key': 'local-mode-remove-1' },
    );
    assert.equal(refused.status, 409);
    assert.equal(refused.contentType, 'application/problem+json');
    assert.equal(refused.body.code, 'SCIM_MANAGED');
    assert.match(refused.body.detail, /identity provider/);
  });

  it('shows the events that would go to EventBridge', async () => {
    const events = await call('GET', '/local/events');
    assert.ok(
      (events.body.items as Array<{ detailType: string }>).some((event) => event.detailType === 'Atlassian API Key Expiring'),
    );
  });

  it('shuts down cleanly on Ctrl-C', async () => {
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });
});

describe('local mode against a real Atlassian API (DEMO=false)', () => {
  it('starts without the simulator and connects an org with its key through ATLASSIAN_BASE_URL', async () => {
    const { startSimulator } = await import('../simulator/index.js');
    // Stands in for api.atlassian.com: local mode gets only its URL and a key, as with a real org.
    const atlassian = await startSimulator({ orgs: [{ name: 'Real Org', apiKeys: ['real-org-key'], userCount: 25 }] });
    const local = await startLocal({ DEMO: 'false', ATLASSIAN_BASE_URL: atlassian.baseUrl });
    try {
      const base = local.url;
      assert.doesNotMatch(local.output(), /Demo orgs/);
      assert.ok(local.output().includes(atlassian.baseUrl), 'the banner names the Atlassian API it talks to');
      assert.deepEqual(await (await fetch(`${base}/orgs`)).json(), { items: [] });

      const connected = await fetch(`${base}/orgs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey: 'real-org-key' }),
      });
      assert.equal(connected.status, 201);
      const org = (await connected.json()) as { orgId: string; name: string };
      assert.equal(org.name, 'Real Org');
      assert.equal(org.orgId, atlassian.orgs[0]!.orgId);
    } finally {
      local.child.kill('SIGINT');
      await once(local.child, 'exit');
      await atlassian.close();
    }
  });
});
