/**
 * Pure parts of deprovisioning: what a request would call, what to warn about before
 * calling it, and how a successful call changes the user's snapshot.
 */
import { directoryWriteEndpoint, type DirectoryWriteKind } from '../atlassian/index.js';
import { deriveAccessState } from '../domain/access-state.js';
import { contentHash } from '../domain/content-hash.js';
import type { DeprovisionAction, UserSnapshot } from '../domain/model.js';
import { tombstoneSnapshot } from '../domain/snapshot.js';

/** Guidance given whenever an account turns out to be managed by the identity provider. */
export const SCIM_GUIDANCE =
  'this account is provisioned by your identity provider through SCIM; remove or deactivate it there, and the next sync will reflect it';

/** Whether the snapshot says the account is provisioned by the IdP through SCIM. */
export function isScimManaged(snapshot: Pick<UserSnapshot, 'managementSource'>): boolean {
  return (snapshot.managementSource ?? '').trim().toLowerCase() === 'synced';
}

/**
 * The Atlassian endpoint the client calls first for an action (v1 directory write; the
 * client falls back to the v2 write only when Atlassian refuses v1 with a plain 403).
 */
export function atlassianWriteEndpoint(action: DeprovisionAction, orgId: string, accountId: string): string {
  const { method, path } = directoryWriteEndpoint(DIRECTORY_WRITE[action], orgId, accountId);
  return `${method} /admin${path}`;
}

/** The Atlassian client's directory write for each deprovision action. */
export const DIRECTORY_WRITE: Readonly<Record<DeprovisionAction, DirectoryWriteKind>> = {
  suspend: 'suspendAccess',
  restore: 'restoreAccess',
  remove: 'removeFromDirectory',
};

/** What a dry run tells the admin before anything is called: likely refusals and no-ops. */
export function dryRunWarnings(action: DeprovisionAction, snapshot: UserSnapshot): string[] {
  const warnings: string[] = [];
  if (isScimManaged(snapshot)) {
    warnings.push(
      `this account looks SCIM-managed (managementSource: ${snapshot.managementSource}); Atlassian will likely refuse — deprovision it in your identity provider`,
    );
  }
  const membership = (snapshot.membershipStatus ?? '').toLowerCase();
  if (action === 'suspend' && snapshot.accessState === 'suspended') {
    warnings.push('the account is already suspended; suspending it again changes nothing');
  }
  if (action === 'restore' && snapshot.accessState !== 'suspended') {
    warnings.push(
      `the account is not suspended (accessState: ${snapshot.accessState}${membership ? `, membership: ${membership}` : ''}); restoring it changes nothing`,
    );
  }
  if (action === 'remove' && snapshot.removedAt !== undefined) {
    warnings.push(
      `the last complete sync no longer saw this account (removed at ${snapshot.removedAt}); Atlassian will likely answer that it is not found, which counts as done`,
    );
  }
  if (action !== 'remove' && snapshot.accessState === 'closed') {
    warnings.push('the Atlassian account is closed; suspending or restoring its access has no visible effect');
  }
  if (action !== 'remove' && snapshot.accessState === 'deactivated') {
    warnings.push(`the Atlassian account is ${snapshot.accountStatus}; its product access stays unusable whatever the membership`);
  }
  return warnings;
}

/**
 * The snapshot after Atlassian accepted `action`, written at once so the connector does not
 * wait for the next sync: suspend → membership suspended; restore → membership active;
 * remove → tombstone. `lastSeenAt` is kept (only a sync sees users).
 */
export function snapshotAfter(action: DeprovisionAction, snapshot: UserSnapshot, now: Date): UserSnapshot {
  if (action === 'remove') return tombstoneSnapshot(snapshot, now);
  const membershipStatus = action === 'suspend' ? 'suspended' : 'active';
  const next: UserSnapshot = { ...snapshot, membershipStatus };
  next.accessState = deriveAccessState(next);
  next.contentHash = contentHash(next);
  if (next.accessState !== snapshot.accessState || snapshot.membershipStatus !== membershipStatus) {
    next.lastChangedAt = now.toISOString();
  }
  return next;
}
