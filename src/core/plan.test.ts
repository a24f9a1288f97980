// planSchedule, table by table. The first table ports the intent of Kubernetes' TestControllerV2SyncCronJob
// (pkg/controller/cronjob/cronjob_controllerv2_test.go): same names, same instants, same expectations,
// except where we differ on purpose:
//
//   - MissedSchedule: Kubernetes never emits it (its look-back starts at now − startingDeadlineSeconds, so
//     no time it sees is ever too late: kubernetes#101148). We report every time that became too late, once,
//     as a Warning Event and status.lastMissedTime. Rows: "past deadline", "past medium/short deadline".
//   - Exact missed times: Kubernetes estimates the most recent time from the gap between two times and
//     misses real times for uneven patterns ("30 10,11,12 * * 1-5"); we walk the times (see due-time.test.ts
//     and "runs the real most recent time of an uneven pattern" below).
//   - @every with a deadline: Kubernetes restarts the @every count at now − deadline, so "prev ran but done,
//     is time, not past deadline" fails there (the case is commented out in its test). We count from the last
//     scheduled time, always.
//   - Active runs are derived from the runs, never from status.active: "this started but went missing" (the
//     informer has not seen the run yet) plans a create of the same deterministic name, which the apply step
//     treats as done on AlreadyExists; a run deleted behind our back never blocks Forbid (kubernetes#37957).
//   - Clock drifted back ("this ran but done, time drifted back"): a scheduled run marks its time as met
//     (even when status.lastScheduleTime is older: a lost status write) only if that time is not after now
//     and its name is the one we give that time, so a forged run cannot silence the schedule. A run from the
//     future vouches for nothing: we requeue for 10:00, as Kubernetes does.
//   - Skipped times: Kubernetes runs the latest unmet time and drops the others silently (unless there are
//     over 100); we also warn about skipped times (MissedSchedule, with the count and the range). Rows: "(we
//     also warn about skipped times)".
//   - TZ= in the schedule: Kubernetes runs it with a warning; we reject it (InvalidSchedule) so the zone is
//     only ever spec.timezone.
//   - Suspended: Kubernetes stops requeueing; we requeue at the next time so status.nextScheduleTime stays
//     true while suspended.
//   - Daylight saving: Kubernetes skips a time in a spring-forward gap and runs a repeated time twice
//     (kubernetes#121594); we run each once (see src/schedule/dst.test.ts).
//   - Manual runs: named from a hash of the run-now token instead of randomly, so a crash between create and
//     status write cannot start a second manual scan; a manual run always runs (suspended or Forbid), as
//     `kubectl create job --from=cronjob/...` does, and Kubernetes' warning about such "unexpected" jobs
//     (kubernetes#126384) has no counterpart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConcurrencyPolicy, ScanRun, ScanSchedule } from '../api/types.ts';
import { applyPlan, finishRuns } from '../testing/apply-plan.ts';
import {
  aRun,
  aSchedule,
  aSucceededRun,
  DAY,
  HOUR,
  instants,
  MINUTE,
  plus,
  SCHEDULE_NAME,
  SECOND,
} from '../testing/builders.ts';
import { planSchedule, REQUEUE_DELAY_MS } from './plan.ts';
import { Reason } from './reasons.ts';
import { legacyScheduledRunName, manualRunName, manualRunNames, scheduledRunName } from './run-names.ts';

const {
  justBeforeThePriorHour,
  justAfterThePriorHour,
  justBeforeTheHour,
  topOfTheHour,
  justAfterTheHour,
  justBeforeTheNextHour,
  weekAfterTheHour,
} = instants;

const shortDead = 10;
const mediumDead = 2 * 60 * 60;
const longDead = 1_000_000;
const onTheHour = '0 * * * ?';
const everyHour = '@every 1h';
const R = REQUEUE_DELAY_MS;

interface SyncCase {
  name: string;
  // schedule spec
  policy: ConcurrencyPolicy;
  schedule?: string;
  timezone?: string;
  suspend?: boolean;
  deadline?: number;
  // schedule status
  ranPreviously?: boolean;
  stillActive?: boolean;
  // environment
  scheduleCreated?: Date;
  runScheduledAt?: Date;
  lastScheduleTime?: Date;
  statusActiveRuns?: 'listed' | 'missing from status' | 'missing from the runs';
  now: Date;
  // expectations
  creates: number;
  cancels?: number;
  active: number;
  warnings?: string[];
  normal?: string[];
  requeueAfterMs: number | null;
}

const policies: [ConcurrencyPolicy, string][] = [
  ['Allow', 'A'],
  ['Forbid', 'F'],
  ['Replace', 'R'],
];
/** The same row for each concurrency policy, named like Kubernetes' rows ("..., A"). */
const forEachPolicy = (row: Omit<SyncCase, 'policy' | 'name'> & { name: string }): SyncCase[] =>
  policies.map(([policy, letter]) => ({ ...row, policy, name: `${row.name}, ${letter}` }));

