// One reconcile of one ScanSchedule: read → sync runs with their Jobs → plan → act → write status once.
// Level-based, like controller-runtime's Reconcile: it gets a key and reads the current state every time, so a
// missed watch event or a restart costs nothing but a little latency.
//
// What the controller did not make is checked before it is trusted (the CronJob controller's rules, tightened):
// a Job of a run's name is used only if its controller owner is that run; a Job missing from the cache is
// confirmed missing by a live read before the run is failed; a run that ever had a Job never gets a second one
// (its own status, or the schedule's status.startedJobs until then, says it had one: core/started-jobs.ts);
// every status write carries the resourceVersion it was computed from.
//
// In a burst, a reconcile may leave a run's Job, or the status write, to a later pass (WorkOrder, ports.ts), so that
// other schedules' due runs are created first. Nothing is lost by it: a run without a Job is what every pass
// already completes (a crash between the two writes leaves the same), the plan recovers lastScheduleTime from the
// runs, and a status write waits only when it holds nothing a later pass could not compute again.
import { isDeepStrictEqual } from 'node:util';
import type { V1Job } from '@kubernetes/client-node';
import type { ScanRun, ScanRunStatus, ScanSchedule, ScanScheduleStatus } from '../api/types.ts';
import { formatUtc } from '../schedule/rfc3339.ts';
import { deliverNotifications } from './deliver-notifications.ts';
import { ConflictError, RejectedError } from './errors.ts';
import { isJobOfRun, jobForRun } from './job-for-run.ts';
import { type Plan, type PlanEvent, planSchedule } from './plan.ts';
import {
  type Clock,
  type ClusterEvent,
  type ClusterReader,
  type ClusterWriter,
  EVERYTHING_NOW,
  type NotificationPort,
  type ObjectKey,
  type ReconcileObserver,
  type WorkOrder,
} from './ports.ts';
import { Reason } from './reasons.ts';
import { RunReason } from './run-reasons.ts';
import { isFinished, runStatusFromJob } from './run-status.ts';
import { runHadJob, runRecordsJob, startedJobsRecord } from './started-jobs.ts';

export interface ReconcileDeps {
  cluster: ClusterReader & ClusterWriter;
  clock: Clock;
  /** Image of the scan container when the schedule's backend.config.image is not set. */
  scannerImage: string;
  /** Our own image, whose `scanschedule report` reads the results in the scan pod. */
  reportImage: string;
  /** Where notifications go; without it, none are sent (the CLI, some tests). */
  notifications?: NotificationPort;
  observer?: ReconcileObserver;
}

/** What a reconcile left for a later pass: creating Jobs (and then the status write), or the status write. */
export type DeferredStage = 'jobs' | 'status';

export interface ReconcileResult {
  /** Reconcile again after this long; null: wait for a change. Not set when something was deferred. */
  requeueAfterMs: number | null;
  /** Reconcile again once the more urgent work is done; the pass that does it says when after that. */
  deferred?: DeferredStage;
}

const runKey = (run: ScanRun): ObjectKey => ({
  namespace: run.metadata.namespace ?? '',
  name: run.metadata.name ?? '',
});

/** What syncing the runs found that the plan must know. */
interface SyncFindings {
  /** The API server refused a Job built from this generation's spec. */
  jobRejected?: string;
  /** Earliest time a notification retry is due. */
  retryAtMs?: number;
  /**
   * Runs with a Job that their own status does not record yet: created by this reconcile, or seen in the cache
   * (created by a pass whose status write was deferred).
   */
  startedJobs: string[];
  /** This reconcile created a run or a Job: it is part of a burst of starts, whose status write may wait. */
  started: boolean;
  /** A run's Job was left for a later pass. */
  jobsDeferred: boolean;
}

/**
 * Reconciles the schedule `key`. Throws the errors of errors.ts (or anything else, treated as transient) for the
 * worker to map to queue actions; problems with the user's spec are reported in status and Events instead.
 */
