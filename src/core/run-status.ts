// A ScanRun's status, read from its Job and the Job's pods. Pure: the reconciler passes what the informer caches
// hold and `now`, and writes the result only when it differs from the stored status.
//
// The result contract (docs/results.md): the scanner runs as the init container `scan` and writes its results
// to the results volume; the `report` container (our own image) reads them and writes one summary to its
// /dev/termination-log (at most 4 KiB). The summary is untrusted input all the same: it is decoded strictly,
// and the verdict is judged here against the run's frozen fail_on, never taken from the message. Unknown
// findings are absent from status: never zeros for a scan that failed.
import type {
  V1ContainerStateTerminated,
  V1ContainerStatus,
  V1Job,
  V1JobCondition,
  V1Pod,
} from '@kubernetes/client-node';
import type { ScanRun, ScanRunStatus } from '../api/types.ts';
import { formatUtc } from '../schedule/rfc3339.ts';
import { REPORT_CONTAINER_NAME, SCAN_CONTAINER_NAME } from './job-for-run.ts';
import { isFinished } from './owned-runs.ts';
import { decodeTerminationMessage } from './results/termination-message.ts';
import { RunReason } from './run-reasons.ts';
import { compact, verdictStatus } from './run-verdict.ts';
import { runRecordsJob } from './started-jobs.ts';

export { isFinished, RunReason };

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

function newestPod(pods: readonly V1Pod[]): V1Pod | undefined {
  return [...pods].sort((a, b) => podTime(b) - podTime(a))[0];
}

/** One step of the newest pod: with backoffLimit > 0, the last attempt decides. */
function stepStatus(pod: V1Pod | undefined, step: 'scan' | 'report'): V1ContainerStatus | undefined {
  const statuses =
    step === 'scan' ? (pod?.status?.initContainerStatuses ?? []) : (pod?.status?.containerStatuses ?? []);
  const name = step === 'scan' ? SCAN_CONTAINER_NAME : REPORT_CONTAINER_NAME;
  return statuses.find((status) => status.name === name);
}

function terminatedState(status: V1ContainerStatus | undefined): V1ContainerStateTerminated | undefined {
  return status?.state?.terminated ?? status?.lastState?.terminated;
}

function describeExit(terminated: V1ContainerStateTerminated | undefined): string {
  if (terminated === undefined) return 'the scanner left no exit status';
  const why = terminated.reason !== undefined && terminated.reason !== 'Error' ? ` (${terminated.reason})` : '';
  return `the scan exited with code ${terminated.exitCode}${why}`;
}

function waitingMessage(pods: readonly V1Pod[]): string {
  const pod = newestPod(pods);
  // The first step that waits: the scanner's image pull, or the report step's once the scan is done.
  const waiting = [stepStatus(pod, 'scan'), stepStatus(pod, 'report')].find(
    (status) => status?.state?.waiting?.reason !== undefined,
  )?.state?.waiting;
  if (pod !== undefined && waiting?.reason !== undefined) {
    const detail = waiting.message !== undefined ? `: ${waiting.message}` : '';
    return `pod ${pod.metadata?.name ?? ''} is waiting: ${waiting.reason}${detail}`;
  }
  const unschedulable = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unschedulable?.message !== undefined)
    return `pod ${pod?.metadata?.name ?? ''} is not scheduled: ${unschedulable.message}`;
  return 'waiting for the scan pod to start';
}

type ReportOutcome =
  | { kind: 'summary'; status: Pick<ScanRunStatus, 'findings' | 'topFindings' | 'tools'> }
  | { kind: 'no-results'; why: string };

/** What the report step said, from its termination message only. */
function reportOutcome(pod: V1Pod | undefined): ReportOutcome {
  const terminated = terminatedState(stepStatus(pod, 'report'));
  if (terminated === undefined) return { kind: 'no-results', why: 'the report step left no exit status' };
  const decoded = decodeTerminationMessage(terminated.message ?? '');
  if ('summary' in decoded) {
    const { findings, topFindings, tools } = decoded.summary;
    return { kind: 'summary', status: { findings, topFindings, tools } };
  }
  if ('error' in decoded) return { kind: 'no-results', why: decoded.error };
  return { kind: 'no-results', why: `the report step wrote no readable summary: ${decoded.problem}` };
}

