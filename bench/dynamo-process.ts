/**
 * dynalite in its own process (see README.md for why): starts the emulator with the
 * connector's table, sends `{ type: 'ready', endpoint, tableName }` over IPC, answers `cpu`
 * messages and runs until the parent disconnects.
 */
import { createTable, startDynalite, uniqueTableName } from '../test/support/dynamo.js';
import { cpuMicros, type DynamoChildMessage, type DynamoParentMessage } from './protocol.js';

const server = await startDynalite();
const tableName = uniqueTableName('bench');
await createTable(server.client, tableName);
process.on('message', (message: DynamoParentMessage) => {
  if (message.type === 'cpu') process.send?.({ type: 'cpu', micros: cpuMicros() } satisfies DynamoChildMessage);
});
process.on('disconnect', () => {
  void server.close().then(() => process.exit(0));
});
const ready: DynamoChildMessage = { type: 'ready', endpoint: server.endpoint, tableName };
process.send?.(ready);