export async function reconcileSchedule(
  key: ObjectKey,
  deps: ReconcileDeps,
  order: WorkOrder = EVERYTHING_NOW,
): Promise<ReconcileResult> {
  const schedule = deps.cluster.getSchedule(key);
  // Deleted, or being deleted: garbage collection removes the runs and Jobs it owns.
  if (schedule === undefined || schedule.metadata.deletionTimestamp !== undefined) return { requeueAfterMs: null };
  const now = deps.clock();

  const runs: ScanRun[] = [];
  const found: SyncFindings = { startedJobs: [], started: false, jobsDeferred: false };
  for (const run of deps.cluster.runsOf(schedule)) runs.push(await syncRun(run, schedule, now, deps, found, order));

  const plan = planSchedule({ schedule, runs, now, jobRejected: found.jobRejected });

  for (const name of plan.cancel) {
    const run = runs.find((r) => r.metadata.name === name);
    if (run === undefined) continue;
    // Status first, with its resourceVersion: a stale writer cannot turn Cancelled back into something else.
    // The Job is deleted next, and every later pass deletes a Cancelled run's Job that still exists, so a failed
    // delete or a crash in between never leaves the cancelled scan running.
    await deps.cluster.updateRunStatus(run, {
      ...run.status,
      phase: 'Cancelled',
      reason: RunReason.Replaced,
      message: 'cancelled by concurrencyPolicy Replace: a newer run of the schedule started',
      completionTime: formatUtc(now.getTime()),
    });
    await deps.cluster.deleteJob(runKey(run));
  }
  for (const run of plan.create) {
    let created: ScanRun | 'already-exists';
    try {
      created = await deps.cluster.createRun(run);
    } catch (error) {
      reportCreateFailure(schedule, `could not create run ${run.metadata.name ?? ''}`, error, deps);
      throw error;
    }
    // AlreadyExists is success: the run's name is its nominal time, so another pass or replica made it.
    if (created === 'already-exists') continue;
    const nominal = Date.parse(created.spec.scheduledTime);
    deps.observer?.runCreated?.(created, (now.getTime() - nominal) / 1000);
    found.started = true;
    if (order.jobsCanWait()) found.jobsDeferred = true;
    else await startJob(created, schedule, now, deps, found);
  }
  for (const name of plan.delete) await deps.cluster.deleteRun({ namespace: key.namespace, name });

  // A Job refused while applying this plan is a spec problem: the status says so from this reconcile on.
  const final =
    found.jobRejected !== undefined && plan.status.conditions?.some((c) => c.reason === Reason.JobRejected) !== true
      ? planSchedule({ schedule, runs, now, jobRejected: found.jobRejected })
      : plan;
  const events: PlanEvent[] = final === plan ? plan.events : [...plan.events, ...final.events];
  for (const event of events) {
    deps.cluster.recordEvent(schedule, { ...event, action: actionOf(event.reason) });
  }
  if (plan.missedCount > 0) deps.observer?.missedSchedule?.(schedule, plan.missedCount);
  const status: ScanScheduleStatus = {
    ...(final === plan ? plan.status : { ...plan.status, conditions: final.status.conditions }),
  };
  const startedJobs = startedJobsRecord(schedule.status?.startedJobs, runs, found.startedJobs);
  if (startedJobs === undefined) delete status.startedJobs;
  else status.startedJobs = startedJobs;
  if (!isDeepStrictEqual(status, schedule.status)) {
    // A pass that left a Job for later writes the status again once it is created (startedJobs): one write saved.
    const statusWaits =
      (found.jobsDeferred || (found.started && order.statusCanWait())) &&
      statusCanWait(schedule, status, final === plan ? plan : undefined);
    if (statusWaits) return { requeueAfterMs: null, deferred: found.jobsDeferred ? 'jobs' : 'status' };
    await deps.cluster.updateScheduleStatus(schedule, status);
  }
  if (found.jobsDeferred) return { requeueAfterMs: null, deferred: 'jobs' };
  return { requeueAfterMs: earliest(plan.requeueAfterMs, found.retryAtMs, now.getTime()) };
}

/**
 * The status write may be left to a later pass only when that pass would write the same: nothing in it comes from
 * this pass alone. Not so with an Event (a missed time's lastMissedTime, a handled run-now), a cancel or delete (the
 * runs it read are gone by then), or a Job rejection (its condition).
 */
