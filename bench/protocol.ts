/** Messages between the bench and its child processes (simulator, dynalite). */

export interface SimulatorProcessOptions {
  userCount: number;
  latencyMs: number;
  apiKey: string;
  seed: number;
}

/** Asks a child for its CPU time so far (`process.cpuUsage()`). */
export type CpuRequest = { type: 'cpu' };
export type CpuReply = { type: 'cpu'; micros: number };

export type SimulatorParentMessage = { type: 'churn'; share: number } | { type: 'requests' } | CpuRequest;

export type SimulatorChildMessage =
  | { type: 'ready'; baseUrl: string; orgId: string }
  | { type: 'churned'; changed: number; removed: number; added: number }
  /** HTTP requests served since the previous `requests` message. */
  | { type: 'requests'; count: number }
  | CpuReply;

export type DynamoParentMessage = CpuRequest;

export type DynamoChildMessage = { type: 'ready'; endpoint: string; tableName: string } | CpuReply;

/** User + system CPU time of this process, in microseconds. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
