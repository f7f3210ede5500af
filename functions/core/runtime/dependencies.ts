/**
 * Everything the connector's handlers need from the outside world, as ports.
 *
 * Lambda entry files get these from `awsDependencies()` (AWS adapters created once per
 * container); local mode and tests build them from local adapters. Handlers are factories
 * over this type, so the same code runs in all three places.
 */
import type { ConnectorConfig } from '../config.js';
import type { AtlassianDirectoryFactory, Clock, EventPublisher, SecretStore, SyncQueue } from '../ports.js';
import type { ConnectorStores } from '../store/index.js';

export interface ConnectorDependencies {
  config: ConnectorConfig;
  stores: ConnectorStores;
  secrets: SecretStore;
  /** Creates an Atlassian client for one API key (the key is fetched from `secrets` when needed). */
  atlassian: AtlassianDirectoryFactory;
  syncQueue: SyncQueue;
  events: EventPublisher;
  clock: Clock;
}
