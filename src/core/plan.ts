// planSchedule (docs/design.md §4.5, §4.6): what one reconcile of a ScanSchedule must do, decided from the
// schedule, its runs and `now` alone. It follows Kubernetes' CronJob controller (syncCronJob) step by step,
// with the differences listed in plan.test.ts. Pure: no I/O, no timers, no Date.now().
import { type DefaultedSpec, withDefaults } from '../api/defaults.ts';
import type { Problem } from '../api/problem.ts';
import {
  ANNOTATION_RUN_NOW,
  type LastRun,
  type ScanRun,
  type ScanSchedule,
  type ScanScheduleStatus,
} from '../api/types.ts';
import { type Cadence, periodicCadence } from '../schedule/cadence.ts';
import { dueTimesWithDeadline, TOO_MANY_MISSED } from '../schedule/due-time.ts';
import { formatInZone, formatUtc, parseTimeMs } from '../schedule/rfc3339.ts';
import { compileTiming, type Timing } from '../schedule/timing.ts';
import { type DesiredCondition, withTransitionTimes } from './conditions.ts';
import { runsBeyondLimit } from './history.ts';
import { newRun } from './new-run.ts';
import { completedAtMs, type OwnedRuns, ownedRuns } from './owned-runs.ts';
import { Reason, type StalledReason } from './reasons.ts';
import { legacyScheduledRunName, manualRunNames, scheduledRunName } from './run-names.ts';
import { isWholeNonNegative, planningProblems } from './spec-problems.ts';

export interface PlanEvent {
  type: 'Normal' | 'Warning';
  reason: Reason;
  message: string;
}

/** What one reconcile must do. The caller applies it: creates, cancels, deletes, writes status once, emits events. */
export interface Plan {
  /** 0..1 scheduled run, plus a manual run for a new jmo.security/run-now token. Create; AlreadyExists is success. */
  create: ScanRun[];
  /** Active runs to cancel (concurrencyPolicy Replace): phase Cancelled, reason Replaced, Job deleted. */
  cancel: string[];
  /** Finished runs beyond the history limits. */
  delete: string[];
  /** The whole desired status, as it will be once the plan is applied. */
  status: ScanScheduleStatus;
  events: PlanEvent[];
  /** Reconcile again after this long (next due time + 100 ms); null when only a change can make anything due. */
  requeueAfterMs: number | null;
  /** Due times this plan gives up on (past the deadline, or skipped for a later one): each is in an Event. */
  missedCount: number;
}

export interface PlanInput {
  schedule: ScanSchedule;
  /** The runs in the schedule's namespace; those the schedule does not own are ignored. */
  runs: readonly ScanRun[];
  now: Date;
  /** The API server refused a Job built from this spec (the message): a spec problem until the spec changes. */
  jobRejected?: string | undefined;
}

/** Kubernetes requeues 100 ms after the due time, so that a slightly fast clock still finds the time due. */
export const REQUEUE_DELAY_MS = 100;

/**
 * A time read from status is an input, not a fact: anyone allowed to write status could set it to 2099 and
 * silence the schedule for good. A time after now is clamped to now (a replica's clock a little behind
 * another's sees the same), and a clamp beyond clock skew is reported.
 */
function statusTimeMs(value: string | undefined, nowMs: number): { ms: number | undefined; future: boolean } {
  const ms = parseTimeMs(value);
  if (ms === undefined || ms <= nowMs) return { ms, future: false };
  return { ms: nowMs, future: ms - nowMs > FUTURE_TOLERANCE_MS };
}

/** Clock skew between replicas that is not worth a Warning. */
const FUTURE_TOLERANCE_MS = 60_000;

/**
 * A scheduled run vouches for its time only if it could be one of ours: its time is not in the future and its
 * name is the name the controller gives that time, or gave it before the upgrade to seconds-only names (a run
 * created then must still count, or its time would run a second time). A copied or forged run with
 * scheduledTime 2099 does not move lastScheduleTime.
 */
