// A spec the CRD accepts but the controller cannot schedule (docs/design.md §3, "validation happens three times"): the
// controller reports it once (Ready=False, Stalled=True, one Warning Event), then waits for an edit without
// writing or reconciling in a loop, and goes on with the other schedules. A backend it does not run is Ready.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Condition, ScanSchedule, ScanScheduleSpec } from '../../src/api/types.ts';
import type { RunningController } from '../../src/kube/controller.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import {
  aSchedule,
  type ClusterClients,
  consistently,
  createNamespace,
  createSchedule,
  deleteSchedule,
  eventsAbout,
  eventually,
  getSchedule,
  metricTotal,
  patchScheduleSpec,
  runsOf,
  startClusterForController,
  startTestController,
} from './controller-harness.ts';

/** How long a stalled schedule is watched for writes, Events and reconciles it should not cause. */
const QUIET_WINDOW_MS = 10_000;

/** Reconciles a stalled schedule may still see, from watch events of other objects. */
const HANDFUL = 5;
/**
 * A generous bound on the reconciles one run of a valid schedule causes: the requeue at its due time, then the run,
 * its Job, its pod and the status writes each bring the schedule back once (3 to 4 in practice).
 */
const RECONCILES_PER_STEADY_RUN = 8;

interface ReconcileCounts {
  total: number;
  success: number;
  since(before: ReconcileCounts): { total: number; success: number };
}

async function reconcileCounts(controller: RunningController): Promise<ReconcileCounts> {
  const total = await metricTotal(controller, 'scanschedule_reconcile_total');
  const success = await metricTotal(controller, 'scanschedule_reconcile_total', { result: 'success' });
  return {
    total,
    success,
    since: (before) => ({ total: total - before.total, success: success - before.success }),
  };
}

const conditionOf = (schedule: ScanSchedule, type: string): Condition | undefined =>
  schedule.status?.conditions?.find((c) => c.type === type);