const syncCases: SyncCase[] = [
  ...forEachPolicy({
    name: 'never ran, not valid schedule',
    schedule: 'obvious error schedule',
    now: justBeforeTheHour,
    creates: 0,
    active: 0,
    warnings: [Reason.InvalidSchedule],
    requeueAfterMs: null,
  }),
  {
    name: 'never ran, not valid time zone',
    policy: 'Allow',
    timezone: 'bad/zone',
    now: justBeforeTheHour,
    creates: 0,
    active: 0,
    warnings: [Reason.UnknownTimeZone],
    requeueAfterMs: null,
  },
  ...forEachPolicy({
    name: 'never ran, not time',
    now: justBeforeTheHour,
    creates: 0,
    active: 0,
    requeueAfterMs: MINUTE + R,
  }),
  {
    name: 'never ran, not time in zone',
    policy: 'Allow',
    timezone: 'America/New_York',
    now: justBeforeTheHour,
    creates: 0,
    active: 0,
    requeueAfterMs: MINUTE + R,
  },
  ...forEachPolicy({
    name: 'never ran, is time',
    now: justAfterTheHour,
    creates: 1,
    active: 1,
    normal: [],
    requeueAfterMs: HOUR - MINUTE + R,
  }),
  {
    name: 'never ran, is time in zone',
    policy: 'Allow',
    timezone: 'America/New_York',
    now: justAfterTheHour,
    creates: 1,
    active: 1,
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'never ran, is time in zone, but TZ is also set in schedule (we reject it)',
    policy: 'Allow',
    schedule: `TZ=UTC ${onTheHour}`,
    timezone: 'America/New_York',
    now: justAfterTheHour,
    creates: 0,
    active: 0,
    warnings: [Reason.InvalidSchedule],
    requeueAfterMs: null,
  },
  {
    name: 'never ran, is time, suspended (we still requeue for status.nextScheduleTime)',
    policy: 'Allow',
    suspend: true,
    now: justAfterTheHour,
    creates: 0,
    active: 0,
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'never ran, is time, past deadline (we warn MissedSchedule)',
    policy: 'Allow',
    deadline: shortDead,
    now: plus(justAfterTheHour, (shortDead + 1) * MINUTE),
    creates: 0,
    active: 0,
    warnings: [Reason.MissedSchedule],
    requeueAfterMs: HOUR - MINUTE - (shortDead + 1) * MINUTE + R,
  },
  {
    name: 'never ran, is time, not past deadline',
    policy: 'Allow',
    deadline: longDead,
    now: justAfterTheHour,
    creates: 1,
    active: 1,
    requeueAfterMs: HOUR - MINUTE + R,
  },

  ...forEachPolicy({
    name: 'prev ran but done, not time',
    ranPreviously: true,
    now: justBeforeTheHour,
    creates: 0,
    active: 0,
    requeueAfterMs: MINUTE + R,
  }),
  ...forEachPolicy({
    name: 'prev ran but done, is time',
    ranPreviously: true,
    now: justAfterTheHour,
    creates: 1,
    active: 1,
    requeueAfterMs: HOUR - MINUTE + R,
  }),
  {
    name: 'prev ran but done, is time, suspended',
    policy: 'Allow',
    suspend: true,
    ranPreviously: true,
    now: justAfterTheHour,
    creates: 0,
    active: 0,
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'prev ran but done, is time, past deadline (we warn MissedSchedule)',
    policy: 'Allow',
    deadline: shortDead,
    ranPreviously: true,
    now: justAfterTheHour,
    creates: 0,
    active: 0,
    warnings: [Reason.MissedSchedule],
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'prev ran but done, is time, not past deadline',
    policy: 'Allow',
    deadline: longDead,
    ranPreviously: true,
    now: justAfterTheHour,
    creates: 1,
    active: 1,
    requeueAfterMs: HOUR - MINUTE + R,
  },

  ...forEachPolicy({
    name: 'still active, not time',
    ranPreviously: true,
    stillActive: true,
    now: justBeforeTheHour,
    creates: 0,
    active: 1,
    requeueAfterMs: MINUTE + R,
  }),
  {
    name: 'still active, is time, A',
    policy: 'Allow',
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    creates: 1,
    active: 2,
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'still active, is time, F',
    policy: 'Forbid',
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    creates: 0,
    active: 1,
    normal: [Reason.RunAlreadyActive],
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'still active, is time, R',
    policy: 'Replace',
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    creates: 1,
    cancels: 1,
    active: 1,
    normal: [Reason.RunReplaced],
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'still active, is time, suspended',
    policy: 'Allow',
    suspend: true,
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    creates: 0,
    active: 1,
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'still active, is time, past deadline (we warn MissedSchedule)',
    policy: 'Allow',
    deadline: shortDead,
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    creates: 0,
    active: 1,
    warnings: [Reason.MissedSchedule],
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'still active, is time, not past deadline',
    policy: 'Allow',
    deadline: longDead,
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    creates: 1,
    active: 2,
    requeueAfterMs: HOUR - MINUTE + R,
  },

  // Too many missed times and either no deadline or a long one: still run the latest, with a warning.
  ...forEachPolicy({
    name: 'prev ran but done, long overdue, not past deadline',
    deadline: longDead,
    ranPreviously: true,
    now: weekAfterTheHour,
    creates: 1,
    active: 1,
    warnings: [Reason.TooManyMissedTimes],
    requeueAfterMs: HOUR + R,
  }),
  ...forEachPolicy({
    name: 'prev ran but done, long overdue, no deadline',
    ranPreviously: true,
    now: weekAfterTheHour,
    creates: 1,
    active: 1,
    warnings: [Reason.TooManyMissedTimes],
    requeueAfterMs: HOUR + R,
  }),
  ...forEachPolicy({
    name: 'prev ran but done, long overdue, past medium deadline (we warn MissedSchedule)',
    deadline: mediumDead,
    ranPreviously: true,
    now: weekAfterTheHour,
    creates: 1,
    active: 1,
    // (we also warn about skipped times): 09:00, within the deadline, gives way to 10:00.
    warnings: [Reason.MissedSchedule, Reason.MissedSchedule],
    requeueAfterMs: HOUR + R,
  }),
  ...forEachPolicy({
    name: 'prev ran but done, long overdue, past short deadline (we warn MissedSchedule)',
    deadline: shortDead,
    ranPreviously: true,
    now: weekAfterTheHour,
    creates: 1,
    active: 1,
    warnings: [Reason.MissedSchedule],
    requeueAfterMs: HOUR + R,
  }),

  // Clock skew: the run for 10:01 exists, the clock says 09:59.
  {
    name: 'this ran but done, time drifted back, F (a run from the future vouches for nothing: we requeue for 10:00)',
    policy: 'Forbid',
    ranPreviously: true,
    runScheduledAt: justAfterTheHour,
    now: justBeforeTheHour,
    creates: 0,
    active: 0,
    requeueAfterMs: MINUTE + R,
  },

  // Slow informer: status lists the 10:00 run, the run list does not have it yet.
  ...forEachPolicy({
    name: 'this started but went missing (not yet in the run list), not past deadline (we plan the same name again)',
    deadline: longDead,
    ranPreviously: true,
    stillActive: true,
    runScheduledAt: plus(topOfTheHour, 100),
    statusActiveRuns: 'missing from the runs',
    now: plus(justAfterTheHour, 100),
    creates: 1,
    active: 1,
    requeueAfterMs: HOUR - MINUTE - 100 + R,
  }),
  // Slow status: the 10:00 run exists and is active, status does not list it.
  ...forEachPolicy({
    name: 'this started but is not present in status.activeRuns, not past deadline',
    deadline: longDead,
    ranPreviously: true,
    stillActive: true,
    runScheduledAt: plus(topOfTheHour, 100),
    statusActiveRuns: 'missing from status',
    now: plus(justAfterTheHour, 100),
    creates: 0,
    active: 1,
    requeueAfterMs: HOUR - MINUTE - 100 + R,
  }),

  // @every: counted from the last scheduled time, else from creation.
  {
    name: 'with @every schedule, never ran, not time',
    policy: 'Allow',
    schedule: everyHour,
    scheduleCreated: justBeforeTheHour,
    now: topOfTheHour,
    creates: 0,
    active: 0,
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'with @every schedule, never ran, is time',
    policy: 'Allow',
    schedule: everyHour,
    scheduleCreated: justBeforeThePriorHour,
    now: justBeforeTheHour,
    creates: 1,
    active: 1,
    requeueAfterMs: HOUR + R,
  },
  {
    name: 'with @every schedule, never ran, is time, past deadline (we warn MissedSchedule)',
    policy: 'Allow',
    schedule: everyHour,
    deadline: shortDead,
    scheduleCreated: justBeforeThePriorHour,
    now: plus(justBeforeTheHour, (shortDead + 1) * SECOND),
    creates: 0,
    active: 0,
    warnings: [Reason.MissedSchedule],
    requeueAfterMs: HOUR - (shortDead + 1) * SECOND + R,
  },
  {
    name: 'with @every schedule, never ran, is time, not past deadline',
    policy: 'Allow',
    schedule: everyHour,
    deadline: longDead,
    scheduleCreated: justBeforeThePriorHour,
    now: plus(justBeforeTheHour, (shortDead - 1) * SECOND),
    creates: 1,
    active: 1,
    requeueAfterMs: HOUR - (shortDead - 1) * SECOND + R,
  },
  {
    name: 'with @every schedule, prev ran but done, not time',
    policy: 'Allow',
    schedule: everyHour,
    ranPreviously: true,
    scheduleCreated: justBeforeThePriorHour,
    runScheduledAt: justBeforeThePriorHour,
    lastScheduleTime: justBeforeTheHour,
    now: topOfTheHour,
    creates: 0,
    active: 0,
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'with @every schedule, prev ran but done, is time',
    policy: 'Allow',
    schedule: everyHour,
    ranPreviously: true,
    scheduleCreated: justBeforeThePriorHour,
    runScheduledAt: justBeforeThePriorHour,
    lastScheduleTime: justBeforeTheHour,
    now: plus(topOfTheHour, HOUR),
    creates: 1,
    active: 1,
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'with @every schedule, prev ran but done, is time, past deadline (we warn MissedSchedule)',
    policy: 'Allow',
    schedule: everyHour,
    deadline: shortDead,
    ranPreviously: true,
    scheduleCreated: justBeforeThePriorHour,
    runScheduledAt: justBeforeThePriorHour,
    lastScheduleTime: justBeforeTheHour,
    now: plus(justBeforeTheNextHour, (shortDead + 1) * SECOND),
    creates: 0,
    active: 0,
    warnings: [Reason.MissedSchedule],
    requeueAfterMs: HOUR - (shortDead + 1) * SECOND + R,
  },
  {
    name: 'with @every schedule, prev ran but done, is time, not past deadline (fails in Kubernetes)',
    policy: 'Allow',
    schedule: everyHour,
    deadline: shortDead,
    ranPreviously: true,
    scheduleCreated: justBeforeThePriorHour,
    runScheduledAt: justBeforeThePriorHour,
    lastScheduleTime: justBeforeTheHour,
    now: plus(justBeforeTheNextHour, (shortDead - 1) * SECOND),
    creates: 1,
    active: 1,
    requeueAfterMs: HOUR - (shortDead - 1) * SECOND + R,
  },
  {
    name: 'with @every schedule, still active, not time',
    policy: 'Allow',
    schedule: everyHour,
    ranPreviously: true,
    stillActive: true,
    scheduleCreated: justBeforeThePriorHour,
    runScheduledAt: justBeforeTheHour,
    lastScheduleTime: justBeforeTheHour,
    now: topOfTheHour,
    creates: 0,
    active: 1,
    requeueAfterMs: HOUR - MINUTE + R,
  },
  {
    name: 'with @every schedule, still active, is time',
    policy: 'Allow',
    schedule: everyHour,
    ranPreviously: true,
    stillActive: true,
    scheduleCreated: justBeforeThePriorHour,
    runScheduledAt: justBeforeThePriorHour,
    lastScheduleTime: justBeforeThePriorHour,
    now: justAfterTheHour,
    creates: 1,
    active: 2,
    requeueAfterMs: HOUR - 2 * MINUTE + R,
  },
  {
    name: 'with @every schedule, still active, is time, past deadline (we warn MissedSchedule)',
    policy: 'Allow',
    schedule: everyHour,
    deadline: shortDead,
    ranPreviously: true,
    stillActive: true,
    scheduleCreated: justBeforeThePriorHour,
    runScheduledAt: justBeforeTheHour,
    lastScheduleTime: justBeforeTheHour,
    now: plus(justBeforeTheNextHour, (shortDead + 1) * SECOND),
    creates: 0,
    active: 1,
    warnings: [Reason.MissedSchedule],
    requeueAfterMs: HOUR - (shortDead + 1) * SECOND + R,
  },
  {
    name: 'with @every schedule, still active, is time, not past deadline',
    policy: 'Allow',
    schedule: everyHour,
    deadline: longDead,
    ranPreviously: true,
    stillActive: true,
    scheduleCreated: justBeforeThePriorHour,
    runScheduledAt: justBeforeTheHour,
    lastScheduleTime: justBeforeTheHour,
    now: plus(justBeforeTheNextHour, (shortDead - 1) * SECOND),
    creates: 1,
    active: 2,
    requeueAfterMs: HOUR - (shortDead - 1) * SECOND + R,
  },
  {
    name: 'with @every schedule, prev ran but done, long overdue, no deadline',
    policy: 'Allow',
    schedule: everyHour,
    ranPreviously: true,
    scheduleCreated: justAfterThePriorHour,
    runScheduledAt: justAfterThePriorHour,
    lastScheduleTime: justAfterTheHour,
    now: weekAfterTheHour,
    creates: 1,
    active: 1,
    warnings: [Reason.TooManyMissedTimes],
    requeueAfterMs: MINUTE + R,
  },
  {
    name: 'with @every schedule, prev ran but done, long overdue, past deadline (we warn MissedSchedule)',
    policy: 'Allow',
    schedule: everyHour,
    deadline: shortDead,
    ranPreviously: true,
    scheduleCreated: justAfterThePriorHour,
    runScheduledAt: justAfterThePriorHour,
    lastScheduleTime: justAfterTheHour,
    now: plus(plus(weekAfterTheHour, MINUTE), (shortDead + 1) * SECOND),
    creates: 0,
    active: 0,
    warnings: [Reason.MissedSchedule],
    requeueAfterMs: HOUR - (shortDead + 1) * SECOND + R,
  },
];

