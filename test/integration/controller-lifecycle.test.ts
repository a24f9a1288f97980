// The controller against a real API server: one ScanRun and one Job per due time, status that follows, and a
// finished scan recorded with its findings.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningController } from '../../src/kube/controller.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import {
  aSchedule,
  type ClusterClients,
  createNamespace,
  createSchedule,
  eventually,
  findingsMessage,
  finishScanPod,
  getSchedule,
  runsOf,
  startClusterForController,
  startTestController,
} from './controller-harness.ts';

describe('controller: a schedule from first run to result', () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  let controller: RunningController;
  const ns = 'lifecycle';

  before(async () => {
    ({ controlPlane, clients } = await startClusterForController());
    await createNamespace(clients, ns);
    controller = await startTestController(clients);
  });
  after(async () => {
    await controller?.stop();
    await controlPlane?.stop();
  });

  it('creates exactly one run and one Job for a due time, and records the finished scan', async () => {
    await createSchedule(clients, aSchedule(ns, 'nightly', { schedule: '@every 3s', concurrencyPolicy: 'Forbid' }));
    const [run] = await eventually('the first run', async () => {
      const runs = await runsOf(clients, ns, 'nightly');
      return runs.length > 0 ? runs : undefined;
    });
    assert.ok(run?.metadata.name);
    const runName = run.metadata.name;
    // The run is created first and its Job right after: the list may show the run a moment before the Job exists.
    const job = await eventually('the run’s Job', () =>
      clients.batch.readNamespacedJob({ namespace: ns, name: runName }).catch(() => undefined),
    );
    assert.equal(job.metadata?.ownerReferences?.[0]?.uid, run.metadata.uid, 'the run owns its Job');

    const active = await eventually('status to show the active run', async () => {
      const s = await getSchedule(clients, ns, 'nightly');
      return s.status?.active === 1 ? s : undefined;
    });
    assert.deepEqual(active.status?.activeRuns, [run.metadata.name]);
    assert.equal(active.status?.lastScheduleTime, run.spec.scheduledTime);
    assert.ok(active.status?.nextScheduleTime !== undefined);
    assert.equal(active.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

    await finishScanPod(clients, ns, run.metadata.name, {
      exitCode: 0,
      message: findingsMessage({ critical: 0, high: 2, medium: 5, low: 1, info: 0 }),
    });
    const done = await eventually('the run to succeed', async () => {
      const s = await getSchedule(clients, ns, 'nightly');
      return s.status?.lastRun?.name === run.metadata.name ? s : undefined;
    });
    assert.equal(done.status?.lastRun?.phase, 'Succeeded');
    assert.deepEqual(done.status?.lastRun?.findings, { critical: 0, high: 2, medium: 5, low: 1, info: 0, total: 8 });
    assert.ok(done.status?.lastSuccessfulTime !== undefined);
    assert.equal(done.status?.conditions?.find((c) => c.type === 'LastRunSucceeded')?.status, 'True');

    // Forbid kept it to one run at a time, and no due time got two runs.
    const runs = await runsOf(clients, ns, 'nightly');
    const times = runs.map((r) => r.spec.scheduledTime);
    assert.equal(new Set(times).size, times.length, `two runs for one time: ${times.join(', ')}`);
  });
});
