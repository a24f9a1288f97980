// Which runs had a Job. A run whose Job is missing is either one whose Job was never created (a crash between
// "create run" and "create Job": create it now) or one whose Job was deleted (never create a second one: the scan
// may have run). A run's own status tells once it records a jobName or a Running phase, but writing that status
// right after creating the Job cost one API write per run at every due time (docs/scaling.md). The schedule's
// status is written once per reconcile anyway, so the record lives there, in status.startedJobs, from the
// reconcile that created the Job until the run finishes, when the same status write updates activeRuns and
// lastRun. Like every status field it is an input, read back from the API server: a name in it only makes the
// controller ask the API server before it calls a missing Job gone, and only the controller may write it (the
// ValidatingAdmissionPolicy on scanschedules/status).
import type { ScanRun, ScanSchedule } from '../api/types.ts';
import { isFinished } from './owned-runs.ts';

/** The run's own status shows it had a Job. */
export function runRecordsJob(run: ScanRun): boolean {
  return run.status?.jobName !== undefined || run.status?.phase === 'Running';
}

/** The run had a Job: its own status says so, or its schedule's status.startedJobs does. */
export function runHadJob(run: ScanRun, schedule: ScanSchedule): boolean {
  return runRecordsJob(run) || (schedule.status?.startedJobs ?? []).includes(run.metadata.name ?? '');
}

/**
 * The names status.startedJobs keeps: runs whose Job was created now, and runs an earlier reconcile recorded that
 * still exist and are not finished. Sorted, so an unchanged record is an unchanged status (no write); undefined
 * when empty.
 */
export function startedJobsRecord(
  previous: readonly string[] | undefined,
  runs: readonly ScanRun[],
  startedNow: readonly string[],
): string[] | undefined {
  const recorded = new Set(previous ?? []);
  const names = new Set(startedNow);
  for (const run of runs) {
    const name = run.metadata.name ?? '';
    if (recorded.has(name) && run.metadata.deletionTimestamp === undefined && !isFinished(run)) names.add(name);
  }
  return names.size === 0 ? undefined : [...names].sort();
}
