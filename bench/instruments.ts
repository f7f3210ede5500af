/**
 * What the bench measures around the real code, without changing it: DynamoDB requests
 * and items (a middleware on the document client), time spent in each store method and
 * in each Atlassian page fetch (wrappers around the ports), and peak memory.
 */
import { performance } from 'node:perf_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AtlassianDirectory, AtlassianDirectoryFactory, ManagedUserPage } from '../functions/core/ports.js';
import type { ConnectorStores } from '../functions/core/store/index.js';

/**
 * DynamoDB requests by operation (`BatchWriteItem`, `Query`, …), and items written by
 * `entity` (`user`, `change`, `seenChunk`, …; `update` for UpdateItem, `delete` for deletes).
 * The middleware sees the low-level (marshalled) input, so attribute values are `{ S: … }`.
 */
export class DynamoRequestCounter {
  requests = new Map<string, number>();
  itemsWritten = new Map<string, number>();

  attach(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.#record(context.commandName ?? 'unknown', (args as { input: Record<string, unknown> }).input);
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
  }

  reset(): void {
    this.requests = new Map();
    this.itemsWritten = new Map();
  }

  totalRequests(): number {
    return sum(this.requests.values());
  }

  totalItemsWritten(): number {
    return sum(this.itemsWritten.values());
  }

  #record(commandName: string, input: Record<string, unknown>): void {
    const operation = commandName.replace(/Command$/, '').replace(/^(Put|Get|Update|Delete|BatchWrite|BatchGet)$/, '$1Item');
    increment(this.requests, operation, 1);
    if (operation === 'PutItem') increment(this.itemsWritten, entityOf(input.Item), 1);
    if (operation === 'UpdateItem') increment(this.itemsWritten, 'update', 1);
    if (operation === 'DeleteItem') increment(this.itemsWritten, 'delete', 1);
    if (operation === 'BatchWriteItem') {
      const tables = input.RequestItems as Record<string, Array<{ PutRequest?: { Item: unknown }; DeleteRequest?: unknown }>>;
      for (const requests of Object.values(tables)) {
        for (const request of requests) increment(this.itemsWritten, request.PutRequest ? entityOf(request.PutRequest.Item) : 'delete', 1);
      }
    }
  }
}

function entityOf(item: unknown): string {
  const entity = (item as { entity?: unknown } | undefined)?.entity;
  if (typeof entity === 'string') return entity;
  if (typeof entity === 'object' && entity !== null && 'S' in entity) return String(entity.S);
  return 'other';
}

function increment(map: Map<string, number>, key: string, by: number): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** One timed call: `performance.now()` at start and end. */
export interface Interval {
  start: number;
  end: number;
}

/** Intervals per label (`snapshots.getSnapshots`, `atlassian.page`, …). */
export class Timings {
  readonly #intervals = new Map<string, Interval[]>();

  add(label: string, start: number, end: number): void {
    const list = this.#intervals.get(label) ?? [];
    list.push({ start, end });
    this.#intervals.set(label, list);
  }

  of(label: string): readonly Interval[] {
    return this.#intervals.get(label) ?? [];
  }

  labels(): string[] {
    return [...this.#intervals.keys()];
  }

  reset(): void {
    this.#intervals.clear();
  }
}

export interface DurationSummary {
  calls: number;
  totalMs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export function summarize(intervals: readonly Interval[]): DurationSummary {
  const durations = intervals.map((i) => i.end - i.start).sort((a, b) => a - b);
  const totalMs = sum(durations);
  const at = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))] ?? 0;
  return {
    calls: durations.length,
    totalMs,
    meanMs: durations.length === 0 ? 0 : totalMs / durations.length,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    maxMs: durations[durations.length - 1] ?? 0,
  };
}

/**
 * Wraps an object so every method call is timed under `<prefix>.<method>`: a promise
 * until it settles, an async iterable for the time its consumer waits on `next()`.
 * Methods run with the original object as `this` (the stores use private fields).
 */
function timeMethods<T extends object>(target: T, prefix: string, timings: Timings): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const label = `${prefix}.${property}`;
      return (...args: unknown[]) => {
        const start = performance.now();
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(object, args);
        if (result instanceof Promise) {
          return result.finally(() => timings.add(label, start, performance.now()));
        }
        if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
          return timeIterable(result as AsyncIterable<unknown>, label, timings);
        }
        return result;
      };
    },
  });
}

/** Times each `next()` of an iterable; the final `done` answer too unless `countDone` is false. */
async function* timeIterable<T>(iterable: AsyncIterable<T>, label: string, timings: Timings, countDone = true): AsyncGenerator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  try {
    for (;;) {
      const start = performance.now();
      const next = await iterator.next();
      if (next.done && !countDone) return;
      timings.add(label, start, performance.now());
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/** The same stores, each method timed. */
export function timedStores(stores: ConnectorStores, timings: Timings): ConnectorStores {
  return {
    orgs: timeMethods(stores.orgs, 'orgs', timings),
    snapshots: timeMethods(stores.snapshots, 'snapshots', timings),
    changes: timeMethods(stores.changes, 'changes', timings),
    syncRuns: timeMethods(stores.syncRuns, 'syncRuns', timings),
    deprovisions: timeMethods(stores.deprovisions, 'deprovisions', timings),
  };
}

export const PAGE_FETCH = 'atlassian.page';

/**
 * The same Atlassian client, with each page of `listUserPages` timed under `atlassian.page`
 * from the moment the sync asks for it until it is parsed and handed over.
 */
export function timedAtlassian(factory: AtlassianDirectoryFactory, timings: Timings): AtlassianDirectoryFactory {
  return (apiKey) => {
    const directory = factory(apiKey);
    const timed: AtlassianDirectory = {
      listOrgs: (options) => directory.listOrgs(options),
      suspendAccess: (orgId, accountId, options) => directory.suspendAccess(orgId, accountId, options),
      restoreAccess: (orgId, accountId, options) => directory.restoreAccess(orgId, accountId, options),
      removeFromDirectory: (orgId, accountId, options) => directory.removeFromDirectory(orgId, accountId, options),
      listUserPages: (orgId, options) => timeIterable<ManagedUserPage>(directory.listUserPages(orgId, options), PAGE_FETCH, timings, false),
    };
    return timed;
  };
}

export interface MemoryPeak {
  rssBytes: number;
  heapUsedBytes: number;
}

/** Samples `process.memoryUsage()` every `everyMs` and keeps the peaks. */
export class MemorySampler {
  #peak: MemoryPeak = { rssBytes: 0, heapUsedBytes: 0 };
  #timer: NodeJS.Timeout | undefined;

  start(everyMs = 100): void {
    this.#peak = { rssBytes: 0, heapUsedBytes: 0 };
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), everyMs);
  }

  stop(): MemoryPeak {
    this.#sample();
    clearInterval(this.#timer);
    return { ...this.#peak };
  }

  #sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    this.#peak = { rssBytes: Math.max(this.#peak.rssBytes, rss), heapUsedBytes: Math.max(this.#peak.heapUsedBytes, heapUsed) };
  }
}
