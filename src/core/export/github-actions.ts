// A ScanSchedule as a GitHub Actions workflow. GitHub reads an IANA `timezone` next to `cron` (docs.github.com,
// "on.schedule"; @actions/workflow-parser's cron-mapping has it), and in a spring-forward gap runs a fixed
// time at the next valid time, as the controller does; fall-back is not documented there.
// Two jobs: the scan in the scanner image (a container job), then the report on the runner, because
// JavaScript actions (artifacts, SARIF upload) do not run inside Alpine containers such as the report image.
import { stringify } from 'yaml';
import type { ScanSchedule } from '../../api/types.ts';
import { exportCron, shortestGapMinutes } from './export-cron.ts';
import type { ExportedChannel, ExportOptions, ExportPlan, ExportResult } from './export-plan.ts';
import { exportPlan, shellCommand, warningComments } from './export-plan.ts';

const ARTIFACT = 'scanschedule-results';
const GITHUB_MIN_MINUTES = 5;

function notifyStep(plan: ExportPlan, channel: ExportedChannel): Record<string, unknown> {
  const body =
    channel.type === 'slack'
      ? '{"text": "scanschedule ' + plan.name + ': " + $outcome + " " + $url}'
      : '{"schedule": "' + plan.name + '", "namespace": "' + plan.namespace + '", "outcome": $outcome, "url": $url}';
  return {
    name: `Notify ${channel.type} (channel ${channel.index})`,
    if: `always() && contains(fromJSON('${JSON.stringify(channel.when)}'), steps.report.outputs.outcome)`,
    env: {
      NOTIFY_URL: `\${{ secrets.${channel.secret} }}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, meant literally
      OUTCOME: '${{ steps.report.outputs.outcome }}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, meant literally
      RUN_URL: '${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}',
    },
    // jq builds the JSON so that no value can break out of it; the URL stays in the environment.
    run: [
      `payload=$(jq -n --arg outcome "$OUTCOME" --arg url "$RUN_URL" '${body}')`,
      'curl -fsS --retry 3 -X POST -H "Content-Type: application/json" --data "$payload" "$NOTIFY_URL"',
    ].join('\n'),
  };
}

export function githubActionsWorkflow(schedule: ScanSchedule, options: ExportOptions): ExportResult {
  const plan = exportPlan(schedule, options);
  const warnings = [...plan.warnings];
  if (plan.cron !== undefined && !plan.periodic) {
    const fields = exportCron(plan.cron.patterns[0] ?? '', {})?.fields;
    if (fields !== undefined && shortestGapMinutes(fields) < GITHUB_MIN_MINUTES) {
      warnings.push(
        `spec.schedule: runs less than ${GITHUB_MIN_MINUTES} minutes apart; GitHub runs a scheduled workflow at most every 5 minutes.`,
      );
    }
  }
  if (plan.concurrencyPolicy === 'Forbid') {
    warnings.push(
      'spec.concurrencyPolicy Forbid: GitHub queues one pending run behind the running one (and cancels older pending runs) instead of skipping it.',
    );
  }
  if (plan.startingDeadlineSeconds !== undefined) {
    warnings.push(
      'spec.startingDeadlineSeconds: GitHub has no starting deadline; a delayed run starts late or is dropped.',
    );
  }

  const scheduleEntries = (plan.cron?.patterns ?? []).map((cron) =>
    plan.cron?.timezone === 'UTC' ? { cron } : { cron, timezone: plan.cron?.timezone },
  );
  const on: Record<string, unknown> = {};
  if (!plan.suspended && scheduleEntries.length > 0) on.schedule = scheduleEntries;
  on.workflow_dispatch = {};

  const timeoutMinutes = plan.timeoutSeconds === undefined ? undefined : Math.ceil(plan.timeoutSeconds / 60);
  const reportArgs = [
    plan.reportImage,
    '/app/dist/cli/main.js',
    'report',
    '/results',
    ...(plan.failOn === undefined ? [] : ['--fail-on', plan.failOn]),
  ];
  const workflow = {
    name: `scanschedule ${plan.name}`,
    on,
    permissions: { contents: 'read' },
    ...(plan.concurrencyPolicy !== 'Allow' && {
      concurrency: {
        group: `scanschedule-${plan.namespace}-${plan.name}`,
        'cancel-in-progress': plan.concurrencyPolicy === 'Replace',
      },
    }),
    jobs: {
      scan: {
        'runs-on': 'ubuntu-latest',
        ...(timeoutMinutes !== undefined && { 'timeout-minutes': timeoutMinutes }),
        container: { image: plan.scannerImage },
        steps: [
          { name: 'Scan', run: shellCommand(plan.scanCommand) },
          {
            name: 'Keep the results',
            if: 'always()',
            uses: 'actions/upload-artifact@v4',
            with: { name: ARTIFACT, path: plan.resultsDir, 'if-no-files-found': 'warn' },
          },
        ],
      },
      report: {
        needs: 'scan',
        if: 'always()',
        'runs-on': 'ubuntu-latest',
        permissions: { contents: 'read', 'security-events': 'write' },
        steps: [
          {
            name: 'Fetch the results',
            uses: 'actions/download-artifact@v4',
            'continue-on-error': true,
            with: { name: ARTIFACT, path: 'results' },
          },
          {
            name: 'Summarise the results',
            id: 'report',
            // scanschedule report exits 0 below the threshold, 1 at or above it, 2 when it cannot read the results.
            run: [
              'set +e',
              'mkdir -p results',
              `docker run --rm -v "$PWD/results:/results:ro" --entrypoint node ${shellCommand(reportArgs)}`,
              'code=$?',
              'case "$code" in 0) outcome=success ;; 1) outcome=thresholdExceeded ;; *) outcome=failure ;; esac',
              'echo "outcome=$outcome" >> "$GITHUB_OUTPUT"',
              'echo "exit-code=$code" >> "$GITHUB_OUTPUT"',
            ].join('\n'),
          },
          {
            name: 'Upload SARIF to code scanning',
            if: "always() && hashFiles('results/**/*.sarif') != ''",
            uses: 'github/codeql-action/upload-sarif@v3',
            with: { sarif_file: 'results', category: `scanschedule-${plan.name}` },
          },
          ...plan.channels.map((channel) => notifyStep(plan, channel)),
          {
            name: 'Judge the threshold',
            if: 'always()',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, meant literally
            env: { EXIT_CODE: '${{ steps.report.outputs.exit-code }}' },
            run: 'test "$EXIT_CODE" = 0',
          },
        ],
      },
    },
  };

  const header = [
    `# scanschedule export --to github-actions: ScanSchedule ${plan.namespace}/${plan.name}.`,
    `# The controller runs it on "${plan.effective}" in ${plan.timezone}.`,
    ...(plan.suspended && scheduleEntries.length > 0
      ? [`# Suspended: to enable, add under on: schedule: ${JSON.stringify(scheduleEntries)}`]
      : []),
    ...plan.channels.map((c) => `# Create the repository secret ${c.secret} with the ${c.type} URL.`),
    ...warningComments(warnings),
  ];
  const text = `${header.join('\n')}\n${stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  return {
    text,
    warnings,
    notes: [],
    ...(plan.cron !== undefined && !plan.suspended && { fires: plan.cron }),
  };
}
