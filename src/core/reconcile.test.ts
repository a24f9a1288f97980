// reconcileSchedule over a fake cluster: the order and number of writes one pass makes, and what it does when a
// write fails, a Job is not what it seems, or a receiver does not answer. The planner's decisions themselves
// are pinned in plan.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { NotificationChannel, ScanRun, ScanRunStatus, ScanSchedule } from '../api/types.ts';
import { aRun, aSchedule, aSucceededRun, instants, MINUTE, plus, SECOND } from '../testing/builders.ts';
import { FakeCluster } from '../testing/fake-cluster.ts';
import { ConflictError, RejectedError, TransientError } from './errors.ts';
import { MAX_ATTEMPTS } from './notifications/deliveries.ts';
import type { NotificationPort, PostOutcome, ResolvedChannel, WorkOrder } from './ports.ts';
import { type ReconcileDeps, reconcileSchedule } from './reconcile.ts';
import { encodeTerminationMessage } from './results/termination-message.ts';

const key = { namespace: 'security', name: 'nightly' };
const at = instants.justAfterTheHour;
const RECEIVER_URL = 'https://hooks.example/T0/secret-token';

function pass(cluster: FakeCluster, now: Date = at, extra: Partial<ReconcileDeps> = {}) {
  return reconcileSchedule(key, {
    cluster,
    clock: () => now,
    scannerImage: 'scanner:1',
    reportImage: 'scanschedule:1',
    ...extra,
  });
}

const keyOfRun = (run: ScanRun): string => `security/${run.metadata.name ?? ''}`;

/** `run` with a UID and a resourceVersion, stored as the API server has it. */
function store(cluster: FakeCluster, run: ScanRun, uid = 'run-uid-x', resourceVersion = 'rv-stored'): ScanRun {
  const stored = { ...run, metadata: { ...run.metadata, uid, resourceVersion } };
  cluster.runs.set(keyOfRun(stored), structuredClone(stored));
  return stored;
}

const withStatus = (run: ScanRun, status: ScanRunStatus): ScanRun => ({ ...run, status });

/** The Job the controller would have made for `run`: named after it, the run its controller owner. */
function ownedJob(run: ScanRun, uid = 'job-1', status?: V1Job['status'], ownerUid = run.metadata.uid): V1Job {
  return {
    metadata: {
      name: run.metadata.name,
      namespace: 'security',
      uid,
      ownerReferences: [
        {
          apiVersion: 'jmo.security/v1alpha1',
          kind: 'ScanRun',
          name: run.metadata.name ?? '',
          uid: ownerUid ?? '',
          controller: true,
        },
      ],
    },
    ...(status === undefined ? {} : { status }),
  };
}

const completed = (time: Date): V1Job['status'] => ({
  conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: time }],
});

/** A pod of `jobUid` whose scan exited 0 and whose report step wrote `findings`. */
function reportedPod(jobUid: string, findings: { critical: number; high: number }): V1Pod {
  const counts = { ...findings, medium: 0, low: 0, info: 0, total: findings.critical + findings.high };
  const message = encodeTerminationMessage({
    version: 1,
    findings: counts,
    tools: ['Trivy'],
    topFindings: [],
    sources: [],
  });
  const terminated = (exitCode: number, text?: string) => ({
    image: 'x',
    imageID: '',
    ready: false,
    restartCount: 0,
    state: { terminated: { exitCode, ...(text === undefined ? {} : { message: text }) } },
  });
  return {
    metadata: {
      name: 'pod-1',
      namespace: 'security',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: jobUid }],
    },
    status: {
      phase: 'Succeeded',
      initContainerStatuses: [{ name: 'scan', ...terminated(0) }],
      containerStatuses: [{ name: 'report', ...terminated(0, message) }],
    },
  };
}

const runningPod = (jobUid: string): V1Pod => ({
  metadata: {
    name: 'pod-1',
    namespace: 'security',
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: jobUid }],
  },
  status: {
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'scan', image: 'x', imageID: '', ready: false, restartCount: 0, state: { running: {} } },
    ],
  },
});

const warnings = (cluster: FakeCluster): string[] =>
  cluster.events.filter((e) => e.event.type === 'Warning').map((e) => e.event.reason);

