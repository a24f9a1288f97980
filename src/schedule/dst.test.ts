// Daylight saving (docs/design.md §4.3): a wall time in a spring-forward gap runs once at the first instant after
// the gap; a wall time repeated at fall-back runs once, at its first occurrence; hourly and finer schedules
// run at every real instant that matches. Every expectation is an exact UTC instant, worked out by hand from
// the 2026 transitions; a `*` marks a run moved out of a gap (movedByGap).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cronCadence } from './cadence.ts';
import { cronerPattern, zonedCron } from './cron.ts';
import { parseScheduleText } from './cron-grammar.ts';
import { nextRuns } from './next-runs.ts';
import { resolveSpread } from './spread.ts';

interface DstCase {
  name: string;
  zone: string;
  schedule: string;
  from: string;
  runs: string[];
}

const cases: DstCase[] = [
  // America/New_York: 2026-03-08 02:00 EST → 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT → 01:00 EST (06:00Z).
  {
    name: '02:00 does not exist on Mar 8: runs at 03:00 EDT, the first instant after the gap',
    zone: 'America/New_York',
    schedule: '0 2 * * *',
    from: '2026-03-07T00:00:00Z',
    runs: ['2026-03-07T07:00Z', '2026-03-08T07:00Z*', '2026-03-09T06:00Z'],
  },
  {
    name: '02:30 does not exist on Mar 8: runs at 03:00 EDT',
    zone: 'America/New_York',
    schedule: '30 2 * * *',
    from: '2026-03-07T00:00:00Z',
    runs: ['2026-03-07T07:30Z', '2026-03-08T07:00Z*', '2026-03-09T06:30Z'],
  },
  {
    name: '01:30 exists before the spring gap: unchanged',
    zone: 'America/New_York',
    schedule: '30 1 * * *',
    from: '2026-03-07T00:00:00Z',
    runs: ['2026-03-07T06:30Z', '2026-03-08T06:30Z', '2026-03-09T05:30Z'],
  },
  {
    name: '01:30 happens twice on Nov 1: runs once, at the first (EDT) occurrence',
    zone: 'America/New_York',
    schedule: '30 1 * * *',
    from: '2026-10-31T00:00:00Z',
    runs: ['2026-10-31T05:30Z', '2026-11-01T05:30Z', '2026-11-02T06:30Z'],
  },
  {
    name: '02:00 happens once on Nov 1 (after the repeat): runs at 02:00 EST',
    zone: 'America/New_York',
    schedule: '0 2 * * *',
    from: '2026-10-31T00:00:00Z',
    runs: ['2026-10-31T06:00Z', '2026-11-01T07:00Z', '2026-11-02T07:00Z'],
  },
  {
    name: '02:30 on Nov 1 is after the repeat: runs once at 02:30 EST',
    zone: 'America/New_York',
    schedule: '30 2 * * *',
    from: '2026-10-31T00:00:00Z',
    runs: ['2026-10-31T06:30Z', '2026-11-01T07:30Z', '2026-11-02T07:30Z'],
  },
  {
    name: 'hourly skips the nonexistent 02:00 on Mar 8 and stays one real hour apart',
    zone: 'America/New_York',
    schedule: '0 * * * *',
    from: '2026-03-08T04:30:00Z',
    runs: ['2026-03-08T05:00Z', '2026-03-08T06:00Z', '2026-03-08T07:00Z', '2026-03-08T08:00Z'],
  },
  {
    name: 'hourly runs at both 01:00s on Nov 1 (every real instant)',
    zone: 'America/New_York',
    schedule: '0 * * * *',
    from: '2026-11-01T04:30:00Z',
    runs: ['2026-11-01T05:00Z', '2026-11-01T06:00Z', '2026-11-01T07:00Z', '2026-11-01T08:00Z'],
  },
  {
    name: 'every 15 minutes runs through the spring gap without a hole in real time',
    zone: 'America/New_York',
    schedule: '*/15 * * * *',
    from: '2026-03-08T06:30:00Z',
    runs: ['2026-03-08T06:45Z', '2026-03-08T07:00Z', '2026-03-08T07:15Z', '2026-03-08T07:30Z'],
  },
  {
    name: 'every 15 minutes runs through the repeated hour on Nov 1 at every real instant',
    zone: 'America/New_York',
    schedule: '*/15 * * * *',
    from: '2026-11-01T05:30:00Z',
    runs: ['2026-11-01T05:45Z', '2026-11-01T06:00Z', '2026-11-01T06:15Z', '2026-11-01T06:30Z'],
  },
  {
    name: 'a list of hours is fixed-time too: 02:30 moves out of the gap, 03:30 stays',
    zone: 'America/New_York',
    schedule: '30 2,3 * * *',
    from: '2026-03-08T00:00:00Z',
    runs: ['2026-03-08T07:00Z*', '2026-03-08T07:30Z', '2026-03-09T06:30Z'],
  },
  {
    name: 'a list of hours runs a repeated time once',
    zone: 'America/New_York',
    schedule: '30 1,2 * * *',
    from: '2026-11-01T00:00:00Z',
    runs: ['2026-11-01T05:30Z', '2026-11-01T07:30Z', '2026-11-02T06:30Z'],
  },
  // A step (even /1) or a range in the minute or hour field is finer than fixed (docs/scheduling.md).
  {
    name: 'a /1 step in the minute field is finer than fixed: every minute of both 01:00 hours runs',
    zone: 'America/New_York',
    schedule: '0-59/1 1 * * *',
    from: '2026-11-01T05:58:00Z',
    runs: ['2026-11-01T05:59Z', '2026-11-01T06:00Z', '2026-11-01T06:01Z'],
  },
  {
    name: 'a /1 step in the hour field is finer than fixed: 01:30 runs in both passes',
    zone: 'America/New_York',
    schedule: '30 1-2/1 * * *',
    from: '2026-11-01T00:00:00Z',
    runs: ['2026-11-01T05:30Z', '2026-11-01T06:30Z', '2026-11-01T07:30Z'],
  },
  {
    name: 'a range of hours is finer than fixed: 01:00 runs in both passes on Nov 1',
    zone: 'America/New_York',
    schedule: '0 1-3 * * *',
    from: '2026-11-01T00:00:00Z',
    runs: ['2026-11-01T05:00Z', '2026-11-01T06:00Z', '2026-11-01T07:00Z', '2026-11-01T08:00Z'],
  },
  {
    name: 'a range of hours is finer than fixed: the nonexistent 02:00 on Mar 8 is skipped, not moved',
    zone: 'America/New_York',
    schedule: '0 1-3 * * *',
    from: '2026-03-08T00:00:00Z',
    runs: ['2026-03-08T06:00Z', '2026-03-08T07:00Z', '2026-03-09T05:00Z'],
  },
  {
    name: 'a range of minutes in a nonexistent hour is skipped, not moved',
    zone: 'America/New_York',
    schedule: '0-1 2 * * *',
    from: '2026-03-07T00:00:00Z',
    runs: ['2026-03-07T07:00Z', '2026-03-07T07:01Z', '2026-03-09T06:00Z'],
  },
  // Europe/Berlin: 2026-03-29 02:00 CET → 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST → 02:00 CET (01:00Z).
  {
    name: '02:00 does not exist on Mar 29 in Berlin: runs at 03:00 CEST',
    zone: 'Europe/Berlin',
    schedule: '0 2 * * *',
    from: '2026-03-28T00:00:00Z',
    runs: ['2026-03-28T01:00Z', '2026-03-29T01:00Z*', '2026-03-30T00:00Z'],
  },
  {
    name: '02:30 does not exist on Mar 29 in Berlin: runs at 03:00 CEST',
    zone: 'Europe/Berlin',
    schedule: '30 2 * * *',
    from: '2026-03-28T00:00:00Z',
    runs: ['2026-03-28T01:30Z', '2026-03-29T01:00Z*', '2026-03-30T00:30Z'],
  },
  {
    name: '01:30 is before the Berlin gap and before the repeat: unchanged',
    zone: 'Europe/Berlin',
    schedule: '30 1 * * *',
    from: '2026-03-28T00:00:00Z',
    runs: ['2026-03-28T00:30Z', '2026-03-29T00:30Z', '2026-03-29T23:30Z'],
  },
  {
    name: '01:30 on Oct 25 in Berlin happens once (the repeat is 02:00-02:59)',
    zone: 'Europe/Berlin',
    schedule: '30 1 * * *',
    from: '2026-10-24T00:00:00Z',
    runs: ['2026-10-24T23:30Z', '2026-10-26T00:30Z'],
  },
  {
    name: '02:00 happens twice on Oct 25 in Berlin: runs once, at 02:00 CEST',
    zone: 'Europe/Berlin',
    schedule: '0 2 * * *',
    from: '2026-10-24T12:00:00Z',
    runs: ['2026-10-25T00:00Z', '2026-10-26T01:00Z'],
  },
  {
    name: '02:30 happens twice on Oct 25 in Berlin: runs once, at 02:30 CEST',
    zone: 'Europe/Berlin',
    schedule: '30 2 * * *',
    from: '2026-10-24T12:00:00Z',
    runs: ['2026-10-25T00:30Z', '2026-10-26T01:30Z'],
  },
  {
    name: 'hourly in Berlin skips the nonexistent 02:00 on Mar 29',
    zone: 'Europe/Berlin',
    schedule: '0 * * * *',
    from: '2026-03-28T23:30:00Z',
    runs: ['2026-03-29T00:00Z', '2026-03-29T01:00Z', '2026-03-29T02:00Z'],
  },
  {
    name: 'hourly in Berlin runs at both 02:00s on Oct 25',
    zone: 'Europe/Berlin',
    schedule: '0 * * * *',
    from: '2026-10-24T23:30:00Z',
    runs: ['2026-10-25T00:00Z', '2026-10-25T01:00Z', '2026-10-25T02:00Z'],
  },
  {
    name: 'every 15 minutes in Berlin on Oct 25 runs every real quarter hour',
    zone: 'Europe/Berlin',
    schedule: '*/15 * * * *',
    from: '2026-10-25T00:30:00Z',
    runs: ['2026-10-25T00:45Z', '2026-10-25T01:00Z', '2026-10-25T01:15Z', '2026-10-25T01:30Z'],
  },
  {
    name: 'every 15 minutes in Berlin on Mar 29 continues right after the gap',
    zone: 'Europe/Berlin',
    schedule: '*/15 * * * *',
    from: '2026-03-29T00:30:00Z',
    runs: ['2026-03-29T00:45Z', '2026-03-29T01:00Z', '2026-03-29T01:15Z'],
  },
  // Australia/Lord_Howe moves by 30 minutes: 2026-10-04 02:00 → 02:30 (+10:30 → +11), 2026-04-05 02:00 → 01:30.
  {
    name: 'Lord Howe: 02:15 falls in the 30-minute gap and runs at 02:30 (+11)',
    zone: 'Australia/Lord_Howe',
    schedule: '15 2 * * *',
    from: '2026-10-03T00:00:00Z',
    runs: ['2026-10-03T15:30Z*', '2026-10-04T15:15Z'],
  },
  {
    name: 'Lord Howe: 02:30 is the first instant after the gap and runs as written',
    zone: 'Australia/Lord_Howe',
    schedule: '30 2 * * *',
    from: '2026-10-03T00:00:00Z',
    runs: ['2026-10-03T15:30Z', '2026-10-04T15:30Z'],
  },
  {
    name: 'Lord Howe: 01:45 happens twice on Apr 5 and runs once, at +11',
    zone: 'Australia/Lord_Howe',
    schedule: '45 1 * * *',
    from: '2026-04-03T00:00:00Z',
    runs: ['2026-04-03T14:45Z', '2026-04-04T14:45Z', '2026-04-05T15:15Z'],
  },
  {
    name: 'Lord Howe: every 15 minutes runs both passes of the repeated half hour',
    zone: 'Australia/Lord_Howe',
    schedule: '*/15 * * * *',
    from: '2026-04-04T14:10:00Z',
    runs: ['2026-04-04T14:15Z', '2026-04-04T14:30Z', '2026-04-04T14:45Z', '2026-04-04T15:00Z', '2026-04-04T15:15Z'],
  },
  // America/Santiago changes at midnight: 2026-09-06 00:00 → 01:00 (-04 → -03); 2026-04-05 00:00 → Apr 4 23:00.
  {
    name: 'Santiago: midnight does not exist on Sep 6 and the run moves to 01:00 (-03)',
    zone: 'America/Santiago',
    schedule: '0 0 * * *',
    from: '2026-09-04T12:00:00Z',
    runs: ['2026-09-05T04:00Z', '2026-09-06T04:00Z*', '2026-09-07T03:00Z'],
  },
  {
    name: 'Santiago: 23:30 on Apr 4 happens twice and runs once, at -03',
    zone: 'America/Santiago',
    schedule: '30 23 * * *',
    from: '2026-04-03T12:00:00Z',
    runs: ['2026-04-04T02:30Z', '2026-04-05T02:30Z', '2026-04-06T03:30Z'],
  },
  {
    name: 'Santiago: hourly skips the nonexistent midnight on Sep 6',
    zone: 'America/Santiago',
    schedule: '0 * * * *',
    from: '2026-09-06T02:30:00Z',
    runs: ['2026-09-06T03:00Z', '2026-09-06T04:00Z', '2026-09-06T05:00Z'],
  },
];

