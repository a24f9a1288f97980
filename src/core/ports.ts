// The only calls reconcileSchedule makes to the world. kube/ implements them over informer caches and the API
// server; tests use src/testing/fake-cluster.ts. HTTP status codes never reach core: the adapter turns a 404
// into `undefined`, a create's 409 into 'already-exists', and everything else into the errors of errors.ts.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { NotificationChannel, ScanRun, ScanRunStatus, ScanSchedule, ScanScheduleStatus } from '../api/types.ts';
import type { EventReason } from './reasons.ts';

export interface ObjectKey {
  namespace: string;
  name: string;
}

export type Clock = () => Date;

export interface ClusterEvent {
  type: 'Normal' | 'Warning';
  reason: EventReason;
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
  /**
   * A live read from the API server, past the cache: before the controller calls a Job gone, or trusts a Job
   * of the run's name that it did not see itself create.
   */
  readJob(key: ObjectKey): Promise<V1Job | undefined>;
  /** A live read of a run: before an action that cannot be taken back (a notification), never the cache. */
  readRun(key: ObjectKey): Promise<ScanRun | undefined>;
  deleteJob(key: ObjectKey): Promise<void>;
  deleteRun(key: ObjectKey): Promise<void>;
  /**
   * Writes status on the condition that the object is still at the resourceVersion it was read at (optimistic
   * concurrency): a ConflictError means someone wrote since, and the reconcile starts over from fresh reads
   * instead of overwriting a newer phase. Returns the object as written (with its new resourceVersion).
   */
  updateRunStatus(run: ScanRun, status: ScanRunStatus): Promise<ScanRun>;
  updateScheduleStatus(schedule: ScanSchedule, status: ScanScheduleStatus): Promise<void>;
  /** Never throws: an Event that cannot be written must not fail a reconcile. */
  recordEvent(regarding: ScanSchedule | ScanRun, event: ClusterEvent): void;
}

/**
 * Which of a reconcile's writes may wait for other schedules' more urgent work (kube/: the work queue's lanes).
 * In a burst of due schedules every run is created first (the record of its due time, whose creation time is
 * the schedule's skew), then the Jobs, then the schedules' status writes: the same writes, in a better order.
 */
export interface WorkOrder {
  /** Other schedules wait to create their due runs: this schedule's Jobs can come after them. */
  jobsCanWait(): boolean;
  /** Other schedules wait to create due runs or Jobs: this schedule's status write can come after them. */
  statusCanWait(): boolean;
}

/** Everything now: a reconcile with no queue behind it (tests, the CLI). */
export const EVERYTHING_NOW: WorkOrder = { jobsCanWait: () => false, statusCanWait: () => false };

/** What the reconciler tells metrics; optional so that tests and the CLI need none. */
export interface ReconcileObserver {
  runCreated?(run: ScanRun, skewSeconds: number): void;
  /** `count` due times of the schedule were not run (deadline passed, or skipped while none could start). */
  missedSchedule?(schedule: ScanSchedule, count: number): void;
  /** A run reached a finished phase in this reconcile. */
  runFinished?(schedule: ScanSchedule, run: ScanRun): void;
  notification?(type: NotificationChannel['type'], result: 'sent' | 'retry' | 'failed'): void;
}

/** A channel's destination, resolved for one delivery; never logged or stored. */
export interface ResolvedChannel {
  url: string;
  /** webhook only: the Standard Webhooks signing key. */
  signingKey?: string;
}

export type PostOutcome = { ok: true } | { ok: false; error: string; retryable: boolean; retryAfterMs?: number };

/** Where notifications go out: the Secret read (by name, `get` only) and the HTTP POST. */
export interface NotificationPort {
  /**
   * The channel's URL (and signing key) from its Secret, by a live `get` in the run's namespace, or inline;
   * an error says what is missing, never the URL.
   */
  resolve(namespace: string, channel: NotificationChannel): Promise<ResolvedChannel | { error: string }>;
  post(request: { url: string; body: string; headers: Record<string, string> }): Promise<PostOutcome>;
}
