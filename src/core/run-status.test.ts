import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { V1ContainerStatus, V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import type { ScanRun, ScanRunStatus, Severity } from '../api/types.ts';
import {
  findingsAtOrAbove,
  findingsFromTerminationMessage,
  isFinished,
  RunReason,
  runStatusFromJob,
} from './run-status.ts';

const NOW = new Date('2026-05-19T02:10:00Z');
const JOB_UID = 'job-uid-1';

function aRun(status?: ScanRunStatus, failOn?: Severity): ScanRun {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: { name: 'nightly-1', namespace: 'security', uid: 'run-uid-1' },
    spec: {
      scheduleRef: { name: 'nightly' },
      scheduledTime: '2026-05-19T02:00:00Z',
      trigger: 'schedule',
      jobTemplate: { targets: { repo: '/r' }, ...(failOn !== undefined && { options: { fail_on: failOn } }) },
    },
    ...(status !== undefined && { status }),
  };
}

function aJob(
  status: { active?: number; conditions?: V1JobCondition[]; completionTime?: string } = {},
  deadline?: number,
): V1Job {
  return {
    metadata: { name: 'nightly-1', namespace: 'security', uid: JOB_UID },
    spec: { template: {}, ...(deadline !== undefined && { activeDeadlineSeconds: deadline }) },
    // Watch events carry times as strings while the typed client promises Dates; run-status reads both.
    status: { startTime: '2026-05-19T02:00:03Z', ...status } as unknown as V1Job['status'],
  };
}

const cond = (type: string, reason?: string, message?: string): V1JobCondition =>
  ({ type, status: 'True', reason, message, lastTransitionTime: '2026-05-19T02:05:00Z' }) as unknown as V1JobCondition;

function aPod(
  container: Partial<V1ContainerStatus>,
  phase = 'Running',
  extra: Partial<NonNullable<V1Pod['status']>> = {},
): V1Pod {
  return {
    metadata: {
      name: 'nightly-1-abcde',
      namespace: 'security',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-1', uid: JOB_UID }],
    },
    status: {
      phase,
      containerStatuses: [{ name: 'scan', image: 'x', imageID: '', ready: false, restartCount: 0, ...container }],
      ...extra,
    },
  };
}

const exited = (exitCode: number, message?: string, reason?: string): Partial<V1ContainerStatus> => ({
  state: {
    terminated: { exitCode, ...(message !== undefined && { message }), ...(reason !== undefined && { reason }) },
  },
});

const findingsMessage = '{"findings":{"critical":1,"high":2,"medium":3,"low":0,"info":4}}';
const FINDINGS = { critical: 1, high: 2, medium: 3, low: 0, info: 4, total: 10 };

