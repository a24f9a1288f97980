import {
  ANNOTATION_RUN_NOW,
  ANNOTATION_SCHEDULED_TIME,
  API_VERSION,
  LABEL_MANAGED_BY,
  LABEL_SCHEDULE,
  MANAGED_BY,
  type RunTrigger,
  SCAN_RUN_KIND,
  SCAN_SCHEDULE_KIND,
  type ScanRun,
  type ScanSchedule,
} from '../api/types.ts';
import { formatInZone, formatUtc } from '../schedule/rfc3339.ts';

/**
 * A new ScanRun for `schedule` at the nominal time `scheduledMs`. jobTemplate and backend are deep copies:
 * a run is frozen when it is created, so a later edit of the schedule cannot change a scan in flight. No
 * status: the controller that runs it writes that.
 */
export function newRun(
  schedule: ScanSchedule,
  run: { name: string; scheduledMs: number; trigger: RunTrigger; timezone: string; runNowToken?: string },
): ScanRun {
  const scheduleName = schedule.metadata.name ?? '';
  const { backend } = schedule.spec;
  return {
    apiVersion: API_VERSION,
    kind: SCAN_RUN_KIND,
    metadata: {
      name: run.name,
      ...(schedule.metadata.namespace === undefined ? {} : { namespace: schedule.metadata.namespace }),
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_SCHEDULE]: scheduleName },
      annotations: {
        [ANNOTATION_SCHEDULED_TIME]: formatInZone(run.scheduledMs, run.timezone),
        // Which request a manual run answers: the planner tells a retry from another token's run by it.
        ...(run.runNowToken === undefined ? {} : { [ANNOTATION_RUN_NOW]: run.runNowToken }),
      },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: SCAN_SCHEDULE_KIND,
          name: scheduleName,
          uid: schedule.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      scheduleRef: { name: scheduleName },
      scheduledTime: formatUtc(run.scheduledMs),
      trigger: run.trigger,
      jobTemplate: structuredClone(schedule.spec.jobTemplate),
      ...(backend === undefined ? {} : { backend: structuredClone(backend) }),
    },
  };
}
