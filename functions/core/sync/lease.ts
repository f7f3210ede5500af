/**
 * A run's lease on its org: two runs of one org never sync at the same time (see README.md,
 * "One run per org"). The lease lives on the org item (`syncLease`), never in `Org`.
 */
import { logger } from '../observability.js';
import type { OrgStore, SyncLeaseClaim } from '../store/index.js';
import { SyncLeaseLostError } from './errors.js';
import { SYNC_LEASE_DURATION_MS } from './timing.js';

export class RunLease {
  readonly #orgs: OrgStore;
  readonly #orgId: string;
  readonly #runId: string;
  readonly #clock: () => Date;

  constructor(orgs: OrgStore, orgId: string, runId: string, clock: () => Date) {
    this.#orgs = orgs;
    this.#orgId = orgId;
    this.#runId = runId;
    this.#clock = clock;
  }

  /** Takes the lease when it is free, expired, or already this run's (a continuation or a redelivery). */
  take(): Promise<SyncLeaseClaim> {
    return this.#orgs.takeSyncLease(this.#orgId, this.#runId, { now: this.#clock(), durationMs: SYNC_LEASE_DURATION_MS });
  }

  /** Extends the lease; throws `SyncLeaseLostError` when another run took it (this run outlived its lease). */
  async renew(): Promise<void> {
    const renewed = await this.#orgs.renewSyncLease(this.#orgId, this.#runId, { now: this.#clock(), durationMs: SYNC_LEASE_DURATION_MS });
    if (!renewed) throw new SyncLeaseLostError(this.#orgId, this.#runId);
  }

  /** Gives the lease up. Never throws: an unreleased lease only delays the next run until it expires. */
  async release(): Promise<void> {
    try {
      await this.#orgs.releaseSyncLease(this.#orgId, this.#runId);
    } catch (error) {
      logger.warn('sync lease not released; it expires on its own', { orgId: this.#orgId, runId: this.#runId, error });
    }
  }
}