function trustedScheduledMs(run: ScanRun, scheduleName: string, nowMs: number): number | undefined {
  if (run.spec?.trigger !== 'schedule') return undefined;
  const ms = parseTimeMs(run.spec.scheduledTime);
  if (ms === undefined || ms > nowMs) return undefined;
  const name = run.metadata.name;
  return name === scheduledRunName(scheduleName, ms) || name === legacyScheduledRunName(scheduleName, ms)
    ? ms
    : undefined;
}

/**
 * The name to create a manual run for `token` under, or undefined when a run for it exists already (a retry
 * after a crash before status.lastHandledRunNow was written, or a run created before an upgrade under the
 * `-manual-` name). A name another token's run holds is passed over for the next one (manualRunNames).
 */
function manualRunToCreate(
  scheduleName: string,
  token: string,
  runs: readonly ScanRun[],
  takenNames: ReadonlySet<string | undefined>,
): string | undefined {
  const names = manualRunNames(scheduleName, token);
  const answered = runs.some(
    (run) =>
      names.includes(run.metadata.name ?? '') && (run.metadata.annotations?.[ANNOTATION_RUN_NOW] ?? token) === token,
  );
  if (answered) return undefined;
  return names.find((candidate) => !takenNames.has(candidate));
}

/** The largest defined value; undefined when there is none. */
function maxOf(...values: (number | undefined)[]): number | undefined {
  let max: number | undefined;
  for (const value of values) if (value !== undefined && (max === undefined || value > max)) max = value;
  return max;
}