/** Builds the objects of a row the way Kubernetes' test does: a schedule, and one earlier run if it ran. */
function worldOf(c: SyncCase): { schedule: ScanSchedule; runs: ScanRun[] } {
  const created = c.scheduleCreated ?? (c.ranPreviously === true ? justBeforeThePriorHour : justBeforeTheHour);
  const base = aSchedule({
    metadata: { creationTimestamp: created.toISOString() },
    spec: {
      schedule: c.schedule ?? onTheHour,
      concurrencyPolicy: c.policy,
      ...(c.timezone === undefined ? {} : { timezone: c.timezone }),
      ...(c.suspend === undefined ? {} : { suspend: c.suspend }),
      ...(c.deadline === undefined ? {} : { startingDeadlineSeconds: c.deadline }),
    },
  });
  if (c.ranPreviously !== true) return { schedule: base, runs: [] };
  const runAt = c.runScheduledAt ?? justAfterThePriorHour;
  const run =
    c.stillActive === true
      ? aRun({ owner: base, scheduledAt: runAt, phase: 'Running', startTime: runAt })
      : aSucceededRun(runAt, { owner: base });
  const listed = c.statusActiveRuns === undefined || c.statusActiveRuns !== 'missing from status';
  const schedule: ScanSchedule = {
    ...base,
    status: {
      lastScheduleTime: (c.lastScheduleTime ?? justAfterThePriorHour).toISOString(),
      ...(c.stillActive === true && listed ? { active: 1, activeRuns: [run.metadata.name ?? ''] } : {}),
    },
  };
  return { schedule, runs: c.statusActiveRuns === 'missing from the runs' ? [] : [run] };
}

const reasonsOf = (events: { type: string; reason: string }[], type: 'Normal' | 'Warning'): string[] =>
  events
    .filter((event) => event.type === type)
    .map((event) => event.reason)
    .sort();

describe('planSchedule: Kubernetes TestControllerV2SyncCronJob, ported', () => {
  for (const c of syncCases) {
    it(c.name, () => {
      const plan = planSchedule({ ...worldOf(c), now: c.now });
      assert.equal(plan.create.length, c.creates, 'runs created');
      assert.equal(plan.cancel.length, c.cancels ?? 0, 'runs cancelled');
      assert.equal(plan.status.active, c.active, 'status.active');
      assert.deepEqual(reasonsOf(plan.events, 'Warning'), [...(c.warnings ?? [])].sort(), 'warnings');
      if (c.normal !== undefined) assert.deepEqual(reasonsOf(plan.events, 'Normal'), [...c.normal].sort(), 'events');
      assert.equal(plan.requeueAfterMs, c.requeueAfterMs, 'requeueAfterMs');
    });
  }
});

const hourly = (overrides: Parameters<typeof aSchedule>[0] = {}): ScanSchedule =>
  aSchedule({ ...overrides, spec: { schedule: '0 * * * *', ...overrides.spec } });

describe('planSchedule: due runs (docs/design.md §4.5)', () => {
  it('creates only the most recent unmet time, never a back-fill of older ones', () => {
    const schedule = hourly({ status: { lastScheduleTime: topOfTheHour.toISOString() } });
    const plan = planSchedule({ schedule, runs: [], now: plus(topOfTheHour, 3 * HOUR + 5 * MINUTE) });
    assert.deepEqual(
      plan.create.map((run) => run.spec.scheduledTime),
      ['2016-05-19T13:00:00Z'],
    );
    assert.equal(plan.status.lastScheduleTime, '2016-05-19T13:00:00Z');
  });

  it('runs the real most recent time of an uneven pattern (30 10,11,12 * * 1-5), which Kubernetes misses', () => {
    const schedule = aSchedule({
      spec: { schedule: '30 10,11,12 * * 1-5' },
      metadata: { creationTimestamp: topOfTheHour.toISOString() },
      status: { lastScheduleTime: plus(topOfTheHour, 30 * MINUTE).toISOString() },
    });
    const now = plus(topOfTheHour, 30 * HOUR + 30 * MINUTE); // Friday 16:30
    const plan = planSchedule({ schedule, runs: [], now });
    assert.deepEqual(
      plan.create.map((run) => run.spec.scheduledTime),
      ['2016-05-20T12:30:00Z'],
    );
    assert.equal(plan.requeueAfterMs, 66 * HOUR + R, 'next is Monday 10:30');
  });

  it('names a scheduled run after the unix second of its nominal time', () => {
    const plan = planSchedule({ schedule: hourly(), runs: [], now: justAfterTheHour });
    assert.deepEqual(
      plan.create.map((run) => run.metadata.name),
      [`${SCHEDULE_NAME}-${topOfTheHour.getTime() / 1000}`],
    );
  });

  it('does not create a run whose name already exists, and records its time as scheduled', () => {
    const schedule = hourly({ status: { lastScheduleTime: justAfterThePriorHour.toISOString() } });
    const existing = aRun({
      scheduledAt: topOfTheHour,
      phase: 'Running',
      trigger: 'manual',
      name: scheduledRunName(SCHEDULE_NAME, topOfTheHour.getTime()),
    });
    const plan = planSchedule({
      schedule,
      runs: [{ ...existing, spec: { ...existing.spec, scheduledTime: justAfterThePriorHour.toISOString() } }],
      now: justAfterTheHour,
    });
    assert.deepEqual(plan.create, []);
    assert.equal(plan.status.lastScheduleTime, topOfTheHour.toISOString().replace('.000Z', 'Z'));
  });

  it('recovers lastScheduleTime from the runs when status was lost, instead of re-running from creation', () => {
    const schedule = hourly({ metadata: { creationTimestamp: justBeforeThePriorHour.toISOString() } });
    const plan = planSchedule({ schedule, runs: [aSucceededRun(topOfTheHour)], now: plus(topOfTheHour, 30 * MINUTE) });
    assert.deepEqual(plan.create, []);
    assert.equal(plan.status.lastScheduleTime, '2016-05-19T10:00:00Z');
  });

  it('warns TooManyMissedTimes with the fix, and still runs the latest time', () => {
    const schedule = hourly({ status: { lastScheduleTime: justAfterThePriorHour.toISOString() } });
    const plan = planSchedule({ schedule, runs: [], now: weekAfterTheHour });
    const warning = plan.events.find((event) => event.reason === Reason.TooManyMissedTimes);
    assert.match(warning?.message ?? '', /Set or decrease spec.startingDeadlineSeconds or check clock skew/);
    assert.deepEqual(
      plan.create.map((run) => run.spec.scheduledTime),
      ['2016-05-26T10:00:00Z'],
    );
  });

  it('requeues at the next nominal time + 100 ms', () => {
    const plan = planSchedule({ schedule: hourly(), runs: [], now: plus(topOfTheHour, 20 * MINUTE) });
    assert.equal(plan.requeueAfterMs, 40 * MINUTE + 100);
    assert.equal(plan.status.nextScheduleTime, '2016-05-19T11:00:00Z');
  });
});

