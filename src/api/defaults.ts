import type { ConcurrencyPolicy, Profile, ScanScheduleSpec } from './types.ts';

// One place for every default: the schema writes them into the CRD (so the API server applies them and
// `kubectl explain` shows them) and the core reads them through withDefaults() for objects that never
// went through an API server (offline validate/next, the local runtime, unit tests).
export const DEFAULT_TIMEZONE = 'UTC';
export const DEFAULT_CONCURRENCY_POLICY: ConcurrencyPolicy = 'Forbid';
export const DEFAULT_SUCCESSFUL_HISTORY_LIMIT = 30;
export const DEFAULT_FAILED_HISTORY_LIMIT = 10;
export const DEFAULT_PROFILE: Profile = 'balanced';
export const DEFAULT_RESULTS_DIR = '/results';
export const DEFAULT_BACKOFF_LIMIT = 0;
export const DEFAULT_TTL_SECONDS_AFTER_FINISHED = 3600;

export type DefaultedSpec = ScanScheduleSpec &
  Required<
    Pick<
      ScanScheduleSpec,
      'timezone' | 'suspend' | 'concurrencyPolicy' | 'successfulJobsHistoryLimit' | 'failedJobsHistoryLimit'
    >
  >;

/** The spec with every scheduling default filled in; the input is not changed. */
export function withDefaults(spec: ScanScheduleSpec): DefaultedSpec {
  return {
    ...spec,
    timezone: spec.timezone ?? DEFAULT_TIMEZONE,
    suspend: spec.suspend ?? false,
    concurrencyPolicy: spec.concurrencyPolicy ?? DEFAULT_CONCURRENCY_POLICY,
    successfulJobsHistoryLimit: spec.successfulJobsHistoryLimit ?? DEFAULT_SUCCESSFUL_HISTORY_LIMIT,
    failedJobsHistoryLimit: spec.failedJobsHistoryLimit ?? DEFAULT_FAILED_HISTORY_LIMIT,
  };
}
