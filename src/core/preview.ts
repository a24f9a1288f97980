// What `scanschedule next` shows for one schedule: its effective pattern, notes a user should know before
// relying on the times, and the next run times. Pure: `from` is a parameter.
import { DEFAULT_TIMEZONE } from '../api/defaults.ts';
import type { ScanSchedule } from '../api/types.ts';
import { effectiveSchedule, nextRuns, type UpcomingRun } from '../schedule/index.ts';

export interface SchedulePreview {
  namespace: string;
  name: string;
  kind: 'cron' | 'interval';
  /** As written: spec.schedule, or spec.interval. */
  schedule: string;
  effectiveSchedule: string;
  timezone: string;
  notes: string[];
  runs: UpcomingRun[];
}

/** The next `count` runs after `from`. The spec must be valid (validateScanSchedule returns []). */
export function previewSchedule(schedule: ScanSchedule, options: { from: Date; count: number }): SchedulePreview {
  const { spec, metadata } = schedule;
  const key = { namespace: metadata.namespace ?? 'default', name: metadata.name ?? '' };
  const timezone = spec.timezone ?? DEFAULT_TIMEZONE;
  const kind = spec.interval === undefined ? 'cron' : 'interval';
  const notes: string[] = [];
  if (spec.suspend === true) notes.push('suspended: no runs are created until spec.suspend is false');
  const backend = spec.backend?.type ?? 'kubernetes';
  if (backend !== 'kubernetes') {
    notes.push(`backend ${backend}: the controller does not run it; these are the times its own scheduler uses`);
  }
  if (kind === 'interval') {
    notes.push('each run starts an interval after the previous one completed; the times assume runs take no time');
  } else if (spec.schedule?.startsWith('@every ')) {
    notes.push('@every counts from the last scheduled run; the preview counts from now');
  }
  return {
    ...key,
    kind,
    schedule: spec.schedule ?? spec.interval ?? '',
    effectiveSchedule: effectiveSchedule(spec, key),
    timezone,
    notes,
    runs: nextRuns(spec, { from: options.from, count: options.count, ...key }),
  };
}
