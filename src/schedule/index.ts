// The pure time maths of scanschedule: grammar, time zones, H spreading, intervals. Imports only api/.
export type { Cadence } from './cadence.ts';
export { cronCadence, periodicCadence } from './cadence.ts';
export type { DeadlineDueTimes, DueTimes } from './due-time.ts';
export { dueTimesWithDeadline, mostRecentDueTime, TOO_MANY_MISSED } from './due-time.ts';
export { InvalidScheduleError } from './invalid-schedule-error.ts';
export type { UpcomingRun } from './next-runs.ts';
export { nextRuns } from './next-runs.ts';
export { formatInZone, formatUtc } from './rfc3339.ts';
export { scheduleProblems } from './schedule-problems.ts';
export type { ScheduleKey } from './spread.ts';
export { fnv1a32 } from './stable-hash.ts';
export type { TimeZoneProblem } from './time-zone.ts';
export { timeZoneProblem } from './time-zone.ts';
export type { CompiledTiming, Timing, TimingSpec } from './timing.ts';
export { compileTiming, effectiveSchedule } from './timing.ts';
