// `scanschedule export`: one ScanSchedule as a file another scheduler runs. One pure generator per target.
import type { ScanSchedule } from '../../api/types.ts';
import { cronJobManifest } from './cronjob.ts';
import { crontabLines } from './crontab.ts';
import { ExportError, type ExportOptions, type ExportResult, type ExportTarget, exportPlan } from './export-plan.ts';
import { githubActionsWorkflow } from './github-actions.ts';
import { gitlabCiJobs } from './gitlab-ci.ts';

export type { ExportOptions, ExportResult, ExportTarget } from './export-plan.ts';
export { EXPORT_TARGETS, ExportError } from './export-plan.ts';

/** The file extension each target's output is usually kept under. */
export const EXPORT_EXTENSIONS: Record<ExportTarget, string> = {
  'github-actions': 'yml',
  'gitlab-ci': 'gitlab-ci.yml',
  crontab: 'crontab',
  cronjob: 'yaml',
};

/** The schedule as `target`'s file. Throws ExportError when the target cannot hold it at all. */
export function exportSchedule(schedule: ScanSchedule, target: ExportTarget, options: ExportOptions): ExportResult {
  switch (target) {
    case 'github-actions':
      return githubActionsWorkflow(schedule, options);
    case 'gitlab-ci':
      return gitlabCiJobs(schedule, options);
    case 'crontab':
      return crontabLines(schedule, options);
    case 'cronjob':
      if (exportPlan(schedule, options).cron === undefined) {
        throw new ExportError(
          `${schedule.metadata.namespace ?? 'default'}/${schedule.metadata.name}: no cron line fits this schedule, and a CronJob needs one; use spec.schedule.`,
        );
      }
      return cronJobManifest(schedule, options);
  }
}
