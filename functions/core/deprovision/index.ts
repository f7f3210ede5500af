/** Deprovisioning: suspend, restore and remove users, idempotent and audited (see README.md). */
export {
  deprovisionUser,
  type DeprovisionDependencies,
  type DeprovisionInput,
  type DeprovisionLogger,
  type DeprovisionOptions,
  type DeprovisionReply,
} from './deprovision-user.js';
export { awaitFirstRequest, bodyHashOf, type RequestBody, type WaitOptions } from './idempotency.js';
export { atlassianWriteEndpoint, dryRunWarnings, isScimManaged, SCIM_GUIDANCE, snapshotAfter } from './plan.js';