describe('findingsFromTerminationMessage', () => {
  const cases: {
    name: string;
    message: string | undefined;
    expected: ReturnType<typeof findingsFromTerminationMessage>;
  }[] = [
    { name: 'reads all five counts and adds up the total', message: findingsMessage, expected: { findings: FINDINGS } },
    {
      name: 'keeps a total the scanner wrote',
      message: '{"findings":{"critical":0,"high":1,"medium":0,"low":0,"info":0,"total":1}}',
      expected: { findings: { critical: 0, high: 1, medium: 0, low: 0, info: 0, total: 1 } },
    },
    {
      name: 'counts a severity the scanner left out as 0',
      message: '{"findings":{"high":5}}',
      expected: { findings: { critical: 0, high: 5, medium: 0, low: 0, info: 0, total: 5 } },
    },
    {
      name: 'knows nothing without a message',
      message: undefined,
      expected: { problem: 'the scan wrote no termination message' },
    },
    {
      name: 'knows nothing from a blank message',
      message: '  \n',
      expected: { problem: 'the scan wrote no termination message' },
    },
    {
      name: 'rejects a message that is not JSON',
      message: 'Traceback (most recent call last)',
      expected: { problem: 'the termination message is not JSON' },
    },
    {
      name: 'rejects JSON without a findings object',
      message: '{"ok":true}',
      expected: { problem: 'the termination message has no "findings" object' },
    },
    {
      name: 'rejects findings that are an array',
      message: '{"findings":[1,2]}',
      expected: { problem: 'the termination message has no "findings" object' },
    },
    {
      name: 'rejects JSON null',
      message: 'null',
      expected: { problem: 'the termination message has no "findings" object' },
    },
    {
      name: 'rejects a negative or fractional count',
      message: '{"findings":{"critical":-1}}',
      expected: { problem: 'findings.critical in the termination message is not a non-negative integer' },
    },
    {
      name: 'rejects a count written as a string',
      message: '{"findings":{"high":"3"}}',
      expected: { problem: 'findings.high in the termination message is not a non-negative integer' },
    },
    {
      name: 'rejects a message over 4 KiB',
      message: `{"findings":{"high":1},"pad":"${'x'.repeat(4100)}"}`,
      expected: { problem: 'the termination message is longer than 4 KiB' },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(findingsFromTerminationMessage(c.message), c.expected));
});

describe('findingsAtOrAbove', () => {
  const cases: { threshold: Severity; count: number }[] = [
    { threshold: 'CRITICAL', count: 1 },
    { threshold: 'HIGH', count: 3 },
    { threshold: 'MEDIUM', count: 6 },
    { threshold: 'LOW', count: 6 },
    { threshold: 'INFO', count: 10 },
  ];
  for (const c of cases)
    it(`counts ${c.count} findings at or above ${c.threshold}`, () =>
      assert.equal(findingsAtOrAbove(FINDINGS, c.threshold), c.count));
});

describe('runStatusFromJob', () => {
  const cases: {
    name: string;
    run: ScanRun;
    job?: V1Job;
    pods?: V1Pod[];
    expected: ScanRunStatus;
  }[] = [
    {
      name: 'is Pending while the Job does not exist yet',
      run: aRun(),
      expected: { phase: 'Pending', message: 'waiting for the scan Job to be created' },
    },
    {
      name: 'is Pending while the pod pulls its image, and says so',
      run: aRun({ phase: 'Pending' }),
      job: aJob({ active: 1 }),
      pods: [
        aPod(
          { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "scanner:9"' } } },
          'Pending',
        ),
      ],
      expected: {
        phase: 'Pending',
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        message: 'pod nightly-1-abcde is waiting: ImagePullBackOff: Back-off pulling image "scanner:9"',
      },
    },
    {
      name: 'is Running while a pod runs',
      run: aRun({ phase: 'Pending' }),
      job: aJob({ active: 1 }),
      pods: [aPod({ state: { running: {} } })],
      expected: { phase: 'Running', jobName: 'nightly-1', startTime: '2026-05-19T02:00:03Z', message: 'scan running' },
    },
    {
      name: 'is Running on the Job’s active count when no pod is in the cache yet',
      run: aRun(),
      job: aJob({ active: 1 }),
      expected: { phase: 'Running', jobName: 'nightly-1', startTime: '2026-05-19T02:00:03Z', message: 'scan running' },
    },
    {
      name: 'has Succeeded/Completed with the findings of the termination message',
      run: aRun({ phase: 'Running' }, 'HIGH'),
      job: aJob({ conditions: [cond('Complete')], completionTime: '2026-05-19T02:06:00Z' }),
      pods: [aPod(exited(0, findingsMessage), 'Succeeded')],
      expected: {
        phase: 'Succeeded',
        reason: RunReason.Completed,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:06:00Z',
        message: 'scan completed: 10 findings (1 critical, 2 high, 3 medium, 4 info)',
        findings: FINDINGS,
      },
    },
    {
      name: 'has Succeeded with findings absent when the scan wrote no message',
      run: aRun({ phase: 'Running' }),
      job: aJob({ conditions: [cond('Complete')], completionTime: '2026-05-19T02:06:00Z' }),
      pods: [aPod(exited(0), 'Succeeded')],
      expected: {
        phase: 'Succeeded',
        reason: RunReason.Completed,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:06:00Z',
        message: 'scan completed; findings unknown: the scan wrote no termination message',
      },
    },
    {
      name: 'fails with FindingsAboveThreshold on a non-zero exit with findings at or above fail_on',
      run: aRun({ phase: 'Running' }, 'HIGH'),
      job: aJob({
        conditions: [cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')],
      }),
      pods: [aPod(exited(1, findingsMessage), 'Failed')],
      expected: {
        phase: 'Failed',
        reason: RunReason.FindingsAboveThreshold,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:05:00Z',
        message: '3 findings at or above HIGH: 10 findings (1 critical, 2 high, 3 medium, 4 info)',
        findings: FINDINGS,
      },
    },
    {
      name: 'fails with ScanFailed when the findings stay below fail_on',
      run: aRun({ phase: 'Running' }, 'CRITICAL'),
      job: aJob({ conditions: [cond('Failed', 'BackoffLimitExceeded')] }),
      pods: [aPod(exited(2, '{"findings":{"low":3}}'), 'Failed')],
      expected: {
        phase: 'Failed',
        reason: RunReason.ScanFailed,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:05:00Z',
        message: 'the scan exited with code 2; 3 findings (3 low)',
        findings: { critical: 0, high: 0, medium: 0, low: 3, info: 0, total: 3 },
      },
    },
    {
      name: 'fails with ScanFailed and no findings on a crash without a message',
      run: aRun({ phase: 'Running' }, 'HIGH'),
      job: aJob({ conditions: [cond('Failed', 'BackoffLimitExceeded')] }),
      pods: [aPod(exited(137, undefined, 'OOMKilled'), 'Failed')],
      expected: {
        phase: 'Failed',
        reason: RunReason.ScanFailed,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:05:00Z',
        message: 'the scan exited with code 137 (OOMKilled); findings unknown: the scan wrote no termination message',
      },
    },
    {
      name: 'fails with ScanFailed and says the message was malformed',
      run: aRun({ phase: 'Running' }, 'HIGH'),
      job: aJob({ conditions: [cond('Failed', 'BackoffLimitExceeded')] }),
      pods: [aPod(exited(1, 'panic: boom'), 'Failed')],
      expected: {
        phase: 'Failed',
        reason: RunReason.ScanFailed,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:05:00Z',
        message: 'the scan exited with code 1; findings unknown: the termination message is not JSON',
      },
    },
    {
      name: 'fails with ScanFailed from the Job condition when the pods are gone',
      run: aRun({ phase: 'Running' }),
      job: aJob({
        conditions: [cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')],
      }),
      expected: {
        phase: 'Failed',
        reason: RunReason.ScanFailed,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:05:00Z',
        message: 'the Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit; findings unknown',
      },
    },
    {
      name: 'fails with ScanFailed naming an evicted pod',
      run: aRun({ phase: 'Running' }),
      job: aJob({ conditions: [cond('Failed', 'BackoffLimitExceeded')] }),
      pods: [aPod({ state: {} }, 'Failed', { reason: 'Evicted', message: 'The node was low on resource: memory.' })],
      expected: {
        phase: 'Failed',
        reason: RunReason.ScanFailed,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:05:00Z',
        message: 'the scan pod failed: Evicted: The node was low on resource: memory.; findings unknown',
      },
    },
    {
      name: 'fails with DeadlineExceeded, findings unknown, when the Job ran too long',
      run: aRun({ phase: 'Running' }, 'HIGH'),
      job: aJob(
        { conditions: [cond('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline')] },
        600,
      ),
      pods: [aPod(exited(143, findingsMessage), 'Failed')],
      expected: {
        phase: 'Failed',
        reason: RunReason.DeadlineExceeded,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:05:00Z',
        message: 'the scan ran longer than activeDeadlineSeconds (600 s) and was stopped; findings unknown',
      },
    },
    {
      name: 'fails with JobDeleted when a running run’s Job disappears',
      run: aRun({ phase: 'Running', jobName: 'nightly-1', startTime: '2026-05-19T02:00:03Z' }),
      expected: {
        phase: 'Failed',
        reason: RunReason.JobDeleted,
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        completionTime: '2026-05-19T02:10:00Z',
        message: 'the scan Job was deleted before it finished; findings unknown',
      },
    },
    {
      name: 'stays Cancelled whatever the Job does',
      run: aRun({
        phase: 'Cancelled',
        reason: 'Replaced',
        message: 'cancelled',
        completionTime: '2026-05-19T02:01:00Z',
      }),
      job: aJob({ conditions: [cond('Complete')] }),
      pods: [aPod(exited(0, findingsMessage), 'Succeeded')],
      expected: {
        phase: 'Cancelled',
        reason: 'Replaced',
        message: 'cancelled',
        completionTime: '2026-05-19T02:01:00Z',
      },
    },
    {
      name: 'keeps a finished run’s status when its Job was cleaned up by its TTL',
      run: aRun({
        phase: 'Succeeded',
        reason: 'Completed',
        findings: FINDINGS,
        completionTime: '2026-05-19T02:06:00Z',
      }),
      expected: { phase: 'Succeeded', reason: 'Completed', findings: FINDINGS, completionTime: '2026-05-19T02:06:00Z' },
    },
    {
      name: 'keeps the notifications already recorded',
      run: aRun({ phase: 'Pending', notifications: [{ type: 'slack', channel: 0, delivered: false }] }),
      job: aJob({ active: 1 }),
      pods: [aPod({ state: { running: {} } })],
      expected: {
        phase: 'Running',
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        message: 'scan running',
        notifications: [{ type: 'slack', channel: 0, delivered: false }],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runStatusFromJob(c.run, c.job, c.pods ?? [], NOW), c.expected));
  }

  it('ignores pods of another Job', () => {
    const stranger = aPod(exited(0, findingsMessage), 'Succeeded');
    stranger.metadata = {
      ...stranger.metadata,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'x', uid: 'other' }],
    };
    const status = runStatusFromJob(
      aRun({ phase: 'Running' }),
      aJob({ conditions: [cond('Complete')] }),
      [stranger],
      NOW,
    );
    assert.equal(status.findings, undefined);
  });

  it('reads the newest pod when the Job retried', () => {
    const first = aPod(exited(1, 'not json'), 'Failed', { startTime: '2026-05-19T02:00:05Z' as unknown as Date });
    const second = aPod(exited(0, findingsMessage), 'Succeeded', {
      startTime: '2026-05-19T02:03:00Z' as unknown as Date,
    });
    const status = runStatusFromJob(
      aRun({ phase: 'Running' }),
      aJob({ conditions: [cond('Complete')] }),
      [second, first],
      NOW,
    );
    assert.deepEqual(status.findings, FINDINGS);
  });

  it('accepts Date objects from the typed client as well as strings from watches', () => {
    const job = aJob({ active: 1 });
    job.status = { ...job.status, startTime: new Date('2026-05-19T02:00:03.250Z') };
    assert.equal(runStatusFromJob(aRun(), job, [], NOW).startTime, '2026-05-19T02:00:03Z');
  });

  it('returns a status equal to the stored one when nothing changed, so no write happens', () => {
    const job = aJob({ active: 1 });
    const pods = [aPod({ state: { running: {} } })];
    const first = runStatusFromJob(aRun(), job, pods, NOW);
    const again = runStatusFromJob(aRun(first), job, pods, new Date(NOW.getTime() + 60_000));
    assert.ok(isDeepStrictEqual(first, again));
  });
});

describe('isFinished', () => {
  const cases: { phase: ScanRunStatus['phase']; finished: boolean }[] = [
    { phase: undefined, finished: false },
    { phase: 'Pending', finished: false },
    { phase: 'Running', finished: false },
    { phase: 'Succeeded', finished: true },
    { phase: 'Failed', finished: true },
    { phase: 'Cancelled', finished: true },
  ];
  for (const c of cases) {
    it(`says ${c.phase ?? 'no phase'} is ${c.finished ? '' : 'not '}finished`, () => {
      assert.equal(isFinished(aRun(c.phase === undefined ? undefined : { phase: c.phase })), c.finished);
    });
  }
});
