/** `OrgStore` over the connector's DynamoDB table. */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Diagnostic, DiagnosticCode, Org, OrgStatus } from '../domain/model.js';
import { buildUpdate, resolveOptions, writeIf, type DynamoStoreOptions, type ResolvedStoreOptions } from './dynamo-common.js';
import { isConditionalCheckFailed, OrgAlreadyConnectedError, OrgNotFoundError, StaleWriteError } from './errors.js';
import { ORGS_COLLECTION, orgKey, stripStoreAttributes } from './keys.js';
import { queryAll } from './pagination.js';
import type { OrgStore, OrgUpdate, SyncLease, SyncLeaseClaim, SyncLeaseOptions } from './ports.js';
import { COLLECTION_INDEX } from './table-definition.js';

/** Diagnostics are stored as a map keyed by code, so one code is set or cleared without rewriting the others. */
type DiagnosticMap = Record<string, Diagnostic>;

export class DynamoOrgStore implements OrgStore {
  readonly #options: ResolvedStoreOptions;

  constructor(options: DynamoStoreOptions) {
    this.#options = resolveOptions(options);
  }

  async createOrg(org: Org): Promise<void> {
    const { client, tableName } = this.#options;
    const created = await writeIf(
      client,
      new PutCommand({
        TableName: tableName,
        Item: toItem(org),
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :disconnected',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disconnected': 'disconnected' },
      }),
    );
    if (!created) throw new OrgAlreadyConnectedError(org.orgId);
  }

  async getOrg(orgId: string): Promise<Org | undefined> {
    const { client, tableName } = this.#options;
    const output = await client.send(new GetCommand({ TableName: tableName, Key: orgKey(orgId), ConsistentRead: true }));
    return output.Item === undefined ? undefined : fromItem(output.Item);
  }

  async listOrgs(): Promise<Org[]> {
    const { client, tableName } = this.#options;
    const orgs: Org[] = [];
    for await (const items of queryAll(client, {
      TableName: tableName,
      IndexName: COLLECTION_INDEX.indexName,
      KeyConditionExpression: 'gsi1pk = :orgs',
      ExpressionAttributeValues: { ':orgs': ORGS_COLLECTION },
    })) {
      orgs.push(...items.map(fromItem));
    }
    return orgs;
  }

  async updateOrg(orgId: string, update: OrgUpdate, options: { expectedStatus?: readonly OrgStatus[] } = {}): Promise<Org> {
    const { client, tableName, clock } = this.#options;
    const parts = buildUpdate({ ...update, updatedAt: update.updatedAt ?? clock().toISOString() });
    const conditions = ['attribute_exists(pk)'];
    const expected = options.expectedStatus ?? [];
    if (expected.length > 0) {
      parts.ExpressionAttributeNames['#expectedStatus'] = 'status';
      expected.forEach((status, i) => (parts.ExpressionAttributeValues[`:expected${i}`] = status));
      conditions.push(`#expectedStatus IN (${expected.map((_, i) => `:expected${i}`).join(', ')})`);
    }
    try {
      const output = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orgKey(orgId),
          ...parts,
          ConditionExpression: conditions.join(' AND '),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(output.Attributes ?? {});
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      if ((await this.getOrg(orgId)) === undefined) throw new OrgNotFoundError(orgId);
      throw new StaleWriteError(`organization ${orgId}`, { cause: error });
    }
  }

  async setDiagnostic(orgId: string, diagnostic: Diagnostic): Promise<void> {
    const { client, tableName } = this.#options;
    const names = { '#d': 'diagnostics', '#c': diagnostic.code };
    // Two conditional steps instead of a read-modify-write: refresh an existing entry
    // (keeping `since`), else add it; a concurrent writer makes one of them succeed on retry.
    for (let attempt = 0; attempt < 3; attempt++) {
      const refreshed = await writeIf(
        client,
        new UpdateCommand({
          TableName: tableName,
          Key: orgKey(orgId),
          UpdateExpression: 'SET #d.#c.#severity = :severity, #d.#c.#message = :message',
          ConditionExpression: 'attribute_exists(#d.#c)',
          ExpressionAttributeNames: { ...names, '#severity': 'severity', '#message': 'message' },
          ExpressionAttributeValues: { ':severity': diagnostic.severity, ':message': diagnostic.message },
        }),
      );
      if (refreshed) return;
      const added = await writeIf(
        client,
        new UpdateCommand({
          TableName: tableName,
          Key: orgKey(orgId),
          UpdateExpression: 'SET #d.#c = :diagnostic',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#d.#c)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':diagnostic': diagnostic },
        }),
      );
      if (added) return;
      if ((await this.getOrg(orgId)) === undefined) throw new OrgNotFoundError(orgId);
    }
    throw new StaleWriteError(`diagnostic ${diagnostic.code} of organization ${orgId}`);
  }

  async clearDiagnostics(orgId: string, codes: readonly DiagnosticCode[]): Promise<void> {
    if (codes.length === 0) return;
    const { client, tableName } = this.#options;
    const names: Record<string, string> = { '#d': 'diagnostics' };
    codes.forEach((code, i) => (names[`#c${i}`] = code));
    const cleared = await writeIf(
      client,
      new UpdateCommand({
        TableName: tableName,
        Key: orgKey(orgId),
        UpdateExpression: `REMOVE ${codes.map((_, i) => `#d.#c${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
      }),
    );
    if (!cleared) throw new OrgNotFoundError(orgId);
  }

  async deleteOrg(orgId: string): Promise<void> {
    const { client, tableName } = this.#options;
    await client.send(new DeleteCommand({ TableName: tableName, Key: orgKey(orgId) }));
  }

  async takeSyncLease(orgId: string, runId: string, options: SyncLeaseOptions): Promise<SyncLeaseClaim> {
    const lease: SyncLease = { runId, expiresAt: options.now.getTime() + options.durationMs };
    // A holder may release the lease between the refused update and the read: try again then.
    for (let attempt = 0; attempt < 3; attempt++) {
      const taken = await this.#writeLease(
        orgId,
        lease,
        'attribute_exists(pk) AND (attribute_not_exists(#lease) OR #lease.#expiresAt <= :now OR #lease.#runId = :runId)',
        { ':now': options.now.getTime() },
      );
      if (taken) return { taken: true, lease };
      const holder = await this.#currentLease(orgId);
      if (holder !== undefined) return { taken: false, holder };
    }
    throw new StaleWriteError(`sync lease of organization ${orgId}`);
  }

  async renewSyncLease(orgId: string, runId: string, options: SyncLeaseOptions): Promise<boolean> {
    const lease: SyncLease = { runId, expiresAt: options.now.getTime() + options.durationMs };
    return this.#writeLease(orgId, lease, '#lease.#runId = :runId', {});
  }

  async releaseSyncLease(orgId: string, runId: string): Promise<boolean> {
    const { client, tableName } = this.#options;
    return writeIf(
      client,
      new UpdateCommand({
        TableName: tableName,
        Key: orgKey(orgId),
        UpdateExpression: 'REMOVE #lease',
        ConditionExpression: '#lease.#runId = :runId',
        ExpressionAttributeNames: { '#lease': 'syncLease', '#runId': 'runId' },
        ExpressionAttributeValues: { ':runId': runId },
      }),
    );
  }

  /** Sets `syncLease` under `condition`; `false` when the condition fails on an existing org. */
  async #writeLease(orgId: string, lease: SyncLease, condition: string, values: Record<string, unknown>): Promise<boolean> {
    const { client, tableName } = this.#options;
    const written = await writeIf(
      client,
      new UpdateCommand({
        TableName: tableName,
        Key: orgKey(orgId),
        UpdateExpression: 'SET #lease = :lease',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#lease': 'syncLease', '#runId': 'runId', ...(':now' in values ? { '#expiresAt': 'expiresAt' } : {}) },
        ExpressionAttributeValues: { ':lease': lease, ':runId': lease.runId, ...values },
      }),
    );
    if (!written && (await this.getOrg(orgId)) === undefined) throw new OrgNotFoundError(orgId);
    return written;
  }

  async #currentLease(orgId: string): Promise<SyncLease | undefined> {
    const { client, tableName } = this.#options;
    const output = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: orgKey(orgId),
        ConsistentRead: true,
        ProjectionExpression: '#lease',
        ExpressionAttributeNames: { '#lease': 'syncLease' },
      }),
    );
    return output.Item?.syncLease as SyncLease | undefined;
  }
}

function toItem(org: Org): Record<string, unknown> {
  const diagnostics: DiagnosticMap = Object.fromEntries(org.diagnostics.map((d) => [d.code, d]));
  return { ...org, diagnostics, ...orgKey(org.orgId), gsi1pk: ORGS_COLLECTION, gsi1sk: org.orgId, entity: 'org' };
}

function fromItem(item: Record<string, unknown>): Org {
  const { diagnostics, ...rest } = stripStoreAttributes(item) as Omit<Org, 'diagnostics'> & { diagnostics?: DiagnosticMap };
  const list = Object.values(diagnostics ?? {}).sort((a, b) => (a.code < b.code ? -1 : 1));
  return { ...rest, diagnostics: list };
}