/** The finished run's status from what the report step said: its verdict, or NoResults when it said nothing usable. */
function statusFromReport(
  run: ScanRun,
  base: ScanRunStatus,
  pod: V1Pod | undefined,
  completionTime: string,
): ScanRunStatus {
  const outcome = reportOutcome(pod);
  if (outcome.kind === 'summary') return verdictStatus(run, base, outcome.status, completionTime);
  return compact({
    ...base,
    phase: 'Failed',
    reason: RunReason.NoResults,
    message: `${outcome.why}; findings unknown`,
    completionTime,
  });
}

/** No controller has acted on the Job yet: no start time, no active pod, no condition. */
function isUntouched(job: V1Job): boolean {
  const status = job.status;
  return status?.startTime === undefined && (status?.active ?? 0) === 0 && (status?.conditions ?? []).length === 0;
}

/**
 * Maps the Job (undefined when it does not exist) and its pods to the run's status. A finished run, Cancelled
 * included, keeps its status: its Job may be gone (ttlSecondsAfterFinished) and nothing can change the outcome.
 * `hadJob`: the run had a Job (its own status says so, or the schedule's status.startedJobs), so a missing one
 * was deleted, not never created.
 */
export function runStatusFromJob(
  run: ScanRun,
  job: V1Job | undefined,
  pods: readonly V1Pod[],
  now: Date,
  hadJob: boolean = runRecordsJob(run),
): ScanRunStatus {
  const current = run.status ?? {};
  if (isFinished(run)) return current;
  const { findings: _findings, topFindings: _top, tools: _tools, ...rest } = current;

  if (job === undefined) {
    // A run that had a Job never gets a second one.
    if (hadJob) {
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
  // A Job nothing has acted on yet (the Job controller has not started it) changes nothing a user can see: the
  // run keeps its empty status until the Job starts, instead of one more write per run at every due time.
  if (current.phase === undefined && jobPods.length === 0 && isUntouched(job)) return current;
  const pod = newestPod(jobPods);
  const base: ScanRunStatus = {
    ...rest,
    jobName: job.metadata?.name ?? current.jobName,
    startTime: timeOf(job.status?.startTime) ?? current.startTime,
  };

  const complete = condition(job, 'Complete');
  if (complete !== undefined) {
    const completionTime = timeOf(job.status?.completionTime) ?? timeOf(complete.lastTransitionTime) ?? formatUtc(now);
    return statusFromReport(run, base, pod, completionTime);
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
    const scan = terminatedState(stepStatus(pod, 'scan'));
    if (scan !== undefined && scan.exitCode === 0) {
      // The scanner finished; the report step could not read what it wrote.
      return statusFromReport(run, base, pod, completionTime);
    }
    const podReason = pod?.status?.reason;
    const cause =
      scan !== undefined
        ? describeExit(scan)
        : podReason !== undefined
          ? `the scan pod failed: ${podReason}${pod?.status?.message !== undefined ? `: ${pod.status.message}` : ''}`
          : `the Job failed: ${failed.reason ?? 'unknown reason'}${failed.message !== undefined ? `: ${failed.message}` : ''}`;
    return compact({
      ...base,
      phase: 'Failed',
      reason: RunReason.ScanFailed,
      message: `${cause}; findings unknown`,
      completionTime,
    });
  }

  // The scan is an init container: the pod's phase stays Pending while it runs.
  const running =
    jobPods.some((p) => p.status?.phase === 'Running' || stepStatus(p, 'scan')?.state?.running !== undefined) ||
    (jobPods.length === 0 && (job.status?.active ?? 0) > 0);
  if (running) return compact({ ...base, phase: 'Running', reason: undefined, message: 'scan running' });
  return compact({ ...base, phase: 'Pending', reason: undefined, message: waitingMessage(jobPods) });
}
