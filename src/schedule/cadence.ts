import type { ZonedCron } from './cron.ts';

/**
 * The occurrences of a schedule as instants (epoch milliseconds). Every occurrence is a whole second.
 * `next` is strictly after its argument; `latest` is at or before it; both return null when there is none.
 */
export interface Cadence {
  next(afterMs: number): number | null;
  latest(atOrBeforeMs: number): number | null;
}

/** The occurrences of a cron pattern. */
export function cronCadence(cron: ZonedCron): Cadence {
  return {
    // croner drops the milliseconds of the reference and returns a time strictly after that second; every
    // occurrence is a whole second, so this is exactly "the first occurrence after afterMs".
    next: (afterMs) => cron.nextRun(new Date(afterMs))?.getTime() ?? null,
    // previousRuns is strictly before its reference but includes a run earlier in the same second, so
    // reference + 1 ms makes it inclusive.
    latest: (atOrBeforeMs) => cron.previousRuns(1, new Date(atOrBeforeMs + 1))[0]?.getTime() ?? null,
  };
}

/** `anchor + k·period` for k ≥ 1: `@every` (anchored at the last scheduled time) and spec.interval. */
export function periodicCadence(anchorMs: number, periodMs: number): Cadence {
  return {
    next: (afterMs) => anchorMs + periodMs * Math.max(1, Math.floor((afterMs - anchorMs) / periodMs) + 1),
    latest: (atOrBeforeMs) => {
      const k = Math.floor((atOrBeforeMs - anchorMs) / periodMs);
      return k >= 1 ? anchorMs + periodMs * k : null;
    },
  };
}
