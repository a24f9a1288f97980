// Ports the intent of Kubernetes' TestMostRecentScheduleTime and TestNextScheduleTimeDuration
// (pkg/controller/cronjob/utils_test.go) to mostRecentDueTime. Differences, on purpose:
//   - "another complex schedule" ("30 10,11,12 * * 1-5"): Kubernetes estimates the count from the gap
//     between the first two times and finds no time at all; we walk the times and find the real most recent
//     one (Friday 12:30) and its exact count (5).
//   - "rogue cronjob" ("59 23 31 2 *"): Kubernetes errors at plan time; our grammar rejects the pattern
//     when it is written (scheduleProblems), so it never reaches this function.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY, HOUR, instants, MINUTE, plus } from '../testing/builders.ts';
import { type Cadence, cronCadence, periodicCadence } from './cadence.ts';
import { cronerPattern, zonedCron } from './cron.ts';
import { parseScheduleText } from './cron-grammar.ts';
import { dueTimesWithDeadline, mostRecentDueTime, TOO_MANY_MISSED } from './due-time.ts';
import { resolveSpread } from './spread.ts';

function cadenceOf(schedule: string, zone = 'UTC'): Cadence {
  const parsed = parseScheduleText(schedule);
  if ('problem' in parsed || parsed.kind !== 'cron') throw new Error(`test setup: ${schedule}`);
  return cronCadence(zonedCron(cronerPattern(resolveSpread(parsed.syntax, {}).fields), zone));
}

const { topOfTheHour } = instants;
const afterTop = (ms: number): Date => plus(topOfTheHour, ms);

interface MostRecentCase {
  name: string;
  schedule: string;
  earliest: Date;
  now: Date;
  mostRecent: Date | null;
  unmetCount: number;
  next: Date;
}

const mostRecentCases: MostRecentCase[] = [
  {
    name: 'now before the next time: nothing due',
    schedule: '0 * * * *',
    earliest: topOfTheHour,
    now: afterTop(30 * 1000),
    mostRecent: null,
    unmetCount: 0,
    next: afterTop(HOUR),
  },
  {
    name: 'now just after the next time: that time is due',
    schedule: '0 * * * *',
    earliest: topOfTheHour,
    now: afterTop(61 * MINUTE),
    mostRecent: afterTop(60 * MINUTE),
    unmetCount: 1,
    next: afterTop(2 * HOUR),
  },
  {
    name: 'missed 5 hourly times: the latest is due, 5 counted',
    schedule: '0 * * * *',
    earliest: afterTop(10 * 1000),
    now: afterTop(301 * MINUTE),
    mostRecent: afterTop(300 * MINUTE),
    unmetCount: 5,
    next: afterTop(6 * HOUR),
  },
  {
    name: 'complex schedule: Friday 06:30 is due after Thursday 10:30',
    schedule: '30 6-16/4 * * 1-5',
    earliest: afterTop(30 * MINUTE),
    now: afterTop(DAY + 31 * MINUTE),
    mostRecent: afterTop(DAY + 30 * MINUTE),
    unmetCount: 3,
    next: afterTop(DAY + 4 * HOUR + 30 * MINUTE),
  },
  {
    name: 'another complex schedule (uneven gaps): finds Friday 12:30 exactly, where Kubernetes finds nothing',
    schedule: '30 10,11,12 * * 1-5',
    earliest: afterTop(30 * MINUTE),
    now: afterTop(30 * HOUR + 30 * MINUTE),
    mostRecent: afterTop(26 * HOUR + 30 * MINUTE),
    unmetCount: 5,
    next: afterTop(4 * DAY + 30 * MINUTE),
  },
  {
    name: 'complex schedule with a longer gap between runs (over the weekend)',
    schedule: '30 6-16/4 * * 1-5',
    earliest: afterTop(30 * MINUTE),
    now: afterTop(4 * DAY + 31 * MINUTE),
    mostRecent: afterTop(4 * DAY + 30 * MINUTE),
    unmetCount: 6,
    next: afterTop(4 * DAY + 4 * HOUR + 30 * MINUTE),
  },
  {
    name: 'earliest is exactly a scheduled time: that time counts as met',
    schedule: '0 * * * *',
    earliest: topOfTheHour,
    now: afterTop(30 * 1000),
    mostRecent: null,
    unmetCount: 0,
    next: afterTop(HOUR),
  },
  {
    name: 'every five minutes, last met at :30, now :31: nothing due',
    schedule: '*/5 * * * *',
    earliest: afterTop(30 * MINUTE),
    now: afterTop(31 * MINUTE),
    mostRecent: null,
    unmetCount: 0,
    next: afterTop(35 * MINUTE),
  },
];