describe('planSchedule: missed times (startingDeadlineSeconds)', () => {
  const schedule = hourly({
    spec: { startingDeadlineSeconds: 300 },
    status: { lastScheduleTime: topOfTheHour.toISOString() },
  });

  it('reports a time older than the deadline as missed: one Warning naming it, and status.lastMissedTime', () => {
    const plan = planSchedule({ schedule, runs: [], now: plus(topOfTheHour, HOUR + 10 * MINUTE) });
    assert.deepEqual(plan.create, []);
    assert.deepEqual(plan.events, [
      {
        type: 'Warning',
        reason: Reason.MissedSchedule,
        message:
          'Missed the run scheduled for 2016-05-19T11:00:00Z: it could not start within startingDeadlineSeconds (300s)',
      },
    ]);
    assert.equal(plan.status.lastMissedTime, '2016-05-19T11:00:00Z');
    assert.equal(plan.status.lastScheduleTime, '2016-05-19T10:00:00Z', 'a miss is not a schedule');
  });

  it('reports each missed time once: the next reconcile stays quiet', () => {
    const now = plus(topOfTheHour, HOUR + 10 * MINUTE);
    const first = planSchedule({ schedule, runs: [], now });
    const second = planSchedule({ schedule: { ...schedule, status: first.status }, runs: [], now: plus(now, MINUTE) });
    assert.deepEqual(second.events, []);
    assert.equal(second.status.lastMissedTime, '2016-05-19T11:00:00Z');
  });

  it('reports several times missed at once in one Warning with the count', () => {
    const plan = planSchedule({ schedule, runs: [], now: plus(topOfTheHour, 3 * HOUR + 10 * MINUTE) });
    assert.equal(plan.events.length, 1);
    assert.match(plan.events[0]?.message ?? '', /2016-05-19T13:00:00Z.*\(3 scheduled times missed in all\)/);
  });

  it('starts a time exactly at the deadline', () => {
    const plan = planSchedule({ schedule, runs: [], now: plus(topOfTheHour, HOUR + 5 * MINUTE) });
    assert.equal(plan.create.length, 1);
  });

  it('keeps a Forbid-blocked time unmet, starts it late when the run ends, and misses it after the deadline', () => {
    const blocked = hourly({
      spec: { concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600 },
      status: { lastScheduleTime: topOfTheHour.toISOString() },
    });
    const active = aRun({ scheduledAt: topOfTheHour, phase: 'Running', startTime: topOfTheHour });
    const atDue = planSchedule({ schedule: blocked, runs: [active], now: plus(topOfTheHour, HOUR) });
    assert.deepEqual(reasonsOf(atDue.events, 'Normal'), [Reason.RunAlreadyActive]);
    assert.equal(atDue.status.lastScheduleTime, '2016-05-19T10:00:00Z', 'the 11:00 time stays unmet');
    const finished = aSucceededRun(topOfTheHour, { completionTime: plus(topOfTheHour, HOUR + 4 * MINUTE) });
    const late = planSchedule({
      schedule: { ...blocked, status: atDue.status },
      runs: [finished],
      now: plus(topOfTheHour, HOUR + 5 * MINUTE),
    });
    assert.deepEqual(
      late.create.map((run) => run.spec.scheduledTime),
      ['2016-05-19T11:00:00Z'],
    );
    const tooLate = planSchedule({
      schedule: { ...blocked, status: atDue.status },
      runs: [finished],
      now: plus(topOfTheHour, HOUR + 11 * MINUTE),
    });
    assert.deepEqual(tooLate.create, []);
    assert.deepEqual(reasonsOf(tooLate.events, 'Warning'), [Reason.MissedSchedule]);
  });
});

describe('planSchedule: concurrency', () => {
  const due = { now: justAfterTheHour };
  const activeRun = aRun({ scheduledAt: justAfterThePriorHour, phase: 'Running', startTime: justAfterThePriorHour });
  const pending = aRun({ scheduledAt: justBeforeThePriorHour, name: 'nightly-manual-bbbbb', trigger: 'manual' });

  it('Forbid: creates nothing while a run is active and says so in a Normal Event', () => {
    const plan = planSchedule({
      schedule: hourly({ spec: { concurrencyPolicy: 'Forbid' } }),
      runs: [activeRun],
      ...due,
    });
    assert.deepEqual(plan.create, []);
    assert.equal(plan.events[0]?.type, 'Normal');
    assert.match(
      plan.events[0]?.message ?? '',
      /^Scheduled runs wait: nightly-1463648460 is still active and concurrencyPolicy is Forbid; the latest due time starts when that run ends$/,
    );
  });

  it('Forbid: says the same while the same run blocks later due times, so the recorder folds them into one series', () => {
    const schedule = hourly({ spec: { concurrencyPolicy: 'Forbid' } });
    const messages = [justAfterTheHour, plus(justAfterTheHour, HOUR), plus(justAfterTheHour, 5 * HOUR)].map(
      (now) =>
        planSchedule({ schedule, runs: [activeRun], now }).events.find((e) => e.reason === Reason.RunAlreadyActive)
          ?.message,
    );
    assert.ok(messages[0] !== undefined);
    assert.deepEqual(new Set(messages).size, 1);
    assert.doesNotMatch(messages[0] ?? '', /2016-05-19T1\d:00/);
  });

  it('Forbid: a run with no status yet (Pending) counts as active', () => {
    const plan = planSchedule({ schedule: hourly({ spec: { concurrencyPolicy: 'Forbid' } }), runs: [pending], ...due });
    assert.deepEqual(plan.create, []);
  });

  it('Forbid: a run deleted behind our back does not block, whatever status.activeRuns says', () => {
    const schedule = hourly({
      spec: { concurrencyPolicy: 'Forbid' },
      status: { active: 1, activeRuns: ['nightly-gone'] },
    });
    const plan = planSchedule({ schedule, runs: [], ...due });
    assert.equal(plan.create.length, 1);
    assert.deepEqual(plan.status.activeRuns, [plan.create[0]?.metadata.name]);
  });

  it('Forbid: a run being deleted does not block', () => {
    const deleting = aRun({ scheduledAt: justAfterThePriorHour, phase: 'Running', deleting: true });
    const plan = planSchedule({
      schedule: hourly({ spec: { concurrencyPolicy: 'Forbid' } }),
      runs: [deleting],
      ...due,
    });
    assert.equal(plan.create.length, 1);
  });

  it('Replace: cancels every active run, manual ones too, then creates', () => {
    const plan = planSchedule({
      schedule: hourly({ spec: { concurrencyPolicy: 'Replace' } }),
      runs: [activeRun, pending],
      ...due,
    });
    assert.deepEqual([...plan.cancel].sort(), [activeRun.metadata.name, pending.metadata.name].sort());
    assert.equal(plan.create.length, 1);
    assert.deepEqual(plan.status.activeRuns, [plan.create[0]?.metadata.name]);
  });

  it('Allow: creates beside the active run', () => {
    const plan = planSchedule({
      schedule: hourly({ spec: { concurrencyPolicy: 'Allow' } }),
      runs: [activeRun],
      ...due,
    });
    assert.equal(plan.create.length, 1);
    assert.equal(plan.status.active, 2);
  });

  it('defaults to Forbid', () => {
    const plan = planSchedule({ schedule: hourly(), runs: [activeRun], ...due });
    assert.deepEqual(plan.create, []);
  });

  it('ignores runs the schedule does not own', () => {
    const other = aSchedule({ metadata: { name: 'other', uid: 'uid-other' } });
    const foreign = aRun({ owner: other, scheduledAt: justAfterThePriorHour, phase: 'Running' });
    const plan = planSchedule({ schedule: hourly({ spec: { concurrencyPolicy: 'Forbid' } }), runs: [foreign], ...due });
    assert.equal(plan.create.length, 1);
    assert.equal(plan.status.active, 1);
  });
});

describe('planSchedule: suspend', () => {
  const schedule = hourly({
    spec: { suspend: true, successfulJobsHistoryLimit: 1 },
    status: { lastScheduleTime: justAfterThePriorHour.toISOString() },
  });
  const history = [aSucceededRun(plus(topOfTheHour, -2 * HOUR)), aSucceededRun(plus(topOfTheHour, -3 * HOUR))];

  it('creates nothing, still cleans up history, still shows the next time', () => {
    const plan = planSchedule({ schedule, runs: history, now: justAfterTheHour });
    assert.deepEqual(plan.create, []);
    assert.deepEqual(plan.delete, [history[1]?.metadata.name]);
    assert.equal(plan.status.nextScheduleTime, '2016-05-19T11:00:00Z');
    assert.deepEqual(
      plan.status.conditions
        ?.filter((c) => c.type === 'Suspended' || c.type === 'Ready')
        .map((c) => [c.type, c.status, c.reason]),
      [
        ['Ready', 'True', Reason.Suspended],
        ['Suspended', 'True', Reason.Suspended],
      ],
    );
  });

  it('runs the latest time suspended over when resumed without a deadline (as Kubernetes)', () => {
    const resumed = { ...schedule, spec: { ...schedule.spec, suspend: false } };
    const plan = planSchedule({ schedule: resumed, runs: [], now: plus(topOfTheHour, 5 * HOUR + MINUTE) });
    assert.deepEqual(
      plan.create.map((run) => run.spec.scheduledTime),
      ['2016-05-19T15:00:00Z'],
    );
  });
});

