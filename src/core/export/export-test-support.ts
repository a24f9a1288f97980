// A small valid ScanSchedule for the export unit tests, with the spec fields a case changes.
import type { ScanSchedule, ScanScheduleSpec } from '../../api/types.ts';

export function aSchedule(spec: Partial<ScanScheduleSpec> & Record<string, unknown> = {}): ScanSchedule {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanSchedule',
    metadata: { name: 's', namespace: 'team' },
    spec: { schedule: '0 2 * * *', jobTemplate: { targets: { repo: '/r' } }, ...spec } as ScanScheduleSpec,
  };
}
