import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapWithConcurrency } from '../../functions/core/key-expiry/concurrency.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapWithConcurrency', () => {
  it('keeps the input order whatever order the calls finish in', async () => {
    const delays = [5, 1, 4, 2, 3, 0];
    const results = await mapWithConcurrency(delays, 3, async (delay, index) => {
      for (let i = 0; i < delay; i++) await tick();
      return `${index}:${delay}`;
    });
    assert.deepEqual(results, ['0:5', '1:1', '2:4', '3:2', '4:3', '5:0']);
  });

  for (const [items, limit, expected] of [
    [10, 4, 4],
    [3, 4, 3],
    [10, 1, 1],
  ] as const) {
    it(`has at most ${expected} calls in flight for ${items} items with a limit of ${limit}`, async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      const results = await mapWithConcurrency(Array.from({ length: items }, (_, i) => i), limit, async (item) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await tick();
        inFlight--;
        return item * 2;
      });
      assert.equal(maxInFlight, expected);
      assert.deepEqual(results, Array.from({ length: items }, (_, i) => i * 2));
    });
  }

  it('returns an empty list for no items without calling the function', async () => {
    let calls = 0;
    assert.deepEqual(await mapWithConcurrency([], 4, async () => ++calls), []);
    assert.equal(calls, 0);
  });

  it('rejects with the first failure and starts no further calls', async () => {
    const started: number[] = [];
    await assert.rejects(
      mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (item) => {
        started.push(item);
        await tick();
        if (item === 1) throw new Error('item 1 failed');
        return item;
      }),
      /item 1 failed/,
    );
    assert.deepEqual(started, [0, 1, 2]);
  });

  it('refuses a limit that is not a positive integer', async () => {
    await assert.rejects(mapWithConcurrency([1], 0, async (item) => item), RangeError);
    await assert.rejects(mapWithConcurrency([1], 1.5, async (item) => item), RangeError);
  });
});
