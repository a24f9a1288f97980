// A ScanSchedule as .gitlab-ci.yml jobs. GitLab keeps the schedule itself (cron, cron_timezone, ref) outside
// the file, as a pipeline schedule: the jobs run only for scheduled pipelines whose SCANSCHEDULE_NAME variable
// names this schedule, so several schedules can share one file, and the API call that creates the pipeline
// schedule is printed with the file.
import { stringify } from 'yaml';
import type { ScanSchedule } from '../../api/types.ts';
import type { ExportedChannel, ExportOptions, ExportPlan, ExportResult } from './export-plan.ts';
import { exportPlan, shellCommand, shellQuote, warningComments } from './export-plan.ts';

/** Where the scan job copies the results: artifacts must lie inside the project directory. */
const RESULTS = 'scanschedule-results';

function gitlabDuration(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return [hours > 0 ? `${hours}h` : '', rest > 0 || hours === 0 ? `${rest}m` : ''].join(' ').trim();
}

function notifyJob(plan: ExportPlan, channel: ExportedChannel, rules: unknown): Record<string, unknown> {
  const body =
    channel.type === 'slack'
      ? `{"text": ("scanschedule ${plan.name}: " + $outcome + " " + $url)}`
      : `{"schedule": "${plan.name}", "namespace": "${plan.namespace}", "outcome": $outcome, "url": $url}`;
  return {
    stage: 'notify',
    image: 'alpine:3.22',
    needs: [{ job: `${plan.name}-report`, artifacts: true }],
    rules,
    script: [
      `case " ${channel.when.join(' ')} " in *" $OUTCOME "*) ;; *) echo "no notification for $OUTCOME"; exit 0 ;; esac`,
      'apk add --no-cache curl jq >/dev/null',
      `payload=$(jq -n --arg outcome "$OUTCOME" --arg url "$CI_PIPELINE_URL" '${body}')`,
      // A masked CI/CD variable: GitLab hides its value in job logs.
      `curl -fsS --retry 3 -X POST -H "Content-Type: application/json" --data "$payload" "$${channel.secret}"`,
    ],
  };
}

export function gitlabCiJobs(schedule: ScanSchedule, options: ExportOptions): ExportResult {
  const plan = exportPlan(schedule, options);
  const warnings = [...plan.warnings];
  if (plan.concurrencyPolicy === 'Replace') {
    warnings.push(
      'spec.concurrencyPolicy Replace: a new pipeline does not stop the running one; set workflow:auto_cancel or cancel it by hand.',
    );
  }
  if (plan.startingDeadlineSeconds !== undefined) {
    warnings.push('spec.startingDeadlineSeconds: GitLab has no starting deadline; a delayed pipeline starts late.');
  }
  const rules = [{ if: `$CI_PIPELINE_SOURCE == "schedule" && $SCANSCHEDULE_NAME == "${plan.name}"` }];
  const scan = {
    stage: 'scan',
    image: { name: plan.scannerImage, entrypoint: [''] },
    rules,
    // Forbid: one pipeline of this schedule at a time; the next waits for the resource instead of starting.
    ...(plan.concurrencyPolicy === 'Forbid' && { resource_group: `scanschedule-${plan.namespace}-${plan.name}` }),
    ...(plan.timeoutSeconds !== undefined && { timeout: gitlabDuration(plan.timeoutSeconds) }),
    script: [shellCommand(plan.scanCommand)],
    after_script: [`mkdir -p ${RESULTS} && cp -R ${shellQuote(plan.resultsDir)}/. ${RESULTS}/ 2>/dev/null || true`],
    artifacts: { when: 'always', paths: [`${RESULTS}/`], expire_in: '30 days' },
  };
  const reportCommand = [
    'node',
    '/app/dist/cli/main.js',
    'report',
    RESULTS,
    ...(plan.failOn === undefined ? [] : ['--fail-on', plan.failOn]),
  ];
  const report = {
    stage: 'report',
    image: { name: plan.reportImage, entrypoint: [''] },
    needs: [{ job: `${plan.name}-scan`, artifacts: true }],
    rules: [{ ...rules[0], when: 'always' }],
    script: [
      // scanschedule report exits 0 below the threshold, 1 at or above it, 2 when it cannot read the results.
      `set +e; ${shellCommand(reportCommand)}; code=$?; set -e`,
      'case "$code" in 0) outcome=success ;; 1) outcome=thresholdExceeded ;; *) outcome=failure ;; esac',
      'echo "OUTCOME=$outcome" > outcome.env',
      'exit "$code"',
    ],
    // SARIF stays a plain artifact: reports:sast reads only GitLab's own security-report JSON, not SARIF.
    artifacts: { when: 'always', paths: [`${RESULTS}/`], reports: { dotenv: 'outcome.env' } },
  };
  const jobs: Record<string, unknown> = {
    stages: ['scan', 'report', ...(plan.channels.length > 0 ? ['notify'] : [])],
    [`${plan.name}-scan`]: scan,
    [`${plan.name}-report`]: report,
  };
  for (const channel of plan.channels) {
    jobs[`${plan.name}-notify-${channel.index}`] = notifyJob(plan, channel, [{ ...rules[0], when: 'always' }]);
  }

  const notes: string[] = [];
  if (plan.cron !== undefined) {
    const cron = plan.cron.patterns;
    if (cron.length > 1) {
      warnings.push(`spec.schedule: needs ${cron.length} pipeline schedules in UTC (one cron line each).`);
    }
    for (const pattern of cron) {
      notes.push(
        [
          `glab api --method POST "projects/:id/pipeline_schedules" -f description=${shellQuote(`scanschedule ${plan.namespace}/${plan.name}`)}`,
          `-f ref=main -f cron=${shellQuote(pattern)} -f cron_timezone=${shellQuote(plan.cron.timezone)} -f active=${plan.suspended ? 'false' : 'true'}`,
        ].join(' '),
      );
    }
    notes.push(
      `glab api --method POST "projects/:id/pipeline_schedules/<id from the answer>/variables" -f key=SCANSCHEDULE_NAME -f value=${shellQuote(plan.name)}`,
    );
  }
  const header = [
    `# scanschedule export --to gitlab-ci: ScanSchedule ${plan.namespace}/${plan.name}.`,
    `# The controller runs it on "${plan.effective}" in ${plan.timezone}. GitLab keeps the schedule outside this file;`,
    '# create the pipeline schedule (set ref to your branch) and its SCANSCHEDULE_NAME variable with:',
    ...notes.map((note) => `#   ${note}`),
    ...(plan.cron === undefined ? ['#   (no cron line fits this schedule: run the pipeline by hand)'] : []),
    "# SARIF results are kept as plain artifacts: artifacts:reports:sast reads only GitLab's own report JSON.",
    ...plan.channels.map((c) => `# Create the masked CI/CD variable ${c.secret} with the ${c.type} URL.`),
    ...warningComments(warnings),
  ];
  return {
    text: `${header.join('\n')}\n${stringify(jobs, { lineWidth: 0, aliasDuplicateObjects: false })}`,
    warnings,
    notes,
    ...(plan.cron !== undefined && !plan.suspended && { fires: plan.cron }),
  };
}
