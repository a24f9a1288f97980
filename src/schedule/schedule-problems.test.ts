import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scheduleProblems } from './schedule-problems.ts';

interface Rejected {
  name: string;
  spec: { schedule?: string; interval?: string; timezone?: string };
  path: string;
  /** The exact message a user sees. */
  message: string;
  fix: string;
}

const rejected: Rejected[] = [
  {
    name: 'a 6-field pattern (seconds first)',
    spec: { schedule: '0 0 * * * *' },
    path: 'spec.schedule',
    message: '"0 0 * * * *" has 6 fields; a schedule has exactly 5 (minute hour day-of-month month day-of-week)',
    fix: 'Remove the seconds field.',
  },
  {
    name: 'a 7-field pattern (seconds and year)',
    spec: { schedule: '0 0 2 * * * 2027' },
    path: 'spec.schedule',
    message: '"0 0 2 * * * 2027" has 7 fields; a schedule has exactly 5 (minute hour day-of-month month day-of-week)',
    fix: 'Remove the seconds and year fields.',
  },
  {
    name: 'a pattern with too few fields',
    spec: { schedule: '0 2 * *' },
    path: 'spec.schedule',
    message: '"0 2 * *" has 4 fields; a schedule has exactly 5 (minute hour day-of-month month day-of-week)',
    fix: 'Add the missing fields, e.g. "0 2 * * *" runs daily at 02:00.',
  },
  {
    name: '@reboot',
    spec: { schedule: '@reboot' },
    path: 'spec.schedule',
    message: '"@reboot" is not supported: a scan schedule has no boot to run at',
    fix: 'Use a cron expression, or set spec.interval to run repeatedly.',
  },
  {
    name: 'an unknown descriptor',
    spec: { schedule: '@fortnightly' },
    path: 'spec.schedule',
    message: '"@fortnightly" is not a known descriptor',
    fix: 'Use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually or @every <duration>.',
  },
  {
    name: 'an impossible date with a "*" in the day-of-week list (star bit: day-of-month alone decides)',
    spec: { schedule: '0 0 30 2 *,1' },
    path: 'spec.schedule',
    message: '"0 0 30 2 *,1" never matches: February has no 30th',
    fix: 'Use a day of the month that exists in the chosen months (February has at most 29 days).',
  },
  {
    name: 'a day name with a non-ASCII letter that upper-cases to ASCII (long s)',
    spec: { schedule: '0 0 * * ſun' },
    path: 'spec.schedule',
    message: '"ſun" is not a valid day-of-week value in "ſun"',
    fix: 'Use 0-7 (0 and 7 are Sunday) or SUN-SAT, a range (N-M), a list (N,M), or a step (*/S, N-M/S).',
  },
  {
    name: 'a day name with a dotless i',
    spec: { schedule: '0 0 * * mon-frı' },
    path: 'spec.schedule',
    message: '"frı" is not a valid day-of-week value in "mon-frı"',
    fix: 'Use 0-7 (0 and 7 are Sunday) or SUN-SAT, a range (N-M), a list (N,M), or a step (*/S, N-M/S).',
  },
  {
    name: 'a month name with a non-ASCII letter',
    spec: { schedule: '0 0 1 ſep *' },
    path: 'spec.schedule',
    message: '"ſep" is not a valid month value in "ſep"',
    fix: 'Use 1-12 or JAN-DEC, a range (N-M), a list (N,M), or a step (*/S, N-M/S).',
  },
  {
    name: 'an upper-case descriptor (Kubernetes matches descriptors case-sensitively)',
    spec: { schedule: '@DAILY' },
    path: 'spec.schedule',
    message: '"@DAILY": descriptors are lower case ("@daily"), as in Kubernetes',
    fix: 'Write "@daily".',
  },
  {
    name: 'an upper-case @every',
    spec: { schedule: '@EVERY 5s' },
    path: 'spec.schedule',
    message: '"@EVERY 5s": descriptors are lower case ("@every"), as in Kubernetes',
    fix: 'Write "@every 5s".',
  },
  {
    name: '@every longer than Go durations can hold',
    spec: { schedule: '@every 9223372036854775807s' },
    path: 'spec.schedule',
    message: '"@every 9223372036854775807s" is longer than the longest period, 1 year (8760h)',
    fix: 'Use a period of at most 8760h, or a cron expression such as "@yearly" for yearly runs.',
  },
  {
    name: '@every of a million hours',
    spec: { schedule: '@every 1000000h' },
    path: 'spec.schedule',
    message: '"@every 1000000h" is longer than the longest period, 1 year (8760h)',
    fix: 'Use a period of at most 8760h, or a cron expression such as "@yearly" for yearly runs.',
  },
  {
    name: '@every too large for a double',
    spec: { schedule: `@every 1${'0'.repeat(400)}s` },
    path: 'spec.schedule',
    message: `"@every 1${'0'.repeat(400)}s" is longer than the longest period, 1 year (8760h)`,
    fix: 'Use a period of at most 8760h, or a cron expression such as "@yearly" for yearly runs.',
  },
  {
    name: 'an interval longer than a year',
    spec: { interval: '8761h' },
    path: 'spec.interval',
    message: 'spec.interval "8761h" is longer than the longest period, 1 year (8760h)',
    fix: 'Use an interval of at most 8760h, or spec.schedule "@yearly" for yearly runs.',
  },
  {
    name: 'L (last day of month)',
    spec: { schedule: '0 0 L * *' },
    path: 'spec.schedule',
    message: '"L": "L" and "W" (last day, nearest weekday) are not supported',
    fix: 'Use explicit days of the month, e.g. "28-31".',
  },
  {
    name: 'W (nearest weekday)',
    spec: { schedule: '0 0 15W * *' },
    path: 'spec.schedule',
    message: '"15W": "L" and "W" (last day, nearest weekday) are not supported',
    fix: 'Use explicit days of the month, e.g. "28-31".',
  },
  {
    name: '# (nth weekday)',
    spec: { schedule: '0 9 * * MON#1' },
    path: 'spec.schedule',
    message: '"MON#1": "#" (the nth weekday of the month) is not supported',
    fix: 'List the days of the month instead, e.g. "1-7" with a check in the scan, or use a weekday.',
  },
  {
    name: 'a "+" prefix (croner: AND of day fields)',
    spec: { schedule: '0 9 1 * +MON' },
    path: 'spec.schedule',
    message: '"+MON": a "+" prefix is not supported',
    fix: 'Remove the "+".',
  },
  {
    name: 'an ISO date and time (croner: a one-shot job)',
    spec: { schedule: '2026-05-19T10:00:00' },
    path: 'spec.schedule',
    message: '"2026-05-19T10:00:00" looks like a date or a time; spec.schedule takes a cron expression',
    fix: 'Write the time as cron fields, e.g. "30 14 * * *" for 14:30 every day.',
  },
  {
    name: 'a TZ= prefix',
    spec: { schedule: 'TZ=Europe/Berlin 0 2 * * *' },
    path: 'spec.schedule',
    message: '"TZ=Europe/Berlin 0 2 * * *" sets a time zone inside the schedule; TZ= and CRON_TZ= are not supported',
    fix: 'Remove the prefix and set spec.timezone, e.g. timezone: "Europe/Berlin".',
  },
  {
    name: 'a CRON_TZ= prefix',
    spec: { schedule: 'CRON_TZ=UTC 0 2 * * *' },
    path: 'spec.schedule',
    message: '"CRON_TZ=UTC 0 2 * * *" sets a time zone inside the schedule; TZ= and CRON_TZ= are not supported',
    fix: 'Remove the prefix and set spec.timezone, e.g. timezone: "Europe/Berlin".',
  },
  {
    name: 'February 30th, which never exists',
    spec: { schedule: '0 0 30 2 *' },
    path: 'spec.schedule',
    message: '"0 0 30 2 *" never matches: February has no 30th',
    fix: 'Use a day of the month that exists in the chosen months (February has at most 29 days).',
  },
  {
    name: 'the 31st of 30-day months',
    spec: { schedule: '59 23 31 APR,JUN,SEP,NOV *' },
    path: 'spec.schedule',
    message: '"59 23 31 APR,JUN,SEP,NOV *" never matches: April, June, September and November have no 31st',
    fix: 'Use a day of the month that exists in the chosen months (February has at most 29 days).',
  },
  {
    name: 'an hour out of range',
    spec: { schedule: '0 24 * * *' },
    path: 'spec.schedule',
    message: 'hour 24 is out of range (0-23)',
    fix: 'Use a value in 0-23.',
  },
  {
    name: 'a minute out of range inside a range',
    spec: { schedule: '0-60 * * * *' },
    path: 'spec.schedule',
    message: 'minute 60 in "0-60" is out of range (0-59)',
    fix: 'Use a value in 0-59.',
  },
  {
    name: 'day-of-week 8',
    spec: { schedule: '0 0 * * 8' },
    path: 'spec.schedule',
    message: 'day-of-week 8 is out of range (0-7 (0 and 7 are Sunday) or SUN-SAT)',
    fix: 'Use a value in 0-7 (0 and 7 are Sunday) or SUN-SAT.',
  },
  {
    name: 'day-of-month 0',
    spec: { schedule: '0 0 0 * *' },
    path: 'spec.schedule',
    message: 'day-of-month 0 is out of range (1-31)',
    fix: 'Use a value in 1-31.',
  },
  {
    name: 'a range that runs backwards',
    spec: { schedule: '0 22-2 * * *' },
    path: 'spec.schedule',
    message: 'the range "22-2" in the hour field runs backwards',
    fix: 'Write the smaller value first, or list the values, e.g. "22,23,0,1".',
  },
  {
    name: 'step 0',
    spec: { schedule: '*/0 * * * *' },
    path: 'spec.schedule',
    message: '"*/0" has step 0',
    fix: 'Use a step of at least 1.',
  },
  {
    name: 'a step larger than the field',
    spec: { schedule: '*/61 * * * *' },
    path: 'spec.schedule',
    message: '"*/61" has step 61, larger than the minute field (0-59)',
    fix: 'Use a step of at most 60.',
  },
  {
    name: 'an unknown month name',
    spec: { schedule: '0 0 1 JANUARY *' },
    path: 'spec.schedule',
    message: '"JANUARY" is not a valid month value in "JANUARY"',
    fix: 'Use 1-12 or JAN-DEC, a range (N-M), a list (N,M), or a step (*/S, N-M/S).',
  },
  {
    name: '"?" outside the day fields',
    spec: { schedule: '? * * * *' },
    path: 'spec.schedule',
    message: '"?" is only allowed in the day-of-month and day-of-week fields, not in the minute field',
    fix: 'Use "*" instead.',
  },
  {
    name: 'an empty list entry',
    spec: { schedule: '0 1,,2 * * *' },
    path: 'spec.schedule',
    message: 'the hour field "1,,2" has an empty list entry',
    fix: 'Remove the extra comma.',
  },
  {
    name: 'H in the day-of-month field',
    spec: { schedule: '0 0 H * *' },
    path: 'spec.schedule',
    message: '"H": H is only supported in the minute and hour fields, not in the day-of-month field',
    fix: 'Use a fixed value in this field.',
  },
  {
    name: 'an empty schedule',
    spec: { schedule: '   ' },
    path: 'spec.schedule',
    message: 'spec.schedule is empty',
    fix: 'Write a cron expression such as "0 2 * * *".',
  },
  {
    name: '@every shorter than a second',
    spec: { schedule: '@every 500ms' },
    path: 'spec.schedule',
    message: '"@every 500ms" is shorter than the smallest period, 1s',
    fix: 'Use a period of at least 1s.',
  },
  {
    name: '@every with a fraction of a second',
    spec: { schedule: '@every 1500ms' },
    path: 'spec.schedule',
    message: '"@every 1500ms" is not a whole number of seconds',
    fix: 'Round the period to whole seconds.',
  },
  {
    name: '@every without a duration',
    spec: { schedule: '@every fortnight' },
    path: 'spec.schedule',
    message: '"@every fortnight" needs one duration after @every',
    fix: 'Write a duration such as "@every 90s", "@every 15m" or "@every 1h30m".',
  },
  {
    name: 'an interval shorter than a minute',
    spec: { interval: '30s' },
    path: 'spec.interval',
    message: 'spec.interval "30s" is shorter than the minimum of 1m',
    fix: 'Use an interval of at least 1m.',
  },
  {
    name: 'an interval with a fraction (not in the CRD pattern)',
    spec: { interval: '1.5h' },
    path: 'spec.interval',
    message: '"1.5h" is not an interval such as 15m or 1h30m',
    fix: 'Write whole hours, minutes and seconds in that order, e.g. "90m" or "1h30m".',
  },
  {
    name: 'both schedule and interval',
    spec: { schedule: '0 2 * * *', interval: '1h' },
    path: 'spec.interval',
    message: 'spec.schedule and spec.interval are both set; a schedule uses exactly one of them',
    fix: 'Remove spec.interval to run on the cron schedule, or remove spec.schedule to run at an interval.',
  },
  {
    name: 'neither schedule nor interval',
    spec: {},
    path: 'spec.schedule',
    message: 'neither spec.schedule nor spec.interval is set',
    fix: 'Set spec.schedule (e.g. "0 2 * * *") or spec.interval (e.g. "6h").',
  },
  {
    name: 'a lower-case time zone that Intl accepts and Kubernetes does not',
    spec: { schedule: '0 2 * * *', timezone: 'europe/berlin' },
    path: 'spec.timezone',
    message: 'unknown time zone "europe/berlin": time zone names are case-sensitive',
    fix: 'Write "Europe/Berlin".',
  },
];

