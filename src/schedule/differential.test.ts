// Differential test: the production scheduling (croner behind our grammar, the fixed-offset fast path,
// the due-time walk the planner uses) against reference-cron.test-support.ts, a brute-force reading of
// docs/design.md §4 that walks real minutes with Intl. Random patterns (ranges, steps, lists, names in any
// case, `?`, `*` inside lists, H, descriptors) × 12 zones × start instants near every 2025-2027 transition.
// Any disagreement is a bug in src/schedule or a rule that docs/scheduling.md must state.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { dueTimesWithDeadline, mostRecentDueTime, TOO_MANY_MISSED } from './due-time.ts';
import { nextRuns } from './next-runs.ts';
import { referencePattern, referenceRuns, transitions, wallAt, wallMatches } from './reference-cron.test-support.ts';
import { scheduleProblems } from './schedule-problems.ts';
import { compileTiming, effectiveSchedule } from './timing.ts';

const ZONES = [
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'America/Santiago',
  'America/Havana',
  'Pacific/Chatham',
  'Africa/Casablanca',
  'America/New_York',
  'Europe/Berlin',
  'Asia/Kolkata',
  'UTC',
  'Australia/Adelaide',
  'America/St_Johns',
] as const;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const WINDOW_MS = 30 * HOUR_MS;
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2028, 0, 1);
// Zones without transitions get starts at month and year ends instead.
const QUIET_ANCHORS = [Date.UTC(2025, 2, 1), Date.UTC(2026, 0, 1), Date.UTC(2026, 5, 30), Date.UTC(2027, 11, 31)];

const anchors: [zone: string, anchorMs: number][] = ZONES.flatMap((zone) => {
  const found = transitions(zone, FROM, TO);
  return (found.length > 0 ? found : QUIET_ANCHORS).map((ms): [string, number] => [zone, ms]);
});

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
};

interface FieldShape {
  min: number;
  max: number;
  favourites: number[];
  names?: string[];
  question?: boolean;
  spread?: boolean;
  /** Weight of a bare `*` for the whole field. */
  star: number;
}

const anyCase = (name: string): fc.Arbitrary<string> =>
  fc.constantFrom(name.toLowerCase(), name.toUpperCase(), name[0] + name.slice(1).toLowerCase());

function fieldText(shape: FieldShape): fc.Arbitrary<string> {
  const value = fc.oneof(fc.constantFrom(...shape.favourites), fc.integer({ min: shape.min, max: shape.max }));
  // Our grammar allows steps up to the number of values in the field (day-of-week: 7).
  const step = fc.integer({ min: 1, max: Math.min(shape.max - shape.min + 1, shape.max === 7 ? 7 : 13) });
  const ordered = fc.tuple(value, value).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
  const entries: fc.WeightedArbitrary<string>[] = [
    { weight: 6, arbitrary: value.map(String) },
    { weight: 2, arbitrary: ordered.map(([a, b]) => `${a}-${b}`) },
    { weight: 2, arbitrary: fc.tuple(ordered, step).map(([[a, b], s]) => `${a}-${b}/${s}`) },
    { weight: 1, arbitrary: fc.tuple(value, step).map(([a, s]) => `${a}/${s}`) },
    { weight: 1, arbitrary: step.map((s) => `*/${s}`) },
    { weight: 1, arbitrary: fc.constant('*') },
  ];
  const names = shape.names;
  if (names !== undefined) {
    const index = fc.integer({ min: 0, max: names.length - 1 });
    entries.push({ weight: 2, arbitrary: index.chain((i) => anyCase(names[i] ?? '')) });
    entries.push({
      weight: 1,
      arbitrary: fc
        .tuple(index, index)
        .chain(([a, b]) =>
          fc
            .tuple(anyCase(names[Math.min(a, b)] ?? ''), anyCase(names[Math.max(a, b)] ?? ''))
            .map(([x, y]) => `${x}-${y}`),
        ),
    });
  }
  if (shape.question === true) entries.push({ weight: 1, arbitrary: fc.constant('?') });
  if (shape.spread === true) {
    entries.push({
      weight: 1,
      arbitrary: fc.oneof(
        fc.constant('H'),
        step.map((s) => `H/${s}`),
        ordered.map(([a, b]) => `H(${a}-${b})`),
      ),
    });
  }
  return fc.oneof(
    { weight: shape.star, arbitrary: fc.constant('*') },
    { weight: 4, arbitrary: fc.array(fc.oneof(...entries), { minLength: 1, maxLength: 3 }).map((l) => l.join(',')) },
  );
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const pattern: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...Object.keys(DESCRIPTORS)) },
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fieldText({ min: 0, max: 59, favourites: [0, 15, 30, 45, 59], spread: true, star: 1 }),
        fieldText({ min: 0, max: 23, favourites: [0, 1, 2, 3, 23], spread: true, star: 2 }),
        fieldText({ min: 1, max: 31, favourites: [1, 15, 29, 30, 31], question: true, star: 6 }),
        fieldText({ min: 1, max: 12, favourites: [2, 3, 4, 9, 10, 11], names: MONTH_NAMES, star: 8 }),
        fieldText({ min: 0, max: 7, favourites: [0, 1, 6, 7], names: DAY_NAMES, question: true, star: 5 }),
      )
      .map((fields) => fields.join(' ')),
  },
);

