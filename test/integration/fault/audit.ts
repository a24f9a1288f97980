// The fault-injection audit: pure checks over what the API server holds after the storm (schedules, runs, Jobs,
// pods, Events) and what the stand-in kubelet witnessed. Each check counts violations of one promise; the
// definitions are in fault-injection.test.ts's header, and audit.test.ts shows each check can fire.
import type { EventsV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import {
  FINISHED_PHASES,
  LABEL_MANAGED_BY,
  LABEL_SCHEDULE,
  MANAGED_BY,
  type ScanRun,
  type ScanSchedule,
} from '../../../src/api/types.ts';
import { type Cadence, periodicCadence } from '../../../src/schedule/cadence.ts';
import { compileTiming } from '../../../src/schedule/timing.ts';
import type { KubeletObservations } from './stand-in-kubelet.ts';

export const CHECKS = [
  'duplicateRuns',
  'duplicateJobs',
  'forbidOverlaps',
  'cancelledJobsAlive',
  'lostDueTimes',
  'untracedSkips',
  'offCadenceRuns',
] as const;
export type Check = (typeof CHECKS)[number];

export interface AuditInput {
  schedules: readonly ScanSchedule[];
  runs: readonly ScanRun[];
  jobs: readonly V1Job[];
  pods: readonly V1Pod[];
  /** events.k8s.io Events by the UID of the object they regard. */
  eventsByUid: ReadonlyMap<string, readonly EventsV1Event[]>;
  kubelet: Pick<KubeletObservations, 'jobUidsByName' | 'executions'>;
  /** `namespace/name` → the last instant whose due time must have been acted on (e.g. just before suspension). */
  auditEndMs: ReadonlyMap<string, number>;
  nowMs: number;
}

export interface AuditReport {
  counts: Record<Check, number>;
  /** One line per violation, for the failure message. */
  findings: string[];
  /** Due times examined, with a run, and accounted for by a trace. */
  dueTimes: number;
  dueTimesWithRun: number;
  dueTimesTraced: number;
}

const keyOf = (namespace: string | undefined, name: string | undefined): string => `${namespace ?? ''}/${name ?? ''}`;
const ms = (time: string | Date | undefined): number | undefined => {
  if (time === undefined) return undefined;
  const value = typeof time === 'string' ? Date.parse(time) : time.getTime();
  return Number.isNaN(value) ? undefined : value;
};
const iso = (value: number): string => new Date(value).toISOString();
const isFinished = (run: ScanRun): boolean => FINISHED_PHASES.includes(run.status?.phase ?? 'Pending');

/** When a run counted as active: from its start (else creation) to its completion (else now, if unfinished). */
function activeInterval(run: ScanRun, nowMs: number): [number, number] {
  const created = ms(run.metadata.creationTimestamp) ?? nowMs;
  const start = ms(run.status?.startTime) ?? created;
  const end = ms(run.status?.completionTime) ?? (isFinished(run) ? start : nowMs);
  return [start, end];
}

/** When the Event (or the last repeat of its series) was observed; −∞ when it says nothing. */
function lastObservedMs(event: EventsV1Event): number {
  const observed = event.series?.lastObservedTime ?? event.eventTime ?? event.deprecatedLastTimestamp;
  return observed === undefined ? Number.NEGATIVE_INFINITY : new Date(observed).getTime();
}

const RFC3339 = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g;
const COUNT = /(?:over\s+)?(\d+)\s+(?:\w+\s+){0,2}times/i;
const MISS_REASON = /Missed|Skipped/;

/**
 * Whether a MissedSchedule-like Event accounts for `dueMs`: its note names the time, or a range around it (two
 * times), or a latest time L and a count N that reach back to it on the schedule's cadence.
 */
function missEventCovers(note: string, dueMs: number, periodMs: number | undefined): boolean {
  const times = [...note.matchAll(RFC3339)].map((m) => Date.parse(m[0])).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return false;
  if (times.includes(dueMs)) return true;
  const first = Math.min(...times);
  const last = Math.max(...times);
  if (times.length >= 2) return dueMs >= first && dueMs <= last;
  const count = Number(COUNT.exec(note)?.[1] ?? '1');
  return periodMs !== undefined && dueMs <= last && dueMs >= last - (count - 1) * periodMs;
}

export function audit(input: AuditInput): AuditReport {
  const counts = Object.fromEntries(CHECKS.map((check) => [check, 0])) as Record<Check, number>;
  const findings: string[] = [];
  const flag = (check: Check, detail: string): void => {
    counts[check] += 1;
    findings.push(`${check}: ${detail}`);
  };
  const report: AuditReport = { counts, findings, dueTimes: 0, dueTimesWithRun: 0, dueTimesTraced: 0 };
  const runsByKey = new Map(input.runs.map((run) => [keyOf(run.metadata.namespace, run.metadata.name), run]));

  // (a) two runs for one (schedule, scheduledTime).
  const byTime = new Map<string, string[]>();
  for (const run of input.runs) {
    if (run.spec.trigger !== 'schedule') continue;
    const key = `${keyOf(run.metadata.namespace, run.spec.scheduleRef.name)}@${run.spec.scheduledTime}`;
    byTime.set(key, [...(byTime.get(key) ?? []), run.metadata.name ?? '']);
  }
  for (const [key, names] of byTime) {
    if (names.length > 1) flag('duplicateRuns', `${key} has runs ${names.join(', ')}`);
  }

  // (b) two Jobs for one run: several UIDs under one name, a Job not owned by its run, a Job younger than the end.
  for (const [key, uids] of input.kubelet.jobUidsByName) {
    if (uids.size > 1)
      flag('duplicateJobs', `Job ${key} existed as ${uids.size} different objects: ${[...uids].join(', ')}`);
  }
  for (const job of input.jobs) {
    if (job.metadata?.labels?.[LABEL_MANAGED_BY] !== MANAGED_BY) continue;
    const key = keyOf(job.metadata.namespace, job.metadata.name);
    const run = runsByKey.get(key);
    const owner = job.metadata.ownerReferences?.find((ref) => ref.controller === true);
    if (run === undefined) {
      flag('duplicateJobs', `Job ${key} has no run of its name`);
      continue;
    }
    if (owner?.uid !== run.metadata.uid) {
      flag('duplicateJobs', `Job ${key} is controlled by ${owner?.uid ?? 'nobody'}, its run is ${run.metadata.uid}`);
    }
    const jobCreated = ms(job.metadata.creationTimestamp);
    const runEnded = ms(run.status?.completionTime);
    if (isFinished(run) && jobCreated !== undefined && runEnded !== undefined && jobCreated > runEnded) {
      flag(
        'duplicateJobs',
        `Job ${key} created ${job.metadata.creationTimestamp?.toISOString()} after its run ended ${run.status?.phase} at ${run.status?.completionTime}`,
      );
    }
  }

  const forbid = new Set(
    input.schedules
      .filter((s) => (s.spec.concurrencyPolicy ?? 'Forbid') === 'Forbid')
      .map((s) => keyOf(s.metadata.namespace, s.metadata.name)),
  );

  // (c) overlapping Forbid runs, by the runs' own times and by when the kubelet really ran their scans.
  const runsBySchedule = new Map<string, ScanRun[]>();
  for (const run of input.runs) {
    const key = keyOf(run.metadata.namespace, run.metadata.labels?.[LABEL_SCHEDULE] ?? run.spec.scheduleRef.name);
    runsBySchedule.set(key, [...(runsBySchedule.get(key) ?? []), run]);
  }
  for (const key of forbid) {
    const intervals = (runsBySchedule.get(key) ?? [])
      .map((run) => ({ name: run.metadata.name ?? '', span: activeInterval(run, input.nowMs) }))
      .sort((a, b) => a.span[0] - b.span[0]);
    for (let i = 1; i < intervals.length; i++) {
      const before = intervals.slice(0, i).find((other) => other.span[1] > (intervals[i]?.span[0] ?? 0));
      if (before !== undefined)
        flag('forbidOverlaps', `${key}: run ${intervals[i]?.name} started while ${before.name} was active`);
    }
    const scans = input.kubelet.executions
      .filter((e) => keyOf(e.namespace, e.schedule) === key && e.startedMs !== undefined)
      .map((e) => ({ name: e.jobName, span: [e.startedMs ?? 0, e.endedMs ?? input.nowMs] as const }))
      .sort((a, b) => a.span[0] - b.span[0]);
    for (let i = 1; i < scans.length; i++) {
      const before = scans.slice(0, i).find((other) => other.span[1] > (scans[i]?.span[0] ?? 0));
      if (before !== undefined)
        flag('forbidOverlaps', `${key}: the scan of ${scans[i]?.name} ran while that of ${before.name} ran`);
    }
  }

  // (d) a cancelled run whose Job lives on (not being deleted) or still has an active pod.
  for (const run of input.runs) {
    if (run.status?.phase !== 'Cancelled') continue;
    const jobName = run.status.jobName ?? run.metadata.name;
    const key = keyOf(run.metadata.namespace, jobName);
    const job = input.jobs.find((j) => keyOf(j.metadata?.namespace, j.metadata?.name) === key);
    const pod = input.pods.find(
      (p) =>
        keyOf(p.metadata?.namespace, p.metadata?.labels?.['batch.kubernetes.io/job-name']) === key &&
        p.metadata?.deletionTimestamp === undefined &&
        (p.status?.phase === 'Pending' || p.status?.phase === 'Running'),
    );
    if (job !== undefined && job.metadata?.deletionTimestamp === undefined) {
      flag(
        'cancelledJobsAlive',
        `cancelled run ${key} still has its Job (${job.status?.succeeded ? 'completed' : 'not deleted'})`,
      );
    } else if (pod !== undefined) {
      flag('cancelledJobsAlive', `cancelled run ${key} still has an active pod ${pod.metadata?.name}`);
    }
  }

  // (e) and (f): every due time has a run or a trace.
  for (const schedule of input.schedules) auditDueTimes(schedule, input, runsBySchedule, report, flag);
  return report;
}

function auditDueTimes(
  schedule: ScanSchedule,
  input: AuditInput,
  runsBySchedule: ReadonlyMap<string, readonly ScanRun[]>,
  report: AuditReport,
  flag: (check: Check, detail: string) => void,
): void {
  const key = keyOf(schedule.metadata.namespace, schedule.metadata.name);
  const compiled = compileTiming(schedule.spec, {
    namespace: schedule.metadata.namespace,
    name: schedule.metadata.name,
  });
  const timing = compiled.timing;
  const createdMs = ms(schedule.metadata.creationTimestamp);
  const endMs = input.auditEndMs.get(key);
  if (timing === undefined || timing.kind === 'interval' || createdMs === undefined || endMs === undefined) return;
  const allRuns = runsBySchedule.get(key) ?? [];
  const runTimes = [
    ...new Set(allRuns.filter((r) => r.spec.trigger === 'schedule').map((r) => Date.parse(r.spec.scheduledTime))),
  ].sort((a, b) => a - b);
  const periodMs = timing.kind === 'every' ? timing.periodMs : undefined;
  const cadenceFrom = (anchorMs: number): Cadence =>
    timing.kind === 'every' ? periodicCadence(anchorMs, timing.periodMs) : timing.cadence;
  const events = input.eventsByUid.get(schedule.metadata.uid ?? '') ?? [];
  const lastMissedMs = ms(schedule.status?.lastMissedTime);

  const traced = (dueMs: number): boolean => {
    if (lastMissedMs === dueMs) return true;
    return events.some((event) => {
      const note = event.note ?? '';
      const reason = event.reason ?? '';
      if (MISS_REASON.test(reason)) return missEventCovers(note, dueMs, periodMs);
      if (reason !== 'RunAlreadyActive') return false;
      // Forbid: "not starting … while <run> is active" accounts for the times that run was blocking.
      if ([...note.matchAll(RFC3339)].some((m) => Date.parse(m[0]) === dueMs)) return true;
      // The controller learns that a run ended only after its Job's completion reaches it, and until then it
      // rightly says "wait": the Event's last observation bounds the times it deferred, as the run's end does.
      const observedMs = lastObservedMs(event);
      return allRuns.some((run) => {
        const [start, end] = activeInterval(run, input.nowMs);
        return note.includes(run.metadata.name ?? '\0') && dueMs >= start && dueMs <= Math.max(end, observedMs);
      });
    });
  };

  // @every counts from the last scheduled time (Kubernetes), so the cadence is re-anchored at every run.
  let anchor = Math.floor(createdMs / 1000) * 1000;
  const examine = (dueMs: number, followedByRun: boolean): void => {
    report.dueTimes += 1;
    if (traced(dueMs)) {
      report.dueTimesTraced += 1;
      return;
    }
    flag(
      followedByRun ? 'untracedSkips' : 'lostDueTimes',
      `${key}: no run and no trace for ${iso(dueMs)}${followedByRun ? ' (a later time ran)' : ''}`,
    );
  };
  for (const runMs of runTimes) {
    let due = cadenceFrom(anchor).next(anchor);
    while (due !== null && due < runMs) {
      examine(due, true);
      due = cadenceFrom(anchor).next(due);
    }
    if (due !== runMs)
      flag('offCadenceRuns', `${key}: a run for ${iso(runMs)}, which is not a due time after ${iso(anchor)}`);
    report.dueTimes += 1;
    report.dueTimesWithRun += 1;
    anchor = runMs;
  }
  for (let due = cadenceFrom(anchor).next(anchor); due !== null && due <= endMs; due = cadenceFrom(anchor).next(due)) {
    examine(due, false);
  }
}
