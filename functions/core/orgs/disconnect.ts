/**
 * Disconnecting an org (SPEC §5 `DELETE /orgs/{orgId}`): schedule the deletion of its key,
 * mark it `disconnected`, and with `purge` delete its user snapshots. The org item, its runs,
 * changes and deprovision audit stay (changes and runs expire by TTL).
 */
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import { requireOrg } from './lookup.js';

export interface DisconnectSummary {
  orgId: string;
  status: 'disconnected';
  disconnectedAt: string;
  /** Secrets Manager keeps the deleted key this many days before it is gone. */
  secretRecoveryDays: number;
  /** `false` when the org was already disconnected (nothing scheduled again). */
  secretDeletionScheduled: boolean;
  purged: boolean;
  /** Snapshots deleted by `purge` (0 without it). */
  snapshotsDeleted: number;
}

export async function disconnectOrg(
  orgId: string,
  options: { purge: boolean },
  deps: ConnectorDependencies,
): Promise<DisconnectSummary> {
  const org = await requireOrg(orgId, deps);
  const now = deps.clock().toISOString();
  let disconnectedAt = org.disconnectedAt ?? now;
  const alreadyDisconnected = org.status === 'disconnected';
  if (!alreadyDisconnected) {
    // The key goes first: if marking the org fails, a retry still finds it connected and deletes again.
    await deps.secrets.deleteApiKey(orgId);
    disconnectedAt = now;
    await deps.stores.orgs.updateOrg(orgId, {
      status: 'disconnected',
      statusReason: 'disconnected by an administrator; connect it again with POST /orgs',
      disconnectedAt,
    });
  }
  const snapshotsDeleted = options.purge ? await deps.stores.snapshots.deleteOrgSnapshots(orgId) : 0;
  return {
    orgId,
    status: 'disconnected',
    disconnectedAt,
    secretRecoveryDays: deps.config.secretRecoveryDays,
    secretDeletionScheduled: !alreadyDisconnected,
    purged: options.purge,
    snapshotsDeleted,
  };
}