describe('mostRecentDueTime', () => {
  for (const c of mostRecentCases) {
    it(c.name, () => {
      const due = mostRecentDueTime(cadenceOf(c.schedule), {
        earliestMs: c.earliest.getTime(),
        nowMs: c.now.getTime(),
      });
      assert.deepEqual(due, {
        mostRecent: c.mostRecent?.getTime() ?? null,
        unmetCount: c.unmetCount,
        tooMany: false,
        next: c.next.getTime(),
      });
    });
  }

  it('@every: a week of hourly times since the last one is too many, and the latest is exact', () => {
    const lastScheduled = afterTop(MINUTE);
    const due = mostRecentDueTime(periodicCadence(lastScheduled.getTime(), HOUR), {
      earliestMs: lastScheduled.getTime(),
      nowMs: afterTop(7 * DAY).getTime(),
    });
    assert.equal(due.mostRecent, afterTop(6 * DAY + 23 * HOUR + MINUTE).getTime());
    assert.equal(due.tooMany, true);
    assert.equal(due.unmetCount, TOO_MANY_MISSED + 1);
    assert.equal(due.next, afterTop(7 * DAY + MINUTE).getTime());
  });

  it('counts exactly 100 unmet times as not too many, and 101 as too many', () => {
    const cadence = cadenceOf('* * * * *');
    const earliestMs = topOfTheHour.getTime();
    const hundred = mostRecentDueTime(cadence, { earliestMs, nowMs: afterTop(100 * MINUTE).getTime() });
    assert.deepEqual([hundred.unmetCount, hundred.tooMany], [100, false]);
    const hundredAndOne = mostRecentDueTime(cadence, { earliestMs, nowMs: afterTop(101 * MINUTE).getTime() });
    assert.deepEqual([hundredAndOne.unmetCount, hundredAndOne.tooMany], [101, true]);
    assert.equal(hundredAndOne.mostRecent, afterTop(101 * MINUTE).getTime());
  });

  it('stops walking after 101 times even when decades are unmet', () => {
    let calls = 0;
    const base = cadenceOf('* * * * *');
    const counting: Cadence = {
      next: (ms) => {
        calls += 1;
        return base.next(ms);
      },
      latest: (ms) => base.latest(ms),
    };
    const due = mostRecentDueTime(counting, { earliestMs: 0, nowMs: afterTop(0).getTime() });
    assert.equal(due.tooMany, true);
    assert.equal(due.mostRecent, topOfTheHour.getTime());
    assert.ok(calls <= TOO_MANY_MISSED + 2, `${calls} computations`);
  });
});

// TestNextScheduleTimeDuration: how long until the next time, from `now`.
describe('next time after now (requeue)', () => {
  const cases = [
    {
      name: 'complex schedule skipping the weekend',
      schedule: '30 6-16/4 * * 1-5',
      earliest: afterTop(30 * MINUTE),
      now: afterTop(DAY + 31 * MINUTE),
      untilNext: 3 * HOUR + 59 * MINUTE,
    },
    {
      name: 'another complex schedule skipping the weekend',
      schedule: '30 10,11,12 * * 1-5',
      earliest: afterTop(30 * MINUTE),
      now: afterTop(30 * HOUR + 30 * MINUTE),
      untilNext: 66 * HOUR,
    },
    {
      name: 'once a week, missed two runs',
      schedule: '0 12 * * 4',
      earliest: afterTop(2 * HOUR),
      now: afterTop(19 * DAY + HOUR + 30 * MINUTE),
      untilNext: 48 * HOUR + 30 * MINUTE,
    },
    {
      name: 'no previous run',
      schedule: '0 12 * * 5',
      earliest: topOfTheHour,
      now: afterTop(6 * HOUR),
      untilNext: 20 * HOUR,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const due = mostRecentDueTime(cadenceOf(c.schedule), {
        earliestMs: c.earliest.getTime(),
        nowMs: c.now.getTime(),
      });
      assert.equal((due.next ?? 0) - c.now.getTime(), c.untilNext);
    });
  }
});

describe('dueTimesWithDeadline', () => {
  const cadence = cadenceOf('*/5 * * * *');
  const lastMet = afterTop(30 * MINUTE).getTime();

  it('without a deadline, nothing is missed', () => {
    const due = dueTimesWithDeadline(cadence, {
      earliestMs: lastMet,
      nowMs: afterTop(52 * MINUTE).getTime(),
      deadlineMs: undefined,
    });
    assert.equal(due.missed, null);
    assert.equal(due.runnable.mostRecent, afterTop(50 * MINUTE).getTime());
    assert.equal(due.runnable.unmetCount, 4);
  });

  it('splits unmet times at the deadline: older ones are missed, the latest within it may run', () => {
    const due = dueTimesWithDeadline(cadence, {
      earliestMs: lastMet,
      nowMs: afterTop(52 * MINUTE).getTime(),
      deadlineMs: 3 * MINUTE,
    });
    assert.deepEqual(due.missed, { latest: afterTop(45 * MINUTE).getTime(), count: 3 });
    assert.equal(due.runnable.mostRecent, afterTop(50 * MINUTE).getTime());
    assert.equal(due.runnable.unmetCount, 1);
    assert.equal(due.next, afterTop(55 * MINUTE).getTime());
  });

  it('a time exactly at the deadline may still run', () => {
    const due = dueTimesWithDeadline(cadence, {
      earliestMs: lastMet,
      nowMs: afterTop(36 * MINUTE).getTime(),
      deadlineMs: MINUTE,
    });
    assert.equal(due.runnable.mostRecent, afterTop(35 * MINUTE).getTime());
    assert.equal(due.missed, null);
  });

  it('a time one second past the deadline is missed', () => {
    const due = dueTimesWithDeadline(cadence, {
      earliestMs: lastMet,
      nowMs: afterTop(36 * MINUTE + 1000).getTime(),
      deadlineMs: MINUTE,
    });
    assert.equal(due.runnable.mostRecent, null);
    assert.deepEqual(due.missed, { latest: afterTop(35 * MINUTE).getTime(), count: 1 });
  });
});