/** Decides what one reconcile should do. */
export function planSchedule(input: PlanInput): Plan {
  const { schedule, now } = input;
  const nowMs = now.getTime();
  const spec = withDefaults(schedule.spec);
  const name = schedule.metadata.name ?? '';
  const previous = schedule.status ?? {};
  const generation = schedule.metadata.generation;
  const runs = ownedRuns(schedule, input.runs);

  // History is cleaned on every reconcile, whatever else happens (suspended, invalid, external backend).
  // A limit that is not a whole number deletes nothing: a typo must never empty the history.
  const successLimit = isWholeNonNegative(spec.successfulJobsHistoryLimit)
    ? spec.successfulJobsHistoryLimit
    : Number.POSITIVE_INFINITY;
  const failedLimit = isWholeNonNegative(spec.failedJobsHistoryLimit)
    ? spec.failedJobsHistoryLimit
    : Number.POSITIVE_INFINITY;
  const deletedSucceeded = runsBeyondLimit(runs.succeeded, successLimit);
  const deletedFailed = runsBeyondLimit(runs.failed, failedLimit);

  const observed: ScheduleObservation = {
    schedule,
    runs,
    now,
    generation,
    previous,
    deleted: [...deletedSucceeded, ...deletedFailed].map((run) => run.metadata.name ?? ''),
    succeeded: runs.succeeded.length - deletedSucceeded.length,
    failed: runs.failed.length - deletedFailed.length,
    lastRun: latestFinishedRun(runs, previous.lastRun),
    lastSuccessfulMs: maxOf(
      parseTimeMs(previous.lastSuccessfulTime),
      ...runs.succeeded.map((run) => parseTimeMs(run.status?.completionTime)),
    ),
  };

  const compiled = compileTiming(spec, { namespace: schedule.metadata.namespace, name });
  const problems = [...compiled.problems, ...planningProblems(schedule.spec)];
  if (compiled.timing === undefined || problems.length > 0) return invalidSpecPlan(observed, problems);
  const rejected = jobRejection(input, previous, generation);
  if (rejected !== undefined) return stalledPlan(observed, Reason.JobRejected, rejected);

  const timing = compiled.timing;
  const backendType = spec.backend?.type ?? 'kubernetes';
  if (backendType !== 'kubernetes') {
    // Another system runs these scans (exported by `scanschedule export`); the controller only reports.
    return buildPlan(observed, {
      timing,
      create: [],
      cancel: [],
      events: [],
      nextMs: null,
      ready: {
        reason: Reason.ExternalBackend,
        message: `backend ${backendType} runs this schedule outside the cluster; the controller creates no runs (export it with: scanschedule export ${name} -n ${schedule.metadata.namespace ?? 'default'} --to ${backendType === 'local' ? 'crontab' : backendType})`,
      },
    });
  }

  const create: ScanRun[] = [];
  const events: PlanEvent[] = [];
  // Names in use, including runs being deleted: creating one of them would fail with AlreadyExists.
  const takenNames = new Set<string | undefined>();
  for (const run of input.runs) takenNames.add(run.metadata.name);
  let lastHandledRunNow = previous.lastHandledRunNow;

  // A manual run is an explicit request, so like `kubectl create job --from=cronjob/...` it always runs:
  // while suspended, and whatever the concurrency policy. Scheduled runs still see it as active (Forbid).
  const token = schedule.metadata.annotations?.[ANNOTATION_RUN_NOW];
  if (token !== undefined && token !== '' && token !== previous.lastHandledRunNow) {
    const runName = manualRunToCreate(name, token, input.runs, takenNames);
    if (runName !== undefined) {
      create.push(
        newRun(schedule, {
          name: runName,
          scheduledMs: nowMs,
          trigger: 'manual',
          timezone: spec.timezone,
          runNowToken: token,
        }),
      );
      takenNames.add(runName);
      events.push({
        type: 'Normal',
        reason: Reason.ManualRunCreated,
        message: `Created manual run ${runName} for ${ANNOTATION_RUN_NOW}: ${token}`,
      });
    }
    lastHandledRunNow = token;
  }

  const lastSchedule = statusTimeMs(previous.lastScheduleTime, nowMs);
  const lastMissed = statusTimeMs(previous.lastMissedTime, nowMs);
  for (const [field, clamp] of [
    ['lastScheduleTime', lastSchedule],
    ['lastMissedTime', lastMissed],
  ] as const) {
    if (clamp.future) {
      events.push({
        type: 'Warning',
        reason: Reason.StatusTimeInFuture,
        message: `status.${field} was in the future; it is taken as now (${formatUtc(nowMs)}). Only the controller writes status: check who changed it, and the clocks`,
      });
    }
  }
  const decision = planScheduledRun({
    schedule,
    spec,
    timing,
    runs,
    nowMs,
    takenNames,
    manualRunCreated: create.length > 0,
    lastScheduleMs: maxOf(
      lastSchedule.ms,
      // Recovers a lost or stale status: a scheduled run that exists was scheduled, whatever status says.
      ...runs.all.map((run) => trustedScheduledMs(run, name, nowMs)),
    ),
    lastMissedMs: lastMissed.ms,
    lastCompletionMs: maxOf(
      parseTimeMs(previous.lastRun?.completionTime),
      ...[...runs.succeeded, ...runs.failed].map(completedAtMs),
    ),
  });

  return buildPlan(observed, {
    timing,
    create: [...create, ...decision.create],
    cancel: decision.cancel,
    events: [...events, ...decision.events],
    nextMs: decision.nextMs,
    lastScheduleMs: decision.lastScheduleMs,
    lastMissedMs: decision.lastMissedMs,
    lastHandledRunNow,
    missedCount: decision.missedCount,
    ready: spec.suspend
      ? { reason: Reason.Suspended, message: 'spec.suspend is true: no scheduled runs are created' }
      : { reason: Reason.Scheduled, message: readyMessage(timing, decision.nextMs) },
  });
}

function readyMessage(timing: Timing, nextMs: number | null): string {
  if (nextMs !== null) return `next run at ${formatInZone(nextMs, timing.timezone)}`;
  if (timing.kind === 'interval') return `the next run starts ${timing.effective} after the active run completes`;
  return 'the schedule has no future run';
}

