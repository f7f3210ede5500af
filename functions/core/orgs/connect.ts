/**
 * Connecting an Atlassian organization (SPEC §5 `POST /orgs`): validate the key against
 * Atlassian, find the org it administers, store the key in the secret store, create the org
 * `pending` and queue its first sync.
 */
import type { Org } from '../domain/model.js';
import { ApiProblem } from '../http/problem.js';
import type { AtlassianOrgSummary } from '../ports.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import { orgHealth, type OrgHealth } from './health.js';
import { orgsVisibleToKey, resolveKeyExpiry } from './key-check.js';
import { requestSync } from '../sync/request-sync.js';

export interface ConnectOrgInput {
  apiKey: string;
  /** Required when the key administers several orgs. */
  orgId?: string;
  /** ISO-8601; when absent the expiry is discovered from Atlassian or estimated. */
  keyExpiresAt?: string;
}

export interface ConnectOrgResult {
  org: OrgHealth;
  /** The queued first sync. */
  runId: string;
}

export const PENDING_FIRST_SYNC = 'connected; waiting for the first sync';

export async function connectOrg(input: ConnectOrgInput, deps: ConnectorDependencies): Promise<ConnectOrgResult> {
  const now = deps.clock();
  const directory = deps.atlassian(input.apiKey);
  const target = chooseOrg(await orgsVisibleToKey(directory), input.orgId);

  // Checked before the secret is written so a connected org's key is never overwritten;
  // `createOrg` checks again atomically.
  const existing = await deps.stores.orgs.getOrg(target.orgId);
  if (existing !== undefined && existing.status !== 'disconnected') {
    throw new ApiProblem(
      409,
      'ORG_ALREADY_CONNECTED',
      `Organization ${target.orgId} is already connected; to replace its key use PUT /orgs/${target.orgId}/api-key.`,
    );
  }

  const expiry = await resolveKeyExpiry({ declared: input.keyExpiresAt, directory, orgId: target.orgId, now });
  const secretRef = await deps.secrets.putApiKey(target.orgId, input.apiKey);
  const org: Org = {
    orgId: target.orgId,
    name: target.name,
    status: 'pending',
    statusReason: PENDING_FIRST_SYNC,
    secretRef,
    ...expiry,
    connectedAt: now.toISOString(),
    diagnostics: [],
    updatedAt: now.toISOString(),
  };
  await deps.stores.orgs.createOrg(org);
  const runId = await requestSync(target.orgId, 'connect', deps);
  return { org: orgHealth(org, now, deps.config.keyExpiry), runId };
}

function chooseOrg(visible: AtlassianOrgSummary[], orgId: string | undefined): AtlassianOrgSummary {
  const seen = visible.map((org) => ({ orgId: org.orgId, name: org.name }));
  if (orgId !== undefined) {
    const match = visible.find((org) => org.orgId === orgId);
    if (match !== undefined) return match;
    throw new ApiProblem(
      422,
      'ORG_NOT_VISIBLE',
      `This API key does not administer organization ${orgId}` +
        (seen.length === 0 ? '; it sees no organization.' : `; it sees: ${describe(seen)}.`) +
        ' Create the key in the admin.atlassian.com settings of the organization you want to connect.',
      { visibleOrgs: seen },
    );
  }
  if (visible.length === 1) return visible[0]!;
  if (visible.length === 0) {
    throw new ApiProblem(
      422,
      'ORG_NOT_VISIBLE',
      'This API key does not administer any organization. Create an organization API key in admin.atlassian.com (Settings > API keys).',
      { visibleOrgs: [] },
    );
  }
  throw new ApiProblem(
    400,
    'ORG_AMBIGUOUS',
    `This API key administers ${visible.length} organizations (${describe(seen)}); say which one to connect with orgId.`,
    { visibleOrgs: seen },
  );
}

function describe(orgs: AtlassianOrgSummary[]): string {
  return orgs.map((org) => `${org.orgId} "${org.name}"`).join(', ');
}
