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

/**
 * What earlier answers about one pattern in one zone proved, so that a later question inside the same gap
 * between two occurrences needs no croner Cron (each costs tens of µs to build, cron.ts). A few numbers,
 * no Cron: a Timing keeps one for all the Cadences it gives out (timing.ts).
 *
 * next(x) is `nextAnswer` for every x in [nextFromMs, nextToMs): that answer, asked from nextFromMs, said
 * no occurrence lies in (nextFromMs, nextAnswer). The gap asked about before it is kept too (`previousNext…`):
 * schedules that share a timing and are due together ask about both sides of the due time in turn (one
 * schedule's first pass: next after its last scheduled time, the due time; another's later pass: next after
 * the due time), and with one gap each question would undo the last (a Cron built per pass in a burst).
 * latest(x) is `latestAnswer` for every x in [latestFromMs, latestToMs]. NaN bounds (nothing known yet) hold
 * no x.
 */
export class CadenceMemo {
  nextFromMs = Number.NaN;
  nextToMs = Number.NaN;
  nextAnswer: number | null = null;
  previousNextFromMs = Number.NaN;
  previousNextToMs = Number.NaN;
  previousNextAnswer: number | null = null;
  latestFromMs = Number.NaN;
  latestToMs = Number.NaN;
  latestAnswer: number | null = null;
}

/**
 * The occurrences `build()` gives, answered from `memo` when an earlier answer settles the question, else
 * by the Cadence built on the first question that is not settled, which goes with this one. A reconcile
 * asks about the gap it is in (next after the last scheduled time, next after now), and every reconcile
 * until the next occurrence asks the same, so most reconciles build no Cron at all.
 */
export function rememberedCadence(memo: CadenceMemo, build: () => Cadence): Cadence {
  let built: Cadence | undefined;
  const cadence = (): Cadence => {
    built ??= build();
    return built;
  };
  return {
    next(afterMs) {
      if (afterMs >= memo.nextFromMs && afterMs < memo.nextToMs) return memo.nextAnswer;
      if (afterMs >= memo.previousNextFromMs && afterMs < memo.previousNextToMs) return memo.previousNextAnswer;
      const answer = cadence().next(afterMs);
      const toMs = answer ?? Number.POSITIVE_INFINITY;
      // The same answer from further back: no occurrence in (afterMs, answer), so the known span grows.
      if (toMs === memo.nextToMs) memo.nextFromMs = Math.min(memo.nextFromMs, afterMs);
      else if (toMs === memo.previousNextToMs) memo.previousNextFromMs = Math.min(memo.previousNextFromMs, afterMs);
      else {
        memo.previousNextFromMs = memo.nextFromMs;
        memo.previousNextToMs = memo.nextToMs;
        memo.previousNextAnswer = memo.nextAnswer;
        memo.nextFromMs = afterMs;
        memo.nextToMs = toMs;
        memo.nextAnswer = answer;
      }
      return answer;
    },
    latest(atOrBeforeMs) {
      if (atOrBeforeMs >= memo.latestFromMs && atOrBeforeMs <= memo.latestToMs) return memo.latestAnswer;
      const answer = cadence().latest(atOrBeforeMs);
      const fromMs = answer ?? Number.NEGATIVE_INFINITY;
      memo.latestToMs = fromMs === memo.latestFromMs ? Math.max(memo.latestToMs, atOrBeforeMs) : atOrBeforeMs;
      memo.latestFromMs = fromMs;
      memo.latestAnswer = answer;
      return answer;
    },
  };
}
