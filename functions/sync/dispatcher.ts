/** Lambda entry: scheduled sync dispatcher (EventBridge schedule → one SQS message per connected org). */
import { awsDependencies } from '../core/runtime/aws.js';
import { createSyncDispatcher } from './handlers.js';

export const handler = createSyncDispatcher(awsDependencies());
