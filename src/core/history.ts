import type { ScanRun } from '../api/types.ts';
import { startedAtMs } from './owned-runs.ts';

/** Oldest first: by start (else scheduled time, else creation), then name; a run with no time at all counts as newest. */
export function oldestFirst(a: ScanRun, b: ScanRun): number {
  const aStart = startedAtMs(a) ?? Number.POSITIVE_INFINITY;
  const bStart = startedAtMs(b) ?? Number.POSITIVE_INFINITY;
  if (aStart !== bStart) return aStart < bStart ? -1 : 1;
  const aName = a.metadata.name ?? '';
  const bName = b.metadata.name ?? '';
  return aName < bName ? -1 : aName > bName ? 1 : 0;
}

/** The finished runs beyond `limit`, oldest first: the ones to delete so that `limit` remain. */
export function runsBeyondLimit(finished: readonly ScanRun[], limit: number): ScanRun[] {
  const excess = finished.length - Math.max(0, limit);
  if (excess <= 0) return [];
  return [...finished].sort(oldestFirst).slice(0, excess);
}
