// One reconcile of one ScanSchedule: read → sync runs with their Jobs → plan → act → write status once.
// Level-based, like controller-runtime's Reconcile: it gets a key and reads the current state every time, so a
// missed watch event or a restart costs nothing but a little latency.
import { isDeepStrictEqual } from 'node:util';
import type { V1Job } from '@kubernetes/client-node';
import type { ScanRun, ScanRunStatus, ScanSchedule } from '../api/types.ts';
import { RejectedError } from './errors.ts';
import { jobForRun } from './job-for-run.ts';
import { planSchedule } from './plan.ts';
import type { Clock, ClusterReader, ClusterWriter, ObjectKey, ReconcileObserver } from './ports.ts';
import { isFinished, runStatusFromJob } from './run-status.ts';

export interface ReconcileDeps {
  cluster: ClusterReader & ClusterWriter;
  clock: Clock;
  /** Image of the scan container when the schedule's backend.config.image is not set. */
  scannerImage: string;
  observer?: ReconcileObserver;
}

export interface ReconcileResult {
  /** Reconcile again after this long; null: wait for a change. */
  requeueAfterMs: number | null;
}

const runKey = (run: ScanRun): ObjectKey => ({
  namespace: run.metadata.namespace ?? '',
  name: run.metadata.name ?? '',
});

/**
 * Reconciles the schedule `key`. Throws the errors of errors.ts (or anything else, treated as transient) for the
 * worker to map to queue actions; problems with the user's spec are reported in status and Events instead.
 */
export async function reconcileSchedule(key: ObjectKey, deps: ReconcileDeps): Promise<ReconcileResult> {
  const schedule = deps.cluster.getSchedule(key);
  // Deleted, or being deleted: garbage collection removes the runs and Jobs it owns.
  if (schedule === undefined || schedule.metadata.deletionTimestamp !== undefined) return { requeueAfterMs: null };
  const now = deps.clock();

  const runs: ScanRun[] = [];
  for (const run of deps.cluster.runsOf(schedule)) runs.push(await syncRun(run, schedule, now, deps));

  const plan = planSchedule({ schedule, runs, now });

  for (const name of plan.cancel) {
    const run = runs.find((r) => r.metadata.name === name);
    if (run === undefined) continue;
    // Status first: a crash after it leaves a Cancelled run whose Job the next pass deletes, never a live run
    // without a Job that would be recreated.
    await deps.cluster.updateRunStatus(run, {
      ...run.status,
      phase: 'Cancelled',
      reason: 'Replaced',
      message: 'cancelled by concurrencyPolicy Replace: a newer run of the schedule started',
      completionTime: now.toISOString(),
    });
    await deps.cluster.deleteJob(runKey(run));
  }
  for (const run of plan.create) {
    const created = await deps.cluster.createRun(run);
    // AlreadyExists is success: the run's name is its nominal time, so another pass or replica made it.
    if (created === 'already-exists') continue;
    const nominal = Date.parse(created.spec.scheduledTime);
    deps.observer?.runCreated?.(created, (now.getTime() - nominal) / 1000);
    await startJob(created, schedule, now, deps);
  }
  for (const name of plan.delete) await deps.cluster.deleteRun({ namespace: key.namespace, name });
  for (const event of plan.events) {
    deps.cluster.recordEvent(schedule, { ...event, action: actionOf(event.reason) });
    if (event.reason === 'MissedSchedule') deps.observer?.missedSchedule?.(schedule);
  }
  if (!isDeepStrictEqual(plan.status, schedule.status)) await deps.cluster.updateScheduleStatus(schedule, plan.status);
  return { requeueAfterMs: plan.requeueAfterMs };
}

/** Brings an unfinished run's status in line with its Job, creating the Job when it is missing. */
async function syncRun(run: ScanRun, schedule: ScanSchedule, now: Date, deps: ReconcileDeps): Promise<ScanRun> {
  if (isFinished(run) || run.metadata.deletionTimestamp !== undefined) return run;
  if ((run.spec.backend?.type ?? 'kubernetes') !== 'kubernetes') return run;
  let job: V1Job | undefined = deps.cluster.getJob(runKey(run));
  if (job === undefined) {
    const started = await startJob(run, schedule, now, deps);
    if (started !== undefined) return started;
    job = deps.cluster.getJob(runKey(run));
  }
  const pods = job === undefined ? [] : deps.cluster.podsOf(job);
  return writeRunStatus(run, runStatusFromJob(run, job, pods, now), deps);
}

/**
 * Creates the run's Job. Returns the run as failed when the API server rejects the Job: a spec it refuses
 * (bad resources, a volume typo) would be refused on every retry, so the run ends with the reason instead.
 */
async function startJob(
  run: ScanRun,
  schedule: ScanSchedule,
  now: Date,
  deps: ReconcileDeps,
): Promise<ScanRun | undefined> {
  try {
    await deps.cluster.createJob(jobForRun(run, { scannerImage: deps.scannerImage }));
    return undefined;
  } catch (error) {
    if (!(error instanceof RejectedError)) throw error;
    const message = `the API server rejected the scan Job: ${error.message}. Fix spec.backend.config of the ScanSchedule.`;
    deps.cluster.recordEvent(schedule, { type: 'Warning', reason: 'JobRejected', message, action: 'CreateJob' });
    return writeRunStatus(
      run,
      { ...run.status, phase: 'Failed', reason: 'JobRejected', message, completionTime: now.toISOString() },
      deps,
    );
  }
}

async function writeRunStatus(run: ScanRun, status: ScanRunStatus, deps: ReconcileDeps): Promise<ScanRun> {
  if (isDeepStrictEqual(status, run.status ?? {})) return run;
  await deps.cluster.updateRunStatus(run, status);
  return { ...run, status };
}

const ACTIONS: Record<string, string> = {
  RunCreated: 'CreateRun',
  ManualRunCreated: 'CreateRun',
  RunReplaced: 'CancelRun',
  RunAlreadyActive: 'WaitForActiveRun',
  MissedSchedule: 'SkipRun',
  TooManyMissedTimes: 'SkipRun',
};

function actionOf(reason: string): string {
  return ACTIONS[reason] ?? 'Reconcile';
}
