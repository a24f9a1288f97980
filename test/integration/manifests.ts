// Minimal valid ScanSchedule / ScanRun objects for the integration tests; each test changes only the field it is
// about, so a rejection can only come from that field.
import type { ScanRun, ScanSchedule, ScanScheduleSpec } from '../../src/api/types.ts';
import { API_VERSION, SCAN_RUN_KIND, SCAN_SCHEDULE_KIND } from '../../src/api/types.ts';

export function aScanSchedule(name: string, spec: Partial<ScanScheduleSpec> = {}): ScanSchedule {
  return {
    apiVersion: API_VERSION,
    kind: SCAN_SCHEDULE_KIND,
    metadata: { name },
    spec: { schedule: '0 2 * * *', jobTemplate: { targets: { repo: '/repos/app' } }, ...spec },
  };
}

export function aScanRun(name: string, scheduleName = 'nightly'): ScanRun {
  return {
    apiVersion: API_VERSION,
    kind: SCAN_RUN_KIND,
    metadata: { name },
    spec: {
      scheduleRef: { name: scheduleName },
      scheduledTime: '2026-05-19T02:00:00Z',
      trigger: 'schedule',
      jobTemplate: { targets: { repo: '/repos/app' } },
    },
  };
}

/** A manifest without one spec field, e.g. to leave out both schedule and interval. */
export function withoutSpecFields(schedule: ScanSchedule, ...fields: (keyof ScanScheduleSpec)[]): ScanSchedule {
  const spec: Partial<ScanScheduleSpec> = { ...schedule.spec };
  for (const field of fields) delete spec[field];
  return { ...schedule, spec: spec as ScanScheduleSpec };
}