describe('planSchedule: manual runs (jmo.security/run-now)', () => {
  const manualRunOf = (name: string, token: string): ScanRun => {
    const run = aRun({ name, trigger: 'manual', scheduledAt: justBeforeTheHour });
    return { ...run, metadata: { ...run.metadata, annotations: { 'jmo.security/run-now': token } } };
  };
  const withToken = (token: string, overrides: Parameters<typeof aSchedule>[0] = {}): ScanSchedule =>
    aSchedule({ ...overrides, metadata: { ...overrides.metadata, annotations: { 'jmo.security/run-now': token } } });

  it('creates one manual run for a new token, named from the token, and records the token', () => {
    const plan = planSchedule({
      schedule: withToken('2016-05-19T09:30:00Z'),
      runs: [],
      now: plus(justBeforeTheHour, -29 * MINUTE),
    });
    assert.deepEqual(
      plan.create.map((run) => [run.metadata.name, run.spec.trigger, run.spec.scheduledTime]),
      [[manualRunName(SCHEDULE_NAME, '2016-05-19T09:30:00Z'), 'manual', '2016-05-19T09:30:00Z']],
    );
    assert.equal(plan.status.lastHandledRunNow, '2016-05-19T09:30:00Z');
    assert.deepEqual(reasonsOf(plan.events, 'Normal'), [Reason.ManualRunCreated]);
  });

  it('does nothing for a token already handled', () => {
    const plan = planSchedule({
      schedule: withToken('t1', { status: { lastHandledRunNow: 't1' } }),
      runs: [],
      now: plus(justBeforeTheHour, -MINUTE),
    });
    assert.deepEqual(plan.create, []);
  });

  it('after a crash between create and status write, finds its run and only records the token', () => {
    const token = 't2';
    const created = aRun({
      name: manualRunName(SCHEDULE_NAME, token),
      trigger: 'manual',
      scheduledAt: justBeforeTheHour,
    });
    const plan = planSchedule({ schedule: withToken(token), runs: [created], now: plus(justBeforeTheHour, -MINUTE) });
    assert.deepEqual(plan.create, []);
    assert.equal(plan.status.lastHandledRunNow, token);
  });

  it('runs while suspended and under Forbid with an active run: it is an explicit request', () => {
    const active = aRun({ scheduledAt: justAfterThePriorHour, phase: 'Running' });
    const plan = planSchedule({
      schedule: withToken('t3', { spec: { suspend: true, concurrencyPolicy: 'Forbid' } }),
      runs: [active],
      now: justAfterTheHour,
    });
    assert.deepEqual(
      plan.create.map((run) => run.spec.trigger),
      ['manual'],
    );
  });

  it('a manual run created now blocks the due scheduled run under Forbid, which stays unmet', () => {
    const plan = planSchedule({
      schedule: withToken('t4', { spec: { concurrencyPolicy: 'Forbid' } }),
      runs: [],
      now: justAfterTheHour,
    });
    assert.deepEqual(
      plan.create.map((run) => run.spec.trigger),
      ['manual'],
    );
    assert.deepEqual(reasonsOf(plan.events, 'Normal'), [Reason.ManualRunCreated, Reason.RunAlreadyActive]);
    assert.equal(plan.status.lastScheduleTime, undefined);
  });

  const manualCases: { name: string; runs: (token: string) => ScanRun[]; expected: (token: string) => string[] }[] = [
    {
      name: 'a retry finds the run it created under the timed name (same token): nothing new',
      runs: (token) => [manualRunOf(manualRunNames(SCHEDULE_NAME, token)[0] ?? '', token)],
      expected: () => [],
    },
    {
      name: "another token's run under the timed name (two triggers in one second): the -manual- name instead",
      runs: (token) => [manualRunOf(manualRunNames(SCHEDULE_NAME, token)[0] ?? '', 'someone else')],
      expected: (token) => [manualRunNames(SCHEDULE_NAME, token)[1] ?? ''],
    },
    {
      name: 'after that collision, a retry finds its run under the -manual- name: nothing new',
      runs: (token) => [
        manualRunOf(manualRunNames(SCHEDULE_NAME, token)[0] ?? '', 'someone else'),
        manualRunOf(manualRunNames(SCHEDULE_NAME, token)[1] ?? '', token),
      ],
      expected: () => [],
    },
    {
      name: 'a run created before the upgrade under the -manual- name, without a token annotation: nothing new',
      runs: (token) => [aRun({ name: manualRunNames(SCHEDULE_NAME, token)[1] ?? '', trigger: 'manual' })],
      expected: () => [],
    },
  ];
  for (const c of manualCases) {
    it(c.name, () => {
      const token = '2016-05-19T09:30:00.123Z-a1b2c3';
      const plan = planSchedule({
        schedule: withToken(token),
        runs: c.runs(token),
        now: plus(justBeforeTheHour, -MINUTE),
      });
      assert.deepEqual(
        plan.create.map((run) => run.metadata.name),
        c.expected(token),
      );
      for (const run of plan.create) assert.equal(run.metadata.annotations?.['jmo.security/run-now'], token);
      assert.equal(plan.status.lastHandledRunNow, token);
    });
  }

  it('keeps manual run names within 63 characters for the longest schedule names', () => {
    const name = 'a'.repeat(52);
    assert.equal(manualRunName(name, 'token').length, 63);
    assert.match(manualRunName(name, 'token'), /^a+-manual-[bcdfghjklmnpqrstvwxz2-9]{5}$/);
  });
});

describe('planSchedule: interval schedules', () => {
  const every90m = (status?: ScanSchedule['status']): ScanSchedule =>
    aSchedule({
      spec: { schedule: undefined, interval: '1h30m' },
      metadata: { creationTimestamp: topOfTheHour.toISOString() },
      ...(status === undefined ? {} : { status }),
    });

  it('first runs at creation + interval', () => {
    assert.equal(
      planSchedule({ schedule: every90m(), runs: [], now: plus(topOfTheHour, HOUR) }).requeueAfterMs,
      30 * MINUTE + R,
    );
    const plan = planSchedule({ schedule: every90m(), runs: [], now: plus(topOfTheHour, 90 * MINUTE) });
    assert.deepEqual(
      plan.create.map((run) => run.spec.scheduledTime),
      ['2016-05-19T11:30:00Z'],
    );
    assert.equal(plan.requeueAfterMs, null, 'the run is active: its completion requeues');
    assert.equal(plan.status.nextScheduleTime, undefined);
  });

  it('waits while a run is active, with no next time', () => {
    const active = aRun({ scheduledAt: plus(topOfTheHour, 90 * MINUTE), phase: 'Running' });
    const plan = planSchedule({ schedule: every90m(), runs: [active], now: plus(topOfTheHour, 5 * HOUR) });
    assert.deepEqual([plan.create, plan.requeueAfterMs, plan.status.nextScheduleTime], [[], null, undefined]);
  });

  it('runs the interval after the previous run completed', () => {
    const done = aSucceededRun(plus(topOfTheHour, 90 * MINUTE), {
      completionTime: plus(topOfTheHour, 2 * HOUR + 7 * MINUTE),
    });
    const status = { lastScheduleTime: plus(topOfTheHour, 90 * MINUTE).toISOString() };
    const early = planSchedule({ schedule: every90m(status), runs: [done], now: plus(topOfTheHour, 3 * HOUR) });
    assert.equal(early.status.nextScheduleTime, '2016-05-19T13:37:00Z');
    assert.equal(early.requeueAfterMs, 37 * MINUTE + R);
    const due = planSchedule({
      schedule: every90m(status),
      runs: [done],
      now: plus(topOfTheHour, 3 * HOUR + 37 * MINUTE),
    });
    assert.deepEqual(
      due.create.map((run) => run.spec.scheduledTime),
      ['2016-05-19T13:37:00Z'],
    );
  });

  it('remembers the last completion in status when history keeps no runs', () => {
    const status = {
      lastScheduleTime: plus(topOfTheHour, 90 * MINUTE).toISOString(),
      lastRun: {
        name: 'nightly-x',
        phase: 'Succeeded' as const,
        completionTime: plus(topOfTheHour, 2 * HOUR).toISOString(),
      },
    };
    const plan = planSchedule({ schedule: every90m(status), runs: [], now: plus(topOfTheHour, 3 * HOUR) });
    assert.deepEqual(plan.create, []);
    assert.equal(plan.status.nextScheduleTime, '2016-05-19T13:30:00Z');
  });
});

