/** Lambda entry: sync worker (SQS → one org synced per message, partial batch failures). */
import { awsDependencies } from '../core/runtime/aws.js';
import { createSyncWorker } from './handlers.js';

export const handler = createSyncWorker(awsDependencies());
