// The controller trusts only what it made (issue 9), on the real control plane: a Job deleted while the
// controller was down is not re-created (the scan would run twice and the status lie); a Job someone else
// created under a run's predictable name is never adopted (it could forge a clean result); and due times skipped
// during a controller outage leave a trace (Event with count and range, status.lastMissedTime, the missed counter).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Job } from '@kubernetes/client-node';
import type { ScanRun } from '../../src/api/types.ts';
import { scheduledRunName } from '../../src/core/run-names.ts';
import type { RunningController } from '../../src/kube/controller.ts';
import { METRIC_NAMES } from '../../src/observe/metrics.ts';
import { formatUtc } from '../../src/schedule/rfc3339.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import {
  aSchedule,
  type ClusterClients,
  consistently,
  createNamespace,
  createSchedule,
  eventsAbout,
  eventually,
  findingsMessage,
  findRun,
  finishScanPod,
  getSchedule,
  metricTotal,
  patchScheduleSpec,
  runsOf,
  startClusterForController,
  startScanPod,
  startTestController,
} from './controller-harness.ts';

const PERIOD_MS = 10_000;
const scheduledMs = (run: ScanRun): number => Date.parse(run.spec.scheduledTime);

async function jobsNamed(clients: ClusterClients, namespace: string, name: string): Promise<V1Job[]> {
  const jobs = await clients.batch.listNamespacedJob({ namespace, fieldSelector: `metadata.name=${name}` });
  return jobs.items;
}

