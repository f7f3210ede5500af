/** Reading orgs for the HTTP API: one or all, as health views. */
import type { Org } from '../domain/model.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import { OrgNotFoundError } from '../store/errors.js';
import { orgHealth, type OrgHealth } from './health.js';

type LookupDependencies = Pick<ConnectorDependencies, 'stores' | 'clock' | 'config'>;

/** The org, or `OrgNotFoundError` (404 `ORG_NOT_FOUND`). Disconnected orgs are returned too. */
export async function requireOrg(orgId: string, deps: Pick<ConnectorDependencies, 'stores'>): Promise<Org> {
  const org = await deps.stores.orgs.getOrg(orgId);
  if (org === undefined) throw new OrgNotFoundError(orgId);
  return org;
}

export async function getOrgHealth(orgId: string, deps: LookupDependencies): Promise<OrgHealth> {
  return orgHealth(await requireOrg(orgId, deps), deps.clock(), deps.config.keyExpiry);
}

/** Every org, disconnected ones included (their status says so), ordered by id. */
export async function listOrgHealth(deps: LookupDependencies): Promise<OrgHealth[]> {
  const now = deps.clock();
  const orgs = await deps.stores.orgs.listOrgs();
  return orgs.map((org) => orgHealth(org, now, deps.config.keyExpiry));
}
