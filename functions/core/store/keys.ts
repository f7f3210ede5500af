/**
 * Key builders of the single-table design (see README.md). Every key of an org's
 * data starts with `ORG#<orgId>#`, so no query ever reads another org's items.
 */
import type { AccessState } from '../domain/model.js';

/** Attributes that exist for the store only and are stripped when items are read back. */
export const STORE_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'ttl',
  'entity',
  'nameLower',
  'emailLower',
  'lastActiveUtc',
  'syncLease',
] as const;

export const ORGS_COLLECTION = 'ORGS';

export const orgKey = (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'ORG' });

export const usersPartition = (orgId: string) => `ORG#${orgId}#USER`;
export const userKey = (orgId: string, accountId: string) => ({ pk: usersPartition(orgId), sk: accountId });
export const accessStatePartition = (orgId: string, state: AccessState) => `ORG#${orgId}#STATE#${state}`;
export const emailPartition = (email: string) => `EMAIL#${normalizeEmail(email)}`;
export const currentUsersPartition = (orgId: string) => `ORG#${orgId}`;

export const changesPartition = (orgId: string) => `ORG#${orgId}#CHANGE`;
export const userHistoryPartition = (orgId: string, accountId: string) => `ORG#${orgId}#HISTORY#${accountId}`;

export const runKey = (orgId: string, runId: string) => ({ pk: `ORG#${orgId}#RUN`, sk: runId });
export const runsByTimePartition = (orgId: string) => `ORG#${orgId}#RUNS`;
export const seenChunksPartition = (orgId: string, runId: string) => `ORG#${orgId}#RUN#${runId}#SEEN`;
/** Zero-padded so chunks sort numerically. */
export const seenChunkSortKey = (chunk: number) => String(chunk).padStart(8, '0');

export const deprovisionKey = (orgId: string, requestId: string) => ({ pk: `ORG#${orgId}#DEPROVISION`, sk: requestId });
export const deprovisionsByTimePartition = (orgId: string) => `ORG#${orgId}#DEPROVISIONS`;
export const idempotencyKey = (orgId: string, key: string) => ({ pk: `ORG#${orgId}#IDEMPOTENCY`, sk: key });

/** Emails compare case-insensitively and without surrounding blanks. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Canonical UTC ISO-8601 form, so stored times sort as strings. */
export function canonicalTime(at: string): string {
  const time = Date.parse(at);
  if (Number.isNaN(time)) throw new RangeError(`not an ISO-8601 time: ${at}`);
  return new Date(time).toISOString();
}

export function epochSeconds(at: Date, plusDays: number): number {
  return Math.floor(at.getTime() / 1000) + Math.round(plusDays * 86_400);
}

/** The item without the store's own attributes. */
export function stripStoreAttributes(item: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...item };
  for (const attribute of STORE_ATTRIBUTES) delete copy[attribute];
  return copy;
}