describe('planSchedule: history limits', () => {
  const schedule = hourly({ spec: { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 } });
  const at = (hours: number): Date => plus(topOfTheHour, -hours * HOUR);
  const ok = [aSucceededRun(at(1)), aSucceededRun(at(4)), aSucceededRun(at(2)), aSucceededRun(at(3))];
  const failed = aRun({ scheduledAt: at(6), phase: 'Failed', startTime: at(6), completionTime: at(5.9) });
  const cancelled = aRun({ scheduledAt: at(5), phase: 'Cancelled', reason: 'Replaced', startTime: at(5) });

  it('deletes the oldest finished runs beyond each limit; Failed and Cancelled share the failed limit', () => {
    const plan = planSchedule({ schedule, runs: [...ok, failed, cancelled], now: plus(topOfTheHour, 30 * MINUTE) });
    assert.deepEqual([...plan.delete].sort(), [ok[1], ok[3], failed].map((run) => run?.metadata.name).sort());
    assert.deepEqual([plan.status.succeeded, plan.status.failed], [2, 1]);
  });

  it('orders by start time, falls back to the scheduled time, and breaks ties by name', () => {
    const noStart = aRun({ scheduledAt: at(9), phase: 'Succeeded', name: 'nightly-b' });
    const sameStartA = aRun({ scheduledAt: at(8), phase: 'Succeeded', startTime: at(8), name: 'nightly-a' });
    const sameStartC = aRun({ scheduledAt: at(8), phase: 'Succeeded', startTime: at(8), name: 'nightly-c' });
    const limitOne = hourly({ spec: { successfulJobsHistoryLimit: 1 } });
    const plan = planSchedule({ schedule: limitOne, runs: [sameStartC, noStart, sameStartA], now: topOfTheHour });
    assert.deepEqual(plan.delete, ['nightly-b', 'nightly-a']);
  });

  it('keeps nothing with a limit of 0, but remembers the last run in status', () => {
    const zero = hourly({ spec: { successfulJobsHistoryLimit: 0 } });
    const done = aSucceededRun(at(1), { findings: { critical: 0, high: 1, medium: 2, low: 3, info: 4, total: 10 } });
    const plan = planSchedule({ schedule: zero, runs: [done], now: topOfTheHour });
    assert.deepEqual(plan.delete, [done.metadata.name]);
    assert.equal(plan.status.lastRun?.name, done.metadata.name);
    assert.equal(plan.status.succeeded, 0);
  });

  it('never deletes active runs', () => {
    const zero = hourly({ spec: { successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 } });
    const active = aRun({ scheduledAt: at(1), phase: 'Running' });
    assert.deepEqual(planSchedule({ schedule: zero, runs: [active], now: topOfTheHour }).delete, []);
  });

  it('deletes nothing when a limit is not a whole number (a typo must not empty the history)', () => {
    const broken = hourly({ spec: { successfulJobsHistoryLimit: -1 } });
    const plan = planSchedule({ schedule: broken, runs: ok, now: topOfTheHour });
    assert.deepEqual(plan.delete, []);
    assert.equal(reasonsOf(plan.events, 'Warning')[0], Reason.InvalidSpec);
  });
});

describe('planSchedule: invalid spec', () => {
  const broken = aSchedule({ spec: { schedule: '0 0 30 2 *' }, metadata: { generation: 3 } });

  it('creates nothing, sets Ready=False and Stalled=True with the reason and message, and does not requeue', () => {
    const plan = planSchedule({ schedule: broken, runs: [], now: topOfTheHour });
    assert.deepEqual(plan.create, []);
    assert.equal(plan.requeueAfterMs, null);
    const byType = Object.fromEntries((plan.status.conditions ?? []).map((c) => [c.type, c]));
    assert.deepEqual([byType.Ready?.status, byType.Ready?.reason], ['False', Reason.InvalidSchedule]);
    assert.deepEqual([byType.Stalled?.status, byType.Stalled?.reason], ['True', Reason.InvalidSchedule]);
    assert.match(byType.Ready?.message ?? '', /February has no 30th/);
    assert.deepEqual(plan.events, [
      {
        type: 'Warning',
        reason: Reason.InvalidSchedule,
        message:
          '"0 0 30 2 *" never matches: February has no 30th. Use a day of the month that exists in the chosen months (February has at most 29 days).',
      },
    ]);
  });

  it('emits the Warning once per generation, and again after the next spec change', () => {
    const first = planSchedule({ schedule: broken, runs: [], now: topOfTheHour });
    const again = planSchedule({
      schedule: { ...broken, status: first.status },
      runs: [],
      now: plus(topOfTheHour, MINUTE),
    });
    assert.deepEqual(again.events, []);
    const edited = { ...broken, metadata: { ...broken.metadata, generation: 4 }, status: first.status };
    assert.equal(planSchedule({ schedule: edited, runs: [], now: plus(topOfTheHour, 2 * MINUTE) }).events.length, 1);
  });

  it('names the time zone problem UnknownTimeZone', () => {
    const plan = planSchedule({ schedule: aSchedule({ spec: { timezone: 'Local' } }), runs: [], now: topOfTheHour });
    assert.deepEqual(reasonsOf(plan.events, 'Warning'), [Reason.UnknownTimeZone]);
  });

  it('names other spec problems InvalidSpec', () => {
    const plan = planSchedule({
      schedule: aSchedule({ spec: { concurrencyPolicy: 'Sometimes' as ConcurrencyPolicy } }),
      runs: [],
      now: topOfTheHour,
    });
    assert.deepEqual(reasonsOf(plan.events, 'Warning'), [Reason.InvalidSpec]);
  });

  it('leaves a run-now token unhandled until the spec is fixed', () => {
    const withToken = { ...broken, metadata: { ...broken.metadata, annotations: { 'jmo.security/run-now': 'x' } } };
    const plan = planSchedule({ schedule: withToken, runs: [], now: topOfTheHour });
    assert.deepEqual([plan.create, plan.status.lastHandledRunNow], [[], undefined]);
  });
});

describe('planSchedule: external backends', () => {
  it('creates no runs, is Ready with reason ExternalBackend, and does not requeue', () => {
    const schedule = aSchedule({ spec: { backend: { type: 'gitlab-ci' } } });
    const plan = planSchedule({ schedule, runs: [], now: justAfterTheHour });
    assert.deepEqual([plan.create, plan.requeueAfterMs], [[], null]);
    const ready = plan.status.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason], ['True', Reason.ExternalBackend]);
  });
});

