/**
 * `npm start`: the connector on this machine (see bin/local/main.ts and the README's quick start).
 */
import { startLocalMode } from './local/main.js';

async function main(): Promise<void> {
  const local = await startLocalMode(process.env, (text) => process.stdout.write(`${text}\n`));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal} received: stopping local mode…\n`);
    local.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`local mode failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
