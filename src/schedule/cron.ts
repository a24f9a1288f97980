import { Cron } from 'croner';
import type { ConcreteAtom } from './spread.ts';
import { canonicalTimeZone } from './time-zone.ts';

/**
 * A fixed-time pattern (docs/design.md §4.3, docs/scheduling.md "Daylight saving: the rule"): every list entry
 * of the minute and hour fields is one plain number, as in "30 2 * * *" or "0 1,13 * * *". A `*`, a range
 * (`1-3`, even `5-5`) or a step (`/S`, even `/1`) in either field says "every ... in this span", so the
 * pattern is finer than fixed and runs at every real instant that matches.
 */
export function isFixedTime(fields: readonly (readonly ConcreteAtom[])[]): boolean {
  const [minute = [], hour = []] = fields;
  return [...minute, ...hour].every((atom) => atom.kind === 'range' && /^\d+$/.test(atom.text));
}

const DAY_OF_WEEK = 4;

/**
 * The numeric pattern handed to croner. Our grammar was checked already; this spelling pins down every
 * reading where croner and Kubernetes differ:
 * - `?` (croner substitutes the current time), names, and "N/S" (croner needs sloppyRanges) are spelled out;
 * - a field with robfig's star bit (isUnrestricted: `*,15`, `MON,?`, `*\/1`) becomes `*`, the only spelling
 *   croner reads as unrestricted for the day-of-month/day-of-week OR rule;
 * - every entry that is not one plain number is written `from-to/step`, so croner's "no-wildcard" rule
 *   (no `*` and no `/` in the minute and hour fields) gives exactly isFixedTime;
 * - a day-of-week step over `*` runs over 0-6, as robfig's does (7 would be Sunday a second time).
 */
export function cronerPattern(fields: readonly (readonly ConcreteAtom[])[]): string {
  return fields
    .map((atoms, index) => {
      if (atoms.some((atom) => atom.kind === 'star' && atom.step === 1)) return '*';
      return atoms
        .map((atom) => {
          if (atom.kind === 'star') return index === DAY_OF_WEEK ? `0-6/${atom.step}` : `*/${atom.step}`;
          if (/^\d+$/.test(atom.text) || (index >= 2 && atom.from === atom.to)) return String(atom.from);
          return `${atom.from}-${atom.to}/${atom.step}`;
        })
        .join(',');
    })
    .join(' ');
}

const CRONER_OPTIONS = { mode: '5-part', fixedTimeRule: 'no-wildcard', domAndDow: false } as const;

/**
 * A new croner schedule for `pattern` read in `zone`: an already validated IANA name, or a fixed UTC offset
 * in minutes (pass 0 for a zone that is UTC: croner then computes without Intl, about 10x faster). Throws
 * when croner refuses the pattern. No callback: a callback would arm a timer, and this
 * layer is pure computation.
 *
 * Daylight saving (docs/design.md §4.3): fixedTimeRule "no-wildcard" makes a pattern without "*" and "/" in its
 * minute and hour fields a fixed-time job; cronerPattern spells exactly the isFixedTime patterns so. In a
 * spring-forward gap such a job runs once at the first instant after the gap, and a repeated wall time runs
 * once, at its first occurrence. Any other pattern runs at every real instant that matches.
 *
 * Nothing keeps a Cron: each holds a table of years 1–9999 (about 80 KB), and with H spreading nearly every
 * schedule has a pattern of its own, so 10,000 kept schedules would hold some 800 MB. A Cron lives as long
 * as the Cadence or question that built it (bench/schedule-heap.ts).
 */
export function newCron(pattern: string, zone: string | number): Cron {
  const where = typeof zone === 'number' ? { utcOffset: zone } : { timezone: zone };
  return new Cron(pattern, { ...where, ...CRONER_OPTIONS });
}

/** A cron pattern read in a zone: the three questions the scheduler asks croner. */
export interface ZonedCron {
  /** The first run strictly after `after`'s whole second, or null. */
  nextRun(after: Date): Date | null;
  /** Up to `count` runs strictly before `before`, latest first. */
  previousRuns(count: number, before: Date): Date[];
  match(at: Date): boolean;
}

/**
 * `pattern` in `timezone`, checked by croner now and built again for each question (see newCron). `utc`: the
 * caller already knows whether the zone is UTC (asking Intl costs ~0.1 ms, twice per compile otherwise).
 */
export function zonedCron(pattern: string, timezone: string, utc = canonicalTimeZone(timezone) === 'UTC'): ZonedCron {
  const zone = utc ? 0 : timezone;
  newCron(pattern, zone);
  return {
    nextRun: (after) => newCron(pattern, zone).nextRun(after),
    previousRuns: (count, before) => newCron(pattern, zone).previousRuns(count, before),
    match: (at) => newCron(pattern, zone).match(at),
  };
}