interface ScheduledRunContext {
  schedule: ScanSchedule;
  spec: DefaultedSpec;
  timing: Timing;
  runs: OwnedRuns;
  nowMs: number;
  takenNames: ReadonlySet<string | undefined>;
  manualRunCreated: boolean;
  lastScheduleMs: number | undefined;
  lastMissedMs: number | undefined;
  lastCompletionMs: number | undefined;
}

interface ScheduledRunDecision {
  create: ScanRun[];
  cancel: string[];
  events: PlanEvent[];
  nextMs: number | null;
  lastScheduleMs: number | undefined;
  lastMissedMs: number | undefined;
  missedCount: number;
}

const wholeSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

/** The scheduled part of a reconcile: which due time (if any) starts, which are missed, when to look again. */
function planScheduledRun(context: ScheduledRunContext): ScheduledRunDecision {
  const { schedule, spec, timing, runs, nowMs, lastScheduleMs, lastMissedMs } = context;
  const name = schedule.metadata.name ?? '';
  const createdMs = parseTimeMs(schedule.metadata.creationTimestamp) ?? nowMs;
  const busy = runs.active.length > 0 || context.manualRunCreated;
  const decision: ScheduledRunDecision = {
    create: [],
    cancel: [],
    events: [],
    nextMs: null,
    lastScheduleMs,
    lastMissedMs,
    missedCount: 0,
  };

  let cadence: Cadence;
  if (timing.kind === 'cron') {
    cadence = timing.cadence;
  } else if (timing.kind === 'every') {
    // Like Kubernetes' @every: counted from the last scheduled time, else from creation.
    cadence = periodicCadence(wholeSecond(lastScheduleMs ?? createdMs), timing.periodMs);
  } else {
    // An interval counts from the end of the previous run, so nothing is due while a run is active; that
    // run's completion brings the schedule back to the queue. The anchor is the latest of creation, the
    // last scheduled time (a run deleted before it completed) and the last completion.
    if (busy) return decision;
    const anchorMs = maxOf(createdMs, lastScheduleMs, context.lastCompletionMs) ?? createdMs;
    cadence = periodicCadence(wholeSecond(anchorMs), timing.periodMs);
  }

  if (spec.suspend) return { ...decision, nextMs: cadence.next(nowMs) };

  // Times up to the last scheduled time were met, and times up to the last reported miss stay missed
  // (so a longer deadline set later does not resurrect them).
  const earliestMs = Math.max(lastScheduleMs ?? createdMs, lastMissedMs ?? Number.NEGATIVE_INFINITY);
  const deadlineMs = spec.startingDeadlineSeconds === undefined ? undefined : spec.startingDeadlineSeconds * 1000;
  const due = dueTimesWithDeadline(cadence, { earliestMs, nowMs, deadlineMs });
  decision.nextMs = due.next;
  const zone = timing.timezone;

  if (due.missed !== null) {
    const { latest, count } = due.missed;
    const earlier =
      count > 1
        ? ` (${count > TOO_MANY_MISSED ? `over ${TOO_MANY_MISSED}` : count} scheduled times missed in all)`
        : '';
    decision.events.push({
      type: 'Warning',
      reason: Reason.MissedSchedule,
      message: `Missed the run scheduled for ${formatInZone(latest, zone)}: it could not start within startingDeadlineSeconds (${spec.startingDeadlineSeconds}s)${earlier}`,
    });
    decision.lastMissedMs = latest;
    decision.missedCount += count;
  }

  const dueMs = due.runnable.mostRecent;
  if (dueMs === null) return decision;
  const runName = scheduledRunName(name, dueMs);
  // The legacy name too: a run created for this time before the upgrade to seconds-only names, its status
  // write lost, must not be followed by a second run for the same time under the new name.
  if (context.takenNames.has(runName) || context.takenNames.has(legacyScheduledRunName(name, dueMs))) {
    // Created by an earlier reconcile whose status write was lost: the time is met.
    decision.lastScheduleMs = maxOf(lastScheduleMs, dueMs);
    return decision;
  }
  if (due.runnable.tooMany) {
    decision.events.push({
      type: 'Warning',
      reason: Reason.TooManyMissedTimes,
      message: `More than ${TOO_MANY_MISSED} scheduled times were missed; only the latest (${formatInZone(dueMs, zone)}) runs. Set or decrease spec.startingDeadlineSeconds or check clock skew`,
    });
  }
  const activeNames = runs.active.map((run) => run.metadata.name ?? '');
  if (spec.concurrencyPolicy === 'Forbid' && busy) {
    const blocking = context.manualRunCreated ? [...activeNames, 'the manual run created now'] : activeNames;
    // One message per blocking run, whatever the due time: the recorder folds repeats into one Event series
    // instead of one Event per due time while a long scan runs.
    decision.events.push({
      type: 'Normal',
      reason: Reason.RunAlreadyActive,
      message: `Scheduled runs wait: ${blocking.join(', ')} ${blocking.length === 1 ? 'is' : 'are'} still active and concurrencyPolicy is Forbid; the latest due time starts when ${blocking.length === 1 ? 'that run ends' : 'they end'}${deadlineMs === undefined ? '' : ', if still within startingDeadlineSeconds'}`,
    });
    return decision;
  }
  // Every unmet time but the latest is given up: say so, with the count and the range, so that no time is
  // lost without a trace (Kubernetes drops them silently unless there are over 100).
  const skipped = due.runnable.unmetCount - 1;
  if (skipped > 0) {
    const lastSkipped = cadence.latest(dueMs - 1);
    const windowStartMs = deadlineMs === undefined ? earliestMs : Math.max(earliestMs, nowMs - deadlineMs - 1);
    const firstSkipped = due.runnable.tooMany ? null : cadence.next(windowStartMs);
    const range =
      firstSkipped !== null && lastSkipped !== null && firstSkipped !== lastSkipped
        ? `from ${formatInZone(firstSkipped, zone)} to ${formatInZone(lastSkipped, zone)}`
        : lastSkipped !== null
          ? `${due.runnable.tooMany ? 'up to' : 'at'} ${formatInZone(lastSkipped, zone)}`
          : '';
    // Over TOO_MANY_MISSED, TooManyMissedTimes (above) already says it, as Kubernetes users know it.
    if (!due.runnable.tooMany)
      decision.events.push({
        type: 'Warning',
        reason: Reason.MissedSchedule,
        message: `Skipped ${due.runnable.tooMany ? `over ${TOO_MANY_MISSED}` : skipped} scheduled ${skipped === 1 ? 'time' : 'times'} ${range} that could not start in time (controller down or behind, or a run still active); only the latest, ${formatInZone(dueMs, zone)}, runs`,
      });
    if (lastSkipped !== null) decision.lastMissedMs = maxOf(decision.lastMissedMs, lastSkipped);
    decision.missedCount += skipped;
  }
  if (spec.concurrencyPolicy === 'Replace' && activeNames.length > 0) {
    decision.cancel = activeNames;
    decision.events.push({
      type: 'Normal',
      reason: Reason.RunReplaced,
      message: `Cancelling ${activeNames.join(', ')} to start ${runName} (concurrencyPolicy Replace)`,
    });
  }
  // No Event for a scheduled run: the ScanRun is the record (`kubectl get scanruns`), and at scale an Event per
  // run was a fifth of the API server's writes (docs/scaling.md). Events are kept for what needs attention.
  decision.create.push(newRun(schedule, { name: runName, scheduledMs: dueMs, trigger: 'schedule', timezone: zone }));
  decision.lastScheduleMs = dueMs;
  // The new run is active now, so an interval has no next time until it completes.
  if (timing.kind === 'interval') decision.nextMs = null;
  return decision;
}

