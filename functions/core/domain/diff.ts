/**
 * Compares two snapshots of one user and describes what changed, for the change history.
 *
 * Only *tracked* fields make a change entry: who the user is, their statuses, billable,
 * the derived access state and the set of products. Activity dates are deliberately not
 * tracked: they move every day for active users and would drown the history (they are
 * still stored on the snapshot and hashed, so filters on inactivity stay accurate).
 */
import type { Change, FieldChange, UserSnapshot } from './model.js';

export const TRACKED_FIELDS = [
  'accountType',
  'name',
  'email',
  'accountStatus',
  'membershipStatus',
  'managementSource',
  'billable',
  'accessState',
  'productKeys',
] as const satisfies readonly (keyof UserSnapshot)[];

export type TrackedField = (typeof TRACKED_FIELDS)[number];

export interface ChangeContext {
  /** ISO-8601 time of the change. */
  at: string;
  runId: string;
  source: Change['source'];
}

/** Tracked fields whose values differ between `before` and `after` (absent values are `null`). */
export function trackedFieldChanges(
  before: UserSnapshot | undefined,
  after: UserSnapshot | undefined,
): Record<string, FieldChange> {
  const fields: Record<string, FieldChange> = {};
  for (const field of TRACKED_FIELDS) {
    const beforeValue = before?.[field] ?? null;
    const afterValue = after?.[field] ?? null;
    if (!sameValue(beforeValue, afterValue)) fields[field] = { before: beforeValue, after: afterValue };
  }
  return fields;
}

/**
 * The change from `before` to `after`, or `undefined` when no tracked field changed.
 *
 * - `added`: no previous snapshot, or the previous one was a tombstone (the user came back);
 * - `removed`: `after` is a tombstone (or absent) while `before` was present;
 * - `changed`: both present and at least one tracked field differs.
 */
export function diffSnapshots(
  before: UserSnapshot | undefined,
  after: UserSnapshot | undefined,
  context: ChangeContext,
): Change | undefined {
  const wasPresent = before !== undefined && before.removedAt === undefined;
  const isPresent = after !== undefined && after.removedAt === undefined;
  const subject = after ?? before;
  if (subject === undefined) return undefined;

  let kind: Change['kind'];
  if (!wasPresent && isPresent) kind = 'added';
  else if (wasPresent && !isPresent) kind = 'removed';
  else if (wasPresent && isPresent) kind = 'changed';
  else return undefined;

  const fields = trackedFieldChanges(before, after);
  if (kind === 'removed' && after === undefined) fields.accessState = { before: before?.accessState ?? null, after: 'removed' };
  if (kind === 'changed' && Object.keys(fields).length === 0) return undefined;

  return {
    orgId: subject.orgId,
    accountId: subject.accountId,
    at: context.at,
    kind,
    fields,
    runId: context.runId,
    source: context.source,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((value, index) => value === b[index]);
  }
  return a === b;
}
