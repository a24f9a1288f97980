import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { cronerPattern, isFixedTime, zonedCron } from './cron.ts';
import { parseScheduleText } from './cron-grammar.ts';
import { nextRuns } from './next-runs.ts';
import { resolveSpread } from './spread.ts';

const iso = (date: Date): string => date.toISOString().replace('.000Z', 'Z');
const runsOf = (schedule: string, from: string, count: number, timezone = 'UTC'): string[] =>
  nextRuns({ schedule, timezone }, { from: new Date(from), count }).map((run) => iso(run.at));

// What each accepted form means, checked by the times it actually runs (2026-06-01 is a Monday).
const cases: { name: string; schedule: string; from: string; runs: string[] }[] = [
  {
    name: 'restricts the day by day-of-month OR day-of-week when both are set (Vixie, Kubernetes)',
    schedule: '0 0 13 * 5',
    from: '2026-06-01T00:00:00Z',
    runs: ['2026-06-05T00:00:00Z', '2026-06-12T00:00:00Z', '2026-06-13T00:00:00Z', '2026-06-19T00:00:00Z'],
  },
  {
    name: 'treats a stepped day-of-month as restricted, so OR still applies (robfig/cron)',
    schedule: '0 0 */10 * 1',
    from: '2026-06-01T00:00:00Z',
    runs: ['2026-06-08T00:00:00Z', '2026-06-11T00:00:00Z', '2026-06-15T00:00:00Z', '2026-06-21T00:00:00Z'],
  },
  {
    name: 'treats */1 in day-of-month as "*", so only day-of-week decides (robfig/cron)',
    schedule: '0 0 */1 * 1',
    from: '2026-06-01T00:00:00Z',
    runs: ['2026-06-08T00:00:00Z', '2026-06-15T00:00:00Z'],
  },
  {
    name: 'reads a "*" inside a day-of-month list as unrestricted: only day-of-week decides (robfig star bit)',
    schedule: '0 0 *,15 * 1',
    from: '2025-01-01T00:00:00Z',
    runs: ['2025-01-06T00:00:00Z', '2025-01-13T00:00:00Z', '2025-01-20T00:00:00Z'],
  },
  {
    name: 'reads a "?" inside a day-of-week list as unrestricted: only day-of-month decides',
    schedule: '0 0 15 * MON,?',
    from: '2025-01-01T00:00:00Z',
    runs: ['2025-01-15T00:00:00Z', '2025-02-15T00:00:00Z', '2025-03-15T00:00:00Z'],
  },
  {
    name: 'reads "*/1" inside a day-of-month list as unrestricted',
    schedule: '0 0 */1,5 * 1',
    from: '2025-01-01T00:00:00Z',
    runs: ['2025-01-06T00:00:00Z', '2025-01-13T00:00:00Z'],
  },
  {
    name: 'reads N/S in day-of-week as N to Saturday: 1/2 is Mon, Wed, Fri and never Sunday',
    schedule: '0 0 * * 1/2',
    from: '2025-01-01T00:00:00Z',
    runs: [
      '2025-01-03T00:00:00Z',
      '2025-01-06T00:00:00Z',
      '2025-01-08T00:00:00Z',
      '2025-01-10T00:00:00Z',
      '2025-01-13T00:00:00Z',
    ],
  },
  {
    name: 'reads 5/1 in day-of-week as Friday and Saturday',
    schedule: '0 0 * * 5/1',
    from: '2025-01-01T00:00:00Z',
    runs: ['2025-01-03T00:00:00Z', '2025-01-04T00:00:00Z', '2025-01-10T00:00:00Z'],
  },
  {
    name: 'reads "?" as "*" in the day fields (not as "now", which croner would)',
    schedule: '0 0 ? * ?',
    from: '2026-06-01T12:00:00Z',
    runs: ['2026-06-02T00:00:00Z', '2026-06-03T00:00:00Z'],
  },
  {
    name: 'reads N/S as N to the end of the field every S',
    schedule: '50/5 3 * * *',
    from: '2026-06-01T00:00:00Z',
    runs: ['2026-06-01T03:50:00Z', '2026-06-01T03:55:00Z', '2026-06-02T03:50:00Z'],
  },
  {
    name: 'reads N-M/S ranges with a step',
    schedule: '30 6-16/4 * * 1-5',
    from: '2026-06-01T00:00:00Z',
    runs: ['2026-06-01T06:30:00Z', '2026-06-01T10:30:00Z', '2026-06-01T14:30:00Z', '2026-06-02T06:30:00Z'],
  },
  {
    name: 'reads day-of-week 7 as Sunday',
    schedule: '0 0 * * 7',
    from: '2026-06-01T00:00:00Z',
    runs: ['2026-06-07T00:00:00Z', '2026-06-14T00:00:00Z'],
  },
  {
    name: 'reads month and day names in any case',
    schedule: '0 9 * jun Mon-wed',
    from: '2026-06-01T10:00:00Z',
    runs: ['2026-06-02T09:00:00Z', '2026-06-03T09:00:00Z', '2026-06-08T09:00:00Z'],
  },
  {
    name: 'runs February 29th only in leap years',
    schedule: '0 0 29 2 *',
    from: '2026-01-01T00:00:00Z',
    runs: ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z'],
  },
  {
    name: 'expands @weekly to Sunday midnight',
    schedule: '@weekly',
    from: '2026-06-01T00:00:00Z',
    runs: ['2026-06-07T00:00:00Z', '2026-06-14T00:00:00Z'],
  },
  {
    name: 'counts @every from the preview start',
    schedule: '@every 1h30m',
    from: '2026-06-01T00:00:10Z',
    runs: ['2026-06-01T01:30:10Z', '2026-06-01T03:00:10Z'],
  },
  {
    name: 'reads the fields in the schedule time zone',
    schedule: '0 2 * * *',
    from: '2026-06-01T00:00:00Z',
    runs: ['2026-06-02T00:00:00Z', '2026-06-03T00:00:00Z'],
  },
];