describe('reconcileSchedule', () => {
  it('creates the due run and its Job in one pass and writes the schedule status once, recording the Job there: three writes', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    const result = await pass(cluster);
    assert.deepEqual(cluster.writes, [
      'createRun security/nightly-1463652000',
      'createJob security/nightly-1463652000',
      'updateScheduleStatus security/nightly',
    ]);
    assert.deepEqual(cluster.schedule(key)?.status?.startedJobs, ['nightly-1463652000']);
    assert.equal(cluster.runs.get('security/nightly-1463652000')?.status, undefined, 'no run status write yet');
    assert.equal(cluster.schedule(key)?.status?.lastScheduleTime, '2016-05-19T10:00:00Z');
    assert.deepEqual(
      cluster.events.map((e) => e.event.reason),
      [],
      'no Event for a scheduled run: the ScanRun is the record',
    );
    assert.equal(result.requeueAfterMs, 59 * 60 * SECOND + 100);
  });

  it('builds the pod from the scanner image and the report image', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    await pass(cluster);
    const pod = cluster.jobs.get('security/nightly-1463652000')?.spec?.template.spec;
    assert.deepEqual(
      pod?.initContainers?.map((c) => [c.name, c.image]),
      [['scan', 'scanner:1']],
    );
    assert.deepEqual(
      pod?.containers.map((c) => [c.name, c.image]),
      [['report', 'scanschedule:1']],
    );
  });

  it('writes nothing once the world matches the plan', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    await pass(cluster);
    await pass(cluster);
    cluster.writes.length = 0;
    await pass(cluster);
    assert.deepEqual(cluster.writes, []);
  });

  it('takes AlreadyExists as success when the cache has not seen its own run yet', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    const schedule = cluster.schedule(key) as ScanSchedule;
    store(cluster, aRun({ owner: schedule, scheduledAt: instants.topOfTheHour }));
    cluster.unseenRuns.add('security/nightly-1463652000');
    await pass(cluster);
    assert.deepEqual(cluster.writes, [
      'createRun security/nightly-1463652000',
      'updateScheduleStatus security/nightly',
    ]);
  });

  it('cancels the active run before it creates the new one (Replace)', async () => {
    const schedule = aSchedule({ spec: { concurrencyPolicy: 'Replace' } });
    const cluster = new FakeCluster().addSchedule(schedule);
    const old = store(
      cluster,
      aRun({ owner: schedule, scheduledAt: plus(instants.topOfTheHour, -3600 * SECOND), phase: 'Running' }),
      'old-uid',
    );
    cluster.jobs.set(keyOfRun(old), ownedJob(old, 'job-old'));
    await pass(cluster);
    assert.deepEqual(cluster.writes.slice(0, 6), [
      // The old run first follows its Job (no pod yet: Pending), then is cancelled.
      `updateRunStatus ${keyOfRun(old)} Pending`,
      `updateRunStatus ${keyOfRun(old)} Cancelled`,
      `deleteJob ${keyOfRun(old)}`,
      'createRun security/nightly-1463652000',
      'createJob security/nightly-1463652000',
      'updateScheduleStatus security/nightly',
    ]);
    assert.equal(cluster.runs.get(keyOfRun(old))?.status?.reason, 'Replaced');
  });

  it('records a finished scan from its Job and the report step: run status, then the schedule’s lastRun', async () => {
    const schedule = aSchedule();
    const cluster = new FakeCluster().addSchedule(schedule);
    const run = store(
      cluster,
      aRun({ owner: schedule, scheduledAt: instants.topOfTheHour, phase: 'Running', startTime: at }),
      'r1',
    );
    cluster.jobs.set(keyOfRun(run), ownedJob(run, 'job-1', completed(plus(at, MINUTE))));
    cluster.pods.push(reportedPod('job-1', { critical: 0, high: 0 }));
    await pass(cluster, plus(at, 2 * MINUTE));
    const status = cluster.runs.get(keyOfRun(run))?.status;
    assert.equal(status?.phase, 'Succeeded');
    assert.deepEqual(status?.tools, ['Trivy']);
    const lastRun = cluster.schedule(key)?.status?.lastRun;
    assert.equal(lastRun?.phase, 'Succeeded');
    assert.deepEqual(lastRun?.findings, { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 });
  });

  it('fails a finished scan above the schedule’s fail_on (HIGH) from the report’s counts', async () => {
    const schedule = aSchedule();
    const cluster = new FakeCluster().addSchedule(schedule);
    const run = store(cluster, aRun({ owner: schedule, phase: 'Running', startTime: at }), 'r1');
    cluster.jobs.set(keyOfRun(run), ownedJob(run, 'job-1', completed(plus(at, MINUTE))));
    cluster.pods.push(reportedPod('job-1', { critical: 1, high: 2 }));
    await pass(cluster, plus(at, 2 * MINUTE));
    const status = cluster.runs.get(keyOfRun(run))?.status;
    assert.equal(status?.phase, 'Failed');
    assert.equal(status?.reason, 'FindingsAboveThreshold');
    assert.equal(status?.findings?.total, 3);
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

describe('reconcileSchedule: in a burst, runs first, then Jobs, then status writes', () => {
  const order = (jobsWait: boolean, statusWaits: boolean): WorkOrder => ({
    jobsCanWait: () => jobsWait,
    statusCanWait: () => statusWaits,
  });
  const orderedPass = (cluster: FakeCluster, work: WorkOrder, now: Date = at) =>
    reconcileSchedule(
      key,
      { cluster, clock: () => now, scannerImage: 'scanner:1', reportImage: 'scanschedule:1' },
      work,
    );

  it('spreads the three writes over three passes and ends with the status one pass would have written', async () => {
    const onePass = new FakeCluster().addSchedule(aSchedule());
    await pass(onePass);

    const cluster = new FakeCluster().addSchedule(aSchedule());
    const steps: [WorkOrder, string[], string | undefined][] = [
      [order(true, true), ['createRun security/nightly-1463652000'], 'jobs'],
      [order(false, true), ['createJob security/nightly-1463652000'], 'status'],
      [order(false, false), ['updateScheduleStatus security/nightly'], undefined],
    ];
    for (const [work, writes, deferred] of steps) {
      cluster.writes.length = 0;
      const result = await orderedPass(cluster, work);
      assert.deepEqual(cluster.writes, writes);
      assert.equal(result.deferred, deferred);
    }
    assert.deepEqual(cluster.schedule(key)?.status, onePass.schedule(key)?.status);
    assert.deepEqual(
      cluster.schedule(key)?.status?.startedJobs,
      ['nightly-1463652000'],
      'the Job a deferred pass created is recorded',
    );
    cluster.writes.length = 0;
    assert.equal((await orderedPass(cluster, order(true, true))).deferred, undefined);
    assert.deepEqual(cluster.writes, [], 'and then nothing is left to do');
  });

  it('leaves the status write with the Job it leaves for later: that pass writes the status anyway', async () => {
    const schedule = aSchedule();
    const cluster = new FakeCluster().addSchedule(schedule);
    store(cluster, aRun({ owner: schedule, scheduledAt: instants.topOfTheHour }), 'r1');
    const result = await orderedPass(cluster, order(true, false));
    assert.deepEqual(cluster.writes, []);
    assert.equal(result.deferred, 'jobs');
  });

  const writtenAtOnce: { name: string; schedule: ScanSchedule; now: Date; writes: string[]; deferred?: string }[] = [
    {
      name: 'a pass that starts nothing (a fresh start writes nextScheduleTime at once)',
      schedule: aSchedule(),
      now: plus(instants.justBeforeTheHour, 30 * SECOND),
      writes: ['updateScheduleStatus security/nightly'],
    },
    {
      name: 'skipped due times (the Event and lastMissedTime come from this pass alone)',
      schedule: aSchedule({ status: { lastScheduleTime: '2016-05-19T08:00:00Z' } }),
      now: at,
      writes: ['createRun security/nightly-1463652000', 'updateScheduleStatus security/nightly'],
      deferred: 'jobs',
    },
    {
      name: 'a handled run-now request (lastHandledRunNow)',
      schedule: aSchedule({ metadata: { annotations: { 'jmo.security/run-now': 'token-1' } } }),
      now: plus(instants.justBeforeTheHour, 30 * SECOND),
      writes: ['createRun security/nightly-manual-', 'updateScheduleStatus security/nightly'],
      deferred: 'jobs',
    },
  ];
  for (const { name, schedule, now, writes, deferred } of writtenAtOnce) {
    it(`writes the status at once, however busy the queue, after ${name}`, async () => {
      const cluster = new FakeCluster().addSchedule(schedule);
      const result = await orderedPass(cluster, order(true, true), now);
      assert.deepEqual(
        cluster.writes.map((w) => w.replace(/manual-.*/, 'manual-')),
        writes,
      );
      assert.equal(result.deferred, deferred);
    });
  }
});

describe('reconcileSchedule: status writes carry the resourceVersion they were computed from', () => {
  it('gets a ConflictError instead of overwriting a newer status from a stale cached run', async () => {
    const schedule = aSchedule();
    const cluster = new FakeCluster().addSchedule(schedule);
    const running = aRun({ owner: schedule, phase: 'Running', startTime: at });
    const stored = store(
      cluster,
      withStatus(running, { phase: 'Cancelled', reason: 'Replaced', completionTime: '2016-05-19T10:01:30Z' }),
      'r1',
      'rv-2',
    );
    cluster.cachedRuns.set(keyOfRun(stored), {
      ...stored,
      metadata: { ...stored.metadata, resourceVersion: 'rv-1' },
      status: running.status,
    });
    cluster.jobs.set(keyOfRun(stored), ownedJob(stored, 'job-1', completed(plus(at, MINUTE))));
    cluster.pods.push(reportedPod('job-1', { critical: 0, high: 0 }));
    await assert.rejects(pass(cluster, plus(at, 2 * MINUTE)), ConflictError);
    assert.equal(cluster.runs.get(keyOfRun(stored))?.status?.phase, 'Cancelled');
  });
});

describe('reconcileSchedule: a run’s Job that the cache does not show', () => {
  const hadJobCases: { name: string; status: ScanRunStatus; startedJobs?: string[] }[] = [
    { name: 'Running with jobName', status: { phase: 'Running', jobName: 'nightly-24394200' } },
    {
      name: 'no status yet, recorded in the schedule status.startedJobs',
      status: {},
      startedJobs: ['nightly-1463652000'],
    },
    { name: 'Pending with jobName (the pod never started)', status: { phase: 'Pending', jobName: 'nightly-24394200' } },
    { name: 'Running without jobName (written before jobName existed)', status: { phase: 'Running' } },
  ];

  for (const c of hadJobCases) {
    it(`uses a Job only missing from the cache, found by a live read, and never re-creates it: ${c.name}`, async () => {
      const schedule = aSchedule(c.startedJobs === undefined ? {} : { status: { startedJobs: c.startedJobs } });
      const cluster = new FakeCluster().addSchedule(schedule);
      const run = store(cluster, withStatus(aRun({ owner: schedule }), c.status), 'r1');
      cluster.uncachedJobs.set(keyOfRun(run), ownedJob(run, 'job-1'));
      cluster.pods.push(runningPod('job-1'));
      await pass(cluster);
      assert.ok(cluster.writes.includes(`readJob ${keyOfRun(run)}`));
      assert.ok(!cluster.writes.some((w) => w.startsWith('createJob')));
      assert.equal(cluster.runs.get(keyOfRun(run))?.status?.phase, 'Running');
      assert.deepEqual(warnings(cluster), []);
    });

    it(`fails a run whose Job is really gone with JobDeleted and one Warning Event, and never re-creates it: ${c.name}`, async () => {
      const schedule = aSchedule(c.startedJobs === undefined ? {} : { status: { startedJobs: c.startedJobs } });
      const cluster = new FakeCluster().addSchedule(schedule);
      const run = store(cluster, withStatus(aRun({ owner: schedule }), c.status), 'r1');
      await pass(cluster);
      await pass(cluster, plus(at, MINUTE));
      const status = cluster.runs.get(keyOfRun(run))?.status;
      assert.equal(status?.phase, 'Failed');
      assert.equal(status?.reason, 'JobDeleted');
      assert.equal(status?.findings, undefined);
      assert.deepEqual(warnings(cluster), ['JobDeleted']);
      assert.ok(!cluster.writes.some((w) => w.startsWith('createJob')));
    });
  }

  it('creates the Job of a run that never had one, and records it in the schedule status', async () => {
    const schedule = aSchedule();
    const cluster = new FakeCluster().addSchedule(schedule);
    const run = store(cluster, aRun({ owner: schedule }), 'r1');
    await pass(cluster);
    assert.deepEqual(cluster.writes.slice(0, 2), [
      `createJob ${keyOfRun(run)}`,
      'updateScheduleStatus security/nightly',
    ]);
    assert.deepEqual(cluster.schedule(key)?.status?.startedJobs, [run.metadata.name]);
  });

  it('keeps the record while the run is unfinished and drops it, in the same write, when the run ends', async () => {
    const schedule = aSchedule();
    const cluster = new FakeCluster().addSchedule(schedule);
    const run = store(cluster, aRun({ owner: schedule }), 'r1');
    await pass(cluster);
    cluster.jobs.set(keyOfRun(run), ownedJob(run, 'job-1'));
    cluster.pods.push(runningPod('job-1'));
    await pass(cluster, plus(at, MINUTE));
    assert.equal(cluster.runs.get(keyOfRun(run))?.status?.phase, 'Running');
    assert.deepEqual(cluster.schedule(key)?.status?.startedJobs, [run.metadata.name]);
    cluster.jobs.set(keyOfRun(run), ownedJob(run, 'job-1', completed(plus(at, 2 * MINUTE))));
    cluster.pods.splice(0, cluster.pods.length, reportedPod('job-1', { critical: 0, high: 0 }));
    await pass(cluster, plus(at, 3 * MINUTE));
    assert.equal(cluster.runs.get(keyOfRun(run))?.status?.phase, 'Succeeded');
    assert.equal(cluster.schedule(key)?.status?.startedJobs, undefined);
  });

  const existingCases: {
    name: string;
    where: 'cache' | 'api';
    ownerUid: string;
    phase: string | undefined;
    reason?: string;
    warnings: string[];
  }[] = [
    {
      // Nothing has started the Job yet: the run's status stays empty (no write) and the schedule records the Job.
      name: 'uses a Job that already exists when the run is its controller owner (its own earlier create)',
      where: 'api',
      ownerUid: 'r1',
      phase: undefined,
      warnings: [],
    },
    {
      name: 'fails the run with JobConflict when a Job of its name, not its own, answers AlreadyExists',
      where: 'api',
      ownerUid: 'uid-of-someone-else',
      phase: 'Failed',
      reason: 'JobConflict',
      warnings: ['JobConflict'],
    },
    {
      name: 'fails the run with JobConflict when the cache shows a Job of its name that it does not own',
      where: 'cache',
      ownerUid: 'uid-of-someone-else',
      phase: 'Failed',
      reason: 'JobConflict',
      warnings: ['JobConflict'],
    },
  ];
  for (const c of existingCases) {
    it(c.name, async () => {
      const schedule = aSchedule();
      const cluster = new FakeCluster().addSchedule(schedule);
      const run = store(cluster, aRun({ owner: schedule }), 'r1');
      const job = ownedJob(run, 'job-x', undefined, c.ownerUid);
      (c.where === 'cache' ? cluster.jobs : cluster.uncachedJobs).set(keyOfRun(run), job);
      await pass(cluster);
      const status = cluster.runs.get(keyOfRun(run))?.status;
      assert.equal(status?.phase, c.phase);
      assert.equal(status?.reason, c.reason);
      assert.deepEqual(warnings(cluster), c.warnings);
      // Never adopted, never deleted: a Job we did not make is left alone.
      assert.ok(!cluster.writes.some((w) => w.startsWith('deleteJob')));
      assert.deepEqual((c.where === 'cache' ? cluster.jobs : cluster.uncachedJobs).get(keyOfRun(run)), job);
    });
  }
});

describe('reconcileSchedule: a Cancelled run’s Job', () => {
  const cases: { name: string; job: (run: ScanRun) => V1Job; deleted: boolean }[] = [
    { name: 'is deleted on every pass while it still exists', job: (run) => ownedJob(run), deleted: true },
    {
      name: 'is not deleted again while its deletion is under way',
      job: (run) => {
        const job = ownedJob(run);
        return { ...job, metadata: { ...job.metadata, deletionTimestamp: new Date('2016-05-19T10:00:30Z') } };
      },
      deleted: false,
    },
    {
      name: 'is left alone when the run does not own it',
      job: (run) => ownedJob(run, 'job-1', undefined, 'other'),
      deleted: false,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const schedule = aSchedule();
      const cluster = new FakeCluster().addSchedule(schedule);
      const run = store(
        cluster,
        withStatus(aRun({ owner: schedule }), { phase: 'Cancelled', reason: 'Replaced', jobName: 'nightly-24394200' }),
        'r1',
      );
      for (const now of [at, plus(at, MINUTE)]) {
        // A delete that did not take (a crash, a finalizer): the Job is still there on the next pass.
        cluster.jobs.set(keyOfRun(run), c.job(run));
        await pass(cluster, now);
      }
      assert.equal(cluster.writes.filter((w) => w === `deleteJob ${keyOfRun(run)}`).length, c.deleted ? 2 : 0);
    });
  }
});

describe('reconcileSchedule: create failures', () => {
  const cases: {
    name: string;
    fail: (cluster: FakeCluster) => void;
    error: new (message: string) => Error;
    warnings: string[];
  }[] = [
    {
      name: 'reports a failed Job create as a Warning CreateFailed and rethrows it for backoff',
      fail: (cluster) => {
        cluster.createJobError = new TransientError('HTTP 503: etcd leader changed');
      },
      error: TransientError,
      warnings: ['CreateFailed'],
    },
    {
      name: 'reports a failed run create as a Warning CreateFailed and rethrows it for backoff',
      fail: (cluster) => {
        cluster.createRunError = new TransientError('exceeded quota: count/scanruns');
      },
      error: TransientError,
      warnings: ['CreateFailed'],
    },
    {
      name: 'rethrows a conflict without a Warning: the retry is immediate and expected',
      fail: (cluster) => {
        cluster.createJobError = new ConflictError('Job vanished after AlreadyExists');
      },
      error: ConflictError,
      warnings: [],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const cluster = new FakeCluster().addSchedule(aSchedule());
      c.fail(cluster);
      await assert.rejects(pass(cluster), c.error);
      assert.deepEqual(warnings(cluster), c.warnings);
    });
  }

  it('keeps a run whose Job create failed transiently Pending, saying it retries', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    cluster.createJobError = new TransientError('HTTP 503');
    await assert.rejects(pass(cluster), TransientError);
    const status = cluster.runs.get('security/nightly-1463652000')?.status;
    assert.equal(status?.phase, 'Pending');
    assert.match(status?.message ?? '', /could not create the scan Job yet, retrying: HTTP 503/);
    assert.equal(status?.jobName, undefined);
    await pass(cluster, plus(at, SECOND));
    assert.equal(cluster.writes.filter((w) => w.startsWith('createJob')).length, 2);
  });
});

