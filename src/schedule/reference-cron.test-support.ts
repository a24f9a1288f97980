// An independent, brute-force reading of the scheduling contract (docs/design.md §4 and docs/scheduling.md),
// for differential.test.ts only: it walks real instants minute by minute, reads the wall clock with Intl,
// and applies robfig/cron's field semantics and the daylight-saving rule directly. No croner, nothing from
// the production code: it is slow and obvious on purpose, so that the two can only agree by being right.
// Not exported from the package.

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** A 5-field pattern as robfig/cron reads it, plus the daylight-saving class of the pattern. */
export interface ReferencePattern {
  minute: ReadonlySet<number>;
  hour: ReadonlySet<number>;
  dayOfMonth: ReadonlySet<number>;
  month: ReadonlySet<number>;
  /** 0-6, Sunday 0 (7 is read as 0). */
  dayOfWeek: ReadonlySet<number>;
  /** robfig's star bit: some list entry is a bare `*` or `?` (or `*` with step 1). */
  dayOfMonthStar: boolean;
  dayOfWeekStar: boolean;
  /** Every minute and hour entry is one plain number (docs/scheduling.md "Daylight saving: the rule"). */
  fixedTime: boolean;
}

interface Bounds {
  min: number;
  max: number;
  names: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
// robfig's bounds: day-of-week ends at 6; we additionally accept 7 as Sunday (docs/design.md §4.1).
const BOUNDS: readonly Bounds[] = [
  { min: 0, max: 59, names: [] },
  { min: 0, max: 23, names: [] },
  { min: 1, max: 31, names: [] },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];

function value(text: string, bounds: Bounds): number {
  const named = bounds.names.indexOf(text.toLowerCase());
  if (named >= 0) return bounds.min + named;
  if (!/^\d+$/.test(text)) throw new Error(`reference: cannot read "${text}"`);
  return Number(text);
}

/** robfig/cron getField: the union of the entries' bits, and the star bit if any entry is `*` or `?`. */
function field(text: string, bounds: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const entry of text.split(',')) {
    const [range = '', stepText] = entry.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let start: number;
    let end: number;
    if (range === '*' || range === '?') {
      start = bounds.min;
      end = bounds.max;
      if (step === 1) star = true;
    } else {
      const [low = '', high] = range.split('-');
      start = value(low, bounds);
      end = high !== undefined ? value(high, bounds) : stepText !== undefined ? Math.max(start, bounds.max) : start;
    }
    for (let v = start; v <= end; v += step) values.add(bounds.names === DAYS && v === 7 ? 0 : v);
  }
  return { values, star };
}

/** Reads a 5-field pattern (no descriptors, no H: pass the effective pattern). */
export function referencePattern(text: string): ReferencePattern {
  const texts = text.trim().split(/\s+/);
  if (texts.length !== 5) throw new Error(`reference: "${text}" does not have 5 fields`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = texts.map((t, i) => field(t, BOUNDS[i] as Bounds)) as [
    ReturnType<typeof field>,
    ReturnType<typeof field>,
    ReturnType<typeof field>,
    ReturnType<typeof field>,
    ReturnType<typeof field>,
  ];
  const plain = (t: string): boolean => t.split(',').every((entry) => /^\d+$/.test(entry));
  return {
    minute: minute.values,
    hour: hour.values,
    dayOfMonth: dayOfMonth.values,
    month: month.values,
    dayOfWeek: dayOfWeek.values,
    dayOfMonthStar: dayOfMonth.star,
    dayOfWeekStar: dayOfWeek.star,
    fixedTime: plain(texts[0] ?? '') && plain(texts[1] ?? ''),
  };
}

/** A wall-clock reading. */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

/** robfig/cron SpecSchedule.Next's test for one wall minute, with dayMatches' AND/OR rule. */
export function wallMatches(p: ReferencePattern, w: Wall): boolean {
  const dom = p.dayOfMonth.has(w.day);
  const dow = p.dayOfWeek.has(w.weekday);
  const dayMatches = p.dayOfMonthStar || p.dayOfWeekStar ? dom && dow : dom || dow;
  return p.minute.has(w.minute) && p.hour.has(w.hour) && p.month.has(w.month) && dayMatches;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();
const walls = new Map<string, Map<number, Wall>>();

/** The wall clock in `zone` at the whole minute `ms`, read with Intl (memoized: the walks revisit minutes). */
export function wallAt(ms: number, zone: string): Wall {
  let cache = walls.get(zone);
  if (cache === undefined) {
    cache = new Map();
    walls.set(zone, cache);
  }
  const cached = cache.get(ms);
  if (cached !== undefined) return cached;
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(ms)) parts[part.type] = part.value;
  const wall: Wall = {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? -1,
  };
  if (cache.size > 400_000) cache.clear();
  cache.set(ms, wall);
  return wall;
}

/** The wall clock as if it were UTC: the instant the wall reading names in a zone without offset. */
function wallAsUtc(w: Wall): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
}

/** The UTC offset of `zone` at the whole minute `ms`. */
export function offsetAt(ms: number, zone: string): number {
  return wallAsUtc(wallAt(ms, zone)) - ms;
}

function naiveWall(wallUtcMs: number): Wall {
  const d = new Date(wallUtcMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
}

/**
 * Does the pattern run at the whole minute `ms`? The daylight-saving rule, read literally:
 * - a finer-than-fixed pattern runs at every real instant whose wall clock matches;
 * - a fixed-time pattern skips an instant whose wall time already happened (the second pass of a repeated
 *   hour), and runs at the first instant after a spring-forward gap if a wall time in the gap matches.
 * Assumes one offset change within 3 hours, which holds for every zone since 1970.
 */
export function runsAt(p: ReferencePattern, ms: number, zone: string): boolean {
  const wall = wallAt(ms, zone);
  const offset = offsetAt(ms, zone);
  let runs = wallMatches(p, wall);
  if (!p.fixedTime) return runs;
  if (runs) {
    const earlierOffset = offsetAt(ms - 3 * HOUR_MS, zone);
    if (earlierOffset > offset) {
      const earlier = wallAsUtc(wall) - earlierOffset;
      if (earlier < ms && offsetAt(earlier, zone) === earlierOffset) runs = false;
    }
  }
  const before = offsetAt(ms - MINUTE_MS, zone);
  if (!runs && before < offset) {
    for (let skipped = wallAsUtc(wall) - (offset - before); skipped < wallAsUtc(wall); skipped += MINUTE_MS) {
      if (wallMatches(p, naiveWall(skipped))) return true;
    }
  }
  return runs;
}

/** Every run in (fromMs, toMs], minute by minute. */
export function referenceRuns(p: ReferencePattern, zone: string, fromMs: number, toMs: number): number[] {
  const runs: number[] = [];
  for (let ms = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS; ms <= toMs; ms += MINUTE_MS) {
    if (runsAt(p, ms, zone)) runs.push(ms);
  }
  return runs;
}

/** The instants in [fromMs, toMs) at which `zone` changes its offset, found with Intl. */
export function transitions(zone: string, fromMs: number, toMs: number): number[] {
  const found: number[] = [];
  const step = 6 * HOUR_MS;
  for (let t = fromMs; t + step <= toMs; t += step) {
    if (offsetAt(t, zone) === offsetAt(t + step, zone)) continue;
    let low = t;
    let high = t + step;
    while (high - low > MINUTE_MS) {
      const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
      if (offsetAt(middle, zone) === offsetAt(t, zone)) low = middle;
      else high = middle;
    }
    found.push(high);
  }
  return found;
}