/** The most recently completed run: the retained one that finished last, or the one status remembers if later. */
function latestFinishedRun(runs: OwnedRuns, previous: LastRun | undefined): LastRun | undefined {
  let best: ScanRun | undefined;
  let bestMs = Number.NEGATIVE_INFINITY;
  for (const run of [...runs.succeeded, ...runs.failed]) {
    const ms = completedAtMs(run) ?? Number.NEGATIVE_INFINITY;
    if (
      best === undefined ||
      ms > bestMs ||
      (ms === bestMs && (run.metadata.name ?? '') > (best.metadata.name ?? ''))
    ) {
      best = run;
      bestMs = ms;
    }
  }
  if (best === undefined) return previous;
  const previousMs = parseTimeMs(previous?.completionTime);
  if (previous !== undefined && previousMs !== undefined && previousMs > bestMs) return previous;
  const status = best.status ?? {};
  const lastRun: LastRun = { name: best.metadata.name ?? '', phase: status.phase ?? 'Failed' };
  if (status.reason !== undefined) lastRun.reason = status.reason;
  if (status.completionTime !== undefined) lastRun.completionTime = status.completionTime;
  if (status.findings !== undefined) lastRun.findings = status.findings;
  return lastRun;
}

/** What a plan needs from the observed objects, whatever it decides. */
interface ScheduleObservation {
  schedule: ScanSchedule;
  runs: OwnedRuns;
  now: Date;
  generation: number | undefined;
  previous: ScanScheduleStatus;
  deleted: string[];
  succeeded: number;
  failed: number;
  lastRun: LastRun | undefined;
  lastSuccessfulMs: number | undefined;
}

