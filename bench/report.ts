/** The bench's markdown report (printed and written to `bench/RESULTS.md`). */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { FunctionBundle } from '../test/infra/bundles.js';
import type { DurationSummary } from './instruments.js';
import type { Measurement } from './measure.js';

export interface BenchParameters {
  users: number;
  pageLatencyMs: number;
  dynalite: 'child' | 'in-process';
  bundles: boolean;
  churnShare: number;
  resultsFile?: string;
}

export interface ReportInput {
  parameters: BenchParameters;
  lowerBound: Measurement;
  syncs: Measurement[];
  churn: { changed: number; removed: number; added: number };
  bundles?: { bundles: FunctionBundle[]; ms: number };
  date: Date;
  /** 1-minute load average when the bench started (other work on the machine skews the times). */
  loadAtStart: number;
}

/** A sync may take at most this multiple of the lower bound (issue "Sync"). */
export const TARGET_RATIO = 1.1;
/** Largest allowed minified bundle per Lambda function. */
export const BUNDLE_LIMIT_BYTES = 500 * 1024;
/** The store methods the time split table shows, in the order a page uses them. */
const STORE_METHODS = [
  'snapshots.getSnapshots',
  'snapshots.writeSnapshots',
  'changes.writeChanges',
  'syncRuns.saveSeenChunk',
  'syncRuns.updateSyncRun',
  'syncRuns.seenChunks',
  'snapshots.currentAccountIds',
];

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => `${ms.toFixed(1)} ms`;
const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const kibibytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const count = (n: number) => n.toLocaleString('en-US');
const entries = (map: Map<string, number>) =>
  [...map.entries()].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ${count(n)}`).join(', ') || '0';
const summary = (s: DurationSummary) => `${millis(s.meanMs)} (p95 ${millis(s.p95Ms)})`;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The lower bound for `pages` pages: the measured sequential listing, scaled by page count. */
export function lowerBoundFor(lowerBound: Measurement, pages: number): number {
  return (lowerBound.ms / lowerBound.pages) * pages;
}

export function renderReport(input: ReportInput): string {
  const { parameters, lowerBound, syncs, churn, bundles, date, loadAtStart } = input;
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const lines: string[] = [];
  lines.push('# Sync benchmark results', '');
  lines.push(
    `Run ${date.toISOString()} with \`npm run bench\` on ${availableParallelism()} CPUs (\`nproc\`; ${cpu}), ` +
      `${mebibytes(totalmem())} RAM, Node ${process.version}. 1-minute load average at start ${loadAtStart.toFixed(2)}, ` +
      `at the end ${(loadavg()[0] ?? 0).toFixed(2)} (the bench's own three processes included).`,
    '',
    `Parameters: ${count(parameters.users)} users (BENCH_USERS), ${parameters.pageLatencyMs} ms added by the simulator to every ` +
      `request (BENCH_PAGE_LATENCY_MS), 100 users per page (Atlassian's maximum), ${parameters.churnShare * 100}% churn; ` +
      `simulator in a child process, dynalite ${parameters.dynalite === 'child' ? 'in a child process' : 'in the measured process'} (BENCH_DYNALITE). ` +
      `Pure latency floor: ${lowerBound.pages} pages × ${parameters.pageLatencyMs} ms = ${seconds(lowerBound.pages * parameters.pageLatencyMs)}.`,
    '',
  );

  lines.push('## Sync time against the sequential-pagination lower bound', '');
  const rows = [
    [lowerBound.label, count(lowerBound.pages), `${count(lowerBound.users)} users listed`, seconds(lowerBound.ms), '—', '1.00', '—', '—'],
  ];
  for (const sync of syncs) {
    const c = sync.result?.counts;
    const bound = lowerBoundFor(lowerBound, sync.pages);
    const ratio = sync.ms / bound;
    rows.push([
      sync.label,
      count(sync.pages),
      c ? `${count(c.seen)} / ${count(c.added)} / ${count(c.changed)} / ${count(c.removed)} / ${count(c.unchanged)}` : '—',
      seconds(sync.ms),
      seconds(bound),
      ratio.toFixed(3),
      `≤ ${TARGET_RATIO.toFixed(2)}`,
      ratio <= TARGET_RATIO ? '**PASS**' : '**FAIL**',
    ]);
  }
  lines.push(table(['Run', 'Pages', 'Seen / added / changed / removed / unchanged', 'Time', 'Lower bound', 'Ratio', 'Target', 'Result'], rows), '');
  lines.push(
    `The lower bound of a run is the measured sequential listing (${millis(lowerBound.ms / lowerBound.pages)} per page) times the run's pages. ` +
      `Churn applied upstream before the last run: ${count(churn.changed)} changed, ${count(churn.removed)} removed, ${count(churn.added)} added.`,
    '',
  );

  lines.push('## Writes and memory (measured process)', '');
  lines.push(
    table(
      ['Run', 'Atlassian requests', 'DynamoDB requests', 'Items written', 'Peak RSS', 'Peak heap used'],
      [lowerBound, ...syncs].map((m) => [
        m.label,
        count(m.simulatorRequests),
        `${count(m.totalRequests)} (${entries(m.dynamoRequests)})`,
        `${count(m.totalItemsWritten)} (${entries(m.itemsWritten)})`,
        mebibytes(m.memory.rssBytes),
        mebibytes(m.memory.heapUsedBytes),
      ]),
    ),
    '',
    '`update` counts UpdateItem requests (run checkpoints, the org record). Memory is sampled every 100 ms in the process that runs the sync' +
      (parameters.dynalite === 'child' ? '; dynalite and the simulator are not in it.' : '; it includes dynalite and its data.'),
    '',
  );

  lines.push('## CPU time per process', '');
  const share = (ms: number, wall: number) => `${seconds(ms)} (${Math.round((ms / wall) * 100)}%)`;
  lines.push(
    table(
      ['Run', 'Wall', 'Measured process (sync engine, clients)', 'Simulator', 'dynalite'],
      [lowerBound, ...syncs].map((m) => [
        m.label,
        seconds(m.ms),
        share(m.cpuMs.measured, m.ms),
        share(m.cpuMs.simulator, m.ms),
        m.cpuMs.dynalite === undefined ? 'in the measured process' : share(m.cpuMs.dynalite, m.ms),
      ]),
    ),
    '',
    'User + system CPU time during the run (`process.cpuUsage()` of each process), and its share of the wall time: ' +
      '100% means one core busy the whole run. The machine has ' +
      `${availableParallelism()} cores for all three processes.`,
    '',
  );

  lines.push('## Where the time goes', '');
  lines.push(
    table(
      ['Run', 'Before first page', 'Page requests outstanding', 'Waiting on writes', 'After last page', 'Page fetch, mean (p95)', 'Page write, mean (p95)'],
      [lowerBound, ...syncs].map((m) => [
        m.label,
        seconds(m.split.headMs),
        seconds(m.split.fetchMs),
        seconds(m.split.stallMs),
        seconds(m.split.tailMs),
        summary(m.split.fetch),
        m.result ? summary(m.split.pageWrite) : '—',
      ]),
    ),
    '',
    'Page fetch: from the request to the parsed page (latency, transfer, JSON and schema validation). Page write: BatchGet of the ' +
      "page's stored snapshots → seen chunk saved. Waiting on writes: a page had arrived but the next request waited for the previous " +
      "page's writes (or a busy event loop). After last page: the last page's writes, the removal scan (seen chunks against the " +
      'current-users index), tombstones, and finishing the run and org record.',
    '',
  );
  const storeRows: string[][] = [];
  for (const sync of syncs) {
    for (const method of STORE_METHODS) {
      const s = sync.store.get(method);
      if (s === undefined) continue;
      storeRows.push([sync.label, `\`${method}\``, count(s.calls), seconds(s.totalMs), millis(s.meanMs), millis(s.p95Ms), millis(s.maxMs)]);
    }
  }
  lines.push(table(['Run', 'Store method', 'Calls (iterations)', 'Total', 'Mean', 'p95', 'Max'], storeRows), '');
  lines.push(
    'Iterable methods count each `next()`: one seen chunk (one page of ids) for `seenChunks`, one Query page of up to 1,000 ids for `currentAccountIds`.',
    '',
  );

  if (bundles !== undefined) {
    lines.push('## Lambda bundles (minified ESM, `cdk synth` with bundling)', '');
    lines.push(
      table(
        ['Function', 'Bundle', 'Source map', 'Limit', 'Result'],
        bundles.bundles.map((b) => [
          b.name,
          kibibytes(b.bytes),
          kibibytes(b.sourceMapBytes),
          kibibytes(BUNDLE_LIMIT_BYTES),
          b.bytes < BUNDLE_LIMIT_BYTES ? '**PASS**' : '**FAIL**',
        ]),
      ),
      '',
      `Synthesis with bundling took ${seconds(bundles.ms)}.`,
      '',
    );
  }
  return lines.join('\n');
}
