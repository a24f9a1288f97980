import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { V1ContainerStatus, V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import {
  type Findings,
  type ScanRun,
  type ScanRunStatus,
  SEVERITIES,
  type Severity,
  type TopFinding,
} from '../api/types.ts';
import { encodeTerminationMessage } from './results/termination-message.ts';
import { isFinished, RunReason, runStatusFromJob } from './run-status.ts';

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

const containerStatus = (name: string, state: Partial<V1ContainerStatus>): V1ContainerStatus => ({
  name,
  image: 'x',
  imageID: '',
  ready: false,
  restartCount: 0,
  ...state,
});

/** A pod of the scan Job: the `scan` init container and the `report` container, each only when given. */
function aPod(
  steps: { scan?: Partial<V1ContainerStatus>; report?: Partial<V1ContainerStatus> },
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
      ...(steps.scan !== undefined && { initContainerStatuses: [containerStatus('scan', steps.scan)] }),
      ...(steps.report !== undefined && { containerStatuses: [containerStatus('report', steps.report)] }),
      ...extra,
    },
  };
}

const exited = (exitCode: number, message?: string, reason?: string): Partial<V1ContainerStatus> => ({
  state: {
    terminated: { exitCode, ...(message !== undefined && { message }), ...(reason !== undefined && { reason }) },
  },
});
const running: Partial<V1ContainerStatus> = { state: { running: {} } };
const initializing: Partial<V1ContainerStatus> = { state: { waiting: { reason: 'PodInitializing' } } };

const FINDINGS: Findings = { critical: 1, high: 2, medium: 3, low: 0, info: 4, total: 10 };
const TOP: TopFinding[] = [
  { id: 'CVE-2024-1', severity: 'CRITICAL', title: 'openssl', location: 'alpine:3', tool: 'Trivy' },
  { id: 'G101', severity: 'HIGH', title: 'hard-coded credential', location: 'main.go:12', tool: 'gosec' },
];
const TOOLS = ['Trivy', 'gosec'];

/** What the report step writes for `findings`, exactly as `scanschedule report` encodes it. */
const reportMessage = (findings: Findings, top: TopFinding[] = [], tools: string[] = TOOLS): string =>
  encodeTerminationMessage({ version: 1, findings, tools, topFindings: top, sources: ['trivy.sarif'] });
const errorMessage = encodeTerminationMessage({ error: 'no result files in /results' });

/** A pod whose scan exited 0 and whose report step exited `code` with `message`. */
const scannedPod = (message: string | undefined, code = 0, phase = code === 0 ? 'Succeeded' : 'Failed'): V1Pod =>
  aPod({ scan: exited(0), report: exited(code, message) }, phase);

const completedJob = () => aJob({ conditions: [cond('Complete')], completionTime: '2026-05-19T02:06:00Z' });
const failedJob = () =>
  aJob({ conditions: [cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] });

const ENDED = {
  jobName: 'nightly-1',
  startTime: '2026-05-19T02:00:03Z',
  completionTime: '2026-05-19T02:06:00Z',
  duration: '5m57s',
};
const FAILED_AT = {
  jobName: 'nightly-1',
  startTime: '2026-05-19T02:00:03Z',
  completionTime: '2026-05-19T02:05:00Z',
  duration: '4m57s',
};

