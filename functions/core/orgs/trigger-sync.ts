/** A manual sync (`POST /orgs/{orgId}/sync`): refused for disconnected orgs, whose key is gone. */
import { ApiProblem } from '../http/problem.js';
import type { ConnectorDependencies } from '../runtime/dependencies.js';
import { requireOrg } from './lookup.js';
import { requestSync } from '../sync/request-sync.js';

export async function triggerSync(orgId: string, deps: ConnectorDependencies): Promise<{ runId: string }> {
  const org = await requireOrg(orgId, deps);
  if (org.status === 'disconnected') {
    throw new ApiProblem(
      409,
      'ORG_DISCONNECTED',
      `Organization ${orgId} is disconnected, so it cannot be synced; connect it again with POST /orgs.`,
    );
  }
  return { runId: await requestSync(orgId, 'manual', deps) };
}
