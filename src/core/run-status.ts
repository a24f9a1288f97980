// A ScanRun's status, read from its Job and the Job's pods. Pure: the reconciler passes what the informer caches
// hold and `now`, and writes the result only when it differs from the stored status.
//
// The result contract (DESIGN.md §3): the scan container may write {"findings":{"critical":N,...}} to
// /dev/termination-log (at most 4 KiB). No message means the findings are unknown, and unknown findings are
// absent from status: never zeros for a scan that failed.
import type {
  V1ContainerStateTerminated,
  V1ContainerStatus,
  V1Job,
  V1JobCondition,
  V1Pod,
} from '@kubernetes/client-node';
import { type Findings, type ScanRun, type ScanRunStatus, SEVERITIES, type Severity } from '../api/types.ts';
import { formatUtc } from '../schedule/rfc3339.ts';
import { SCAN_CONTAINER_NAME } from './job-for-run.ts';
import { isFinished } from './owned-runs.ts';

export { isFinished };

/** Reasons of a run's status.reason (DESIGN.md §3); `Replaced` and `JobRejected` are set by the reconciler. */
export const RunReason = {
  /** The Job completed: the scanner exited 0. */
  Completed: 'Completed',
  /** The scanner exited non-zero and reported findings at or above spec.jobTemplate.options.fail_on. */
  FindingsAboveThreshold: 'FindingsAboveThreshold',
  /** The scanner failed for any other reason (crash, error exit, OOM, eviction, backoff limit). */
  ScanFailed: 'ScanFailed',
  /** The Job ran longer than backend.config.activeDeadlineSeconds and was stopped. */
  DeadlineExceeded: 'DeadlineExceeded',
  /** The Job disappeared while the run was running (deleted by hand, or by a policy). */
  JobDeleted: 'JobDeleted',
} as const;
export type RunReason = (typeof RunReason)[keyof typeof RunReason];

/** The kubelet keeps at most this much of a termination message. */
export const MAX_TERMINATION_MESSAGE_BYTES = 4096;

const FINDING_KEYS = ['critical', 'high', 'medium', 'low', 'info'] as const;

export type TerminationFindings = { findings: Findings } | { problem: string };

/** Reads the result contract from a termination message; `problem` says why the findings are unknown. */
export function findingsFromTerminationMessage(message: string | undefined): TerminationFindings {
  if (message === undefined || message.trim() === '') return { problem: 'the scan wrote no termination message' };
  if (Buffer.byteLength(message, 'utf8') > MAX_TERMINATION_MESSAGE_BYTES) {
    return { problem: 'the termination message is longer than 4 KiB' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { problem: 'the termination message is not JSON' };
  }
  const raw = (parsed as { findings?: unknown } | null)?.findings;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { problem: 'the termination message has no "findings" object' };
  }
  const counts = raw as Record<string, unknown>;
  const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
  const findings: Findings = { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 };
  let sum = 0;
  for (const key of FINDING_KEYS) {
    const value = counts[key];
    if (value === undefined) continue;
    if (!isCount(value)) return { problem: `findings.${key} in the termination message is not a non-negative integer` };
    findings[key] = value;
    sum += value;
  }
  findings.total = isCount(counts.total) ? counts.total : sum;
  return { findings };
}

/** Number of findings at or above `threshold` (CRITICAL is the highest). */
export function findingsAtOrAbove(findings: Findings, threshold: Severity): number {
  let count = 0;
  for (const severity of SEVERITIES.slice(0, SEVERITIES.indexOf(threshold) + 1)) {
    count += findings[severity.toLowerCase() as (typeof FINDING_KEYS)[number]];
  }
  return count;
}

// Typed list calls hand out Date objects, watch events RFC 3339 strings: accept both, store seconds like
// metav1.Time so that status does not change on every reconcile.
function timeOf(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isNaN(ms) ? undefined : formatUtc(ms);
}

function condition(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

function podsOfJob(job: V1Job, pods: readonly V1Pod[]): V1Pod[] {
  const uid = job.metadata?.uid;
  return pods.filter(
    (pod) => uid === undefined || (pod.metadata?.ownerReferences ?? []).some((ref) => ref.uid === uid),
  );
}

function podTime(pod: V1Pod): number {
  const time = timeOf(pod.status?.startTime) ?? timeOf(pod.metadata?.creationTimestamp);
  return time === undefined ? 0 : Date.parse(time);
}

/** The scan container's status in the newest pod: with backoffLimit > 0, the last attempt decides. */
function scanContainerStatus(
  pods: readonly V1Pod[],
): { pod: V1Pod; status: V1ContainerStatus | undefined } | undefined {
  const newest = [...pods].sort((a, b) => podTime(b) - podTime(a))[0];
  if (newest === undefined) return undefined;
  const statuses = newest.status?.containerStatuses ?? [];
  return { pod: newest, status: statuses.find((s) => s.name === SCAN_CONTAINER_NAME) ?? statuses[0] };
}

function terminatedState(status: V1ContainerStatus | undefined): V1ContainerStateTerminated | undefined {
  return status?.state?.terminated ?? status?.lastState?.terminated;
}

function describeFindings(findings: Findings): string {
  const parts = FINDING_KEYS.filter((key) => findings[key] > 0).map((key) => `${findings[key]} ${key}`);
  return parts.length === 0 ? 'no findings' : `${findings.total} findings (${parts.join(', ')})`;
}

function describeExit(terminated: V1ContainerStateTerminated | undefined): string {
  if (terminated === undefined) return 'the scan container left no exit status';
  const why = terminated.reason !== undefined && terminated.reason !== 'Error' ? ` (${terminated.reason})` : '';
  return `the scan exited with code ${terminated.exitCode}${why}`;
}

/** Drops undefined fields: status is compared with isDeepStrictEqual, where {a: undefined} differs from {}. */
function compact(status: ScanRunStatus): ScanRunStatus {
  return Object.fromEntries(Object.entries(status).filter(([, value]) => value !== undefined)) as ScanRunStatus;
}

function waitingMessage(pods: readonly V1Pod[]): string {
  const latest = scanContainerStatus(pods);
  const waiting = latest?.status?.state?.waiting;
  if (latest !== undefined && waiting?.reason !== undefined) {
    const detail = waiting.message !== undefined ? `: ${waiting.message}` : '';
    return `pod ${latest.pod.metadata?.name ?? ''} is waiting: ${waiting.reason}${detail}`;
  }
  const unschedulable = latest?.pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unschedulable?.message !== undefined)
    return `pod ${latest?.pod.metadata?.name ?? ''} is not scheduled: ${unschedulable.message}`;
  return 'waiting for the scan pod to start';
}

