// reconcileSchedule over a fake cluster: the order and number of writes one pass makes, and what it does when a
// write fails. The planner's decisions themselves are pinned in plan.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { ScanRun, ScanSchedule } from '../api/types.ts';
import { aRun, aSchedule, instants, plus, SECOND } from '../testing/builders.ts';
import { FakeCluster } from '../testing/fake-cluster.ts';
import { RejectedError, TransientError } from './errors.ts';
import { reconcileSchedule } from './reconcile.ts';

const key = { namespace: 'security', name: 'nightly' };
const at = instants.justAfterTheHour;

function pass(cluster: FakeCluster, now: Date = at) {
  return reconcileSchedule(key, { cluster, clock: () => now, scannerImage: 'scanner:1' });
}

function withUid(run: ScanRun, uid: string): ScanRun {
  return { ...run, metadata: { ...run.metadata, uid } };
}

function finishedPod(jobUid: string, exitCode: number, message?: string): V1Pod {
  return {
    metadata: {
      name: 'pod-1',
      namespace: 'security',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: jobUid }],
    },
    status: {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: [
        {
          name: 'scan',
          image: 'scanner:1',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode, ...(message === undefined ? {} : { message }) } },
        },
      ],
    },
  } as V1Pod;
}

describe('reconcileSchedule', () => {
  it('creates the due run and its Job in one pass, then writes the status once', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    const result = await pass(cluster);
    assert.deepEqual(cluster.writes, [
      'createRun security/nightly-24394200',
      'createJob security/nightly-24394200',
      'updateScheduleStatus security/nightly',
    ]);
    assert.equal(cluster.schedule(key)?.status?.lastScheduleTime, '2016-05-19T10:00:00Z');
    assert.equal(cluster.events.map((e) => e.event.reason).join(), 'RunCreated');
    assert.equal(result.requeueAfterMs, 59 * 60 * SECOND + 100);
  });

  it('writes nothing once the world matches the plan', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    await pass(cluster);
    await pass(cluster); // the run's first status (Pending) from its Job
    cluster.writes.length = 0;
    await pass(cluster);
    assert.deepEqual(cluster.writes, []);
  });

  it('takes AlreadyExists as success when the cache has not seen its own run yet', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    const schedule = cluster.schedule(key) as ScanSchedule;
    const run = withUid(aRun({ owner: schedule, scheduledAt: instants.topOfTheHour }), 'run-uid-x');
    cluster.runs.set('security/nightly-24394200', run);
    cluster.unseenRuns.add('security/nightly-24394200');
    await pass(cluster);
    assert.deepEqual(cluster.writes, ['createRun security/nightly-24394200', 'updateScheduleStatus security/nightly']);
  });

  it('cancels the active run before it creates the new one (Replace)', async () => {
    const schedule = aSchedule({ spec: { concurrencyPolicy: 'Replace' } });
    const cluster = new FakeCluster().addSchedule(schedule);
    const old = withUid(
      aRun({ owner: schedule, scheduledAt: plus(instants.topOfTheHour, -3600 * SECOND), phase: 'Running' }),
      'old-uid',
    );
    cluster.runs.set(`security/${old.metadata.name}`, old);
    cluster.jobs.set(`security/${old.metadata.name}`, {
      metadata: { name: old.metadata.name, namespace: 'security', uid: 'job-old' },
    });
    await pass(cluster);
    assert.deepEqual(cluster.writes.slice(0, 5), [
      // The old run first follows its Job (no pod yet: Pending), then is cancelled.
      `updateRunStatus security/${old.metadata.name} Pending`,
      `updateRunStatus security/${old.metadata.name} Cancelled`,
      `deleteJob security/${old.metadata.name}`,
      'createRun security/nightly-24394200',
      'createJob security/nightly-24394200',
    ]);
    assert.equal(cluster.runs.get(`security/${old.metadata.name}`)?.status?.reason, 'Replaced');
  });

  it('fails a run whose Job the API server rejects, with a Warning Event, instead of retrying forever', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    cluster.createJobError = new RejectedError('spec.template.spec.volumes[0].name: Required value');
    await pass(cluster);
    const run = cluster.runs.get('security/nightly-24394200');
    assert.equal(run?.status?.phase, 'Failed');
    assert.equal(run?.status?.reason, 'JobRejected');
    assert.match(run?.status?.message ?? '', /volumes\[0\]\.name: Required value.*spec\.backend\.config/);
    assert.deepEqual(
      cluster.events.filter((e) => e.event.type === 'Warning').map((e) => e.event.reason),
      ['JobRejected'],
    );
  });

  it('passes a transient API error to the worker, which retries with backoff', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    cluster.createJobError = new TransientError('HTTP 503');
    await assert.rejects(pass(cluster), TransientError);
  });

  it('records a finished scan from its Job and pod: run status, then the schedule’s lastRun', async () => {
    const schedule = aSchedule();
    const cluster = new FakeCluster().addSchedule(schedule);
    const run = withUid(
      aRun({ owner: schedule, scheduledAt: instants.topOfTheHour, phase: 'Running', startTime: at }),
      'r1',
    );
    cluster.runs.set(`security/${run.metadata.name}`, run);
    cluster.jobs.set(`security/${run.metadata.name}`, {
      metadata: { name: run.metadata.name, namespace: 'security', uid: 'job-1' },
      status: { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: plus(at, 60 * SECOND) }] },
    });
    cluster.pods.push(
      finishedPod('job-1', 0, JSON.stringify({ findings: { critical: 1, high: 2, medium: 0, low: 0, info: 0 } })),
    );
    await pass(cluster, plus(at, 2 * 60 * SECOND));
    assert.equal(cluster.runs.get(`security/${run.metadata.name}`)?.status?.phase, 'Succeeded');
    const lastRun = cluster.schedule(key)?.status?.lastRun;
    assert.equal(lastRun?.phase, 'Succeeded');
    assert.deepEqual(lastRun?.findings, { critical: 1, high: 2, medium: 0, low: 0, info: 0, total: 3 });
  });

  it('does nothing for a schedule that is gone or being deleted', async () => {
    const empty = new FakeCluster();
    assert.deepEqual(await pass(empty), { requeueAfterMs: null });
    const deleting = new FakeCluster().addSchedule(
      aSchedule({ metadata: { deletionTimestamp: '2016-05-19T10:00:30Z' } }),
    );
    assert.deepEqual(await pass(deleting), { requeueAfterMs: null });
    assert.deepEqual([...empty.writes, ...deleting.writes], []);
  });
});