describe('reconcileSchedule: a rejected Job stalls the schedule', () => {
  it('fails the run with JobRejected, marks the schedule Stalled with one Warning Event, and creates no new runs', async () => {
    const cluster = new FakeCluster().addSchedule(aSchedule());
    cluster.createJobError = new RejectedError('spec.template.spec.volumes[0].name: Required value');
    await pass(cluster);
    const run = cluster.runs.get('security/nightly-1463652000');
    assert.equal(run?.status?.phase, 'Failed');
    assert.equal(run?.status?.reason, 'JobRejected');
    assert.match(run?.status?.message ?? '', /volumes\[0\]\.name: Required value.*spec\.backend\.config/);
    const stalled = cluster.schedule(key)?.status?.conditions?.find((c) => c.type === 'Stalled');
    assert.equal(stalled?.status, 'True');
    assert.equal(stalled?.reason, 'JobRejected');
    // The next due times come and go: no run, no second Event, until the spec changes.
    const writes = cluster.writes.length;
    for (const now of [plus(at, MINUTE), plus(instants.topOfTheHour, 60 * MINUTE + SECOND)]) await pass(cluster, now);
    assert.ok(!cluster.writes.slice(writes).some((w) => w.startsWith('createRun') || w.startsWith('createJob')));
    assert.deepEqual(warnings(cluster), ['JobRejected']);
  });
});

