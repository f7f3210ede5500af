/**
 * The Atlassian simulator in its own process, so its CPU (user generation, JSON) does
 * not compete with the measured sync. Started by `processes.ts` with an IPC channel:
 * it sends `{ type: 'ready', baseUrl, orgId }`, then answers `churn`, `requests` and `cpu`
 * messages until the parent disconnects.
 *
 * Options arrive as one JSON argument: `{ userCount, latencyMs, apiKey, seed }`.
 */
import { startSimulator } from '../test/simulator/index.js';
import { cpuMicros, type SimulatorChildMessage, type SimulatorParentMessage, type SimulatorProcessOptions } from './protocol.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorProcessOptions;
const sim = await startSimulator({
  seed: options.seed,
  latencyMs: options.latencyMs,
  orgs: [{ name: 'Bench', apiKeys: [options.apiKey], userCount: options.userCount }],
});
const orgId = sim.orgs[0]?.orgId ?? '';

function reply(message: SimulatorChildMessage): void {
  process.send?.(message);
}

process.on('message', (message: SimulatorParentMessage) => {
  if (message.type === 'churn') {
    const churned = sim.churn(orgId, message.share);
    reply({ type: 'churned', changed: churned.changed.length, removed: churned.removed.length, added: churned.added.length });
  } else if (message.type === 'requests') {
    reply({ type: 'requests', count: sim.requests.length });
    sim.resetRequests();
  } else if (message.type === 'cpu') {
    reply({ type: 'cpu', micros: cpuMicros() });
  }
});
process.on('disconnect', () => {
  void sim.close().then(() => process.exit(0));
});
reply({ type: 'ready', baseUrl: sim.baseUrl, orgId });
