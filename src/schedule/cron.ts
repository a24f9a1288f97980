import { Cron } from 'croner';
import { BoundedCache } from './bounded-cache.ts';
import type { ConcreteAtom } from './spread.ts';
import { canonicalTimeZone } from './time-zone.ts';

/**
 * The numeric pattern handed to croner. Our grammar was checked already; this spelling avoids croner's own
 * readings that differ from Kubernetes: `?` (croner substitutes the current time), names, and "N/S" (croner
 * needs sloppyRanges). `*\/1` becomes `*` so that a day field written that way still counts as unrestricted
 * for the day-of-month/day-of-week OR rule, as in robfig/cron.
 */
export function cronerPattern(fields: readonly (readonly ConcreteAtom[])[]): string {
  return fields
    .map((atoms) =>
      atoms
        .map((atom) => {
          if (atom.kind === 'star') return atom.step === 1 ? '*' : `*/${atom.step}`;
          if (atom.step === 1) return atom.from === atom.to ? String(atom.from) : `${atom.from}-${atom.to}`;
          return `${atom.from}-${atom.to}/${atom.step}`;
        })
        .join(','),
    )
    .join(' ');
}

// croner gives every pattern its own table of years 1–9999 (Array(10000), about 80 KB), all ones in 5-part mode.
// With H spreading nearly every schedule has a pattern of its own, so 1,000 schedules held about 36 MiB of these
// tables (bench/controller-memory.ts), and the caches here and in timing.ts would have allowed gigabytes.
// Identical and only read once the Cron is built, so all patterns can share one.
const YEARS = 10_000;
const EVERY_YEAR: number[] = new Array<number>(YEARS).fill(1);

interface CronInternals {
  _states?: { pattern?: { year?: unknown } };
}

/** Replaces croner's per-pattern all-years table with the shared one; leaves anything else untouched. */
export function shareYearTable(cron: Cron): Cron {
  const pattern = (cron as unknown as CronInternals)._states?.pattern;
  const year = pattern?.year;
  if (pattern !== undefined && Array.isArray(year) && year.length === YEARS && year.every((value) => value === 1)) {
    pattern.year = EVERY_YEAR;
  }
  return cron;
}

// Building a Cron costs about 25 µs; a controller plans thousands of schedules per resync with a few
// hundred distinct (pattern, zone) pairs, so they are built once. Cron objects without a callback hold no
// timer, so dropping one from the cache leaks nothing.
const crons = new BoundedCache<string, Cron>(4096);

/**
 * A croner schedule for `pattern` read in `timezone` (an already validated IANA name). No callback: a
 * callback would arm a timer, and this layer is pure computation.
 *
 * Daylight saving (DESIGN.md §4.3): fixedTimeRule "no-wildcard" makes every pattern whose minute and hour
 * fields have no "*" and no step a fixed-time job, as Vixie cron does: in a spring-forward gap it runs once
 * at the first instant after the gap, and a repeated wall time runs once, at its first occurrence. A pattern
 * with "*" or a step in the minute or hour field (hourly and finer) runs at every real instant that matches.
 * UTC-equivalent zones use a fixed offset, which croner computes without Intl (about 10x faster).
 */
export function zonedCron(pattern: string, timezone: string): Cron {
  return crons.getOrCompute(`${timezone}\u0000${pattern}`, () => {
    const zone = canonicalTimeZone(timezone) === 'UTC' ? { utcOffset: 0 } : { timezone };
    return shareYearTable(
      new Cron(pattern, { ...zone, mode: '5-part', fixedTimeRule: 'no-wildcard', domAndDow: false }),
    );
  });
}
