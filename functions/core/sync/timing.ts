/**
 * Time limits shared by the sync worker Lambda and the sync engine. The CDK stack sets the
 * worker's timeout from `SYNC_WORKER_TIMEOUT_SECONDS`, so a run's lease on its org always
 * outlives the invocation that took or renewed it. No imports: the CDK app loads this file.
 */

/** Timeout of one sync-worker invocation (the Lambda timeout). */
export const SYNC_WORKER_TIMEOUT_SECONDS = 300;

/** How long a run's lease on its org lasts after it was taken or renewed: the worker timeout plus one minute. */
export const SYNC_LEASE_DURATION_MS = (SYNC_WORKER_TIMEOUT_SECONDS + 60) * 1000;

/** The lease is renewed after every this many pages, and before removals are applied. */
export const SYNC_LEASE_RENEW_EVERY_PAGES = 10;