describe('planSchedule: the created run', () => {
  const schedule = aSchedule({
    spec: {
      schedule: '0 2 * * *',
      timezone: 'Europe/Berlin',
      backend: { type: 'kubernetes', config: { image: 'scanner:1' } },
    },
  });
  const plan = planSchedule({ schedule, runs: [], now: new Date('2016-05-20T00:00:30Z') });
  const run = plan.create[0];

  it('is owned by the schedule, labelled, and annotated with the time in the schedule zone', () => {
    assert.deepEqual(run?.metadata, {
      name: 'nightly-1463702400',
      namespace: 'security',
      labels: { 'app.kubernetes.io/managed-by': 'scanschedule', 'jmo.security/schedule': 'nightly' },
      annotations: { 'jmo.security/scheduled-time': '2016-05-20T02:00:00+02:00' },
      ownerReferences: [
        {
          apiVersion: 'jmo.security/v1alpha1',
          kind: 'ScanSchedule',
          name: 'nightly',
          uid: 'uid-nightly',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    assert.equal(run?.status, undefined);
  });

  it('carries frozen copies of jobTemplate and backend', () => {
    assert.deepEqual(run?.spec, {
      scheduleRef: { name: 'nightly' },
      scheduledTime: '2016-05-20T00:00:00Z',
      trigger: 'schedule',
      jobTemplate: schedule.spec.jobTemplate,
      backend: schedule.spec.backend,
    });
    assert.notEqual(run?.spec.jobTemplate, schedule.spec.jobTemplate, 'a copy, not the same object');
    assert.notEqual(run?.spec.jobTemplate.targets, schedule.spec.jobTemplate.targets, 'a deep copy');
  });
});

describe('planSchedule: status', () => {
  it('sorts activeRuns and counts them from the runs', () => {
    const runs = ['nightly-c', 'nightly-a', 'nightly-b'].map((name) =>
      aRun({ name, scheduledAt: justBeforeThePriorHour }),
    );
    const plan = planSchedule({
      schedule: hourly({ status: { activeRuns: ['stale'] } }),
      runs,
      now: justBeforeTheHour,
    });
    assert.deepEqual(plan.status.activeRuns, ['nightly-a', 'nightly-b', 'nightly-c']);
    assert.equal(plan.status.active, 3);
  });

  it('reports the last completed run, lastSuccessfulTime, and LastRunSucceeded with the run reason', () => {
    const failed = aRun({
      scheduledAt: justAfterThePriorHour,
      phase: 'Failed',
      reason: 'FindingsAboveThreshold',
      startTime: justAfterThePriorHour,
      completionTime: plus(justAfterThePriorHour, 5 * MINUTE),
      findings: { critical: 1, high: 2, medium: 0, low: 0, info: 0, total: 3 },
    });
    const succeeded = aSucceededRun(justBeforeThePriorHour);
    const plan = planSchedule({ schedule: hourly(), runs: [failed, succeeded], now: justBeforeTheHour });
    assert.deepEqual(plan.status.lastRun, {
      name: failed.metadata.name,
      phase: 'Failed',
      reason: 'FindingsAboveThreshold',
      completionTime: '2016-05-19T09:06:00Z',
      findings: { critical: 1, high: 2, medium: 0, low: 0, info: 0, total: 3 },
    });
    assert.equal(plan.status.lastSuccessfulTime, '2016-05-19T08:59:10Z');
    const condition = plan.status.conditions?.find((c) => c.type === 'LastRunSucceeded');
    assert.deepEqual([condition?.status, condition?.reason], ['False', 'FindingsAboveThreshold']);
  });

  it('has no LastRunSucceeded condition before any run finished', () => {
    const plan = planSchedule({ schedule: hourly(), runs: [], now: justBeforeTheHour });
    assert.equal(
      plan.status.conditions?.some((c) => c.type === 'LastRunSucceeded'),
      false,
    );
  });

  it('keeps lastTransitionTime while status and reason are unchanged, and sets it to now on a change', () => {
    const first = planSchedule({ schedule: hourly({ metadata: { generation: 1 } }), runs: [], now: justBeforeTheHour });
    const later = planSchedule({
      schedule: hourly({ metadata: { generation: 1 }, status: first.status }),
      runs: [],
      now: topOfTheHour,
    });
    const ready = (plan: typeof first) => plan.status.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready(later)?.lastTransitionTime, '2016-05-19T09:59:00Z');
    const suspended = planSchedule({
      schedule: hourly({ spec: { suspend: true }, metadata: { generation: 2 }, status: first.status }),
      runs: [],
      now: topOfTheHour,
    });
    assert.equal(ready(suspended)?.lastTransitionTime, '2016-05-19T10:00:00Z');
    assert.equal(ready(suspended)?.observedGeneration, 2);
  });

  it('keeps conditions of other types that someone else wrote', () => {
    const foreign = {
      type: 'Audited',
      status: 'True' as const,
      lastTransitionTime: '2016-01-01T00:00:00Z',
      reason: 'Done',
      message: '',
    };
    const plan = planSchedule({
      schedule: hourly({ status: { conditions: [foreign] } }),
      runs: [],
      now: justBeforeTheHour,
    });
    assert.deepEqual(plan.status.conditions?.at(-1), foreign);
  });

  it('shows the effective schedule with H expanded', () => {
    const plan = planSchedule({
      schedule: aSchedule({ spec: { schedule: 'H 2 * * *' } }),
      runs: [],
      now: justBeforeTheHour,
    });
    assert.match(plan.status.effectiveSchedule ?? '', /^\d+ 2 \* \* \*$/);
  });

  it('writes the same status twice for the same inputs (nothing to patch on a quiet reconcile)', () => {
    const first = planSchedule({
      schedule: hourly(),
      runs: [aSucceededRun(justAfterThePriorHour)],
      now: justBeforeTheHour,
    });
    const world = applyPlan(
      { schedule: hourly(), runs: [aSucceededRun(justAfterThePriorHour)] },
      first,
      justBeforeTheHour,
    );
    const second = planSchedule({ ...world, now: plus(justBeforeTheHour, 10 * SECOND) });
    assert.deepEqual(second.status, first.status);
  });
});

describe('planSchedule: sub-minute periods', () => {
  it('@every 20s creates a run for each time, three a minute, each with its own name', () => {
    let world = {
      schedule: aSchedule({ spec: { schedule: '@every 20s', concurrencyPolicy: 'Allow' } }),
      runs: [] as ScanRun[],
    };
    let now = plus(justBeforeTheHour, 20 * SECOND);
    for (let i = 0; i < 3; i += 1) {
      const plan = planSchedule({ ...world, now });
      world = applyPlan(world, plan, now);
      now = plus(now, plan.requeueAfterMs ?? 0);
    }
    assert.deepEqual(
      world.runs.map((run) => run.spec.scheduledTime),
      ['2016-05-19T09:59:20Z', '2016-05-19T09:59:40Z', '2016-05-19T10:00:00Z'],
    );
    assert.equal(new Set(world.runs.map((run) => run.metadata.name)).size, 3);
  });
});

describe('planSchedule: a day of reconciles', () => {
  it('runs a daily Berlin schedule once a day across the spring-forward night, one run per nominal time', () => {
    let world = {
      schedule: aSchedule({
        spec: { schedule: '30 2 * * *', timezone: 'Europe/Berlin', concurrencyPolicy: 'Forbid' },
        metadata: { creationTimestamp: '2026-03-27T12:00:00Z' },
      }),
      runs: [] as ScanRun[],
    };
    let now = new Date('2026-03-27T12:00:00Z');
    const end = new Date('2026-03-31T00:00:00Z').getTime();
    while (now.getTime() < end) {
      const plan = planSchedule({ ...world, now });
      world = finishRuns(applyPlan(world, plan, now), now, () => 'Succeeded');
      now = new Date(now.getTime() + (plan.requeueAfterMs ?? DAY));
    }
    assert.deepEqual(
      world.runs.map((run) => run.metadata.annotations?.['jmo.security/scheduled-time']),
      ['2026-03-28T02:30:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-30T02:30:00+02:00'],
    );
  });
});

describe('planSchedule: skipped due times are reported, not dropped', () => {
  const cases: {
    name: string;
    lastScheduleTime: string;
    message?: RegExp;
    lastMissedTime?: string;
    missedCount: number;
  }[] = [
    {
      name: 'warns MissedSchedule with the count and the range of the skipped times, and runs the latest',
      lastScheduleTime: '2016-05-19T07:00:00Z',
      message:
        /^Skipped 2 scheduled times from 2016-05-19T08:00:00Z to 2016-05-19T09:00:00Z that could not start in time .*; only the latest, 2016-05-19T10:00:00Z, runs$/,
      lastMissedTime: '2016-05-19T09:00:00Z',
      missedCount: 2,
    },
    {
      name: 'names the one skipped time',
      lastScheduleTime: '2016-05-19T08:00:00Z',
      message:
        /^Skipped 1 scheduled time at 2016-05-19T09:00:00Z that could not start in time .*; only the latest, 2016-05-19T10:00:00Z, runs$/,
      lastMissedTime: '2016-05-19T09:00:00Z',
      missedCount: 1,
    },
    {
      name: 'warns nothing when only the latest time is unmet',
      lastScheduleTime: '2016-05-19T09:00:00Z',
      missedCount: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planSchedule({
        schedule: hourly({ status: { lastScheduleTime: c.lastScheduleTime } }),
        runs: [],
        now: justAfterTheHour,
      });
      assert.deepEqual(
        plan.create.map((run) => run.spec.scheduledTime),
        ['2016-05-19T10:00:00Z'],
      );
      const warnings = plan.events.filter((event) => event.type === 'Warning');
      if (c.message === undefined) assert.deepEqual(warnings, []);
      else {
        assert.deepEqual(
          warnings.map((event) => event.reason),
          [Reason.MissedSchedule],
        );
        assert.match(warnings[0]?.message ?? '', c.message);
      }
      assert.equal(plan.status.lastMissedTime, c.lastMissedTime);
      assert.equal(plan.missedCount, c.missedCount);
    });
  }
});

describe('planSchedule: status times and runs are inputs, not facts', () => {
  const past = (run: ScanRun, name: string): ScanRun => ({ ...run, metadata: { ...run.metadata, name } });
  const cases: {
    name: string;
    status?: { lastScheduleTime?: string; lastMissedTime?: string };
    runs?: ScanRun[];
    creates: string[];
    warnings: string[];
    lastScheduleTime: string;
  }[] = [
    {
      name: 'clamps a lastScheduleTime in 2099 to now with a StatusTimeInFuture Warning: the schedule goes on',
      status: { lastScheduleTime: '2099-01-01T00:00:00Z' },
      creates: [],
      warnings: [Reason.StatusTimeInFuture],
      lastScheduleTime: '2016-05-19T10:01:00Z',
    },
    {
      name: 'clamps a lastScheduleTime less than 60 s ahead (clock skew between replicas) without a Warning',
      status: { lastScheduleTime: '2016-05-19T10:01:30Z' },
      creates: [],
      warnings: [],
      lastScheduleTime: '2016-05-19T10:01:00Z',
    },
    {
      // Like a clamped lastScheduleTime, now counts as handled: at most the one time due now is lost, with the Warning.
      name: 'clamps a lastMissedTime in the future to now with a StatusTimeInFuture Warning',
      status: { lastScheduleTime: '2016-05-19T09:00:00Z', lastMissedTime: '2099-01-01T00:00:00Z' },
      creates: [],
      warnings: [Reason.StatusTimeInFuture],
      lastScheduleTime: '2016-05-19T09:00:00Z',
    },
    {
      name: 'trusts a scheduled run with the name of its past time (a lost status write)',
      status: { lastScheduleTime: '2016-05-19T09:00:00Z' },
      runs: [aSucceededRun(topOfTheHour)],
      creates: [],
      warnings: [],
      lastScheduleTime: '2016-05-19T10:00:00Z',
    },
    {
      name: 'does not trust a scheduled run whose name is not the name of its time (a copy)',
      status: { lastScheduleTime: '2016-05-19T09:00:00Z' },
      runs: [past(aSucceededRun(topOfTheHour), 'nightly-copy')],
      creates: ['2016-05-19T10:00:00Z'],
      warnings: [],
      lastScheduleTime: '2016-05-19T10:00:00Z',
    },
    {
      name: 'does not let a forged run with scheduledTime 2099 (and that time’s name) silence the schedule',
      status: { lastScheduleTime: '2016-05-19T09:00:00Z' },
      runs: [aSucceededRun(new Date('2099-01-01T00:00:00Z'))],
      creates: ['2016-05-19T10:00:00Z'],
      warnings: [],
      lastScheduleTime: '2016-05-19T10:00:00Z',
    },
    {
      name: 'does not let a forged run with scheduledTime 2099 under another name silence the schedule',
      status: { lastScheduleTime: '2016-05-19T09:00:00Z' },
      runs: [past(aSucceededRun(new Date('2099-01-01T00:00:00Z')), 'nightly-24394141')],
      creates: ['2016-05-19T10:00:00Z'],
      warnings: [],
      lastScheduleTime: '2016-05-19T10:00:00Z',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planSchedule({
        schedule: hourly(c.status === undefined ? {} : { status: c.status }),
        runs: c.runs ?? [],
        now: justAfterTheHour,
      });
      assert.deepEqual(
        plan.create.map((run) => run.spec.scheduledTime),
        c.creates,
      );
      assert.deepEqual(reasonsOf(plan.events, 'Warning'), c.warnings);
      assert.equal(plan.status.lastScheduleTime, c.lastScheduleTime);
      for (const time of [plan.status.lastScheduleTime, plan.status.lastMissedTime, plan.status.nextScheduleTime]) {
        assert.ok(time === undefined || !time.startsWith('2099'), `no 2099 left in status: ${time}`);
      }
    });
  }

  it('runs the next due time after a clamped lastScheduleTime', () => {
    const first = planSchedule({
      schedule: hourly({ status: { lastScheduleTime: '2099-01-01T00:00:00Z' } }),
      runs: [],
      now: justAfterTheHour,
    });
    const next = planSchedule({
      schedule: hourly({ status: first.status }),
      runs: [],
      now: plus(topOfTheHour, HOUR + SECOND),
    });
    assert.deepEqual(
      next.create.map((run) => run.spec.scheduledTime),
      ['2016-05-19T11:00:00Z'],
    );
    assert.deepEqual(reasonsOf(next.events, 'Warning'), []);
  });
});

describe('planSchedule: a Job the API server rejected stalls the schedule', () => {
  const rejection = 'the API server rejected the scan Job: spec.template.spec.volumes[0].name: Required value';
  const rejected = planSchedule({ schedule: hourly(), runs: [], now: justAfterTheHour, jobRejected: rejection });
  const condition = (plan: { status: ScanSchedule['status'] }, type: string) =>
    plan.status?.conditions?.find((c) => c.type === type);

  it('creates nothing, sets Ready=False and Stalled=True with reason JobRejected, warns once, and does not requeue', () => {
    assert.deepEqual(rejected.create, []);
    assert.deepEqual(
      [condition(rejected, 'Ready')?.status, condition(rejected, 'Ready')?.reason],
      ['False', Reason.JobRejected],
    );
    assert.deepEqual(
      [condition(rejected, 'Stalled')?.status, condition(rejected, 'Stalled')?.reason],
      ['True', Reason.JobRejected],
    );
    assert.equal(condition(rejected, 'Ready')?.message, rejection);
    assert.deepEqual(reasonsOf(rejected.events, 'Warning'), [Reason.JobRejected]);
    assert.equal(rejected.requeueAfterMs, null);
  });

  const later: { name: string; generation: number; creates: string[]; warnings: string[] }[] = [
    {
      name: 'stays stalled, without a new run or a second Event, while the generation is the same',
      generation: 1,
      creates: [],
      warnings: [],
    },
    {
      name: 'schedules again once the spec is edited (a new generation)',
      generation: 2,
      creates: ['2016-05-19T11:00:00Z'],
      warnings: [],
    },
  ];
  for (const c of later) {
    it(c.name, () => {
      const schedule = hourly({
        metadata: { generation: c.generation },
        status: { ...rejected.status, lastScheduleTime: '2016-05-19T10:00:00Z' },
      });
      const plan = planSchedule({ schedule, runs: [], now: plus(topOfTheHour, HOUR + SECOND) });
      assert.deepEqual(
        plan.create.map((run) => run.spec.scheduledTime),
        c.creates,
      );
      assert.deepEqual(reasonsOf(plan.events, 'Warning'), c.warnings);
    });
  }
});

// Runs created before the upgrade to seconds-only names carry the legacy name of their time (unix minutes on
// the whole minute). A time met by such a run must stay met, or an upgrade in the middle of a due time (the
// old controller created the run, its status write was lost) would run that time a second time.
describe('planSchedule: runs named before the upgrade to seconds-only names', () => {
  const named = (run: ScanRun, name: string): ScanRun => ({ ...run, metadata: { ...run.metadata, name } });
  const legacyNamed = (run: ScanRun): ScanRun =>
    named(run, legacyScheduledRunName(SCHEDULE_NAME, Date.parse(run.spec.scheduledTime)));
  const cases: {
    name: string;
    lastScheduleTime: string;
    runs: ScanRun[];
    now: Date;
    creates: string[];
    warnings: string[];
    lastScheduleTimeAfter: string;
  }[] = [
    {
      name: 'an old-named run for the due time (its status write lost) means no second run under the new name',
      lastScheduleTime: '2016-05-19T09:00:00Z',
      runs: [legacyNamed(aRun({ scheduledAt: topOfTheHour, phase: 'Running', startTime: topOfTheHour }))],
      now: justAfterTheHour,
      creates: [],
      warnings: [],
      lastScheduleTimeAfter: '2016-05-19T10:00:00Z',
    },
    {
      // Not among the schedule's runs any more, but its name is still taken: the time is met, as for a new name.
      name: 'an old-named run for the due time that is being deleted still means no second run',
      lastScheduleTime: '2016-05-19T09:00:00Z',
      runs: [legacyNamed(aRun({ scheduledAt: topOfTheHour, deleting: true }))],
      now: justAfterTheHour,
      creates: [],
      warnings: [],
      lastScheduleTimeAfter: '2016-05-19T10:00:00Z',
    },
    {
      name: 'an old-named run vouches for lastScheduleTime: only the time after it runs, nothing is reported skipped',
      lastScheduleTime: '2016-05-19T07:00:00Z',
      runs: [legacyNamed(aSucceededRun(plus(topOfTheHour, -HOUR)))],
      now: justAfterTheHour,
      creates: ['2016-05-19T10:00:00Z'],
      warnings: [],
      lastScheduleTimeAfter: '2016-05-19T10:00:00Z',
    },
    {
      name: 'an old-named finished run vouches for lastScheduleTime when status was lost',
      lastScheduleTime: '2016-05-19T07:00:00Z',
      runs: [legacyNamed(aSucceededRun(topOfTheHour))],
      now: plus(topOfTheHour, 30 * MINUTE),
      creates: [],
      warnings: [],
      lastScheduleTimeAfter: '2016-05-19T10:00:00Z',
    },
    {
      name: 'a run under neither name of its time (a copy) still vouches for nothing',
      lastScheduleTime: '2016-05-19T09:00:00Z',
      runs: [named(aSucceededRun(topOfTheHour), 'nightly-10')],
      now: justAfterTheHour,
      creates: ['2016-05-19T10:00:00Z'],
      warnings: [],
      lastScheduleTimeAfter: '2016-05-19T10:00:00Z',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planSchedule({
        schedule: hourly({ status: { lastScheduleTime: c.lastScheduleTime } }),
        runs: c.runs,
        now: c.now,
      });
      assert.deepEqual(
        plan.create.map((run) => [run.metadata.name, run.spec.scheduledTime]),
        c.creates.map((time) => [scheduledRunName(SCHEDULE_NAME, Date.parse(time)), time]),
      );
      assert.deepEqual(reasonsOf(plan.events, 'Warning'), c.warnings);
      assert.equal(plan.status.lastScheduleTime, c.lastScheduleTimeAfter);
    });
  }

  it('the legacy name of a time on the whole minute differs from its new name (the cases above test something)', () => {
    assert.notEqual(
      legacyScheduledRunName(SCHEDULE_NAME, topOfTheHour.getTime()),
      scheduledRunName(SCHEDULE_NAME, topOfTheHour.getTime()),
    );
  });
});
