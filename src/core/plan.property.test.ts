// Invariants of planSchedule over random schedules, zones, run histories and clocks: a sequence of
// reconciles is simulated, each plan applied as the controller would (created runs fed back, cancelled runs
// marked, deleted runs removed, status written), with runs finishing at random in between.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ConcurrencyPolicy, ScanRun } from '../api/types.ts';
import { nextRuns } from '../schedule/next-runs.ts';
import { applyPlan, finishRuns, type World } from '../testing/apply-plan.ts';
import { aSchedule, HOUR } from '../testing/builders.ts';
import { isFinished } from './owned-runs.ts';
import { planSchedule, REQUEUE_DELAY_MS } from './plan.ts';

const timings = [
  { schedule: '*/5 * * * *' },
  { schedule: '0 * * * *' },
  { schedule: '30 2 * * *' },
  { schedule: '0 2,3 * * *' },
  { schedule: '*/15 9-17 * * 1-5' },
  { schedule: 'H/10 * * * *' },
  { schedule: '0 0 * * 0' },
  { schedule: '@every 7m' },
  { schedule: '@every 1h' },
  { interval: '15m' },
  { interval: '1h' },
];
const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kolkata'];
// Days with a DST transition in one of the zones, and an ordinary one.
const startDays = [
  '2026-03-08',
  '2026-03-29',
  '2026-04-05',
  '2026-09-06',
  '2026-10-04',
  '2026-10-25',
  '2026-11-01',
  '2026-06-15',
];

const step = fc.record({
  followRequeue: fc.boolean(),
  waitMs: fc.integer({ min: 0, max: 3 * HOUR }),
  finish: fc.constantFrom('none', 'none', 'succeed', 'fail'),
  runNow: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  toggleSuspend: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const scenario = fc.record({
  timing: fc.constantFrom(...timings),
  zone: fc.constantFrom(...zones),
  policy: fc.constantFrom<ConcurrencyPolicy>('Allow', 'Forbid', 'Replace'),
  deadline: fc.option(fc.integer({ min: 0, max: 2 * 3600 }), { nil: undefined }),
  successLimit: fc.integer({ min: 0, max: 4 }),
  failedLimit: fc.integer({ min: 0, max: 4 }),
  suspend: fc.boolean(),
  startDay: fc.constantFrom(...startDays),
  startOffsetMs: fc.integer({ min: 0, max: 24 * HOUR }),
  steps: fc.array(step, { minLength: 5, maxLength: 25 }),
});

const activeRuns = (runs: readonly ScanRun[]): ScanRun[] =>
  runs.filter((run) => !isFinished(run) && run.metadata.deletionTimestamp === undefined);

describe('planSchedule invariants over simulated reconciles', () => {
  it('never two runs for one nominal time; nothing scheduled while suspended; Forbid never overlaps; requeue never after the next due time; history within limits', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        let now = new Date(Date.parse(`${s.startDay}T00:00:00Z`) + s.startOffsetMs - 12 * HOUR);
        let world: World = {
          schedule: aSchedule({
            metadata: { creationTimestamp: now.toISOString() },
            spec: {
              schedule: undefined,
              ...s.timing,
              timezone: s.zone,
              concurrencyPolicy: s.policy,
              suspend: s.suspend,
              successfulJobsHistoryLimit: s.successLimit,
              failedJobsHistoryLimit: s.failedLimit,
              ...(s.deadline === undefined ? {} : { startingDeadlineSeconds: s.deadline }),
            },
          }),
          runs: [],
        };
        const scheduledTimes = new Set<string>();
        let lastMissed = '';

        s.steps.forEach((st, index) => {
          if (st.toggleSuspend) {
            world = {
              ...world,
              schedule: { ...world.schedule, spec: { ...world.schedule.spec, suspend: !world.schedule.spec.suspend } },
            };
          }
          if (st.runNow) {
            const annotations = { 'jmo.security/run-now': `token-${index}` };
            world = {
              ...world,
              schedule: { ...world.schedule, metadata: { ...world.schedule.metadata, annotations } },
            };
          }
          const plan = planSchedule({ ...world, now });
          const scheduled = plan.create.filter((run) => run.spec.trigger === 'schedule');
          const existingNames = new Set(world.runs.map((run) => run.metadata.name));

          assert.ok(scheduled.length <= 1, 'at most one scheduled run per reconcile');
          for (const run of plan.create)
            assert.ok(!existingNames.has(run.metadata.name), `re-creates ${run.metadata.name}`);
          for (const run of scheduled) {
            assert.ok(!scheduledTimes.has(run.spec.scheduledTime), `two runs for ${run.spec.scheduledTime}`);
            scheduledTimes.add(run.spec.scheduledTime);
            assert.ok(Date.parse(run.spec.scheduledTime) <= now.getTime(), 'runs only due times');
          }
          if (world.schedule.spec.suspend === true) assert.deepEqual(scheduled, [], 'created while suspended');
          if (s.policy === 'Forbid' && scheduled.length > 0) {
            assert.deepEqual(activeRuns(world.runs), [], 'Forbid created beside an active run');
            assert.equal(plan.create.length, 1, 'Forbid created beside a manual run');
          }

          if (plan.requeueAfterMs !== null) {
            assert.ok(plan.requeueAfterMs >= REQUEUE_DELAY_MS);
            assert.equal(
              plan.status.nextScheduleTime,
              new Date(now.getTime() + plan.requeueAfterMs - REQUEUE_DELAY_MS).toISOString().replace('.000Z', 'Z'),
            );
          }
          if (s.timing.schedule !== undefined && !s.timing.schedule.startsWith('@every')) {
            const [next] = nextRuns(
              { ...s.timing, timezone: s.zone },
              { from: now, count: 1, namespace: 'security', name: 'nightly' },
            );
            assert.ok(plan.requeueAfterMs !== null, 'a cron schedule always requeues');
            assert.ok(
              next !== undefined && now.getTime() + plan.requeueAfterMs <= next.at.getTime() + REQUEUE_DELAY_MS,
              'requeue after the next due time',
            );
          }

          const finished = world.runs.filter(isFinished);
          const deleted = new Set(plan.delete);
          const kept = finished.filter((run) => !deleted.has(run.metadata.name ?? ''));
          assert.ok(
            kept.filter((run) => run.status?.phase === 'Succeeded').length <= s.successLimit,
            'successful history over the limit',
          );
          assert.ok(
            kept.filter((run) => run.status?.phase !== 'Succeeded').length <= s.failedLimit,
            'failed history over the limit',
          );
          for (const name of plan.delete)
            assert.ok(
              finished.some((run) => run.metadata.name === name),
              'deletes only finished runs',
            );

          const missed = plan.events.filter((event) => event.reason === 'MissedSchedule');
          if (missed.length > 0) {
            assert.ok((plan.status.lastMissedTime ?? '') > lastMissed, 'a missed time reported twice');
            lastMissed = plan.status.lastMissedTime ?? '';
          }

          world = applyPlan(world, plan, now);
          now = new Date(
            now.getTime() + (st.followRequeue && plan.requeueAfterMs !== null ? plan.requeueAfterMs : st.waitMs),
          );
          world = finishRuns(world, now, () =>
            st.finish === 'succeed' ? 'Succeeded' : st.finish === 'fail' ? 'Failed' : undefined,
          );
        });
      }),
      { numRuns: 150 },
    );
  });
});