/** A receiver that answers from a script, one outcome per POST (the last repeats). */
class FakeNotifier implements NotificationPort {
  readonly posts: { url: string; body: string; headers: Record<string, string> }[] = [];
  readonly #outcomes: PostOutcome[];

  constructor(...outcomes: PostOutcome[]) {
    this.#outcomes = outcomes;
  }

  async resolve(_namespace: string, channel: NotificationChannel): Promise<ResolvedChannel | { error: string }> {
    return channel.url === undefined ? { error: 'no url' } : { url: channel.url };
  }

  async post(request: { url: string; body: string; headers: Record<string, string> }): Promise<PostOutcome> {
    this.posts.push(request);
    return this.#outcomes[Math.min(this.posts.length, this.#outcomes.length) - 1] ?? { ok: true };
  }
}

const unavailable: PostOutcome = { ok: false, error: 'HTTP 503 Service Unavailable', retryable: true };

function notifyingSchedule(): ScanSchedule {
  const base = aSchedule();
  const channel: NotificationChannel = { type: 'webhook', url: RECEIVER_URL };
  return aSchedule({
    spec: { jobTemplate: { ...base.spec.jobTemplate, notifications: { enabled: true, channels: [channel] } } },
  });
}

/** A cluster with one run that finished at 10:00:10 and wants one webhook. */
function finishedRunCluster(): { cluster: FakeCluster; run: ScanRun } {
  const schedule = notifyingSchedule();
  const cluster = new FakeCluster().addSchedule(schedule);
  const run = store(cluster, aSucceededRun(instants.topOfTheHour, { owner: schedule }), 'r1');
  return { cluster, run };
}

