/**
 * The demo organizations local mode preloads into the Atlassian simulator, each showing
 * one thing the connector explains. Their API keys are fake values that only the local
 * simulator accepts.
 */
import type { SimOrgSpec } from '../../test/simulator/index.js';

export interface DemoOrg {
  spec: SimOrgSpec;
  apiKey: string;
  /** Declared on connect, for the org whose key is about to expire. */
  keyExpiresInDays?: number;
  /** One line for the start-up banner. */
  shows: string;
}

export const DEMO_SEED = 20261204;

export const DEMO_ORGS: readonly DemoOrg[] = [
  {
    spec: { name: 'Acme Corp (demo)', apiKeys: ['demo-key-acme'], userCount: 350, adminCount: 2 },
    apiKey: 'demo-key-acme',
    shows: 'healthy; users across Jira, Confluence, JSM, Bitbucket; some with no product access, suspended or inactive',
  },
  {
    spec: { name: 'No Guard Ltd (demo)', apiKeys: ['demo-key-noguard'], userCount: 40, guard: false },
    apiKey: 'demo-key-noguard',
    shows: 'no Atlassian Guard: visible, but the API returns no users (GUARD_REQUIRED)',
  },
  {
    spec: { name: 'SCIM Managed Inc (demo)', apiKeys: ['demo-key-scim'], userCount: 120, scimShare: 1 },
    apiKey: 'demo-key-scim',
    shows: 'users provisioned by an IdP through SCIM: Atlassian refuses removals (SCIM_MANAGED)',
  },
  {
    spec: { name: 'Expiring Key Co (demo)', apiKeys: ['demo-key-expiring'], userCount: 60 },
    apiKey: 'demo-key-expiring',
    keyExpiresInDays: 10,
    shows: 'API key expires in 10 days (KEY_EXPIRING)',
  },
];
