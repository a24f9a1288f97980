// A ScanSchedule as a crontab for a host with jmo and scanschedule on its PATH. The zone goes in CRON_TZ,
// which cronie (Fedora, RHEL, Arch) honours; Debian's and Ubuntu's Vixie-derived cron and BusyBox crond
// ignore it and read the times in the system zone: there, export with --utc.
import type { ScanSchedule } from '../../api/types.ts';
import type { ExportOptions, ExportResult } from './export-plan.ts';
import { exportPlan, shellCommand, shellQuote, warningComments } from './export-plan.ts';

/** In a crontab command, an unescaped % ends the command and starts its standard input. */
const cronEscape = (command: string): string => command.replaceAll('%', '\\%');

export function crontabLines(schedule: ScanSchedule, options: ExportOptions): ExportResult {
  const plan = exportPlan(schedule, options);
  const warnings = [...plan.warnings];
  if (plan.concurrencyPolicy === 'Replace') {
    warnings.push(
      'spec.concurrencyPolicy Replace: cron cannot stop the running scan; a new one waits on nothing and runs beside it.',
    );
  }
  if (plan.startingDeadlineSeconds !== undefined) {
    warnings.push(
      'spec.startingDeadlineSeconds: cron does not catch up missed runs at all, so there is no deadline to apply.',
    );
  }
  if (plan.channels.length > 0) {
    warnings.push('spec.jobTemplate.notifications: not exported to cron; the log file is the only record.');
  }
  const log = `/var/log/scanschedule/${plan.name}.log`;
  const report = [
    'scanschedule',
    'report',
    plan.resultsDir,
    ...(plan.failOn === undefined ? [] : ['--fail-on', plan.failOn]),
  ];
  // A crontab entry is one line: the scan prelude's lines become commands joined by `;`, which sh reads alike.
  const scan = plan.scanCommand.map((word) => word.replaceAll('\n', '; '));
  const script = `${shellCommand(scan)} && ${shellCommand(report)}`;
  const steps = ['sh', '-c', script];
  // Forbid: a run that finds the lock taken exits at once instead of starting a second scan.
  const command =
    plan.concurrencyPolicy === 'Forbid'
      ? shellCommand(['flock', '-n', `/tmp/scanschedule-${plan.name}.lock`, ...steps])
      : shellCommand(steps);
  const disabled = plan.suspended ? '# ' : '';
  const lines = [
    `# scanschedule export --to crontab: ScanSchedule ${plan.namespace}/${plan.name}.`,
    `# The controller runs it on "${plan.effective}" in ${plan.timezone}. Install with: crontab -e (or a file in /etc/cron.d with a user field).`,
    '# CRON_TZ is honoured by cronie (Fedora, RHEL, Arch); Debian/Ubuntu cron and BusyBox crond ignore it: use --utc there.',
    `# Output goes to ${log}; create /var/log/scanschedule writable by the crontab's user.`,
    ...warningComments(warnings),
  ];
  const cron = plan.cron;
  if (cron === undefined) {
    lines.push(
      '# No cron line fits this schedule; the command to run by hand:',
      `# ${cronEscape(command)} >> ${shellQuote(log)} 2>&1`,
    );
  } else {
    lines.push(`CRON_TZ=${cron.timezone}`);
    for (const pattern of cron.patterns)
      lines.push(`${disabled}${pattern} ${cronEscape(command)} >> ${shellQuote(log)} 2>&1`);
  }
  return {
    text: `${lines.join('\n')}\n`,
    warnings,
    notes: [],
    ...(cron !== undefined && !plan.suspended && { fires: cron }),
  };
}
