// The stretches of time in which a zone keeps one UTC offset. Between two transitions a named zone is a
// fixed-offset zone, and croner computes fixed offsets without Intl, about ten times faster than with a
// zone name (docs/design.md §7: 35-60 µs per computation, Intl dominating). zoned-cadence.ts uses these periods to
// take that fast path wherever it gives exactly the named zone's answer.
import { wallClock } from './rfc3339.ts';

export interface OffsetPeriod {
  /** First instant with this offset: a transition, or the edge of the searched window. */
  startMs: number;
  /** First instant after startMs with another offset, or the edge of the searched window. */
  endMs: number;
  offsetMinutes: number;
  /**
   * From here on the period behaves like a fixed offset. After a fall-back transition, the first
   * (previous offset − offset) of the period repeat wall times of the period before, and a fixed-time
   * schedule skips those second occurrences; a fixed offset would not. startMs otherwise.
   */
  settledMs: number;
}

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;
/** How far each way a period is searched for a transition; beyond that, computations take the slow path. */
const SEARCH_DAYS = 200;
const PERIODS_PER_ZONE = 8;

/** The zone's UTC offset at `ms` in milliseconds (second precision), from Intl. */
function offsetMsAt(ms: number, zone: string): number {
  const second = Math.floor(ms / SECOND_MS) * SECOND_MS;
  const wall = wallClock(second, zone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - second;
}

/** The first second in (fromMs, toMs] with an offset other than offsetMs at fromMs; one change is assumed. */
function transitionBetween(fromMs: number, toMs: number, offsetMs: number, zone: string): number {
  let low = fromMs;
  let high = toMs;
  while (high - low > SECOND_MS) {
    const middle = low + Math.floor((high - low) / 2 / SECOND_MS) * SECOND_MS;
    if (offsetMsAt(middle, zone) === offsetMs) low = middle;
    else high = middle;
  }
  return high;
}

function searchPeriod(instantMs: number, zone: string): OffsetPeriod | undefined {
  // Transitions happen at whole seconds: searching from a whole second keeps every bound on one.
  const ms = Math.floor(instantMs / SECOND_MS) * SECOND_MS;
  const offsetMs = offsetMsAt(ms, zone);
  // Offsets with seconds (local mean time, before 1900) have no fixed-offset twin in croner (minutes).
  if (offsetMs % 60_000 !== 0) return undefined;
  // Probing day by day finds every transition of the tz database since 1970: no zone has changed its
  // offset twice within one day in that time.
  let endMs = ms + SEARCH_DAYS * DAY_MS;
  for (let day = 1, previous = ms; day <= SEARCH_DAYS; day += 1) {
    const probe = ms + day * DAY_MS;
    if (offsetMsAt(probe, zone) !== offsetMs) {
      endMs = transitionBetween(previous, probe, offsetMs, zone);
      break;
    }
    previous = probe;
  }
  let startMs = ms - SEARCH_DAYS * DAY_MS;
  let settledMs = startMs;
  for (let day = 1, previous = ms; day <= SEARCH_DAYS; day += 1) {
    const probe = ms - day * DAY_MS;
    const probeOffsetMs = offsetMsAt(probe, zone);
    if (probeOffsetMs !== offsetMs) {
      // The transition is the first second with our offset after the probe.
      startMs = transitionBetween(probe, previous, probeOffsetMs, zone);
      settledMs = startMs + Math.max(0, probeOffsetMs - offsetMs);
      break;
    }
    previous = probe;
  }
  return { startMs, endMs, offsetMinutes: offsetMs / 60_000, settledMs };
}

const periodsByZone = new Map<string, OffsetPeriod[]>();

/**
 * The period of constant offset that contains `ms` in `zone` (an IANA name that Intl knows), searched once
 * and then kept (a few per zone); undefined when the offset has seconds.
 */
export function offsetPeriodAt(ms: number, zone: string): OffsetPeriod | undefined {
  let periods = periodsByZone.get(zone);
  if (periods === undefined) {
    periods = [];
    periodsByZone.set(zone, periods);
  }
  for (const period of periods) {
    if (ms >= period.startMs && ms < period.endMs) return period;
  }
  const found = searchPeriod(ms, zone);
  if (found === undefined) return undefined;
  if (periods.length >= PERIODS_PER_ZONE) periods.shift();
  periods.push(found);
  return found;
}
