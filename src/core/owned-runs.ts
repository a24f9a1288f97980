import { FINISHED_PHASES, LABEL_SCHEDULE, type ScanRun, type ScanSchedule } from '../api/types.ts';
import { parseTimeMs } from '../schedule/rfc3339.ts';

/** The runs of one schedule, split the way every planning step needs them. */
export interface OwnedRuns {
  /** Owned and not being deleted. */
  all: ScanRun[];
  /** Not in a finished phase (Pending, Running, or no status yet). */
  active: ScanRun[];
  /** Succeeded. */
  succeeded: ScanRun[];
  /** Failed or Cancelled: both count against failedJobsHistoryLimit. */
  failed: ScanRun[];
}

/**
 * A run belongs to the schedule whose UID its ownerReferences name. Without a UID (objects that never went
 * through an API server: offline tools, the local runtime), the jmo.security/schedule label decides.
 */
export function isOwnedBy(run: ScanRun, schedule: ScanSchedule): boolean {
  const uid = schedule.metadata.uid;
  if (uid !== undefined && uid !== '') return run.metadata.ownerReferences?.some((ref) => ref.uid === uid) ?? false;
  return (
    run.metadata.labels?.[LABEL_SCHEDULE] === schedule.metadata.name &&
    (run.metadata.namespace ?? '') === (schedule.metadata.namespace ?? '')
  );
}

export function isFinished(run: ScanRun): boolean {
  const phase = run.status?.phase;
  return phase !== undefined && FINISHED_PHASES.includes(phase);
}

/**
 * Active runs are derived from the runs themselves on every reconcile, never read from a stored list: a
 * stored list goes stale when a run is deleted behind the controller's back, and then blocks Forbid
 * forever (kubernetes#37957, #108023). A run being deleted is already gone for planning.
 */
export function ownedRuns(schedule: ScanSchedule, runs: readonly ScanRun[]): OwnedRuns {
  const owned: OwnedRuns = { all: [], active: [], succeeded: [], failed: [] };
  for (const run of runs) {
    if (run.metadata.deletionTimestamp !== undefined || !isOwnedBy(run, schedule)) continue;
    owned.all.push(run);
    const phase = run.status?.phase;
    if (phase === 'Succeeded') owned.succeeded.push(run);
    else if (phase === 'Failed' || phase === 'Cancelled') owned.failed.push(run);
    else owned.active.push(run);
  }
  return owned;
}

/** When a run started: startTime, else its scheduled time, else its creation; undefined when unknown. */
export function startedAtMs(run: ScanRun): number | undefined {
  return (
    parseTimeMs(run.status?.startTime) ??
    parseTimeMs(run.spec?.scheduledTime) ??
    parseTimeMs(run.metadata.creationTimestamp)
  );
}

/** When a finished run completed: completionTime, else when it started. */
export function completedAtMs(run: ScanRun): number | undefined {
  return parseTimeMs(run.status?.completionTime) ?? startedAtMs(run);
}