describe('runStatusFromJob: the writes it saves and the Job a run had', () => {
  const untouched: V1Job = {
    metadata: { name: 'nightly-1', namespace: 'security', uid: JOB_UID },
    spec: { template: {} },
  };
  const cases: { name: string; run: ScanRun; job?: V1Job; hadJob?: boolean; expected: ScanRunStatus }[] = [
    {
      name: 'a fresh run keeps its empty status while nothing has started its Job (no write)',
      run: aRun(),
      job: untouched,
      expected: {},
    },
    {
      name: 'a fresh run follows its Job once the Job controller started it',
      run: aRun(),
      job: aJob({ active: 1 }),
      expected: { phase: 'Running', jobName: 'nightly-1', startTime: '2026-05-19T02:00:03Z', message: 'scan running' },
    },
    {
      name: 'a run the schedule recorded as having had a Job is failed with JobDeleted when the Job is gone',
      run: aRun(),
      hadJob: true,
      expected: {
        phase: 'Failed',
        reason: 'JobDeleted',
        message: 'the scan Job was deleted before it finished; findings unknown',
        completionTime: '2026-05-19T02:10:00Z',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runStatusFromJob(c.run, c.job, [], NOW, c.hadJob), c.expected));
  }
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
      name: 'is Pending while the scanner’s image is pulled, and says so',
      run: aRun({ phase: 'Pending' }),
      job: aJob({ active: 1 }),
      pods: [
        aPod(
          {
            scan: { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "scanner:9"' } } },
            report: initializing,
          },
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
      name: 'is Pending and names the report step when its image cannot be pulled after the scan',
      run: aRun({ phase: 'Running' }),
      job: aJob({ active: 1 }),
      pods: [
        aPod(
          {
            scan: exited(0),
            report: { state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied for report:1' } } },
          },
          'Pending',
        ),
      ],
      expected: {
        phase: 'Pending',
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        message: 'pod nightly-1-abcde is waiting: ErrImagePull: pull access denied for report:1',
      },
    },
    {
      // The pod's phase stays Pending while init containers run: the scan running is what counts.
      name: 'is Running while the scan init container runs, though the pod is still Pending',
      run: aRun({ phase: 'Pending' }),
      job: aJob({ active: 1 }),
      pods: [aPod({ scan: running, report: initializing }, 'Pending')],
      expected: { phase: 'Running', jobName: 'nightly-1', startTime: '2026-05-19T02:00:03Z', message: 'scan running' },
    },
    {
      name: 'is Running while the report step runs',
      run: aRun({ phase: 'Running' }),
      job: aJob({ active: 1 }),
      pods: [aPod({ scan: exited(0), report: running })],
      expected: { phase: 'Running', jobName: 'nightly-1', startTime: '2026-05-19T02:00:03Z', message: 'scan running' },
    },
    {
      name: 'is Running on the Job’s active count when no pod is in the cache yet',
      run: aRun(),
      job: aJob({ active: 1 }),
      expected: { phase: 'Running', jobName: 'nightly-1', startTime: '2026-05-19T02:00:03Z', message: 'scan running' },
    },
    {
      name: 'drops findings, topFindings and tools a stale status carried while the scan runs',
      run: aRun({ phase: 'Running', findings: FINDINGS, topFindings: TOP, tools: TOOLS }),
      job: aJob({ active: 1 }),
      pods: [aPod({ scan: running }, 'Pending')],
      expected: { phase: 'Running', jobName: 'nightly-1', startTime: '2026-05-19T02:00:03Z', message: 'scan running' },
    },
    {
      name: 'has Succeeded/Completed with the findings, top findings and tools of the report message',
      run: aRun({ phase: 'Running' }, 'CRITICAL'),
      job: aJob({ conditions: [cond('Complete')], completionTime: '2026-05-19T02:06:00Z' }),
      pods: [scannedPod(reportMessage({ ...FINDINGS, critical: 0, total: 9 }, TOP.slice(1)))],
      expected: {
        ...ENDED,
        phase: 'Succeeded',
        reason: RunReason.Completed,
        message: 'scan completed: 9 findings (2 high, 3 medium, 4 info)',
        findings: { ...FINDINGS, critical: 0, total: 9 },
        topFindings: TOP.slice(1),
        tools: TOOLS,
      },
    },
    {
      name: 'has Succeeded without fail_on, whatever the findings',
      run: aRun({ phase: 'Running' }),
      job: completedJob(),
      pods: [scannedPod(reportMessage(FINDINGS, TOP))],
      expected: {
        ...ENDED,
        phase: 'Succeeded',
        reason: RunReason.Completed,
        message: 'scan completed: 10 findings (1 critical, 2 high, 3 medium, 4 info)',
        findings: FINDINGS,
        topFindings: TOP,
        tools: TOOLS,
      },
    },
    {
      name: 'has Succeeded with no findings',
      run: aRun({ phase: 'Running' }, 'INFO'),
      job: completedJob(),
      pods: [scannedPod(reportMessage({ critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 }))],
      expected: {
        ...ENDED,
        phase: 'Succeeded',
        reason: RunReason.Completed,
        message: 'scan completed: no findings',
        findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 },
        topFindings: [],
        tools: TOOLS,
      },
    },
    {
      name: 'fails with FindingsAboveThreshold, judged by the controller, though the Job completed',
      run: aRun({ phase: 'Running' }, 'HIGH'),
      job: completedJob(),
      pods: [scannedPod(reportMessage(FINDINGS, TOP))],
      expected: {
        ...ENDED,
        phase: 'Failed',
        reason: RunReason.FindingsAboveThreshold,
        message: '3 findings at or above HIGH: 10 findings (1 critical, 2 high, 3 medium, 4 info)',
        findings: FINDINGS,
        topFindings: TOP,
        tools: TOOLS,
      },
    },
    {
      name: 'judges the run’s frozen fail_on, not the verdict the message carries',
      run: aRun({ phase: 'Running' }, 'HIGH'),
      job: completedJob(),
      pods: [
        scannedPod(
          encodeTerminationMessage({
            version: 1,
            findings: { critical: 0, high: 1, medium: 0, low: 0, info: 0, total: 1 },
            tools: [],
            topFindings: [],
            sources: [],
            verdict: { failOn: 'CRITICAL', atOrAbove: 0, passed: true },
          }),
        ),
      ],
      expected: {
        ...ENDED,
        phase: 'Failed',
        reason: RunReason.FindingsAboveThreshold,
        message: '1 findings at or above HIGH: 1 findings (1 high)',
        findings: { critical: 0, high: 1, medium: 0, low: 0, info: 0, total: 1 },
        topFindings: [],
        tools: [],
      },
    },
    {
      name: 'reads the seed’s plain {"findings":{...}} message from a custom report',
      run: aRun({ phase: 'Running' }),
      job: completedJob(),
      pods: [scannedPod('{"findings":{"high":5}}')],
      expected: {
        ...ENDED,
        phase: 'Succeeded',
        reason: RunReason.Completed,
        message: 'scan completed: 5 findings (5 high)',
        findings: { critical: 0, high: 5, medium: 0, low: 0, info: 0, total: 5 },
        topFindings: [],
        tools: [],
      },
    },
    {
      name: 'fails with FindingsAboveThreshold when the report step exited non-zero over its summary',
      run: aRun({ phase: 'Running' }, 'CRITICAL'),
      job: failedJob(),
      pods: [scannedPod(reportMessage(FINDINGS, TOP), 1)],
      expected: {
        ...FAILED_AT,
        phase: 'Failed',
        reason: RunReason.FindingsAboveThreshold,
        message: '1 findings at or above CRITICAL: 10 findings (1 critical, 2 high, 3 medium, 4 info)',
        findings: FINDINGS,
        topFindings: TOP,
        tools: TOOLS,
      },
    },
    {
      name: 'fails with NoResults, findings absent, when the report step said why it could not read the results',
      run: aRun({ phase: 'Running' }, 'HIGH'),
      job: failedJob(),
      pods: [scannedPod(errorMessage, 2)],
      expected: {
        ...FAILED_AT,
        phase: 'Failed',
        reason: RunReason.NoResults,
        message: 'no result files in /results; findings unknown',
      },
    },
    {
      name: 'fails with NoResults when the Job completed but the report step wrote no message',
      run: aRun({ phase: 'Running' }),
      job: completedJob(),
      pods: [scannedPod(undefined)],
      expected: {
        ...ENDED,
        phase: 'Failed',
        reason: RunReason.NoResults,
        message: 'the report step wrote no readable summary: the scan wrote no termination message; findings unknown',
      },
    },
    {
      name: 'fails with NoResults when the Job completed and no pod is left to read',
      run: aRun({ phase: 'Running' }),
      job: completedJob(),
      expected: {
        ...ENDED,
        phase: 'Failed',
        reason: RunReason.NoResults,
        message: 'the report step left no exit status; findings unknown',
      },
    },
    {
      name: 'fails with NoResults, findings absent, on a forged summary whose verdict hides a critical finding',
      run: aRun({ phase: 'Running' }, 'CRITICAL'),
      job: completedJob(),
      pods: [
        scannedPod(
          JSON.stringify({
            version: 1,
            findings: { critical: 1, high: 0, medium: 0, low: 0, info: 0, total: 1 },
            tools: [],
            topFindings: [],
            verdict: { failOn: 'CRITICAL', atOrAbove: 0, passed: true },
          }),
        ),
      ],
      expected: {
        ...ENDED,
        phase: 'Failed',
        reason: RunReason.NoResults,
        message:
          'the report step wrote no readable summary: verdict in the termination message does not match its findings; findings unknown',
      },
    },
    {
      name: 'fails with NoResults, findings absent, on a message with a field the format does not have',
      run: aRun({ phase: 'Running' }),
      job: completedJob(),
      pods: [scannedPod(JSON.stringify({ ...JSON.parse(reportMessage(FINDINGS)), phase: 'Succeeded' }))],
      expected: {
        ...ENDED,
        phase: 'Failed',
        reason: RunReason.NoResults,
        message:
          'the report step wrote no readable summary: the termination message has an unknown field "phase"; findings unknown',
      },
    },
    {
      name: 'fails with NoResults, findings absent, on a message over 4 KiB',
      run: aRun({ phase: 'Running' }),
      job: completedJob(),
      pods: [scannedPod(`${reportMessage(FINDINGS).slice(0, -1)},"pad":"${'x'.repeat(4100)}"}`)],
      expected: {
        ...ENDED,
        phase: 'Failed',
        reason: RunReason.NoResults,
        message:
          'the report step wrote no readable summary: the termination message is longer than 4 KiB; findings unknown',
      },
    },
    {
      name: 'fails with NoResults, findings absent, on a message that is not JSON',
      run: aRun({ phase: 'Running' }),
      job: completedJob(),
      pods: [scannedPod('Traceback (most recent call last)')],
      expected: {
        ...ENDED,
        phase: 'Failed',
        reason: RunReason.NoResults,
        message: 'the report step wrote no readable summary: the termination message is not JSON; findings unknown',
      },
    },
    {
      name: 'fails with NoResults, findings absent, on a negative count',
      run: aRun({ phase: 'Running' }),
      job: completedJob(),
      pods: [scannedPod('{"findings":{"critical":-1}}')],
      expected: {
        ...ENDED,
        phase: 'Failed',
        reason: RunReason.NoResults,
        message:
          'the report step wrote no readable summary: findings.critical is not a non-negative integer in the termination message; findings unknown',
      },
    },
    {
      name: 'fails with ScanFailed, findings absent, when the scanner exited non-zero, whatever a report message says',
      run: aRun({ phase: 'Running' }, 'CRITICAL'),
      job: failedJob(),
      pods: [aPod({ scan: exited(2), report: exited(0, reportMessage(FINDINGS, TOP)) }, 'Failed')],
      expected: {
        ...FAILED_AT,
        phase: 'Failed',
        reason: RunReason.ScanFailed,
        message: 'the scan exited with code 2; findings unknown',
      },
    },
    {
      name: 'fails with ScanFailed, findings absent, when the scanner was OOMKilled',
      run: aRun({ phase: 'Running' }, 'HIGH'),
      job: failedJob(),
      pods: [aPod({ scan: exited(137, undefined, 'OOMKilled'), report: initializing }, 'Failed')],
      expected: {
        ...FAILED_AT,
        phase: 'Failed',
        reason: RunReason.ScanFailed,
        message: 'the scan exited with code 137 (OOMKilled); findings unknown',
      },
    },
    {
      name: 'fails with ScanFailed from the scanner’s last state when it was restarted',
      run: aRun({ phase: 'Running' }),
      job: failedJob(),
      pods: [aPod({ scan: { state: {}, lastState: { terminated: { exitCode: 3 } } } }, 'Failed')],
      expected: {
        ...FAILED_AT,
        phase: 'Failed',
        reason: RunReason.ScanFailed,
        message: 'the scan exited with code 3; findings unknown',
      },
    },
    {
      name: 'fails with ScanFailed from the Job condition when the pods are gone',
      run: aRun({ phase: 'Running' }),
      job: failedJob(),
      expected: {
        ...FAILED_AT,
        phase: 'Failed',
        reason: RunReason.ScanFailed,
        message: 'the Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit; findings unknown',
      },
    },
    {
      name: 'fails with ScanFailed naming an evicted pod',
      run: aRun({ phase: 'Running' }),
      job: aJob({ conditions: [cond('Failed', 'BackoffLimitExceeded')] }),
      pods: [
        aPod({ scan: { state: {} } }, 'Failed', {
          reason: 'Evicted',
          message: 'The node was low on resource: memory.',
        }),
      ],
      expected: {
        ...FAILED_AT,
        phase: 'Failed',
        reason: RunReason.ScanFailed,
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
      pods: [aPod({ scan: exited(0), report: exited(143, reportMessage(FINDINGS)) }, 'Failed')],
      expected: {
        ...FAILED_AT,
        phase: 'Failed',
        reason: RunReason.DeadlineExceeded,
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
        duration: '9m57s',
        message: 'the scan Job was deleted before it finished; findings unknown',
      },
    },
    {
      name: 'fails with JobDeleted when a Pending run that had a Job (jobName) loses it before its pod started',
      run: aRun({ phase: 'Pending', jobName: 'nightly-1', message: 'waiting for the scan pod to start' }),
      expected: {
        phase: 'Failed',
        reason: RunReason.JobDeleted,
        jobName: 'nightly-1',
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
      job: completedJob(),
      pods: [scannedPod(reportMessage(FINDINGS))],
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
      run: aRun({
        phase: 'Pending',
        notifications: [{ channel: 0, type: 'slack', state: 'Pending', attempts: 1 }],
      }),
      job: aJob({ active: 1 }),
      pods: [aPod({ scan: running }, 'Running')],
      expected: {
        phase: 'Running',
        jobName: 'nightly-1',
        startTime: '2026-05-19T02:00:03Z',
        message: 'scan running',
        notifications: [{ channel: 0, type: 'slack', state: 'Pending', attempts: 1 }],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runStatusFromJob(c.run, c.job, c.pods ?? [], NOW), c.expected));
  }

  it('ignores pods of another Job', () => {
    const stranger = scannedPod(reportMessage(FINDINGS));
    stranger.metadata = {
      ...stranger.metadata,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'x', uid: 'other' }],
    };
    const status = runStatusFromJob(aRun({ phase: 'Running' }), completedJob(), [stranger], NOW);
    assert.equal(status.reason, RunReason.NoResults);
    assert.equal(status.findings, undefined);
  });

  it('reads the newest pod when the Job retried', () => {
    const first = aPod({ scan: exited(1) }, 'Failed', { startTime: '2026-05-19T02:00:05Z' as unknown as Date });
    const second = aPod({ scan: exited(0), report: exited(0, reportMessage(FINDINGS)) }, 'Succeeded', {
      startTime: '2026-05-19T02:03:00Z' as unknown as Date,
    });
    const status = runStatusFromJob(aRun({ phase: 'Running' }), completedJob(), [second, first], NOW);
    assert.deepEqual(status.findings, FINDINGS);
  });

  it('accepts Date objects from the typed client as well as strings from watches', () => {
    const job = aJob({ active: 1 });
    job.status = { ...job.status, startTime: new Date('2026-05-19T02:00:03.250Z') };
    assert.equal(runStatusFromJob(aRun(), job, [], NOW).startTime, '2026-05-19T02:00:03Z');
  });

  it('returns a status equal to the stored one when nothing changed, so no write happens', () => {
    const job = aJob({ active: 1 });
    const pods = [aPod({ scan: running })];
    const first = runStatusFromJob(aRun(), job, pods, NOW);
    const again = runStatusFromJob(aRun(first), job, pods, new Date(NOW.getTime() + 60_000));
    assert.ok(isDeepStrictEqual(first, again));
  });
});

describe('runStatusFromJob: status.duration, the DURATION column', () => {
  // A fixed clock after every time below: the duration comes from the Job's times, never from the clock.
  const LATER = new Date('2026-05-19T04:00:00Z');
  const startedAt = '2026-05-19T02:00:03Z';
  const endedAt = (type: 'Complete' | 'Failed', at: string, reason?: string): V1Job =>
    aJob({
      conditions: [{ type, status: 'True', reason, lastTransitionTime: at } as unknown as V1JobCondition],
      ...(type === 'Complete' && { completionTime: at }),
    });
  const cases: { name: string; run: ScanRun; job?: V1Job; pods?: V1Pod[]; duration: string | undefined }[] = [
    {
      name: 'a succeeded run took its Job’s completionTime - startTime, in seconds under two minutes',
      run: aRun({ phase: 'Running' }),
      job: endedAt('Complete', '2026-05-19T02:00:48Z'),
      pods: [scannedPod(reportMessage(FINDINGS))],
      duration: '45s',
    },
    {
      name: 'a failed scan took until the Job failed, in minutes and seconds under ten minutes',
      run: aRun({ phase: 'Running' }),
      job: endedAt('Failed', '2026-05-19T02:04:15Z', 'BackoffLimitExceeded'),
      pods: [aPod({ scan: exited(1) }, 'Failed')],
      duration: '4m12s',
    },
    {
      name: 'a run stopped by activeDeadlineSeconds took until the deadline, in whole minutes as kubectl prints them',
      run: aRun({ phase: 'Running' }),
      job: endedAt('Failed', '2026-05-19T03:03:03Z', 'DeadlineExceeded'),
      duration: '63m',
    },
    {
      name: 'a run whose Job was deleted took until the controller saw it gone',
      run: aRun({ phase: 'Running', jobName: 'nightly-1', startTime: startedAt }),
      duration: '119m',
    },
    {
      name: 'a running run has no duration yet',
      run: aRun({ phase: 'Pending' }),
      job: aJob({ active: 1 }),
      pods: [aPod({ scan: running }, 'Pending')],
      duration: undefined,
    },
    {
      name: 'a running run drops a duration its status carried (only the controller’s own arithmetic counts)',
      run: aRun({ phase: 'Running', startTime: startedAt, duration: '1s' }),
      job: aJob({ active: 1 }),
      pods: [aPod({ scan: running }, 'Pending')],
      duration: undefined,
    },
    {
      name: 'a run that never started has no duration, though it has a completionTime',
      run: aRun({ phase: 'Pending', jobName: 'nightly-1' }),
      duration: undefined,
    },
    {
      name: 'a run that ended before it started (a clock that went back) has no duration rather than a made-up one',
      run: aRun({ phase: 'Running' }),
      job: endedAt('Failed', '2026-05-19T01:59:00Z', 'BackoffLimitExceeded'),
      pods: [aPod({ scan: exited(1) }, 'Failed')],
      duration: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status = runStatusFromJob(c.run, c.job, c.pods ?? [], LATER);
      assert.equal(status.duration, c.duration);
      // Written in the same status as completionTime, never on its own.
      if (c.duration !== undefined) assert.ok(status.completionTime !== undefined);
    });
  }

  it('keeps a finished run’s duration as stored: nothing recomputes it', () => {
    const finished = runStatusFromJob(
      aRun({ phase: 'Running' }),
      endedAt('Complete', '2026-05-19T02:00:48Z'),
      [scannedPod(reportMessage(FINDINGS))],
      LATER,
    );
    assert.deepEqual(runStatusFromJob(aRun(finished), undefined, [], LATER), finished);
  });
});

describe('runStatusFromJob: fail_on is judged from the counts at every severity', () => {
  const oneAt = (severity: Severity): Findings => ({
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    info: 0,
    [severity.toLowerCase()]: 1,
    total: 1,
  });
  // SEVERITIES is most severe first: a finding is at or above fail_on when its index is not larger.
  for (const failOn of SEVERITIES) {
    for (const severity of SEVERITIES) {
      const above = SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(failOn);
      it(`${above ? 'fails' : 'passes'} one ${severity} finding with fail_on ${failOn}`, () => {
        const status = runStatusFromJob(
          aRun({ phase: 'Running' }, failOn),
          completedJob(),
          [scannedPod(reportMessage(oneAt(severity)))],
          NOW,
        );
        assert.equal(status.phase, above ? 'Failed' : 'Succeeded');
        assert.equal(status.reason, above ? RunReason.FindingsAboveThreshold : RunReason.Completed);
        assert.deepEqual(status.findings, oneAt(severity));
      });
    }
  }
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