describe('controller: a spec only an edit can fix', () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  let controller: RunningController;

  before(async () => {
    ({ controlPlane, clients } = await startClusterForController());
    controller = await startTestController(clients);
  });
  after(async () => {
    await controller?.stop();
    await controlPlane?.stop();
  });

  interface InvalidCase {
    name: string;
    namespace: string;
    spec: Partial<ScanScheduleSpec>;
    reason: 'InvalidSchedule' | 'UnknownTimeZone';
    /** What the condition and the Event must tell the user: the problem and the fix. */
    message: RegExp;
    fix: Partial<ScanScheduleSpec>;
  }
  const cases: InvalidCase[] = [
    {
      name: 'a date that never comes (0 0 30 2 *)',
      namespace: 'feb-30',
      spec: { schedule: '0 0 30 2 *' },
      reason: 'InvalidSchedule',
      message: /"0 0 30 2 \*" never matches: February has no 30th\. Use a day of the month that exists/,
      fix: { schedule: '@every 2s' },
    },
    // A misspelt zone (Europe/Berlim) and an unsupported token (0 0 L * *) no longer reach the controller: the
    // CRD's enum and pattern refuse them at apply (apply-time-validation.test.ts). What a pattern cannot see
    // still does, and the controller stays the last line of defence for it.
    {
      name: 'a range that runs backwards (0 0 5-1 * *)',
      namespace: 'backwards',
      spec: { schedule: '0 0 5-1 * *' },
      reason: 'InvalidSchedule',
      message: /the range "5-1" in the day-of-month field runs backwards\. Write the smaller value first/,
      fix: { schedule: '@every 2s' },
    },
  ];

  for (const c of cases) {
    it(`stalls quietly on ${c.name}, keeps scheduling the others, and recovers when the spec is fixed`, async () => {
      const ns = c.namespace;
      await createNamespace(clients, ns);
      await createSchedule(clients, aSchedule(ns, 'steady', { schedule: '@every 2s', concurrencyPolicy: 'Allow' }));
      const created = await createSchedule(clients, aSchedule(ns, 'broken', c.spec));

      const stalled = await eventually(`Ready=False with reason ${c.reason}`, async () => {
        const s = await getSchedule(clients, ns, 'broken');
        return conditionOf(s, 'Ready')?.status === 'False' ? s : undefined;
      });
      const ready = conditionOf(stalled, 'Ready');
      assert.equal(ready?.reason, c.reason);
      assert.match(ready?.message ?? '', c.message);
      assert.equal(ready?.observedGeneration, created.metadata.generation);
      assert.equal(conditionOf(stalled, 'Stalled')?.status, 'True');
      assert.equal(conditionOf(stalled, 'Stalled')?.reason, c.reason);
      assert.equal(stalled.status?.nextScheduleTime, undefined, 'a schedule that cannot run has no next time');

      const [warning] = await eventually(`a ${c.reason} Warning Event`, async () => {
        const events = await eventsAbout(clients, ns, created.metadata.uid ?? '');
        return events.length > 0 ? events : undefined;
      });
      assert.equal(warning?.type, 'Warning');
      assert.equal(warning?.reason, c.reason);
      assert.equal(warning?.note, ready?.message, 'the Event says what the condition says');

      // From here on nothing about the broken schedule may change: no status write (its resourceVersion), no new
      // Event and no repeat of this one (a repeat patches the Event's series), no runs. Meanwhile the steady schedule
      // next to it keeps running: the controller goes on with the other schedules. An edit that leaves the spec as
      // it is (an annotation) reconciles the broken schedule once more: that pass must find it reported already.
      const reconcilesBefore = await reconcileCounts(controller);
      const steadyRunsBefore = (await runsOf(clients, ns, 'steady')).length;
      const poked = await clients.objects.annotateSchedule(ns, 'broken', 'test.jmo.security/poke', 'once');
      await consistently('the broken schedule and its Event to stay as they were', QUIET_WINDOW_MS, async () => {
        const now = await getSchedule(clients, ns, 'broken');
        if (now.metadata.resourceVersion !== poked.metadata.resourceVersion) {
          return `status rewritten (resourceVersion ${poked.metadata.resourceVersion} → ${now.metadata.resourceVersion}): ${JSON.stringify(now.status)}`;
        }
        const events = await eventsAbout(clients, ns, created.metadata.uid ?? '');
        if (events.length !== 1)
          return `${events.length} Events: ${events.map((e) => `${e.type}/${e.reason}`).join(', ')}`;
        if (events[0]?.metadata?.resourceVersion !== warning?.metadata?.resourceVersion) {
          return `the Event was updated: series ${JSON.stringify(events[0]?.series)}`;
        }
        const runs = await runsOf(clients, ns, 'broken');
        return runs.length === 0 ? undefined : `${runs.length} runs`;
      });
      const steadyRuns = (await runsOf(clients, ns, 'steady')).length - steadyRunsBefore;
      assert.ok(steadyRuns >= 3, `the steady schedule made ${steadyRuns} runs in ${QUIET_WINDOW_MS} ms`);
      const reconciles = (await reconcileCounts(controller)).since(reconcilesBefore);
      // The broken schedule's reconciles end without a requeue ("success"): the poke's, and a handful at most from
      // stray watch events. The rest are the steady schedule's, a few per run it creates. A write loop already shows
      // in the resourceVersion; a loop that only requeues shows here (every 100 ms: about a hundred more).
      assert.ok(reconciles.success <= HANDFUL, `${reconciles.success} reconciles without requeue in the window`);
      assert.ok(
        reconciles.total <= steadyRuns * RECONCILES_PER_STEADY_RUN + HANDFUL,
        `${reconciles.total} reconciles in ${QUIET_WINDOW_MS} ms for ${steadyRuns} runs of the steady schedule`,
      );

      await patchScheduleSpec(clients, ns, 'broken', c.fix);
      const fixed = await eventually('Ready=True after the fix', async () => {
        const s = await getSchedule(clients, ns, 'broken');
        return conditionOf(s, 'Ready')?.status === 'True' ? s : undefined;
      });
      assert.equal(conditionOf(fixed, 'Ready')?.reason, 'Scheduled');
      assert.equal(conditionOf(fixed, 'Stalled')?.status, 'False');
      assert.ok(fixed.status?.nextScheduleTime !== undefined, 'a fixed schedule shows its next time');
      await eventually('a run of the fixed schedule', async () => {
        const runs = await runsOf(clients, ns, 'broken');
        return runs.length > 0 ? runs : undefined;
      });
      await deleteSchedule(clients, ns, 'broken');
      await deleteSchedule(clients, ns, 'steady');
      // Their runs, Jobs and pods go by garbage collection, each deletion a watch event that reconciles a schedule
      // that is gone: let that settle here rather than in the next case's quiet window.
      await eventually(`the pods in ${ns} to be collected`, async () => {
        const pods = await clients.core.listNamespacedPod({ namespace: ns });
        return pods.items.length === 0 ? true : undefined;
      });
    });
  }

  it('is Ready with reason ExternalBackend and creates no runs for a gitlab-ci backend', async () => {
    const ns = 'gitlab';
    await createNamespace(clients, ns);
    await createSchedule(clients, aSchedule(ns, 'exported', { schedule: '@every 2s', backend: { type: 'gitlab-ci' } }));
    const ready = await eventually('Ready=True', async () => {
      const s = await getSchedule(clients, ns, 'exported');
      return conditionOf(s, 'Ready')?.status === 'True' ? s : undefined;
    });
    assert.equal(conditionOf(ready, 'Ready')?.reason, 'ExternalBackend');
    assert.match(
      conditionOf(ready, 'Ready')?.message ?? '',
      /backend gitlab-ci runs this schedule outside the cluster/,
    );
    assert.equal(conditionOf(ready, 'Stalled')?.status, 'False');
    await consistently('no runs over several due times', 5_000, async () => {
      const runs = await runsOf(clients, ns, 'exported');
      return runs.length === 0 ? undefined : `runs: ${runs.map((r) => r.metadata.name).join(', ')}`;
    });
    await deleteSchedule(clients, ns, 'exported');
  });
});