/**
 * Maps the Job (undefined when it does not exist) and its pods to the run's status. A finished run, Cancelled
 * included, keeps its status: its Job may be gone (ttlSecondsAfterFinished) and nothing can change the outcome.
 */
export function runStatusFromJob(
  run: ScanRun,
  job: V1Job | undefined,
  pods: readonly V1Pod[],
  now: Date,
): ScanRunStatus {
  const current = run.status ?? {};
  if (isFinished(run)) return current;
  const { findings: _stale, ...rest } = current;

  if (job === undefined) {
    if (current.phase === 'Running') {
      return compact({
        ...rest,
        phase: 'Failed',
        reason: RunReason.JobDeleted,
        message: 'the scan Job was deleted before it finished; findings unknown',
        completionTime: formatUtc(now),
      });
    }
    return compact({ ...rest, phase: 'Pending', reason: undefined, message: 'waiting for the scan Job to be created' });
  }

  const jobPods = podsOfJob(job, pods);
  const latest = scanContainerStatus(jobPods);
  const terminated = terminatedState(latest?.status);
  const base: ScanRunStatus = {
    ...rest,
    jobName: job.metadata?.name ?? current.jobName,
    startTime: timeOf(job.status?.startTime) ?? current.startTime,
  };

  const complete = condition(job, 'Complete');
  if (complete !== undefined) {
    const result = findingsFromTerminationMessage(terminated?.message);
    return compact({
      ...base,
      phase: 'Succeeded',
      reason: RunReason.Completed,
      message:
        'findings' in result
          ? `scan completed: ${describeFindings(result.findings)}`
          : `scan completed; findings unknown: ${result.problem}`,
      completionTime: timeOf(job.status?.completionTime) ?? timeOf(complete.lastTransitionTime) ?? formatUtc(now),
      findings: 'findings' in result ? result.findings : undefined,
    });
  }

  const failed = condition(job, 'Failed');
  if (failed !== undefined) {
    const completionTime = timeOf(failed.lastTransitionTime) ?? formatUtc(now);
    if (failed.reason === 'DeadlineExceeded') {
      const limit = job.spec?.activeDeadlineSeconds;
      return compact({
        ...base,
        phase: 'Failed',
        reason: RunReason.DeadlineExceeded,
        message: `the scan ran longer than activeDeadlineSeconds${limit !== undefined ? ` (${limit} s)` : ''} and was stopped; findings unknown`,
        completionTime,
      });
    }
    const result = findingsFromTerminationMessage(terminated?.message);
    const findings = 'findings' in result ? result.findings : undefined;
    const failOn = run.spec.jobTemplate.options?.fail_on;
    const exitedNonZero = terminated !== undefined && terminated.exitCode !== 0;
    if (exitedNonZero && findings !== undefined && failOn !== undefined && findingsAtOrAbove(findings, failOn) > 0) {
      return compact({
        ...base,
        phase: 'Failed',
        reason: RunReason.FindingsAboveThreshold,
        message: `${findingsAtOrAbove(findings, failOn)} findings at or above ${failOn}: ${describeFindings(findings)}`,
        completionTime,
        findings,
      });
    }
    const podReason = latest?.pod.status?.reason;
    const cause =
      terminated !== undefined
        ? describeExit(terminated)
        : podReason !== undefined
          ? `the scan pod failed: ${podReason}${latest?.pod.status?.message !== undefined ? `: ${latest.pod.status.message}` : ''}`
          : `the Job failed: ${failed.reason ?? 'unknown reason'}${failed.message !== undefined ? `: ${failed.message}` : ''}`;
    return compact({
      ...base,
      phase: 'Failed',
      reason: RunReason.ScanFailed,
      message:
        findings !== undefined
          ? `${cause}; ${describeFindings(findings)}`
          : terminated === undefined || !('problem' in result)
            ? `${cause}; findings unknown`
            : `${cause}; findings unknown: ${result.problem}`,
      completionTime,
      findings,
    });
  }

  const running =
    jobPods.some((pod) => pod.status?.phase === 'Running') || (jobPods.length === 0 && (job.status?.active ?? 0) > 0);
  if (running) return compact({ ...base, phase: 'Running', reason: undefined, message: 'scan running' });
  return compact({ ...base, phase: 'Pending', reason: undefined, message: waitingMessage(jobPods) });
}
