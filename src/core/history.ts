import type { ScanRun } from '../api/types.ts';
import { startedAtMs } from './owned-runs.ts';

/**
 * The finished runs beyond `limit`: the ones to delete so that `limit` remain. Oldest go first, by start
 * (else scheduled time, else creation), then by name; a run with no time at all counts as the newest.
 */
export function runsBeyondLimit(finished: readonly ScanRun[], limit: number): ScanRun[] {
  const excess = finished.length - Math.max(0, limit);
  if (excess <= 0) return [];
  // Each start time is read once, not once per comparison.
  const keyed = finished.map((run) => ({
    run,
    start: startedAtMs(run) ?? Number.POSITIVE_INFINITY,
    name: run.metadata.name ?? '',
  }));
  keyed.sort((a, b) => (a.start !== b.start ? a.start - b.start : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return keyed.slice(0, excess).map(({ run }) => run);
}
