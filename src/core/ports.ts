// The only calls reconcileSchedule makes to the world. kube/ implements them over informer caches and the API
// server; tests use src/testing/fake-cluster.ts. HTTP status codes never reach core: the adapter turns a 404
// into `undefined`, a create's 409 into 'already-exists', and everything else into the errors of errors.ts.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { ScanRun, ScanRunStatus, ScanSchedule, ScanScheduleStatus } from '../api/types.ts';

export interface ObjectKey {
  namespace: string;
  name: string;
}

export type Clock = () => Date;

export interface ClusterEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** What the controller did, for events.k8s.io `action` (CamelCase verb). */
  action: string;
}

/** Reads, from the informer caches: cheap and possibly a little stale. */
export interface ClusterReader {
  getSchedule(key: ObjectKey): ScanSchedule | undefined;
  /** Runs labelled for the schedule; the planner keeps only those the schedule owns. */
  runsOf(schedule: ScanSchedule): ScanRun[];
  getJob(key: ObjectKey): V1Job | undefined;
  podsOf(job: V1Job): V1Pod[];
}

/** Writes, to the API server. */
export interface ClusterWriter {
  /** The created run (with its uid), or 'already-exists' when a run of that name is there. */
  createRun(run: ScanRun): Promise<ScanRun | 'already-exists'>;
  createJob(job: V1Job): Promise<'created' | 'already-exists'>;
  deleteJob(key: ObjectKey): Promise<void>;
  deleteRun(key: ObjectKey): Promise<void>;
  updateRunStatus(run: ScanRun, status: ScanRunStatus): Promise<void>;
  updateScheduleStatus(schedule: ScanSchedule, status: ScanScheduleStatus): Promise<void>;
  /** Never throws: an Event that cannot be written must not fail a reconcile. */
  recordEvent(regarding: ScanSchedule | ScanRun, event: ClusterEvent): void;
}

/** What the reconciler tells metrics; optional so that tests and the CLI need none. */
export interface ReconcileObserver {
  runCreated?(run: ScanRun, skewSeconds: number): void;
  missedSchedule?(schedule: ScanSchedule): void;
}
