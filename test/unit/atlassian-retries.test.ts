import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AtlassianClient,
  DeadlineExceededError,
  RateLimitedError,
  UpstreamError,
  type AtlassianClientOptions,
} from '../../functions/core/atlassian/index.js';
import { rateLimitWaitMs } from '../../functions/core/atlassian/http.js';
import type { ManagedUserPage } from '../../functions/core/ports.js';
import { startSimulator, type Simulator } from '../simulator/index.js';

const KEY = 'retries-test-key-91b2';

async function collect(pages: AsyncIterable<ManagedUserPage>): Promise<ManagedUserPage[]> {
  const out: ManagedUserPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

/** A clock that only moves when the client sleeps, and the sleeps it was asked for. */
function virtualTime(start = Date.parse('2026-11-20T10:00:00Z')) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => new Date(now),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    at: () => now,
  };
}

describe('AtlassianClient retries, rate limits and deadlines', () => {
  let sim: Simulator;
  let orgId: string;

  const client = (options: Partial<AtlassianClientOptions> = {}) =>
    new AtlassianClient({ apiKey: KEY, baseUrl: sim.baseUrl, random: () => 0.5, ...options });
  const attempts = (fragment: string) => sim.requests.filter((r) => r.path.includes(fragment)).length;

  before(async () => {
    sim = await startSimulator({ orgs: [{ name: 'Retry Org', apiKeys: [KEY], userCount: 250 }] });
    orgId = sim.orgs[0]?.orgId as string;
  });

  afterEach(() => {
    sim.faults.clear();
    sim.setLatency(0);
    sim.resetRequests();
  });

  after(async () => {
    await sim.close();
  });

  it('waits the seconds Retry-After asks for, then completes the listing', async () => {
    const time = virtualTime();
    sim.faults.rateLimit({ burst: 2, retryAfter: '3', match: '/users/search' });

    const pages = await collect(client({ sleep: time.sleep, now: time.now }).listUserPages(orgId));

    assert.equal(pages.flatMap((p) => p.users).length, 250);
    assert.deepEqual(time.sleeps, [3000, 3000]);
    assert.deepEqual(
      sim.requests.filter((r) => r.path.includes('/users/search')).map((r) => r.status),
      [429, 429, 200, 200, 200],
    );
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const time = virtualTime(Date.parse('2026-11-20T10:00:00Z'));
    sim.faults.rateLimit({ burst: 1, retryAfter: 'Fri, 20 Nov 2026 10:00:07 GMT', match: '/v1/orgs' });

    const orgs = await client({ sleep: time.sleep, now: time.now }).listOrgs();

    assert.equal(orgs.length, 1);
    assert.deepEqual(time.sleeps, [7000]);
  });

  it('really waits a short Retry-After when no sleep is injected', async () => {
    sim.faults.rateLimit({ burst: 1, retryAfter: '0.3', match: '/v1/orgs' });
    const started = performance.now();

    const orgs = await client().listOrgs();

    const elapsed = performance.now() - started;
    assert.equal(orgs.length, 1);
    assert.ok(elapsed >= 290, `waited ${elapsed} ms`);
    assert.ok(elapsed < 2000, `waited ${elapsed} ms`);
  });

  it('gives up after maxAttempts rate-limited answers with RateLimitedError carrying the wait', async () => {
    const time = virtualTime();
    sim.faults.rateLimit({ burst: 10, retryAfter: '2', match: '/v1/orgs' });

    await assert.rejects(
      client({ sleep: time.sleep, now: time.now, retry: { maxAttempts: 3 } }).listOrgs(),
      (err: unknown) => {
        assert.ok(err instanceof RateLimitedError);
        assert.equal(err.code, 'RATE_LIMITED');
        assert.equal(err.status, 429);
        assert.equal(err.retryAfterMs, 2000);
        return true;
      },
    );
    assert.equal(attempts('/v1/orgs'), 3);
    assert.deepEqual(time.sleeps, [2000, 2000]);
  });

  it('reports a Retry-After longer than it may wait instead of sleeping it', async () => {
    const time = virtualTime();
    sim.faults.rateLimit({ burst: 1, retryAfter: '600', match: '/v1/orgs' });

    await assert.rejects(
      client({ sleep: time.sleep, now: time.now, retry: { maxRetryAfterMs: 60_000 } }).listOrgs(),
      (err: unknown) => err instanceof RateLimitedError && err.retryAfterMs === 600_000,
    );
    assert.deepEqual(time.sleeps, []);
  });

  it('backs off exponentially with full jitter on 5xx and succeeds when the server recovers', async () => {
    const time = virtualTime();
    sim.faults.serverError({ status: 503, times: 3, match: '/v1/orgs' });

    const orgs = await client({
      sleep: time.sleep,
      now: time.now,
      random: () => 0.5,
      retry: { baseDelayMs: 100, maxDelayMs: 300 },
    }).listOrgs();

    assert.equal(orgs.length, 1);
    assert.deepEqual(time.sleeps, [50, 100, 150]);
    assert.equal(attempts('/v1/orgs'), 4);
  });

  it('bounds retries of a failing server by maxAttempts and reports UpstreamError', async () => {
    const time = virtualTime();
    sim.faults.serverError({ status: 500, times: 20, nonJson: true, match: '/users/search' });

    await assert.rejects(
      collect(client({ sleep: time.sleep, now: time.now, retry: { maxAttempts: 4 } }).listUserPages(orgId)),
      (err: unknown) => {
        assert.ok(err instanceof UpstreamError);
        assert.equal(err.code, 'UPSTREAM_UNAVAILABLE');
        assert.equal(err.status, 500);
        return true;
      },
    );
    assert.equal(attempts('/users/search'), 4);
    assert.equal(time.sleeps.length, 3);
  });

  it('retries a reset connection and completes the listing', async () => {
    const time = virtualTime();
    sim.faults.networkReset({ times: 2, match: '/users/search' });

    const pages = await collect(client({ sleep: time.sleep, now: time.now }).listUserPages(orgId));

    assert.equal(pages.flatMap((p) => p.users).length, 250);
    assert.equal(time.sleeps.length, 2);
    assert.deepEqual(
      sim.requests.filter((r) => r.path.includes('/users/search')).map((r) => r.status),
      [0, 0, 200, 200, 200],
    );
  });

  it('reports persistent connection resets as UpstreamError without the network error object', async () => {
    const time = virtualTime();
    sim.faults.networkReset({ times: 10, match: '/v1/orgs' });

    await assert.rejects(
      client({ sleep: time.sleep, now: time.now, retry: { maxAttempts: 2 } }).listOrgs(),
      (err: unknown) => {
        assert.ok(err instanceof UpstreamError);
        assert.equal(err.status, undefined);
        assert.ok(err.cause instanceof Error);
        assert.equal(err.cause.cause, undefined);
        return true;
      },
    );
    assert.equal(attempts('/v1/orgs'), 2);
  });

  it('starts no request once the deadline has passed', async () => {
    const time = virtualTime();

    await assert.rejects(
      collect(client({ sleep: time.sleep, now: time.now }).listUserPages(orgId, { deadline: time.at() - 1 })),
      (err: unknown) => err instanceof DeadlineExceededError && err.code === 'DEADLINE_EXCEEDED',
    );
    assert.equal(sim.requests.length, 0);
  });

  it('does not sleep past the deadline: a retry wait that would cross it ends the listing', async () => {
    const time = virtualTime();
    sim.faults.rateLimit({ burst: 1, retryAfter: '30', match: '/users/search' });

    await assert.rejects(
      collect(client({ sleep: time.sleep, now: time.now }).listUserPages(orgId, { deadline: time.at() + 10_000 })),
      (err: unknown) => {
        assert.ok(err instanceof DeadlineExceededError);
        assert.ok(err.cause instanceof RateLimitedError);
        return true;
      },
    );
    assert.deepEqual(time.sleeps, []);
  });

  it('stops between pages at the deadline, leaving the last cursor to continue from', async () => {
    const time = virtualTime();
    const pages: ManagedUserPage[] = [];
    const deadline = time.at() + 5_000;
    let failure: unknown;
    try {
      for await (const page of client({ sleep: time.sleep, now: time.now }).listUserPages(orgId, { deadline })) {
        pages.push(page);
        await time.sleep(3_000);
      }
    } catch (err) {
      failure = err;
    }

    assert.ok(failure instanceof DeadlineExceededError);
    assert.equal(pages.length, 2);
    const rest = await collect(client().listUserPages(orgId, { cursor: pages.at(-1)?.nextCursor }));
    assert.equal([...pages, ...rest].flatMap((p) => p.users).length, 250);
  });

  it('aborts a request still running at the deadline', async () => {
    sim.setLatency(2_000);
    const started = Date.now();

    await assert.rejects(client().listOrgs({ deadline: started + 200 }), DeadlineExceededError);

    assert.ok(Date.now() - started < 1_500);
  });

  it('times out a slow request, retries it, and reports UpstreamError when it stays slow', async () => {
    sim.setLatency(400);

    await assert.rejects(
      client({ requestTimeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }).listOrgs(),
      (err: unknown) => err instanceof UpstreamError && /timed out after 100 ms/.test(err.message),
    );
  });
});

