import type { Cron } from 'croner';
import { type Cadence, cronCadence } from './cadence.ts';
import { newCron } from './cron.ts';
import { offsetPeriodAt } from './offset-periods.ts';

/**
 * The occurrences of `pattern` in the named zone, exactly as `named` (croner with that zone) computes them,
 * mostly at the cost of a fixed-offset computation.
 *
 * Within one period of constant offset the zone's wall clock is a fixed-offset clock, so croner with that
 * offset finds the same next (or latest) time, provided the answer lies in the same period and not in its
 * unsettled head. The argument, for `next(after)` with `after` in period P = [start, end):
 *   - every wall time the named zone can run at inside P maps to the same instant under P's offset, so the
 *     named zone's candidates after `after` and before `end` are among the fixed offset's;
 *   - the only candidates the named zone drops are second occurrences of a repeated wall time (fixed-time
 *     patterns, DST §4.3), which lie in [start, settled); the only ones it adds are runs moved out of a
 *     spring-forward gap, which land exactly on `start`, not after `after`;
 *   so a fixed-offset answer in [settled, end) is the named answer. `latest(t)` is the mirror image: a run
 *   moved to `start` is not later than an answer in [settled, end). Anything else takes the slow path, which
 *   is croner with the zone name. dst.test.ts and zoned-cadence.test.ts check the two agree.
 */
export function zonedCadence(pattern: string, zone: string, named?: Cron): Cadence {
  // The Crons this cadence needs are built on first use and go with it (see newCron).
  let namedCron = named;
  const slowCron = (): Cron => {
    namedCron ??= newCron(pattern, zone);
    return namedCron;
  };
  const slow = cronCadence({
    nextRun: (after) => slowCron().nextRun(after),
    previousRuns: (count, before) => slowCron().previousRuns(count, before),
    match: (at) => slowCron().match(at),
  });
  const fixedOffsetCrons = new Map<number, Cron>();
  const fixedOffsetCron = (offsetMinutes: number): Cron => {
    let cron = fixedOffsetCrons.get(offsetMinutes);
    if (cron === undefined) {
      cron = newCron(pattern, offsetMinutes);
      fixedOffsetCrons.set(offsetMinutes, cron);
    }
    return cron;
  };
  return {
    next(afterMs) {
      const period = offsetPeriodAt(afterMs, zone);
      if (period !== undefined) {
        const fast = fixedOffsetCron(period.offsetMinutes).nextRun(new Date(afterMs))?.getTime();
        if (fast !== undefined && fast >= period.settledMs && fast < period.endMs) return fast;
      }
      return slow.next(afterMs);
    },
    latest(atOrBeforeMs) {
      const period = offsetPeriodAt(atOrBeforeMs, zone);
      if (period !== undefined) {
        const fast = fixedOffsetCron(period.offsetMinutes)
          .previousRuns(1, new Date(atOrBeforeMs + 1))[0]
          ?.getTime();
        if (fast !== undefined && fast >= period.settledMs && fast < period.endMs) return fast;
      }
      return slow.latest(atOrBeforeMs);
    },
  };
}
