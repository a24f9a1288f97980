// A burst of schedules due at one instant, against a real API server: the controller creates every run before
// the Jobs and those before the status writes (the work queue's lanes), and nothing is lost by the order: each
// run gets its Job, and each schedule's status ends as one pass would have written it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runHadJob } from '../../src/core/started-jobs.ts';
import type { RunningController } from '../../src/kube/controller.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import {
  aSchedule,
  type ClusterClients,
  createNamespace,
  createSchedule,
  eventually,
  getSchedule,
  metricTotal,
  runsOf,
  startClusterForController,
  startTestController,
} from './controller-harness.ts';

const N = 30;
const ns = 'burst';
const names = Array.from({ length: N }, (_, i) => `scan-${String(i).padStart(2, '0')}`);

describe('controller: a burst of due schedules', () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  let controller: RunningController | undefined;

  before(async () => {
    ({ controlPlane, clients } = await startClusterForController());
    await createNamespace(clients, ns);
  });
  after(async () => {
    await controller?.stop();
    await controlPlane?.stop();
  });

  it('creates every due run first, then the Jobs, then the status writes, and every schedule ends complete', async () => {
    // Every minute, Allow: each schedule's first due time is the next minute boundary after its creation.
    await Promise.all(
      names.map((name) =>
        createSchedule(clients, aSchedule(ns, name, { schedule: '* * * * *', concurrencyPolicy: 'Allow' })),
      ),
    );
    const boundaryMs = Math.ceil((Date.now() + 1) / 60_000) * 60_000;
    // Started after the boundary, one worker: all N keys are queued at once (the start-up pass), all due.
    await eventually(
      'the minute boundary to pass',
      async () => (Date.now() >= boundaryMs + 1_000 ? true : undefined),
      90_000,
    );
    controller = await startTestController(clients, { maxConcurrentReconciles: 1 });
    const started = controller;
    const scheduledTime = new Date(boundaryMs).toISOString().replace('.000Z', 'Z');

    for (const name of names) {
      // The end state: status records the run, and the Job is recorded (in status.startedJobs, or once its pod
      // shows, in the run's own status).
      const { schedule, run, others } = await eventually(`${name}'s status to record its run and Job`, async () => {
        const s = await getSchedule(clients, ns, name);
        const [r, ...rest] = await runsOf(clients, ns, name);
        const complete = s.status?.lastScheduleTime === scheduledTime && s.status.active === 1;
        return complete && r !== undefined && runHadJob(r, s) ? { schedule: s, run: r, others: rest } : undefined;
      });
      assert.equal(others.length, 0, `${name}: one run for one due time`);
      assert.equal(run.spec.scheduledTime, scheduledTime);
      assert.deepEqual(schedule.status?.activeRuns, [run.metadata.name]);
      const job = await clients.batch.readNamespacedJob({ namespace: ns, name: run.metadata.name ?? '' });
      assert.equal(job.metadata?.ownerReferences?.[0]?.uid, run.metadata.uid, 'the run owns its Job');
    }
    // Every key but the last of its lane left its Job, and then its status write, to a later pass.
    const deferred = await metricTotal(started, 'scanschedule_reconcile_total', { result: 'deferred' });
    assert.ok(deferred >= 2 * (N - 1), `deferred passes: ${deferred}, expected at least ${2 * (N - 1)}`);
  });
});
