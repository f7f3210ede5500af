/** The sync engine: one org's users into DynamoDB snapshots with change history (see README.md). */
export { syncOrg, type SyncDependencies, type SyncOrgOptions, type SyncOrgResult } from './sync-org.js';
export { requestSync, dispatchScheduledSyncs, newRunId, type DispatchResult, type QueueDependencies } from './request-sync.js';
export { SyncLeaseLostError, SyncRetryableError, isSyncRetryableError } from './errors.js';
export { SYNC_LEASE_DURATION_MS, SYNC_LEASE_RENEW_EVERY_PAGES, SYNC_WORKER_TIMEOUT_SECONDS } from './timing.js';
export { NO_MANAGED_ACCOUNTS_REASON } from './org-health.js';
export { planPage, type PagePlan } from './apply-page.js';
export { decideRemovals, type RemovalDecision, type RemovalInput, type RemovalScan } from './removals.js';
