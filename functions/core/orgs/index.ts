/** Org lifecycle services behind the HTTP API: connect, rotate, disconnect, health, manual syncs. */
export { connectOrg, PENDING_FIRST_SYNC, type ConnectOrgInput, type ConnectOrgResult } from './connect.js';
export { disconnectOrg, type DisconnectSummary } from './disconnect.js';
export { orgHealth, type OrgHealth } from './health.js';
export { declaredKeyExpiry, KEY_REJECTED_ON_CONNECT, orgsVisibleToKey, resolveKeyExpiry, type KeyExpiry } from './key-check.js';
export { getOrgHealth, listOrgHealth, requireOrg } from './lookup.js';
export { rotateApiKey, type RotateApiKeyInput } from './rotate.js';
export { triggerSync } from './trigger-sync.js';
