/**
 * One measured operation of the bench: the lower-bound listing, or a sync run, with the
 * time split derived from the page-fetch and store timings (see README.md).
 */
import { performance } from 'node:perf_hooks';
import type { SyncOrgResult } from '../functions/core/sync/index.js';
import { DynamoRequestCounter, MemorySampler, PAGE_FETCH, summarize, Timings, type DurationSummary, type MemoryPeak } from './instruments.js';

export interface Probes {
  counter: DynamoRequestCounter;
  timings: Timings;
  memory: MemorySampler;
  /** HTTP requests the simulator served since the previous call. */
  simulatorRequests(): Promise<number>;
  /** CPU time used so far (microseconds) by each process of the bench. */
  cpu(): Promise<CpuTimes>;
}

export interface CpuTimes {
  measured: number;
  simulator: number;
  /** Absent when dynalite runs in the measured process. */
  dynalite?: number;
}

/** Where a sync's wall time went (milliseconds). */
export interface TimeSplit {
  /** syncOrg start → first page requested: org, run and key reads, run update. */
  headMs: number;
  /** Σ time a page request was outstanding (the part the lower bound is made of). */
  fetchMs: number;
  /** Σ time a fetched page waited because the previous page's writes were not done. */
  stallMs: number;
  /** Last page received → syncOrg returned: the last page's writes, the removal scan, finishing the run. */
  tailMs: number;
  fetch: DurationSummary;
  /** Per page: BatchGet of previous snapshots → seen chunk saved (the checkpoint update excluded). */
  pageWrite: DurationSummary;
}

export interface Measurement {
  label: string;
  ms: number;
  pages: number;
  users: number;
  result?: SyncOrgResult;
  split: TimeSplit;
  dynamoRequests: Map<string, number>;
  itemsWritten: Map<string, number>;
  totalRequests: number;
  totalItemsWritten: number;
  simulatorRequests: number;
  memory: MemoryPeak;
  /** CPU time each process used during the operation (milliseconds). */
  cpuMs: CpuTimes;
  /** Store method → durations (syncs only). */
  store: Map<string, DurationSummary>;
}

/** Runs `operation` with every probe reset before and read after. */
export async function measure(
  label: string,
  probes: Probes,
  operation: () => Promise<{ pages: number; users: number; result?: SyncOrgResult }>,
): Promise<Measurement> {
  await probes.simulatorRequests();
  probes.counter.reset();
  probes.timings.reset();
  const cpuBefore = await probes.cpu();
  probes.memory.start();
  const start = performance.now();
  const outcome = await operation();
  const end = performance.now();
  const memory = probes.memory.stop();
  const cpuAfter = await probes.cpu();
  const cpuMs: CpuTimes = {
    measured: (cpuAfter.measured - cpuBefore.measured) / 1000,
    simulator: (cpuAfter.simulator - cpuBefore.simulator) / 1000,
  };
  if (cpuAfter.dynalite !== undefined && cpuBefore.dynalite !== undefined) cpuMs.dynalite = (cpuAfter.dynalite - cpuBefore.dynalite) / 1000;
  const store = new Map<string, DurationSummary>();
  for (const name of probes.timings.labels()) if (name !== PAGE_FETCH) store.set(name, summarize(probes.timings.of(name)));
  const measurement: Measurement = {
    label,
    ms: end - start,
    pages: outcome.pages,
    users: outcome.users,
    dynamoRequests: new Map(probes.counter.requests),
    itemsWritten: new Map(probes.counter.itemsWritten),
    totalRequests: probes.counter.totalRequests(),
    totalItemsWritten: probes.counter.totalItemsWritten(),
    simulatorRequests: await probes.simulatorRequests(),
    memory,
    cpuMs,
    store,
    split: splitTime(probes.timings, start, end, outcome.pages),
  };
  if (outcome.result !== undefined) measurement.result = outcome.result;
  return measurement;
}

/**
 * The engine requests page i+1 once page i has arrived and page i-1's writes are done,
 * so the gap between receiving page i and requesting page i+1 is time spent waiting on
 * writes (or on a busy event loop); it is zero when writes keep up with fetches.
 */
function splitTime(timings: Timings, start: number, end: number, pages: number): TimeSplit {
  const fetches = timings.of(PAGE_FETCH);
  const first = fetches[0];
  const last = fetches[fetches.length - 1];
  let fetchMs = 0;
  let stallMs = 0;
  fetches.forEach((fetch, i) => {
    fetchMs += fetch.end - fetch.start;
    const next = fetches[i + 1];
    if (next !== undefined) stallMs += Math.max(0, next.start - fetch.end);
  });
  const reads = timings.of('snapshots.getSnapshots').slice(0, pages);
  const seen = timings.of('syncRuns.saveSeenChunk').slice(0, pages);
  const pageWrites = seen.map((chunk, i) => ({ start: reads[i]?.start ?? chunk.start, end: chunk.end }));
  return {
    headMs: (first?.start ?? end) - start,
    fetchMs,
    stallMs,
    tailMs: end - (last?.end ?? start),
    fetch: summarize(fetches),
    pageWrite: summarize(pageWrites),
  };
}