const accepted: string[] = [
  '0 2 * * *',
  '*/15 * * * *',
  '30 10,11,12 * * 1-5',
  '30 6-16/4 * * 1-5',
  '5/15 * * * *',
  '0 0 ? * MON-FRI',
  '0 0 1 jan,Jul ?',
  '0 0 * * 7',
  '0 0 * * sun-sat/2',
  '0 0 29 2 *',
  '0 0 31 * *',
  '0 0 30 2 MON',
  '0 0 *,15 * 1',
  '0 0 * * 1/2',
  '@every 8760h',
  'H 2 * * *',
  'H(0-29) H(1-4) * * *',
  'H/15 * * * *',
  'H(10-40)/10 * * * *',
  '@hourly',
  '@daily',
  '@midnight',
  '@weekly',
  '@monthly',
  '@yearly',
  '@annually',
  '@every 90s',
  '@every 1h30m',
  '@every 1.5h',
  '  0   2  *  * *  ',
];

describe('scheduleProblems', () => {
  for (const c of rejected) {
    it(`rejects ${c.name}`, () => {
      assert.deepEqual(scheduleProblems(c.spec, { namespace: 'security', name: 'nightly' }), [
        { path: c.path, message: c.message, fix: c.fix },
      ]);
    });
  }

  for (const schedule of accepted) {
    it(`accepts "${schedule}"`, () => {
      assert.deepEqual(scheduleProblems({ schedule, timezone: 'Europe/Berlin' }), []);
    });
  }

  it('accepts an interval of 1m to 1 year', () => {
    assert.deepEqual(scheduleProblems({ interval: '1h30m' }), []);
    assert.deepEqual(scheduleProblems({ interval: '1m' }), []);
    assert.deepEqual(scheduleProblems({ interval: '8760h' }), []);
  });

  it('tells an empty interval from an absent one, whatever was asked before', () => {
    assert.deepEqual(scheduleProblems({ schedule: '15 3 * * *' }), []);
    assert.deepEqual(
      scheduleProblems({ schedule: '15 3 * * *', interval: '' }).map((problem) => problem.path),
      ['spec.interval', 'spec.interval'],
    );
  });

  it('does not let a caller change the answer for the next one', () => {
    scheduleProblems({ schedule: '@reboot' }).push({ path: 'x', message: 'x', fix: 'x' });
    assert.equal(scheduleProblems({ schedule: '@reboot' }).length, 1);
  });

  it('reports a bad schedule and a bad zone together', () => {
    const problems = scheduleProblems({ schedule: '0 0 30 2 *', timezone: 'Local' });
    assert.deepEqual(
      problems.map((problem) => problem.path),
      ['spec.timezone', 'spec.schedule'],
    );
  });
});
