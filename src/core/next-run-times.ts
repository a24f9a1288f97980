import { nextRuns } from '../schedule/next-runs.ts';
import type { TimingSpec } from '../schedule/timing.ts';

/**
 * The next `count` run times strictly after `from` (docs/design.md §4.6). `@every` and intervals count from
 * `from`. Throws InvalidScheduleError for a spec that cannot be scheduled (see validateScanSchedule).
 */
export function nextRunTimes(
  spec: TimingSpec,
  options: { from: Date; count: number; namespace?: string; name?: string },
): Date[] {
  return nextRuns(spec, options).map((run) => run.at);
}
