import { BoundedCache } from './bounded-cache.ts';

// Kubernetes writes times at second precision (metav1.Time), so every instant we store is truncated to
// the second; an instant written with milliseconds would make status differ on every reconcile.

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

const utcTexts = new BoundedCache<number, string>(16_384);

/** `2026-05-19T10:00:00Z`: the instant in UTC, at second precision (as metav1.Time serialises). */
export function formatUtc(instant: Date | number): string {
  const second = Math.floor((typeof instant === 'number' ? instant : instant.getTime()) / 1000);
  // Every reconcile writes the same few times again (next, last, conditions): formatting is memoised.
  return utcTexts.getOrCompute(second, () => new Date(second * 1000).toISOString().replace('.000Z', 'Z'));
}

const parsedTimes = new BoundedCache<string, number | undefined>(65_536);

const parseOnce = (time: string): number | undefined => {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
};

/** Epoch milliseconds of an RFC 3339 time; undefined when absent or unreadable (never NaN). */
export function parseTimeMs(time: string | undefined): number | undefined {
  // Date.parse costs about half a microsecond, and status and runs bring back the same strings every time.
  return time === undefined ? undefined : parsedTimes.getOrCompute(time, parseOnce);
}

const wallClockFormats = new BoundedCache<string, Intl.DateTimeFormat>(512);

function wallClockFormat(zone: string): Intl.DateTimeFormat {
  return wallClockFormats.getOrCompute(
    zone,
    (timeZone) =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  );
}

/** The wall-clock fields of an instant in `zone`. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** What a clock on the wall in `zone` shows at `instant`. */
export function wallClock(instant: Date | number, zone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of wallClockFormat(zone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number.parseInt(part.value, 10);
  }
  return {
    year: fields.year ?? Number.NaN,
    month: fields.month ?? Number.NaN,
    day: fields.day ?? Number.NaN,
    hour: fields.hour ?? Number.NaN,
    minute: fields.minute ?? Number.NaN,
    second: fields.second ?? Number.NaN,
  };
}

const zonedTexts = new BoundedCache<string, string>(8192);

/**
 * `2026-05-19T12:00:00+02:00`: the instant as the wall clock in `zone` shows it, with its offset, at second
 * precision. A zero offset is written `Z`, as Go's time.RFC3339 layout (and so Kubernetes) writes it.
 */
export function formatInZone(instant: Date | number, zone: string): string {
  if (zone === 'UTC') return formatUtc(instant);
  const ms = Math.floor((typeof instant === 'number' ? instant : instant.getTime()) / 1000) * 1000;
  // Intl costs several microseconds a call, and in a resync many schedules share a zone and a next time.
  return zonedTexts.getOrCompute(`${zone}\u0000${ms}`, () => formatZoned(ms, zone));
}

function formatZoned(ms: number, zone: string): string {
  const wall = wallClock(ms, zone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const offsetMinutes = Math.round((wallAsUtc - ms) / 60_000);
  const offset =
    offsetMinutes === 0
      ? 'Z'
      : `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}${offset}`;
}