const KEY = { namespace: 'security', name: 'nightly' };
const iso = (ms: number | null | undefined): string => (typeof ms === 'number' ? new Date(ms).toISOString() : 'none');

const counts = { windows: 0, fixedTimeWindows: 0, runs: 0, validations: 0 };
const started = Date.now();
after(() => {
  console.log(
    `differential: ${counts.windows} random-pattern windows, ${counts.fixedTimeWindows} fixed-time windows at transitions (${counts.runs} run times) and ${counts.validations} validations checked against the reference in ${Date.now() - started} ms`,
  );
});

describe('scheduling agrees with a brute-force reference of docs/design.md §4', () => {
  it('finds the same next runs, latest runs and due times in 12 zones around every transition', () => {
    fc.assert(
      fc.property(
        pattern,
        fc.constantFrom(...anchors),
        fc.integer({ min: -30 * 60, max: 6 * 60 }),
        fc.constantFrom(0, 1, 30_000, 59_999),
        fc.integer({ min: 1, max: 24 * 60 }),
        (schedule, [zone, anchorMs], startMinutes, startExtraMs, deadlineMinutes) => {
          const spec = { schedule, timezone: zone };
          fc.pre(scheduleProblems(spec, KEY).length === 0);
          const reference = referencePattern(DESCRIPTORS[schedule] ?? effectiveSchedule(spec, KEY));
          const fromMs = anchorMs + startMinutes * MINUTE_MS + startExtraMs;
          const toMs = fromMs + WINDOW_MS;
          const expected = referenceRuns(reference, zone, fromMs, toMs);
          const where = `${schedule} (${effectiveSchedule(spec, KEY)}) in ${zone} from ${iso(fromMs)}`;

          // nextRunTimes (src/core) is nextRuns without the movedByGap flag.
          const upcoming = nextRuns(spec, { from: new Date(fromMs), count: expected.length + 1, ...KEY });
          const inWindow = upcoming.map((run) => run.at.getTime()).filter((ms) => ms <= toMs);
          assert.deepEqual(inWindow.map(iso), expected.map(iso), `next runs of ${where}`);
          for (const run of upcoming.filter((r) => r.at.getTime() <= toMs)) {
            const moved = !wallMatches(reference, wallAt(run.at.getTime(), zone));
            assert.equal(run.movedByGap, moved, `movedByGap at ${iso(run.at.getTime())} of ${where}`);
          }

          // The planner: the latest run at or before a time, the due-time walk, the deadline split.
          const compiled = compileTiming(spec, KEY).timing;
          assert.ok(compiled?.kind === 'cron');
          const { cadence } = compiled;
          for (const [i, run] of expected.slice(0, 4).entries()) {
            assert.equal(iso(cadence.latest(run)), iso(run), `latest(run) of ${where}`);
            if (i > 0) assert.equal(iso(cadence.latest(run - 1)), iso(expected[i - 1]), `latest before ${where}`);
          }
          const due = mostRecentDueTime(cadence, { earliestMs: fromMs, nowMs: toMs });
          assert.equal(iso(due.mostRecent), iso(expected.at(-1)), `most recent due time of ${where}`);
          assert.equal(due.unmetCount, Math.min(expected.length, TOO_MANY_MISSED + 1), `unmet count of ${where}`);
          const cutoffMs = toMs - deadlineMinutes * MINUTE_MS;
          const split = dueTimesWithDeadline(cadence, {
            earliestMs: fromMs,
            nowMs: toMs,
            deadlineMs: deadlineMinutes * MINUTE_MS,
          });
          const missed = expected.filter((ms) => ms < cutoffMs);
          assert.equal(iso(split.missed?.latest), iso(missed.at(-1)), `missed of ${where}`);
          assert.equal(
            iso(split.runnable.mostRecent),
            iso(expected.filter((ms) => ms >= cutoffMs).at(-1)),
            `runnable of ${where}`,
          );
          counts.windows += 1;
          counts.runs += expected.length;
        },
      ),
      { numRuns: 350 },
    );
  });

  // Random patterns are rarely fixed-time at the hour that jumps; these are, by construction.
  it('moves, skips and repeats fixed-time runs at every transition as the reference does', () => {
    const transitionAnchors = anchors.filter(([zone]) => zone !== 'UTC' && zone !== 'Asia/Kolkata');
    const minute = fc.oneof(fc.constantFrom(0, 15, 29, 30, 45, 59), fc.integer({ min: 0, max: 59 }));
    fc.assert(
      fc.property(
        fc.constantFrom(...transitionAnchors),
        fc.uniqueArray(minute, { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 2 }),
        fc.integer({ min: -26 * 60, max: 60 }),
        ([zone, anchorMs], minutes, hourShifts, startMinutes) => {
          const hours = [...new Set(hourShifts.map((h) => wallAt(anchorMs + h * HOUR_MS - MINUTE_MS, zone).hour))];
          const schedule = `${minutes.join(',')} ${hours.join(',')} * * *`;
          const spec = { schedule, timezone: zone };
          const fromMs = anchorMs + startMinutes * MINUTE_MS;
          const toMs = fromMs + WINDOW_MS;
          const expected = referenceRuns(referencePattern(schedule), zone, fromMs, toMs);
          const upcoming = nextRuns(spec, { from: new Date(fromMs), count: expected.length + 1 });
          const inWindow = upcoming.map((run) => run.at.getTime()).filter((ms) => ms <= toMs);
          assert.deepEqual(inWindow.map(iso), expected.map(iso), `${schedule} in ${zone} from ${iso(fromMs)}`);
          counts.fixedTimeWindows += 1;
          counts.runs += expected.length;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a pattern at validation exactly when the reference finds no day it can run on', () => {
    const days = Array.from({ length: 8 * 366 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i)));
    fc.assert(
      fc.property(pattern, (schedule) => {
        fc.pre(!schedule.startsWith('@') && !schedule.includes('H'));
        const reference = referencePattern(schedule);
        const someDay = days.some((d) =>
          wallMatches(
            { ...reference, minute: new Set([0]), hour: new Set([0]) },
            {
              year: d.getUTCFullYear(),
              month: d.getUTCMonth() + 1,
              day: d.getUTCDate(),
              hour: 0,
              minute: 0,
              weekday: d.getUTCDay(),
            },
          ),
        );
        const problems = scheduleProblems({ schedule });
        const neverMatches = problems.some((problem) => problem.message.includes('never matches'));
        fc.pre(problems.length === (neverMatches ? 1 : 0));
        assert.equal(neverMatches, !someDay, `${schedule}: ${JSON.stringify(problems)}`);
        counts.validations += 1;
      }),
      { numRuns: 1500 },
    );
  });
});