describe('rateLimitWaitMs', () => {
  const now = new Date('2026-11-20T10:00:00Z');
  const cases: Array<[string, Record<string, string>, number | undefined]> = [
    ['Retry-After in seconds', { 'retry-after': '5' }, 5000],
    ['Retry-After as an HTTP date', { 'retry-after': 'Fri, 20 Nov 2026 10:00:12 GMT' }, 12_000],
    ['Retry-After in the past', { 'retry-after': 'Fri, 20 Nov 2026 09:00:00 GMT' }, 0],
    ['X-RateLimit-Reset in epoch seconds', { 'x-ratelimit-reset': String(now.getTime() / 1000 + 4) }, 4000],
    ['X-RateLimit-Reset in epoch milliseconds', { 'x-ratelimit-reset': String(now.getTime() + 2500) }, 2500],
    ['X-RateLimit-Reset in seconds from now', { 'x-ratelimit-reset': '9' }, 9000],
    ['X-RateLimit-Reset as an ISO date', { 'x-ratelimit-reset': '2026-11-20T10:00:03Z' }, 3000],
    ['Retry-After before X-RateLimit-Reset', { 'retry-after': '1', 'x-ratelimit-reset': '9' }, 1000],
    ['no header', {}, undefined],
  ];
  for (const [name, headers, expected] of cases) {
    it(`reads ${name}`, () => {
      assert.equal(rateLimitWaitMs(new Headers(headers), now), expected);
    });
  }
});
