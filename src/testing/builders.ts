// Builders for tests: a valid object with every field a test does not care about filled in, so each case
// states only what it is about. Imported only by *.test.ts and bench/.
import type {
  Findings,
  ObjectMeta,
  RunPhase,
  RunTrigger,
  ScanRun,
  ScanSchedule,
  ScanScheduleSpec,
  ScanScheduleStatus,
} from '../api/types.ts';
import { scheduledRunName } from '../core/run-names.ts';
import { RunReason } from '../core/run-reasons.ts';
import { formatUtc } from '../schedule/rfc3339.ts';

/** Named instants on the day Kubernetes' CronJob tests use (a Thursday), so ported cases read the same. */
export const instants = {
  justBeforeThePriorHour: new Date('2016-05-19T08:59:00Z'),
  justAfterThePriorHour: new Date('2016-05-19T09:01:00Z'),
  justBeforeTheHour: new Date('2016-05-19T09:59:00Z'),
  topOfTheHour: new Date('2016-05-19T10:00:00Z'),
  justAfterTheHour: new Date('2016-05-19T10:01:00Z'),
  justBeforeTheNextHour: new Date('2016-05-19T10:59:00Z'),
  weekAfterTheHour: new Date('2016-05-26T10:00:00Z'),
} as const;

/** An instant `ms` milliseconds after `base`. */
export const plus = (base: Date, ms: number): Date => new Date(base.getTime() + ms);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const SCHEDULE_NAME = 'nightly';
export const SCHEDULE_NAMESPACE = 'security';
export const SCHEDULE_UID = 'uid-nightly';

export interface ScheduleOverrides {
  metadata?: Partial<ObjectMeta>;
  spec?: Partial<ScanScheduleSpec>;
  status?: ScanScheduleStatus;
}

/** A valid ScanSchedule: hourly on the hour in UTC, created just before the hour, never ran. */
export function aSchedule(overrides: ScheduleOverrides = {}): ScanSchedule {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanSchedule',
    metadata: {
      name: SCHEDULE_NAME,
      namespace: SCHEDULE_NAMESPACE,
      uid: SCHEDULE_UID,
      generation: 1,
      creationTimestamp: formatUtc(instants.justBeforeTheHour),
      ...overrides.metadata,
    },
    spec: {
      schedule: '0 * * * *',
      jobTemplate: { profile: 'fast', targets: { repos_dir: '/repos' }, options: { fail_on: 'HIGH' } },
      ...overrides.spec,
    },
    ...(overrides.status === undefined ? {} : { status: overrides.status }),
  };
}

export interface RunOverrides {
  /** The nominal time; the name follows from it unless `name` is given. */
  scheduledAt?: Date;
  name?: string;
  trigger?: RunTrigger;
  phase?: RunPhase;
  reason?: string;
  startTime?: Date;
  completionTime?: Date;
  findings?: Findings;
  owner?: ScanSchedule;
  deleting?: boolean;
}

/** A ScanRun owned by `owner` (default: aSchedule()), scheduled at `scheduledAt`; no status unless a phase is given. */
export function aRun(overrides: RunOverrides = {}): ScanRun {
  const owner = overrides.owner ?? aSchedule();
  const scheduledAt = overrides.scheduledAt ?? instants.topOfTheHour;
  const ownerName = owner.metadata.name ?? SCHEDULE_NAME;
  const status =
    overrides.phase === undefined
      ? undefined
      : {
          phase: overrides.phase,
          ...(overrides.reason === undefined ? {} : { reason: overrides.reason }),
          ...(overrides.startTime === undefined ? {} : { startTime: formatUtc(overrides.startTime) }),
          ...(overrides.completionTime === undefined ? {} : { completionTime: formatUtc(overrides.completionTime) }),
          ...(overrides.findings === undefined ? {} : { findings: overrides.findings }),
        };
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: {
      name: overrides.name ?? scheduledRunName(ownerName, scheduledAt.getTime()),
      namespace: owner.metadata.namespace ?? SCHEDULE_NAMESPACE,
      creationTimestamp: formatUtc(scheduledAt),
      labels: { 'app.kubernetes.io/managed-by': 'scanschedule', 'jmo.security/schedule': ownerName },
      ownerReferences: [
        {
          apiVersion: 'jmo.security/v1alpha1',
          kind: 'ScanSchedule',
          name: ownerName,
          uid: owner.metadata.uid ?? SCHEDULE_UID,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      ...(overrides.deleting === true ? { deletionTimestamp: formatUtc(scheduledAt) } : {}),
    },
    spec: {
      scheduleRef: { name: ownerName },
      scheduledTime: formatUtc(scheduledAt),
      trigger: overrides.trigger ?? 'schedule',
      jobTemplate: structuredClone(owner.spec.jobTemplate),
    },
    ...(status === undefined ? {} : { status }),
  };
}

/** A finished run that succeeded `durationMs` after it was scheduled. */
export function aSucceededRun(scheduledAt: Date, overrides: RunOverrides = {}): ScanRun {
  return aRun({
    scheduledAt,
    phase: 'Succeeded',
    reason: RunReason.Completed,
    startTime: scheduledAt,
    completionTime: plus(scheduledAt, 10 * SECOND),
    ...overrides,
  });
}