const at10 = (time: string): Date => new Date(`2016-05-19T10:${time}Z`);

describe('reconcileSchedule: notifications of finished runs', () => {
  it('retries a failing receiver at nextAttemptTime and records one Sent entry with attempts 3', async () => {
    const { cluster, run } = finishedRunCluster();
    const notifier = new FakeNotifier(unavailable, unavailable, { ok: true });
    const requeues: (number | null)[] = [];
    for (const now of ['01:00', '01:01', '01:02', '01:06']) {
      requeues.push((await pass(cluster, at10(now), { notifications: notifier })).requeueAfterMs);
    }
    assert.equal(notifier.posts.length, 3);
    assert.ok(notifier.posts.every((p) => p.url === RECEIVER_URL));
    // Each requeue is shortened to the next attempt: 10:01:02 (2 s), then 10:01:06 (4 s after 10:01:02).
    assert.deepEqual(requeues.slice(0, 3), [2 * SECOND, SECOND, 4 * SECOND]);
    assert.ok((requeues[3] ?? 0) > MINUTE, 'nothing waits once the delivery is Sent');
    assert.deepEqual(cluster.runs.get(keyOfRun(run))?.status?.notifications, [
      { channel: 0, type: 'webhook', state: 'Sent', attempts: 3, lastAttemptTime: '2016-05-19T10:01:06Z' },
    ]);
    assert.deepEqual(warnings(cluster), []);
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts on a receiver that always fails, with exactly one NotificationFailed Event`, async () => {
    const { cluster, run } = finishedRunCluster();
    const notifier = new FakeNotifier(unavailable);
    let now = at10('01:00');
    for (let i = 0; i < 2 * MAX_ATTEMPTS; i++) {
      await pass(cluster, now, { notifications: notifier });
      const next = cluster.runs.get(keyOfRun(run))?.status?.notifications?.[0]?.nextAttemptTime;
      now = next === undefined ? plus(now, MINUTE) : new Date(next);
    }
    assert.equal(notifier.posts.length, MAX_ATTEMPTS);
    const [delivery] = cluster.runs.get(keyOfRun(run))?.status?.notifications ?? [];
    assert.equal(delivery?.state, 'Failed');
    assert.equal(delivery?.attempts, MAX_ATTEMPTS);
    assert.equal(delivery?.lastError, 'HTTP 503 Service Unavailable');
    assert.deepEqual(warnings(cluster), ['NotificationFailed']);
    const event = cluster.events.find((e) => e.event.reason === 'NotificationFailed');
    assert.equal(event?.regarding, 'security/nightly');
    assert.doesNotMatch(JSON.stringify([cluster.events, cluster.runs.get(keyOfRun(run))?.status]), /secret-token/);
  });

  it('gives up at once on an answer that is not worth a retry', async () => {
    const { cluster, run } = finishedRunCluster();
    const notifier = new FakeNotifier({ ok: false, error: 'HTTP 404 Not Found', retryable: false });
    await pass(cluster, at10('01:00'), { notifications: notifier });
    await pass(cluster, at10('02:00'), { notifications: notifier });
    assert.equal(notifier.posts.length, 1);
    assert.equal(cluster.runs.get(keyOfRun(run))?.status?.notifications?.[0]?.state, 'Failed');
    assert.deepEqual(warnings(cluster), ['NotificationFailed']);
  });

  it('never re-posts a delivery already recorded Sent', async () => {
    const schedule = notifyingSchedule();
    const cluster = new FakeCluster().addSchedule(schedule);
    const sent = aSucceededRun(instants.topOfTheHour, { owner: schedule });
    const run = store(
      cluster,
      withStatus(sent, {
        ...sent.status,
        notifications: [{ channel: 0, type: 'webhook', state: 'Sent', attempts: 1 }],
      }),
      'r1',
    );
    const notifier = new FakeNotifier({ ok: true });
    for (const now of ['01:00', '01:30', '05:00']) await pass(cluster, at10(now), { notifications: notifier });
    assert.equal(notifier.posts.length, 0);
    assert.ok(!cluster.writes.includes(`updateRunStatus ${keyOfRun(run)} Succeeded`));
  });

  it('does not post twice when the cache still shows the run before its Sent entry: the live read decides', async () => {
    const { cluster, run } = finishedRunCluster();
    const notifier = new FakeNotifier({ ok: true });
    const before = structuredClone(cluster.runs.get(keyOfRun(run)) as ScanRun);
    await pass(cluster, at10('01:00'), { notifications: notifier });
    assert.equal(notifier.posts.length, 1);
    // The informer has not delivered our own write yet: the cache hands out the older resourceVersion.
    cluster.cachedRuns.set(keyOfRun(run), before);
    await pass(cluster, at10('01:01'), { notifications: notifier });
    await pass(cluster, at10('01:05'), { notifications: notifier });
    assert.equal(notifier.posts.length, 1);
    assert.equal(cluster.runs.get(keyOfRun(run))?.status?.notifications?.[0]?.state, 'Sent');
  });

  it('notifies in the same pass in which the run finishes', async () => {
    const schedule = notifyingSchedule();
    const cluster = new FakeCluster().addSchedule(schedule);
    const run = store(cluster, aRun({ owner: schedule, phase: 'Running', startTime: at }), 'r1');
    cluster.jobs.set(keyOfRun(run), ownedJob(run, 'job-1', completed(plus(at, MINUTE))));
    cluster.pods.push(reportedPod('job-1', { critical: 0, high: 0 }));
    const notifier = new FakeNotifier({ ok: true });
    await pass(cluster, plus(at, 2 * MINUTE), { notifications: notifier });
    assert.equal(notifier.posts.length, 1);
    const status = cluster.runs.get(keyOfRun(run))?.status;
    assert.equal(status?.phase, 'Succeeded');
    assert.equal(status?.notifications?.[0]?.state, 'Sent');
  });

  it('sends nothing without a notification port, and nothing for a Cancelled run', async () => {
    const { cluster } = finishedRunCluster();
    await pass(cluster, at10('01:00'));
    assert.ok(!cluster.writes.some((w) => w.startsWith('updateRunStatus')));

    const schedule = notifyingSchedule();
    const withCancelled = new FakeCluster().addSchedule(schedule);
    store(withCancelled, aRun({ owner: schedule, phase: 'Cancelled', reason: 'Replaced' }), 'r1');
    const notifier = new FakeNotifier({ ok: true });
    await pass(withCancelled, at10('01:00'), { notifications: notifier });
    assert.equal(notifier.posts.length, 0);
  });
});
