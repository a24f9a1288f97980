// A ScanSchedule as a batch/v1 CronJob, for clusters without the controller. The pod is the controller's
// (job-for-run.ts: the scanner as an init container, then the report step), so the scan runs the same way; the
// report step judges the threshold itself, so a run with findings at or above it is a failed Job.
import { stringify } from 'yaml';
import { LABEL_MANAGED_BY, LABEL_SCHEDULE, MANAGED_BY, type ScanRun, type ScanSchedule } from '../../api/types.ts';
import { jobForRun, REPORT_CONTAINER_NAME } from '../job-for-run.ts';
import type { ExportOptions, ExportResult } from './export-plan.ts';
import { exportPlan, warningComments } from './export-plan.ts';

const LOST = [
  'the daylight-saving rule (Kubernetes skips a time in a spring-forward gap and runs a repeated time twice)',
  'ScanRun records, findings in status, and the history the controller keeps',
  'notifications (Slack, webhooks)',
  'run-now annotations (use kubectl create job --from=cronjob/NAME)',
];

export function cronJobManifest(schedule: ScanSchedule, options: ExportOptions): ExportResult {
  const plan = exportPlan(schedule, options);
  const warnings = [...plan.warnings];
  if (plan.channels.length > 0) warnings.push('spec.jobTemplate.notifications: a CronJob sends none.');
  const cron = plan.cron;
  if (cron === undefined) throw new Error('unreachable: cronJobManifest needs a cron line (checked by exportSchedule)');
  if (cron.patterns.length > 1) {
    warnings.push(
      `spec.schedule: needs ${cron.patterns.length} CronJobs in UTC; only the first is written. Export without --utc.`,
    );
  }
  const run: ScanRun = {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: {
      name: plan.name,
      namespace: plan.namespace,
      uid: 'exported',
      labels: { [LABEL_SCHEDULE]: plan.name },
    },
    spec: {
      scheduleRef: { name: plan.name },
      scheduledTime: '',
      trigger: 'schedule',
      jobTemplate: schedule.spec.jobTemplate,
      ...(schedule.spec.backend !== undefined && { backend: schedule.spec.backend }),
    },
  };
  const job = jobForRun(run, { scannerImage: plan.scannerImage, reportImage: plan.reportImage });
  const template = job.spec?.template;
  const podSpec = template?.spec;
  for (const container of podSpec?.containers ?? []) {
    if (container.name === REPORT_CONTAINER_NAME && plan.failOn !== undefined) {
      container.args = [...(container.args ?? []), '--fail-on', plan.failOn];
    }
  }
  const labels = { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_SCHEDULE]: plan.name };
  const { template: _template, ...jobSpec } = job.spec ?? {};
  const cronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: plan.name, namespace: plan.namespace, labels },
    spec: {
      schedule: cron.patterns[0],
      timeZone: cron.timezone,
      concurrencyPolicy: plan.concurrencyPolicy,
      suspend: plan.suspended,
      ...(plan.startingDeadlineSeconds !== undefined && { startingDeadlineSeconds: plan.startingDeadlineSeconds }),
      ...(plan.successfulJobsHistoryLimit !== undefined && {
        successfulJobsHistoryLimit: plan.successfulJobsHistoryLimit,
      }),
      ...(plan.failedJobsHistoryLimit !== undefined && { failedJobsHistoryLimit: plan.failedJobsHistoryLimit }),
      jobTemplate: {
        metadata: { labels },
        spec: { ...jobSpec, template: { metadata: { labels }, spec: podSpec } },
      },
    },
  };
  const header = [
    `# scanschedule export --to cronjob: ScanSchedule ${plan.namespace}/${plan.name}, for a cluster without the controller.`,
    `# The controller runs it on "${plan.effective}" in ${plan.timezone}. Lost without the controller:`,
    ...LOST.map((item) => `#   - ${item}`),
    ...warningComments(warnings),
  ];
  return {
    text: `${header.join('\n')}\n${stringify(cronJob, { lineWidth: 0, aliasDuplicateObjects: false })}`,
    warnings,
    notes: [],
    ...(!plan.suspended && { fires: { patterns: cron.patterns.slice(0, 1), timezone: cron.timezone } }),
  };
}
