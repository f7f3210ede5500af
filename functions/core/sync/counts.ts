/** Sync counters: what a run saw and wrote. */
import type { SyncCounts } from '../domain/model.js';

export function zeroCounts(): SyncCounts {
  return { seen: 0, added: 0, changed: 0, removed: 0, unchanged: 0 };
}

export function addCounts(a: SyncCounts, b: SyncCounts): SyncCounts {
  return {
    seen: a.seen + b.seen,
    added: a.added + b.added,
    changed: a.changed + b.changed,
    removed: a.removed + b.removed,
    unchanged: a.unchanged + b.unchanged,
  };
}
