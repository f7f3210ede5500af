/** Lambda entry of the daily API-key expiry check (EventBridge schedule). */
import { awsDependencies } from '../core/runtime/aws.js';
import { createKeyExpiryHandler } from './create-handler.js';

export { createKeyExpiryHandler } from './create-handler.js';

export const handler = createKeyExpiryHandler(awsDependencies());
