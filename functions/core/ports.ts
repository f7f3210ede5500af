/**
 * Ports: the small interfaces through which the core reaches the outside world.
 * Adapters are named for their technology (e.g. `SecretsManagerSecretStore`,
 * `LocalSecretStore`) and chosen at the edges (Lambda handlers, local mode, tests).
 */
import type { ManagedUser, SyncTrigger } from './domain/model.js';

/** Current time; injected so domain logic and tests control it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** An organization as the Atlassian API key sees it. */
export interface AtlassianOrgSummary {
  orgId: string;
  name: string;
}

/** One page of managed users. `nextCursor` is opaque and resumes the same listing (v1 or v2). */
export interface ManagedUserPage {
  users: ManagedUser[];
  nextCursor?: string;
  source: ManagedUser['source'];
}

export interface ListUsersOptions {
  /** Resume from a cursor returned by an earlier page. */
  cursor?: string;
  /** Absolute time (epoch ms) after which no new request is started. */
  deadline?: number;
}

/** What the core needs from Atlassian's Admin API, for one API key. */
export interface AtlassianDirectory {
  listOrgs(options?: { deadline?: number }): Promise<AtlassianOrgSummary[]>;
  listUserPages(orgId: string, options?: ListUsersOptions): AsyncIterable<ManagedUserPage>;
  suspendAccess(orgId: string, accountId: string, options?: { deadline?: number }): Promise<WriteResult>;
  restoreAccess(orgId: string, accountId: string, options?: { deadline?: number }): Promise<WriteResult>;
  removeFromDirectory(orgId: string, accountId: string, options?: { deadline?: number }): Promise<WriteResult>;
  /** Best effort: the org's API keys with their expiry, from Atlassian's API Access API (may be refused). */
  listApiKeys?(orgId: string, options?: { deadline?: number }): Promise<AtlassianApiKeySummary[]>;
}

/** One API key of an org as Atlassian lists it; never the key value. */
export interface AtlassianApiKeySummary {
  id: string;
  label?: string;
  /** ISO-8601 expiry. */
  expiresAt?: string;
}

/** Summary of Atlassian's answer to a directory write. */
export interface WriteResult {
  status: number;
  message?: string;
}

/** Creates a directory client bound to one API key. */
export type AtlassianDirectoryFactory = (apiKey: string) => AtlassianDirectory;

/** Where org API keys live (AWS Secrets Manager, or a local file). The key never goes anywhere else. */
export interface SecretStore {
  /** Stores (creates or replaces) the key of an org; returns the secret reference to keep on the org. */
  putApiKey(orgId: string, apiKey: string): Promise<string>;
  getApiKey(orgId: string): Promise<string>;
  /** Schedules deletion (Secrets Manager keeps it for a recovery window). */
  deleteApiKey(orgId: string): Promise<void>;
}

/** A request to sync one org, as carried by the sync queue. */
export interface SyncRequest {
  orgId: string;
  runId: string;
  trigger: SyncTrigger;
}

export interface SyncQueue {
  enqueue(requests: SyncRequest[]): Promise<void>;
}

/** An event for customers to route (EventBridge in AWS, a log line and `/local/events` locally). */
export interface ConnectorEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

export interface EventPublisher {
  publish(events: ConnectorEvent[]): Promise<void>;
}
