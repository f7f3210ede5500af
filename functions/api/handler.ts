/** Lambda entry of the HTTP API (every route whose target is `api`); AWS adapters are built once per container. */
import { awsDependencies } from '../core/runtime/aws.js';
import { createApiHandler } from './create-handler.js';

export const handler = createApiHandler(awsDependencies());