/**
 * An invalid spec gets no runs and no requeue: only an edit can fix it, and the edit brings it back to the
 * queue (a new generation). One Warning Event announces it; a re-reconcile of the same generation finds the
 * condition already in place and stays quiet, so a broken schedule cannot flood the Events.
 */
function invalidSpecPlan(observed: ScheduleObservation, problems: readonly Problem[]): Plan {
  const hasProblemAt = (path: string): boolean => problems.some((problem) => problem.path === path);
  const reason: StalledReason = hasProblemAt('spec.schedule')
    ? Reason.InvalidSchedule
    : hasProblemAt('spec.timezone')
      ? Reason.UnknownTimeZone
      : Reason.InvalidSpec;
  const message = problems.map((p) => `${p.message}. ${p.fix}`.trim()).join(' ');
  return stalledPlan(observed, reason, message);
}

/** The rejection that stalls this generation: reported by this reconcile, or still on the Ready condition. */
function jobRejection(
  input: PlanInput,
  previous: ScanScheduleStatus,
  generation: number | undefined,
): string | undefined {
  if (input.jobRejected !== undefined) return input.jobRejected;
  const ready = previous.conditions?.find((condition) => condition.type === 'Ready');
  const stillThisGeneration = ready?.observedGeneration === generation;
  return ready?.reason === Reason.JobRejected && ready.status === 'False' && stillThisGeneration
    ? ready.message
    : undefined;
}

function stalledPlan(observed: ScheduleObservation, reason: StalledReason, message: string): Plan {
  const ready = observed.previous.conditions?.find((condition) => condition.type === 'Ready');
  const alreadyReported =
    ready !== undefined &&
    ready.status === 'False' &&
    ready.reason === reason &&
    ready.observedGeneration === observed.generation;
  return buildPlan(observed, {
    timing: undefined,
    create: [],
    cancel: [],
    events: alreadyReported ? [] : [{ type: 'Warning', reason, message }],
    nextMs: null,
    ready: { reason, message, stalled: true },
  });
}

/** What the planning steps decided for this reconcile; buildPlan turns it and the observation into the Plan. */
interface ScheduleDecision {
  timing: Timing | undefined;
  create: ScanRun[];
  cancel: string[];
  events: PlanEvent[];
  nextMs: number | null;
  missedCount?: number;
  lastScheduleMs?: number | undefined;
  lastMissedMs?: number | undefined;
  lastHandledRunNow?: string | undefined;
  ready: { reason: Reason; message: string; stalled?: boolean };
}