export function statusCanWait(schedule: ScanSchedule, status: ScanScheduleStatus, plan: Plan | undefined): boolean {
  if (plan === undefined) return false;
  if (plan.events.length > 0 || plan.cancel.length > 0 || plan.delete.length > 0 || plan.missedCount > 0) return false;
  const previous = schedule.status ?? {};
  return status.lastMissedTime === previous.lastMissedTime && status.lastHandledRunNow === previous.lastHandledRunNow;
}

function earliest(requeueAfterMs: number | null, retryAtMs: number | undefined, nowMs: number): number | null {
  if (retryAtMs === undefined) return requeueAfterMs;
  const retryAfterMs = Math.max(0, retryAtMs - nowMs);
  return requeueAfterMs === null ? retryAfterMs : Math.min(requeueAfterMs, retryAfterMs);
}

/** Brings a run's status in line with its Job, creating the Job for a run that never had one. */
async function syncRun(
  run: ScanRun,
  schedule: ScanSchedule,
  now: Date,
  deps: ReconcileDeps,
  found: SyncFindings,
  order: WorkOrder,
): Promise<ScanRun> {
  if (run.metadata.deletionTimestamp !== undefined) return run;
  if ((run.spec.backend?.type ?? 'kubernetes') !== 'kubernetes') return run;
  if (isFinished(run)) {
    if (run.status?.phase === 'Cancelled') await deleteLeftoverJob(run, deps);
    return notify(run, schedule, now, deps, found);
  }

  const hadJob = runHadJob(run, schedule);
  let job: V1Job | undefined = deps.cluster.getJob(runKey(run));
  if (job === undefined) {
    if (!hadJob) {
      if (order.jobsCanWait()) {
        found.jobsDeferred = true;
        return run;
      }
      found.started = true;
      return notify(await startJob(run, schedule, now, deps, found), schedule, now, deps, found);
    }
    // The cache may only lag: ask the API server before calling the Job gone. A Job that is really gone is
    // never re-created: it may have run (its TTL removes it after it finished), and a second scan would lie.
    job = await deps.cluster.readJob(runKey(run));
    if (job === undefined) {
      deps.cluster.recordEvent(schedule, {
        type: 'Warning',
        reason: Reason.JobDeleted,
        message: `The Job of run ${run.metadata.name ?? ''} disappeared before the run finished; it is not re-created, so the scan never runs twice`,
        action: 'SyncRun',
      });
    }
  }
  if (job !== undefined && !isJobOfRun(job, run)) return failWithConflict(run, schedule, now, deps);
  const pods = job === undefined ? [] : deps.cluster.podsOf(job);
  const synced = await writeRunStatus(run, runStatusFromJob(run, job, pods, now, hadJob), deps);
  if (job !== undefined && !runRecordsJob(synced) && !isFinished(synced))
    found.startedJobs.push(synced.metadata.name ?? '');
  if (isFinished(synced)) {
    deps.observer?.runFinished?.(schedule, synced);
    return notify(synced, schedule, now, deps, found);
  }
  return synced;
}

async function notify(
  run: ScanRun,
  schedule: ScanSchedule,
  now: Date,
  deps: ReconcileDeps,
  found: SyncFindings,
): Promise<ScanRun> {
  if (deps.notifications === undefined || !isFinished(run)) return run;
  const delivered = await deliverNotifications(run, schedule, now, {
    port: deps.notifications,
    readRun: (cached) => deps.cluster.readRun(runKey(cached)),
    writeStatus: (live, status) => writeRunStatus(live, status, deps),
    recordEvent: (event) => deps.cluster.recordEvent(schedule, event),
    observer: deps.observer,
  });
  if (delivered.retryAtMs !== undefined) {
    found.retryAtMs = Math.min(found.retryAtMs ?? Number.POSITIVE_INFINITY, delivered.retryAtMs);
  }
  return delivered.run;
}

/** A Cancelled run's Job is deleted on every pass until it is gone. */
async function deleteLeftoverJob(run: ScanRun, deps: ReconcileDeps): Promise<void> {
  const job = deps.cluster.getJob(runKey(run));
  if (job === undefined || job.metadata?.deletionTimestamp !== undefined || !isJobOfRun(job, run)) return;
  await deps.cluster.deleteJob(runKey(run));
}