describe('the controller trusts only what it made', () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  let controller: RunningController | undefined;

  before(async () => {
    ({ controlPlane, clients } = await startClusterForController());
    for (const ns of ['trust-deleted', 'trust-conflict', 'trust-skipped', 'trust-rejected']) {
      await createNamespace(clients, ns);
    }
  });
  after(async () => {
    await controller?.stop();
    await controlPlane?.stop();
  });

  it('does not re-create the Job of a Running run that was deleted while the controller was down: the run fails', {
    timeout: 150_000,
  }, async () => {
    const ns = 'trust-deleted';
    await createSchedule(clients, aSchedule(ns, 'deleted', { schedule: '@every 10s', concurrencyPolicy: 'Forbid' }));
    controller = await startTestController(clients);
    const first = await eventually('the first run', async () => (await runsOf(clients, ns, 'deleted'))[0]);
    const runName = first.metadata.name ?? '';
    await startScanPod(clients, ns, runName);
    await eventually('the run Running', async () =>
      (await findRun(clients, ns, runName))?.status?.phase === 'Running' ? true : undefined,
    );
    // No further runs: this test is about one run's Job.
    await patchScheduleSpec(clients, ns, 'deleted', { suspend: true });
    const [job] = await jobsNamed(clients, ns, runName);
    const originalUid = job?.metadata?.uid;
    assert.ok(originalUid !== undefined, 'the run has its Job');

    await controller.stop();
    controller = undefined;
    // The outage: someone (or the TTL controller) deletes the Job; the run still says Running.
    await clients.batch.deleteNamespacedJob({ namespace: ns, name: runName, propagationPolicy: 'Background' });
    await eventually('the Job gone', async () =>
      (await jobsNamed(clients, ns, runName)).length === 0 ? true : undefined,
    );
    assert.equal((await findRun(clients, ns, runName))?.status?.phase, 'Running', 'the run is Running in the outage');
    controller = await startTestController(clients);

    // Ends as soon as the run leaves Running or a Job of its name appears again, whichever comes first.
    const outcome = await eventually(
      'the run to end, or a second Job',
      async () => {
        const jobs = await jobsNamed(clients, ns, runName);
        if (jobs.length > 0) return { recreated: jobs[0]?.metadata?.uid, run: undefined };
        const run = await findRun(clients, ns, runName);
        return run?.status?.phase !== 'Running' && run?.status?.phase !== 'Pending'
          ? { recreated: undefined, run }
          : undefined;
      },
      60_000,
    );
    assert.equal(outcome.recreated, undefined, `a second Job ${runName} was created (first was ${originalUid})`);
    const ended = outcome.run;
    assert.equal(ended?.status?.phase, 'Failed', `the run ended ${ended?.status?.phase}/${ended?.status?.reason}`);
    assert.ok(
      ended?.status?.reason === 'JobDeleted' || ended?.status?.reason === 'JobLost',
      `reason ${ended?.status?.reason}: ${ended?.status?.message}`,
    );
    await consistently('no second Job for the run', 8_000, async () => {
      const jobs = await jobsNamed(clients, ns, runName);
      return jobs.length === 0
        ? undefined
        : `Job ${runName} exists again (uid ${jobs[0]?.metadata?.uid}, was ${originalUid})`;
    });
    assert.equal((await findRun(clients, ns, runName))?.status?.phase, 'Failed', 'the run stays Failed');
  });

  it('never adopts a Job it did not create under a run’s name: the run fails JobConflict with a Warning Event', {
    timeout: 150_000,
  }, async () => {
    const ns = 'trust-conflict';
    // Created while no controller runs, so the forged Job is in place before the first due time.
    await controller?.stop();
    controller = undefined;
    const schedule = await createSchedule(
      clients,
      aSchedule(ns, 'conflict', { schedule: '@every 10s', concurrencyPolicy: 'Forbid' }),
    );
    const createdMs = Date.parse(schedule.metadata.creationTimestamp ?? '');
    const runName = scheduledRunName('conflict', Math.floor(createdMs / 1000) * 1000 + PERIOD_MS);
    const forged = await clients.batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: runName, labels: { 'app.kubernetes.io/managed-by': 'scanschedule' } },
        spec: {
          backoffLimit: 0,
          template: {
            spec: { restartPolicy: 'Never', containers: [{ name: 'scan', image: 'attacker.example/clean:1' }] },
          },
        },
      },
    });
    controller = await startTestController(clients);
    const run = await eventually('the run of the forged Job’s name', () => findRun(clients, ns, runName), 60_000);
    // The forger's pod reports a clean scan, as the real one would.
    const clean = findingsMessage({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
    await finishScanPod(clients, ns, runName, { exitCode: 0, message: clean });

    const ended = await eventually(
      'the run to end',
      async () => {
        const current = await findRun(clients, ns, runName);
        const phase = current?.status?.phase;
        return phase === 'Succeeded' || phase === 'Failed' || phase === 'Cancelled' ? current : undefined;
      },
      60_000,
    );
    assert.equal(
      `${ended.status?.phase}/${ended.status?.reason}`,
      'Failed/JobConflict',
      `the run of a Job it did not create: ${ended.status?.message}`,
    );
    const [job] = await jobsNamed(clients, ns, runName);
    assert.equal(job?.metadata?.uid, forged.metadata?.uid, 'the forged Job is left as it was, not replaced');
    assert.deepEqual(job?.metadata?.ownerReferences ?? [], [], 'the forged Job was not adopted');
    const warning = await eventually('a Warning Event JobConflict', async () => {
      const events = [
        ...(await eventsAbout(clients, ns, run.metadata.uid ?? '')),
        ...(await eventsAbout(clients, ns, schedule.metadata.uid ?? '')),
      ];
      return events.find((e) => e.reason === 'JobConflict' && e.type === 'Warning');
    });
    assert.ok(warning.note?.includes(runName), `the Event names the Job: ${warning.note}`);
    await patchScheduleSpec(clients, ns, 'conflict', { suspend: true });
  });

  it('reports the due times skipped during a controller outage: one Event with count and range, lastMissedTime, the counter', {
    timeout: 180_000,
  }, async () => {
    const ns = 'trust-skipped';
    const schedule = await createSchedule(
      clients,
      aSchedule(ns, 'skipped', { schedule: '@every 10s', concurrencyPolicy: 'Allow' }),
    );
    controller ??= await startTestController(clients);
    await eventually('a first run', async () => ((await runsOf(clients, ns, 'skipped')).length > 0 ? true : undefined));
    await controller.stop();
    controller = undefined;
    // stop() finished the in-flight reconciles: nothing creates runs until the restart.
    const before = await runsOf(clients, ns, 'skipped');
    const lastMs = Math.max(...before.map(scheduledMs));
    const lastMissedBefore = (await getSchedule(clients, ns, 'skipped')).status?.lastMissedTime;
    // Down over four due times (last + 10 s … last + 40 s): the latest runs, three are skipped.
    const skipped = [1, 2, 3].map((k) => lastMs + k * PERIOD_MS);
    const latestDue = lastMs + 4 * PERIOD_MS;
    await sleep(Math.max(0, latestDue + 2_000 - Date.now()));
    assert.ok(Date.now() < latestDue + PERIOD_MS - 3_000, 'restarting before the next due time (test timing)');
    controller = await startTestController(clients);

    const after = await eventually('the run for the latest due time', async () => {
      const runs = await runsOf(clients, ns, 'skipped');
      return runs.some((r) => scheduledMs(r) === latestDue) ? runs : undefined;
    });
    assert.deepEqual(
      after.filter((r) => skipped.includes(scheduledMs(r))).map((r) => r.metadata.name),
      [],
      'only the latest due time runs after an outage',
    );

    const missedEvents = async () =>
      (await eventsAbout(clients, ns, schedule.metadata.uid ?? '')).filter((e) => e.reason === 'MissedSchedule');
    const [event] = await eventually('a MissedSchedule Event for the skipped times', async () => {
      const events = await missedEvents();
      return events.length > 0 ? events : undefined;
    });
    const note = event?.note ?? '';
    assert.match(note, /\b3\b/, `the Event names the count of skipped times: ${note}`);
    assert.ok(note.includes(formatUtc(skipped[0] ?? 0)), `the Event names the first skipped time: ${note}`);
    assert.ok(note.includes(formatUtc(skipped[2] ?? 0)), `the Event names the last skipped time: ${note}`);
    await sleep(3_000);
    assert.equal((await missedEvents()).length, 1, 'one Event for the outage, not one per time');

    const status = (await getSchedule(clients, ns, 'skipped')).status;
    assert.notEqual(status?.lastMissedTime, lastMissedBefore, 'status.lastMissedTime changed');
    assert.equal(
      status?.lastMissedTime,
      formatUtc(skipped[2] ?? 0),
      'status.lastMissedTime is the latest skipped time',
    );
    const missedTotal = await metricTotal(controller, METRIC_NAMES.missedSchedules);
    console.log(`skipped times: ${METRIC_NAMES.missedSchedules} ${missedTotal} after 3 skipped times; Event: ${note}`);
    assert.ok(missedTotal > 0, `${METRIC_NAMES.missedSchedules} counts the skipped times`);
    await patchScheduleSpec(clients, ns, 'skipped', { suspend: true });
  });
  it('treats a Job the API server refuses as a spec problem: one run fails, Ready=False JobRejected, one Warning, no more runs until the spec changes', {
    timeout: 150_000,
  }, async () => {
    const ns = 'trust-rejected';
    controller ??= await startTestController(clients);
    // A quantity the API server refuses when it validates the Job; the schema passes it through.
    const bad = { resources: { limits: { memory: 'lots' } } };
    const schedule = await createSchedule(
      clients,
      aSchedule(ns, 'rejected', { schedule: '@every 5s', backend: { type: 'kubernetes', config: bad } }),
    );
    const failed = await eventually('a run failed with JobRejected', async () =>
      (await runsOf(clients, ns, 'rejected')).find((r) => r.status?.reason === 'JobRejected'),
    );
    assert.equal(failed.status?.phase, 'Failed');
    const ready = await eventually('Ready=False with reason JobRejected', async () => {
      const conditions = (await getSchedule(clients, ns, 'rejected')).status?.conditions ?? [];
      return conditions.find((c) => c.type === 'Ready' && c.status === 'False' && c.reason === 'JobRejected');
    });
    assert.match(ready.message, /rejected the scan Job/);
    // Three more due times: no new run, no second Warning.
    await consistently('no run after the rejection', 16_000, async () => {
      const runs = await runsOf(clients, ns, 'rejected');
      return runs.length === 1 ? undefined : `${runs.length} runs`;
    });
    const warnings = (await eventsAbout(clients, ns, schedule.metadata.uid ?? '')).filter(
      (e) => e.reason === 'JobRejected' && e.type === 'Warning',
    );
    assert.equal(warnings.length, 1, 'one Warning Event for the rejection');
    assert.equal(warnings[0]?.series?.count ?? 1, 1, 'not repeated as a series either');

    // Fixing the spec (a new generation) brings the schedule back.
    await patchScheduleSpec(clients, ns, 'rejected', {
      backend: { type: 'kubernetes', config: { resources: { limits: { memory: '256Mi' } } } },
    });
    await eventually('a new run with a Job after the fix', async () => {
      const runs = await runsOf(clients, ns, 'rejected');
      return runs.some((r) => r.status?.jobName !== undefined && r.status?.reason !== 'JobRejected') ? true : undefined;
    });
    await patchScheduleSpec(clients, ns, 'rejected', { suspend: true });
  });
});