const show = (run: { at: Date; movedByGap: boolean }): string =>
  run.at.toISOString().replace(':00.000Z', 'Z') + (run.movedByGap ? '*' : '');

describe('daylight saving', () => {
  for (const c of cases) {
    it(`${c.zone}: ${c.name}`, () => {
      const runs = nextRuns(
        { schedule: c.schedule, timezone: c.zone },
        { from: new Date(c.from), count: c.runs.length },
      );
      assert.deepEqual(runs.map(show), c.runs);
    });
  }
});

// The planner walks forward (next) and looks back (latest); both must see the same occurrences, or the
// most recent due time would disagree with the times counted. Checked around every 2026 transition.
const transitions: [zone: string, day: string][] = [
  ['America/New_York', '2026-03-08'],
  ['America/New_York', '2026-11-01'],
  ['Europe/Berlin', '2026-03-29'],
  ['Europe/Berlin', '2026-10-25'],
  ['Australia/Lord_Howe', '2026-10-04'],
  ['Australia/Lord_Howe', '2026-04-05'],
  ['America/Santiago', '2026-09-06'],
  ['America/Santiago', '2026-04-05'],
];
const patterns = ['0 2 * * *', '30 1 * * *', '30 2 * * *', '0 * * * *', '*/15 * * * *', '0 1-3 * * *', '0 */2 * * *'];

describe('forward and backward walks agree across transitions', () => {
  it('finds the same occurrences walking next() forward and latest() backward', () => {
    fc.assert(
      fc.property(fc.constantFrom(...transitions), fc.constantFrom(...patterns), ([zone, day], schedule) => {
        const parsed = parseScheduleText(schedule);
        assert.ok(!('problem' in parsed) && parsed.kind === 'cron');
        const cadence = cronCadence(zonedCron(cronerPattern(resolveSpread(parsed.syntax, {}).fields), zone));
        const startMs = Date.parse(`${day}T00:00:00Z`) - 36 * 3_600_000;
        const endMs = startMs + 72 * 3_600_000;
        const forward: number[] = [];
        for (let t = cadence.next(startMs); t !== null && t <= endMs; t = cadence.next(t)) forward.push(t);
        const backward: number[] = [];
        for (let t = cadence.latest(endMs); t !== null && t > startMs; t = cadence.latest(t - 1)) backward.unshift(t);
        assert.deepEqual(forward, backward);
        assert.ok(
          forward.every((t, i) => i === 0 || t > (forward[i - 1] ?? 0)),
          'strictly increasing, no repeats',
        );
      }),
      { numRuns: 40 },
    );
  });
});
