/**
 * Starting the bench's helpers: the Atlassian simulator in a child process, and dynalite
 * in a child process (default) or in the measured process (`BENCH_DYNALITE=in-process`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../functions/core/store/index.js';
import { emulatorClient, startDynamo } from '../test/support/dynamo.js';
import type { DynamoChildMessage, DynamoParentMessage, SimulatorChildMessage, SimulatorParentMessage, SimulatorProcessOptions } from './protocol.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Forks `bench/<script>` under tsx with an IPC channel; stdout and stderr go to ours. */
function forkScript(script: string, args: string[]): ChildProcess {
  return fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The next message from `child` that `accept` takes; rejects if the child exits first. */
function nextMessage<T>(child: ChildProcess, accept: (message: unknown) => message is T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!accept(message)) return;
      cleanUp();
      resolve(message);
    };
    const onExit = (code: number | null) => {
      cleanUp();
      reject(new Error(`bench child process exited with code ${code} before answering`));
    };
    const cleanUp = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** A guard for the child message of type `type`, e.g. `ofType<SimulatorChildMessage, 'ready'>('ready')`. */
function ofType<M extends { type: string }, K extends M['type']>(type: K) {
  return (message: unknown): message is Extract<M, { type: K }> =>
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** Sends `message` and waits for the child's answer of type `answer`. */
async function ask<M extends { type: string }, K extends M['type']>(child: ChildProcess, message: object, answer: K): Promise<Extract<M, { type: K }>> {
  const reply = nextMessage(child, ofType<M, K>(answer));
  child.send(message);
  return reply;
}

/** Asks the child to stop (by closing the channel) and waits for it to exit. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill(), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.disconnect();
  });
}

export interface SimulatorProcess {
  baseUrl: string;
  orgId: string;
  pid: number;
  /** Changes, removes and adds about `share` of the org's users (the simulator's `churn`). */
  churn(share: number): Promise<{ changed: number; removed: number; added: number }>;
  /** HTTP requests the simulator served since the previous call. */
  takeRequestCount(): Promise<number>;
  /** CPU time (user + system) the child has used so far, in microseconds. */
  cpuMicros(): Promise<number>;
  close(): Promise<void>;
}

export async function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const child = forkScript('./simulator-process.ts', [JSON.stringify(options)]);
  const ready = await nextMessage(child, ofType<SimulatorChildMessage, 'ready'>('ready'));
  const request = <K extends SimulatorChildMessage['type']>(message: SimulatorParentMessage, answer: K) =>
    ask<SimulatorChildMessage, K>(child, message, answer);
  return {
    baseUrl: ready.baseUrl,
    orgId: ready.orgId,
    pid: child.pid ?? 0,
    async churn(share) {
      const { changed, removed, added } = await request({ type: 'churn', share }, 'churned');
      return { changed, removed, added };
    },
    async takeRequestCount() {
      return (await request({ type: 'requests' }, 'requests')).count;
    },
    async cpuMicros() {
      return (await request({ type: 'cpu' }, 'cpu')).micros;
    },
    close: () => stopChild(child),
  };
}

export type DynaliteMode = 'child' | 'in-process';

export interface BenchDynamo {
  mode: DynaliteMode;
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** CPU time dynalite has used so far (microseconds), when it runs in a child process. */
  cpuMicros?(): Promise<number>;
  close(): Promise<void>;
}

/** dynalite with the connector's table, in a child process or in this one. */
export async function startBenchDynamo(mode: DynaliteMode): Promise<BenchDynamo> {
  if (mode === 'in-process') {
    const dynamo = await startDynamo({ tablePrefix: 'bench' });
    return { mode, documentClient: dynamo.documentClient, tableName: dynamo.tableName, close: dynamo.close };
  }
  const child = forkScript('./dynamo-process.ts', []);
  const ready = await nextMessage(child, ofType<DynamoChildMessage, 'ready'>('ready'));
  const client = emulatorClient(ready.endpoint);
  const request: DynamoParentMessage = { type: 'cpu' };
  return {
    mode,
    documentClient: createDocumentClient(client),
    tableName: ready.tableName,
    cpuMicros: async () => (await ask<DynamoChildMessage, 'cpu'>(child, request, 'cpu')).micros,
    close: async () => {
      client.destroy();
      await stopChild(child);
    },
  };
}
