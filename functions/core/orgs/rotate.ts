/**
 * Rotating an org's API key (SPEC §5 `PUT /orgs/{orgId}/api-key`): the new key must
 * administer the same org; it replaces the secret, the expiry is worked out again and the
 * key diagnostics are cleared. Users, runs and changes are untouched.
 */
import { hasDiagnostic } from '../domain/diagnostics.js';
import type { Org, OrgStatus } from '../domain/model.js';
import { ApiProblem } from '../http/problem.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import type { OrgUpdate } from '../store/ports.js';
import { orgHealth, type OrgHealth } from './health.js';
import { orgsVisibleToKey, resolveKeyExpiry } from './key-check.js';
import { PENDING_FIRST_SYNC } from './connect.js';
import { requireOrg } from './lookup.js';

export interface RotateApiKeyInput {
  apiKey: string;
  keyExpiresAt?: string;
}

export async function rotateApiKey(orgId: string, input: RotateApiKeyInput, deps: ConnectorDependencies): Promise<OrgHealth> {
  const org = await requireOrg(orgId, deps);
  if (org.status === 'disconnected') {
    throw new ApiProblem(
      409,
      'ORG_DISCONNECTED',
      `Organization ${orgId} is disconnected; connect it again with POST /orgs instead of rotating its key.`,
    );
  }
  const now = deps.clock();
  const directory = deps.atlassian(input.apiKey);
  const visible = await orgsVisibleToKey(directory);
  if (!visible.some((candidate) => candidate.orgId === orgId)) {
    throw new ApiProblem(
      422,
      'ORG_MISMATCH',
      `This API key does not administer organization ${orgId}; create the new key in that organization's ` +
        'settings in admin.atlassian.com (Settings > API keys). The current key was kept.',
      { visibleOrgs: visible.map((candidate) => ({ orgId: candidate.orgId, name: candidate.name })) },
    );
  }
  const expiry = await resolveKeyExpiry({ declared: input.keyExpiresAt, directory, orgId, now });
  const secretRef = await deps.secrets.putApiKey(orgId, input.apiKey);

  const update: OrgUpdate = { secretRef, ...expiry, keyRotatedAt: now.toISOString(), ...statusAfterRotation(org) };
  await deps.stores.orgs.updateOrg(orgId, update);
  await deps.stores.orgs.clearDiagnostics(orgId, ['KEY_REJECTED', 'KEY_MISSING', 'KEY_EXPIRING']);
  return orgHealth(await requireOrg(orgId, deps), now, deps.config.keyExpiry);
}

/** An org in `error` because of its key recovers: `healthy` if it synced before, else `pending`. */
function statusAfterRotation(org: Org): { status?: OrgStatus; statusReason?: string | null } {
  if (org.status !== 'error' || !failedBecauseOfKey(org)) return {};
  return org.lastSync === undefined
    ? { status: 'pending', statusReason: PENDING_FIRST_SYNC }
    : { status: 'healthy', statusReason: null };
}

function failedBecauseOfKey(org: Org): boolean {
  return (
    hasDiagnostic(org.diagnostics, 'KEY_REJECTED') || hasDiagnostic(org.diagnostics, 'KEY_MISSING') || /api key/i.test(org.statusReason ?? '')
  );
}
