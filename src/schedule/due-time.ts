import type { Cadence } from './cadence.ts';

/** More unmet times than this is "too many": Kubernetes' threshold, kept so its advice still applies. */
export const TOO_MANY_MISSED = 100;

export interface DueTimes {
  /** The most recent occurrence in (earliest, now], or null when none is due. */
  mostRecent: number | null;
  /** Occurrences in (earliest, now], counted exactly up to TOO_MANY_MISSED + 1 (so it stays cheap). */
  unmetCount: number;
  /** unmetCount > TOO_MANY_MISSED. */
  tooMany: boolean;
  /** The first occurrence after now, or null when the schedule has none. */
  next: number | null;
}

/**
 * The most recent unmet occurrence in (earliestMs, nowMs], how many there are, and the next one after now.
 *
 * Exact, unlike Kubernetes' mostRecentScheduleTime, which estimates the count from the gap between the
 * first two times and misses real times for patterns with uneven gaps ("30 10,11,12 * * 1-5"). Walking
 * stays cheap: nothing due costs one computation, one due time two, and the walk stops after
 * TOO_MANY_MISSED + 1 occurrences and asks the cadence for the latest one directly.
 * `first` is cadence.next(earliestMs) when the caller has it already.
 */
export function mostRecentDueTime(
  cadence: Cadence,
  window: { earliestMs: number; nowMs: number; first?: number | null },
): DueTimes {
  const { earliestMs, nowMs } = window;
  let occurrence = window.first !== undefined ? window.first : cadence.next(earliestMs);
  if (occurrence === null || occurrence > nowMs) {
    return { mostRecent: null, unmetCount: 0, tooMany: false, next: occurrence };
  }
  let count = 1;
  while (count <= TOO_MANY_MISSED) {
    const following = cadence.next(occurrence);
    if (following === null || following > nowMs) {
      return { mostRecent: occurrence, unmetCount: count, tooMany: false, next: following };
    }
    occurrence = following;
    count += 1;
  }
  return { mostRecent: cadence.latest(nowMs), unmetCount: count, tooMany: true, next: cadence.next(nowMs) };
}

export interface DeadlineDueTimes {
  /** Unmet occurrences that may still start: in (earliest, now] and no older than the deadline. */
  runnable: DueTimes;
  /** Unmet occurrences older than the deadline: the latest one and how many (capped); null when none. */
  missed: { latest: number; count: number } | null;
  /** The first occurrence after now. */
  next: number | null;
}

/**
 * Splits the unmet occurrences in (earliestMs, nowMs] at the starting deadline: an occurrence more than
 * `deadlineMs` before now is missed, a later one may still start. Without a deadline nothing is missed.
 * The common case, nothing due, costs one computation.
 */
export function dueTimesWithDeadline(
  cadence: Cadence,
  window: { earliestMs: number; nowMs: number; deadlineMs: number | undefined },
): DeadlineDueTimes {
  const { earliestMs, nowMs, deadlineMs } = window;
  const first = cadence.next(earliestMs);
  const cutoffMs = deadlineMs === undefined ? Number.NEGATIVE_INFINITY : nowMs - deadlineMs;
  if (first === null || first > nowMs || first >= cutoffMs) {
    const runnable = mostRecentDueTime(cadence, { earliestMs, nowMs, first });
    return { runnable, missed: null, next: runnable.next };
  }
  // Occurrences are whole seconds, so "before the cutoff" is "at or before cutoff - 1 ms".
  const missed = mostRecentDueTime(cadence, { earliestMs, nowMs: cutoffMs - 1, first });
  const runnable = mostRecentDueTime(cadence, { earliestMs: cutoffMs - 1, nowMs });
  return {
    runnable,
    missed: missed.mostRecent === null ? null : { latest: missed.mostRecent, count: missed.unmetCount },
    next: runnable.next,
  };
}