describe('cron semantics (by the times a pattern runs)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const zone = c.name.includes('time zone') ? 'Europe/Berlin' : 'UTC';
      assert.deepEqual(runsOf(c.schedule, c.from, c.runs.length, zone), c.runs);
    });
  }

  it('runs an interval spec every interval from the preview start', () => {
    const runs = nextRuns({ interval: '1h30m' }, { from: new Date('2026-06-01T00:00:00Z'), count: 2 });
    assert.deepEqual(
      runs.map((run) => iso(run.at)),
      ['2026-06-01T01:30:00Z', '2026-06-01T03:00:00Z'],
    );
  });

  it('throws the problems for a spec it cannot schedule', () => {
    assert.throws(() => nextRuns({ schedule: '@reboot' }, { from: new Date(0), count: 1 }), {
      name: 'InvalidScheduleError',
      message: /@reboot/,
    });
  });
});

// docs/scheduling.md "Daylight saving: the rule": only plain numbers in the minute and hour fields.
const fixedTime: [schedule: string, fixed: boolean, croner: string][] = [
  ['30 2 * * *', true, '30 2 * * *'],
  ['0 1,13 * * *', true, '0 1,13 * * *'],
  ['H 3 * * *', true, '18 3 * * *'],
  ['@daily', true, '0 0 * * *'],
  ['0-59/1 1 * * *', false, '0-59/1 1 * * *'],
  ['0 1-3 * * *', false, '0 1-3/1 * * *'],
  ['0 5-5 * * *', false, '0 5-5/1 * * *'],
  ['0 23/5 * * *', false, '0 23-23/5 * * *'],
  ['H/15 2 * * *', false, '3-59/15 2 * * *'],
  ['*/15 * * * *', false, '*/15 * * * *'],
  ['0 0 *,15 JAN-mar MON,?', true, '0 0 * 1-3/1 *'],
  ['0 0 31/5 * 1/2', true, '0 0 31 * 1-6/2'],
  ['0 0 * * */2', true, '0 0 * * 0-6/2'],
];

describe('daylight-saving class and croner spelling', () => {
  for (const [schedule, fixed, croner] of fixedTime) {
    it(`reads "${schedule}" as ${fixed ? 'fixed-time' : 'finer than fixed'}, spelled "${croner}" for croner`, () => {
      const parsed = parseScheduleText(schedule);
      assert.ok(!('problem' in parsed) && parsed.kind === 'cron');
      const { fields } = resolveSpread(parsed.syntax, { namespace: 'security', name: 'nightly' });
      assert.equal(isFixedTime(fields), fixed);
      assert.equal(cronerPattern(fields), croner);
    });
  }
});

describe('compiled patterns', () => {
  it('cost a few KiB each, not the 80 KB of a year table per pattern (croner)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    // 300 patterns no other test compiles, as H spreading gives 300 schedules, held as compiled timings hold them.
    const crons = Array.from({ length: 300 }, (_, i) =>
      zonedCron(`${i % 60} ${Math.floor(i / 60) + 5} 3 * *`, 'Asia/Tokyo'),
    );
    gc();
    const perPattern = (process.memoryUsage().heapUsed - before) / crons.length;
    assert.ok(perPattern < 20_000, `${Math.round(perPattern)} bytes per compiled pattern`);
    assert.equal(crons[61]?.nextRun(new Date('2026-06-01T00:00:00Z'))?.toISOString(), '2026-06-02T21:01:00.000Z');
  });
});
