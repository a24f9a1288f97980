// The closed vocabulary of a ScanRun's status.reason: a new reason is added here, never written as a stray
// literal, so `describe`, alerts and docs can list them all.
export const RunReason = {
  /** The scan finished and its findings are below spec.jobTemplate.options.fail_on (or none is set). */
  Completed: 'Completed',
  /** The scan finished with findings at or above spec.jobTemplate.options.fail_on. */
  FindingsAboveThreshold: 'FindingsAboveThreshold',
  /** The scanner failed (error exit, crash, OOM, eviction, backoff limit); findings unknown. */
  ScanFailed: 'ScanFailed',
  /** The scanner finished but left no result file the report step could read; findings unknown. */
  NoResults: 'NoResults',
  /** The Job ran longer than backend.config.activeDeadlineSeconds and was stopped. */
  DeadlineExceeded: 'DeadlineExceeded',
  /** The run's Job disappeared (deleted by hand, by a policy, or by its TTL during a long outage). */
  JobDeleted: 'JobDeleted',
  /** A Job with the run's name exists that the run does not own: it is never adopted. */
  JobConflict: 'JobConflict',
  /** The API server refused the run's Job: a spec problem (see the schedule's Ready condition). */
  JobRejected: 'JobRejected',
  /** concurrencyPolicy Replace cancelled the run for a newer one. */
  Replaced: 'Replaced',
  /**
   * The local runtime stopped (crash, kill -9, SIGTERM past the grace period) while the run's process ran: the
   * partial output is kept, and the run is never started again, so a scan never runs twice.
   */
  Interrupted: 'Interrupted',
} as const;
export type RunReason = (typeof RunReason)[keyof typeof RunReason];