async function failWithConflict(
  run: ScanRun,
  schedule: ScanSchedule,
  now: Date,
  deps: ReconcileDeps,
): Promise<ScanRun> {
  const message = `a Job named ${run.metadata.name ?? ''} exists that this run did not create (its controller owner is not the run); it is left alone and never adopted, so its result cannot pass for this run's. Find out who created it.`;
  deps.cluster.recordEvent(schedule, { type: 'Warning', reason: Reason.JobConflict, message, action: 'CreateJob' });
  return writeRunStatus(
    run,
    {
      ...run.status,
      phase: 'Failed',
      reason: RunReason.JobConflict,
      message,
      completionTime: formatUtc(now.getTime()),
    },
    deps,
  );
}

/**
 * Creates the run's Job and notes it in `found.startedJobs`, for the schedule's status.startedJobs, so that a
 * later pass knows the run had one (no run status write: the run's status changes at its first real
 * transition). On AlreadyExists the Job is read live and used only if the run owns it. A Job the API server
 * rejects fails the run with the reason (the same spec would be refused on every retry), noted in
 * `found.jobRejected` for the plan. Returns the run as it is now.
 */
async function startJob(
  run: ScanRun,
  schedule: ScanSchedule,
  now: Date,
  deps: ReconcileDeps,
  found: SyncFindings,
): Promise<ScanRun> {
  const job = jobForRun(run, { scannerImage: deps.scannerImage, reportImage: deps.reportImage });
  const key = runKey(run);
  try {
    const result = await deps.cluster.createJob(job);
    if (result === 'already-exists') {
      const existing = await deps.cluster.readJob(key);
      // Gone again between the create and the read: the next pass creates it.
      if (existing === undefined)
        throw new ConflictError(`Job ${key.namespace}/${key.name} vanished after AlreadyExists`);
      if (!isJobOfRun(existing, run)) return failWithConflict(run, schedule, now, deps);
    }
  } catch (error) {
    if (error instanceof RejectedError) {
      const message = `the API server rejected the scan Job: ${error.message}. Fix spec.backend.config of the ScanSchedule.`;
      const failed = await writeRunStatus(
        run,
        {
          ...run.status,
          phase: 'Failed',
          reason: RunReason.JobRejected,
          message,
          completionTime: formatUtc(now.getTime()),
        },
        deps,
      );
      found.jobRejected ??= message;
      return failed;
    }
    if (!(error instanceof ConflictError)) {
      reportCreateFailure(schedule, `could not create the Job of run ${key.name}`, error, deps);
      await writeRunStatus(
        run,
        {
          ...run.status,
          phase: 'Pending',
          message: `could not create the scan Job yet, retrying: ${messageOf(error)}`,
        },
        deps,
      ).catch(() => undefined);
    }
    throw error;
  }
  found.startedJobs.push(key.name);
  return run;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A failed create is a Warning Event on the schedule, not only a log line and a silent backoff. */
function reportCreateFailure(schedule: ScanSchedule, what: string, error: unknown, deps: ReconcileDeps): void {
  if (error instanceof ConflictError) return;
  const event: ClusterEvent = {
    type: 'Warning',
    reason: Reason.CreateFailed,
    message: `${what}: ${messageOf(error)}; retrying with backoff`,
    action: 'CreateRun',
  };
  deps.cluster.recordEvent(schedule, event);
}

async function writeRunStatus(run: ScanRun, status: ScanRunStatus, deps: ReconcileDeps): Promise<ScanRun> {
  if (isDeepStrictEqual(status, run.status ?? {})) return run;
  return deps.cluster.updateRunStatus(run, status);
}

const ACTIONS: Partial<Record<Reason, string>> = {
  ManualRunCreated: 'CreateRun',
  RunReplaced: 'CancelRun',
  RunAlreadyActive: 'WaitForActiveRun',
  MissedSchedule: 'SkipRun',
  TooManyMissedTimes: 'SkipRun',
  JobRejected: 'CreateJob',
};

function actionOf(reason: Reason): string {
  return ACTIONS[reason] ?? 'Reconcile';
}
