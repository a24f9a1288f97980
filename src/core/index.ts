// scanschedule/core: the stable, pure API (docs/design.md §4.6). Objects are plain JSON as the API server
// returns them; times are RFC 3339 strings; the clock is always a parameter.
export type { Condition, ScanRun, ScanSchedule, ScanScheduleSpec, ScanScheduleStatus } from '../api/types.ts';
export { InvalidScheduleError } from '../schedule/invalid-schedule-error.ts';
export { nextRunTimes } from './next-run-times.ts';
export type { Plan, PlanEvent, PlanInput } from './plan.ts';
export { planSchedule, REQUEUE_DELAY_MS } from './plan.ts';
export { Reason } from './reasons.ts';
export { manualRunName, scheduledRunName } from './run-names.ts';
export { validateScanSchedule } from './validate.ts';
