import { periodicCadence } from './cadence.ts';
import { InvalidScheduleError } from './invalid-schedule-error.ts';
import type { ScheduleKey } from './spread.ts';
import { compileTiming, type TimingSpec } from './timing.ts';

export interface UpcomingRun {
  at: Date;
  /** The wall-clock time the pattern names did not exist (spring-forward gap): the run moved to just after it. */
  movedByGap: boolean;
}

/**
 * The next `count` runs strictly after `from`, for previews (`scanschedule next`). `@every` and intervals
 * are counted from `from`: a preview knows neither the last scheduled time nor when runs will complete.
 * Throws InvalidScheduleError when the spec cannot be scheduled (check scheduleProblems first).
 */
export function nextRuns(spec: TimingSpec, options: { from: Date; count: number } & ScheduleKey): UpcomingRun[] {
  const { timing, problems } = compileTiming(spec, options);
  if (timing === undefined) throw new InvalidScheduleError(problems);
  const fromMs = options.from.getTime();
  // An invalid Date has no time to count from; croner would throw on it.
  if (!Number.isFinite(fromMs)) return [];
  const cadence = timing.kind === 'cron' ? timing.cadence : periodicCadence(fromMs, timing.periodMs);
  const runs: UpcomingRun[] = [];
  let after = fromMs;
  while (runs.length < options.count) {
    const next = cadence.next(after);
    if (next === null) break;
    const at = new Date(next);
    // Only a fixed-time pattern moves out of a gap; it then lands on a wall time the pattern does not name.
    runs.push({ at, movedByGap: timing.kind === 'cron' && !timing.cron.match(at) });
    after = next;
  }
  return runs;
}
