// The closed vocabulary of Event and condition reasons (CamelCase, as Kubernetes writes them). A reason that
// explains a condition is also the reason of the Event that announced it, because Events expire within an
// hour and the condition is what a user still sees the next day.
export const Reason = {
  /** A manual run was created for a new jmo.security/run-now token. */
  ManualRunCreated: 'ManualRunCreated',
  /** A due time waits: concurrencyPolicy Forbid and another run is active. */
  RunAlreadyActive: 'RunAlreadyActive',
  /** concurrencyPolicy Replace cancelled the active runs to start the due one. */
  RunReplaced: 'RunReplaced',
  /** A due time was older than spec.startingDeadlineSeconds when it could have started. */
  MissedSchedule: 'MissedSchedule',
  /** More than 100 due times were unmet; only the latest starts. */
  TooManyMissedTimes: 'TooManyMissedTimes',
  /** spec.schedule cannot be parsed or never matches. */
  InvalidSchedule: 'InvalidSchedule',
  /** spec.timezone is not an IANA time zone name. */
  UnknownTimeZone: 'UnknownTimeZone',
  /** Another spec field makes the schedule impossible to plan (interval, concurrencyPolicy, limits). */
  InvalidSpec: 'InvalidSpec',
  /** Ready: the schedule is valid and runs are created when due. */
  Scheduled: 'Scheduled',
  /** Ready and Suspended: spec.suspend is true. */
  Suspended: 'Suspended',
  /** Suspended is False. */
  NotSuspended: 'NotSuspended',
  /** Ready: runs execute outside the controller (backend.type is not kubernetes). */
  ExternalBackend: 'ExternalBackend',
  /** Reconciling is False: the planner has processed this generation. */
  Reconciled: 'Reconciled',
  /** The API server refused the Job built from the spec: a spec problem, reported once per generation. */
  JobRejected: 'JobRejected',
  /** A Job with a run's name exists that the run does not own: never adopted, the run fails. */
  JobConflict: 'JobConflict',
  /** A run's Job disappeared before it finished; it is not re-created, so the scan never runs twice. */
  JobDeleted: 'JobDeleted',
  /** Creating a run or its Job failed for a reason other than the spec (quota, 5xx, network); retried. */
  CreateFailed: 'CreateFailed',
  /** A notification could not be delivered after all attempts. */
  NotificationFailed: 'NotificationFailed',
  /** A status time lay in the future (forged or a clock far off) and was clamped to now. */
  StatusTimeInFuture: 'StatusTimeInFuture',
} as const;

export type Reason = (typeof Reason)[keyof typeof Reason];
/** Every reason an Event of ours can carry. */
export type EventReason = Reason;

/** The reasons that mean "the spec cannot be scheduled until it is edited" (Stalled=True). */
export type StalledReason =
  | typeof Reason.InvalidSchedule
  | typeof Reason.UnknownTimeZone
  | typeof Reason.InvalidSpec
  | typeof Reason.JobRejected;
