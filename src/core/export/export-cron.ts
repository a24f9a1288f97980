// The cron line an exported schedule runs on: five numeric fields that every target reads alike (GitHub's
// POSIX cron, GitLab's fugit, Vixie/cronie, Kubernetes' robfig), with `H` already resolved for the schedule.
// Descriptors become their five fields (GitHub rejects `@daily`), names become numbers, `?` becomes `*`, and a
// field with robfig's star bit (`*,15`) becomes `*`, the only spelling all of them read as unrestricted for the
// day-of-month/day-of-week OR rule.
import { type CronSyntax, isUnrestricted, parseScheduleText } from '../../schedule/cron-grammar.ts';
import { wallClock } from '../../schedule/rfc3339.ts';
import { type ConcreteAtom, resolveSpread, type ScheduleKey } from '../../schedule/spread.ts';

const DESCRIPTORS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

const FIELD_SPAN: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];
const DAY_OF_WEEK = 4;

function atomText(atom: ConcreteAtom, index: number): string[] {
  if (atom.kind === 'star') return [index === DAY_OF_WEEK ? `0-6/${atom.step}` : `*/${atom.step}`];
  // Day-of-week 7 is our spelling of Sunday; GitHub and robfig know only 0-6.
  if (index === DAY_OF_WEEK && atom.to === 7) {
    return expandAtom(atom, index).map((value) => String(value % 7));
  }
  if (atom.from === atom.to) return [String(atom.from)];
  return [atom.step === 1 ? `${atom.from}-${atom.to}` : `${atom.from}-${atom.to}/${atom.step}`];
}

function expandAtom(atom: ConcreteAtom, index: number): number[] {
  const [low, high] = FIELD_SPAN[index] ?? [0, 0];
  const from = atom.kind === 'star' ? low : atom.from;
  const to = atom.kind === 'star' ? high : atom.to;
  const values: number[] = [];
  for (let value = from; value <= to; value += atom.step) values.push(value);
  return values;
}

/** The set of values one field matches. */
export function fieldValues(atoms: readonly ConcreteAtom[], index: number): number[] {
  const values = new Set<number>();
  for (const atom of atoms)
    for (const value of expandAtom(atom, index)) values.add(index === DAY_OF_WEEK ? value % 7 : value);
  return [...values].sort((a, b) => a - b);
}

export interface ExportCron {
  /** Five numeric fields. */
  pattern: string;
  fields: readonly (readonly ConcreteAtom[])[];
}

/** The five-field numeric pattern of a cron schedule text, H resolved for `key`; undefined for `@every`. */
export function exportCron(text: string, key: ScheduleKey): ExportCron | undefined {
  const trimmed = text.trim();
  const parsed = parseScheduleText(DESCRIPTORS[trimmed] ?? trimmed);
  if ('problem' in parsed || parsed.kind !== 'cron') return undefined;
  const fields = resolveSpread(parsed.syntax as CronSyntax, key).fields;
  const pattern = fields
    .map((atoms, index) => (isUnrestricted(atoms) ? '*' : atoms.flatMap((atom) => atomText(atom, index)).join(',')))
    .join(' ');
  return { pattern, fields };
}

/** A cron line for a fixed period, when one exists: minutes dividing an hour, hours dividing a day. */
export function periodCron(periodMs: number): string | undefined {
  const minutes = periodMs / 60_000;
  if (!Number.isInteger(minutes) || minutes < 1) return undefined;
  if (minutes < 60 && 60 % minutes === 0) return minutes === 1 ? '* * * * *' : `*/${minutes} * * * *`;
  const hours = minutes / 60;
  if (Number.isInteger(hours) && hours < 24 && 24 % hours === 0)
    return hours === 1 ? '0 * * * *' : `0 */${hours} * * *`;
  if (hours === 24) return '0 0 * * *';
  return undefined;
}

