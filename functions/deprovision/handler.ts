/** Lambda entry of `POST /orgs/{orgId}/users/{accountId}/deprovision`. */
import { awsDependencies } from '../core/runtime/aws.js';
import { createDeprovisionHandler } from './create-handler.js';

export { createDeprovisionHandler } from './create-handler.js';

export const handler = createDeprovisionHandler(awsDependencies());