function buildPlan(observed: ScheduleObservation, decided: ScheduleDecision): Plan {
  const { previous, schedule, now, generation } = observed;
  const cancelled = new Set(decided.cancel);
  const activeRuns = [
    ...observed.runs.active.map((run) => run.metadata.name ?? '').filter((name) => !cancelled.has(name)),
    ...decided.create.map((run) => run.metadata.name ?? ''),
  ].sort();
  const suspended = schedule.spec.suspend === true;
  const { ready, timing } = decided;
  const desired: DesiredCondition[] = [
    { type: 'Ready', status: ready.stalled === true ? 'False' : 'True', reason: ready.reason, message: ready.message },
    {
      type: 'Stalled',
      status: ready.stalled === true ? 'True' : 'False',
      reason: ready.reason,
      message: ready.stalled === true ? ready.message : 'the spec can be scheduled',
    },
    {
      type: 'Reconciling',
      status: 'False',
      reason: Reason.Reconciled,
      message: generation === undefined ? 'the spec was processed' : `generation ${generation} was processed`,
    },
    suspended
      ? { type: 'Suspended', status: 'True', reason: Reason.Suspended, message: 'spec.suspend is true' }
      : { type: 'Suspended', status: 'False', reason: Reason.NotSuspended, message: 'spec.suspend is false' },
  ];
  const { lastRun } = observed;
  if (lastRun !== undefined) {
    const succeeded = lastRun.phase === 'Succeeded';
    desired.push({
      type: 'LastRunSucceeded',
      status: succeeded ? 'True' : 'False',
      reason: lastRun.reason ?? lastRun.phase,
      message: `run ${lastRun.name} ${lastRun.phase.toLowerCase()}${lastRun.findings === undefined ? '' : ` with ${lastRun.findings.total} findings (${lastRun.findings.critical} critical, ${lastRun.findings.high} high)`}`,
    });
  }
  const lastScheduleMs = decided.lastScheduleMs ?? parseTimeMs(previous.lastScheduleTime);
  const lastMissedMs = decided.lastMissedMs ?? parseTimeMs(previous.lastMissedTime);
  // Built field by field, without undefined values, so it compares equal to what the API server returns.
  const status: ScanScheduleStatus = {};
  if (generation !== undefined) status.observedGeneration = generation;
  status.conditions = withTransitionTimes(desired, previous.conditions, { now, generation });
  if (decided.nextMs !== null) status.nextScheduleTime = formatUtc(decided.nextMs);
  if (lastScheduleMs !== undefined) status.lastScheduleTime = formatUtc(lastScheduleMs);
  if (observed.lastSuccessfulMs !== undefined) status.lastSuccessfulTime = formatUtc(observed.lastSuccessfulMs);
  if (lastMissedMs !== undefined) status.lastMissedTime = formatUtc(lastMissedMs);
  status.active = activeRuns.length;
  status.activeRuns = activeRuns;
  status.succeeded = observed.succeeded;
  status.failed = observed.failed;
  if (lastRun !== undefined) status.lastRun = lastRun;
  if (timing !== undefined) status.effectiveSchedule = timing.effective;
  const lastHandledRunNow = decided.lastHandledRunNow ?? previous.lastHandledRunNow;
  if (lastHandledRunNow !== undefined) status.lastHandledRunNow = lastHandledRunNow;
  return {
    create: decided.create,
    cancel: decided.cancel,
    delete: observed.deleted,
    status,
    events: decided.events,
    missedCount: decided.missedCount ?? 0,
    requeueAfterMs: decided.nextMs === null ? null : Math.max(0, decided.nextMs - now.getTime()) + REQUEUE_DELAY_MS,
  };
}