/** The smallest gap, in minutes, between two runs of the pattern within one day (day fields ignored). */
export function shortestGapMinutes(fields: readonly (readonly ConcreteAtom[])[]): number {
  const minutes = fieldValues(fields[0] ?? [], 0);
  const hours = fieldValues(fields[1] ?? [], 1);
  const times = hours.flatMap((hour) => minutes.map((minute) => hour * 60 + minute));
  if (times.length < 2) return 24 * 60;
  let gap = times[0] === undefined ? 24 * 60 : times[0] + 24 * 60 - (times.at(-1) ?? 0);
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, (times[i] ?? 0) - (times[i - 1] ?? 0));
  return gap;
}

/** The zone's offset from UTC at `at`, in minutes (east positive). */
export function offsetMinutesAt(at: Date, zone: string): number {
  const ms = Math.floor(at.getTime() / 60_000) * 60_000;
  const wall = wallClock(ms, zone);
  return Math.round((Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) - ms) / 60_000);
}

/** Whether the zone's offset changes within the year after `from` (sampled every 6 hours: DST, not seconds). */
export function hasOffsetChange(zone: string, from: Date): boolean {
  const first = offsetMinutesAt(from, zone);
  for (let hours = 6; hours <= 366 * 24; hours += 6) {
    if (offsetMinutesAt(new Date(from.getTime() + hours * 3_600_000), zone) !== first) return true;
  }
  return false;
}

export type UtcConversion = { patterns: string[] } | { problem: string };

/**
 * The pattern moved from a fixed offset to UTC: each (hour, minute) moves by the offset; runs that cross
 * midnight move their day of the week with them, so one pattern may become several lines. A day-of-month or
 * month restriction cannot move across midnight (the 1st at 00:30 +01:00 is the last day of the month before
 * in UTC): that is a problem, not a guess.
 */
export function convertToUtc(fields: readonly (readonly ConcreteAtom[])[], offsetMinutes: number): UtcConversion {
  const minutes = fieldValues(fields[0] ?? [], 0);
  const hours = fieldValues(fields[1] ?? [], 1);
  const [, , dom = [], month = [], dow = []] = fields;
  const dayText = (atoms: readonly ConcreteAtom[], index: number): string =>
    isUnrestricted(atoms) ? '*' : atoms.flatMap((atom) => atomText(atom, index)).join(',');
  // Group the moved times by day shift and minute, collecting their hours.
  const groups = new Map<string, { shift: number; minute: number; hours: number[] }>();
  for (const hour of hours) {
    for (const minute of minutes) {
      const moved = hour * 60 + minute - offsetMinutes;
      const shift = Math.floor(moved / 1440);
      const inDay = moved - shift * 1440;
      const key = `${shift}:${inDay % 60}`;
      const group = groups.get(key) ?? { shift, minute: inDay % 60, hours: [] };
      group.hours.push(Math.floor(inDay / 60));
      groups.set(key, group);
    }
  }
  // Lines that share a shift and an hour set become one line with a minute list.
  const lines = new Map<string, { shift: number; hours: number[]; minutes: number[] }>();
  for (const group of groups.values()) {
    const key = `${group.shift}:${group.hours.join(',')}`;
    const line = lines.get(key) ?? { shift: group.shift, hours: group.hours, minutes: [] };
    line.minutes.push(group.minute);
    lines.set(key, line);
  }
  const patterns: string[] = [];
  for (const line of [...lines.values()].sort((a, b) => a.shift - b.shift || (a.hours[0] ?? 0) - (b.hours[0] ?? 0))) {
    let dayFields = `${dayText(dom, 2)} ${dayText(month, 3)} ${dayText(dow, DAY_OF_WEEK)}`;
    if (line.shift !== 0) {
      if (!isUnrestricted(dom) || !isUnrestricted(month)) {
        return {
          problem:
            'its runs cross midnight when moved to UTC and it restricts the day of the month or the month, which cannot move with them',
        };
      }
      const days = isUnrestricted(dow)
        ? '*'
        : fieldValues(dow, DAY_OF_WEEK)
            .map((day) => (day + line.shift + 7) % 7)
            .sort((a, b) => a - b)
            .join(',');
      dayFields = `* * ${days}`;
    }
    patterns.push(`${compactList(line.minutes)} ${compactList(line.hours)} ${dayFields}`);
  }
  return { patterns };
}

/** "0,1,2,3,7" → "0-3,7": short enough to read, the same values. */
function compactList(values: readonly number[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}
