// What every export target needs to know about one ScanSchedule, decided once: the cron line and zone it
// runs on (or why none fits), the scan command, the threshold, the notification secrets, and the warnings
// that hold for every target. The generators only lay this out in their format.
import { DEFAULT_CONCURRENCY_POLICY, DEFAULT_RESULTS_DIR, DEFAULT_TIMEZONE } from '../../api/defaults.ts';
import type { ChannelType, NotificationEvent, ScanSchedule, Severity } from '../../api/types.ts';
import { DEFAULT_NOTIFICATION_EVENTS } from '../../api/types.ts';
import { compileTiming } from '../../schedule/timing.ts';
import { jmoScanCommand } from '../jmo-command.ts';
import { convertToUtc, exportCron, hasOffsetChange, offsetMinutesAt, periodCron } from './export-cron.ts';

export type ExportTarget = 'github-actions' | 'gitlab-ci' | 'crontab' | 'cronjob';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['github-actions', 'gitlab-ci', 'crontab', 'cronjob'];

/** The images the controller uses unless told otherwise (its --scanner-image and --report-image defaults). */
export const DEFAULT_SCANNER_IMAGE = 'ghcr.io/jimmy058910/jmo-security:latest';
export const DEFAULT_REPORT_IMAGE = 'ghcr.io/jmo-security/scanschedule:0.1.0';

export interface ExportOptions {
  /** Convert the cron line to UTC instead of naming the zone (for schedulers without zones). */
  utc: boolean;
  /** The instant whose UTC offset a --utc conversion uses, and from which DST changes are looked for. */
  now: Date;
  scannerImage?: string;
  reportImage?: string;
}

export interface ExportResult {
  text: string;
  /** Everything the target cannot express, one sentence each; also in the output as comments where allowed. */
  warnings: string[];
  /** Extra things to do outside the file (the GitLab pipeline schedule), printed on stderr. */
  notes: string[];
  /** The cron lines and zone the exported file fires on; undefined when it has no schedule. */
  fires?: { patterns: string[]; timezone: string };
}

export interface ExportedChannel {
  index: number;
  type: ChannelType;
  /** The CI secret/variable holding the URL: derived from the Secret, or named for an inline url. */
  secret: string;
  when: readonly NotificationEvent[];
}

export interface ExportPlan {
  namespace: string;
  name: string;
  /** Upper-case identifier made from the name, for variable names. */
  id: string;
  /** undefined: no cron line fits (interval that no cron line approximates). */
  cron?: { patterns: string[]; timezone: string };
  /** As the controller sees it: the effective pattern and its zone. */
  effective: string;
  timezone: string;
  suspended: boolean;
  concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
  startingDeadlineSeconds?: number;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  scannerImage: string;
  reportImage: string;
  scanCommand: string[];
  resultsDir: string;
  failOn?: Severity;
  timeoutSeconds?: number;
  channels: ExportedChannel[];
  /** Warnings that hold for every target. */
  warnings: string[];
  /** Whether the schedule's runs are counted from completion (spec.interval) or from the last run (@every). */
  periodic: boolean;
}

/** Upper-case letters, digits and underscores: a name every CI accepts for a variable or secret. */
export function variableName(...parts: string[]): string {
  return parts
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(\d)/, '_$1');
}

export class ExportError extends Error {}

/** The plan for one valid schedule (validateScanSchedule returns no errors for it). */
export function exportPlan(schedule: ScanSchedule, options: ExportOptions): ExportPlan {
  const { spec, metadata } = schedule;
  const namespace = metadata.namespace ?? 'default';
  const name = metadata.name ?? '';
  const key = { namespace, name };
  const timezone = spec.timezone ?? DEFAULT_TIMEZONE;
  const compiled = compileTiming(spec, key);
  if (compiled.timing === undefined) {
    throw new ExportError(
      `${namespace}/${name}: ${compiled.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  }
  const timing = compiled.timing;
  const warnings: string[] = [];
  let cron: ExportPlan['cron'];
  if (timing.kind === 'cron') {
    const exported = exportCron(spec.schedule ?? '', key);
    if (exported === undefined) throw new ExportError(`${namespace}/${name}: spec.schedule cannot be exported`);
    cron = { patterns: [exported.pattern], timezone };
    if (options.utc && timezone !== 'UTC') {
      const offset = offsetMinutesAt(options.now, timezone);
      const converted = convertToUtc(exported.fields, offset);
      if ('problem' in converted) {
        throw new ExportError(
          `${namespace}/${name}: spec.schedule "${timing.effective}" in ${timezone} cannot be written in UTC: ${converted.problem}. Export without --utc.`,
        );
      }
      cron = { patterns: converted.patterns, timezone: 'UTC' };
      if (hasOffsetChange(timezone, options.now)) {
        warnings.push(
          `spec.timezone: converted to UTC with the offset of ${timezone} on ${options.now.toISOString().slice(0, 10)} (${formatOffset(offset)}); after the next daylight-saving change the runs are an hour off. Export without --utc to keep the zone.`,
        );
      }
    }
  } else {
    const approximated = periodCron(timing.periodMs);
    const what =
      timing.kind === 'interval'
        ? `spec.interval ${timing.effective} counts from the completion of the previous run, which a cron line cannot express`
        : `spec.schedule "${timing.effective}" counts from the previous run, which a cron line only approximates`;
    if (approximated === undefined) {
      warnings.push(`${what}; no cron line fits this period, so the export has no schedule (run it by hand).`);
    } else {
      warnings.push(`${what}; exported as "${approximated}" (UTC), which runs on the clock instead.`);
      cron = { patterns: [approximated], timezone: 'UTC' };
    }
  }

  const suspended = spec.suspend === true;
  if (suspended) warnings.push('spec.suspend: the schedule is suspended, so the export is disabled; enable it to run.');

  const template = spec.jobTemplate;
  const config = spec.backend?.config ?? {};
  if (config.command !== undefined || config.args !== undefined) {
    warnings.push(
      'spec.backend.config.command/args: a custom scanner command is exported as written; check it runs there.',
    );
  }
  const notifications = template.notifications;
  const channels: ExportedChannel[] = [];
  if (notifications?.enabled !== false) {
    for (const [index, channel] of (notifications?.channels ?? []).entries()) {
      const ref = channel.urlFrom?.secretKeyRef;
      const secret =
        ref !== undefined ? variableName(ref.name, ref.key) : variableName(name, channel.type, 'url', String(index));
      if (ref === undefined) {
        warnings.push(
          `spec.jobTemplate.notifications.channels[${index}].url: an inline URL is not exported; store it as the secret ${secret}.`,
        );
      }
      if (channel.signingKeyFrom !== undefined) {
        warnings.push(
          `spec.jobTemplate.notifications.channels[${index}].signingKeyFrom: the exported webhook is not signed (Standard Webhooks signatures are the controller's).`,
        );
      }
      channels.push({ index, type: channel.type, secret, when: channel.when ?? DEFAULT_NOTIFICATION_EVENTS });
    }
  }

  return {
    namespace,
    name,
    id: variableName(name),
    ...(cron !== undefined && { cron }),
    effective: timing.effective,
    timezone,
    suspended,
    concurrencyPolicy: spec.concurrencyPolicy ?? DEFAULT_CONCURRENCY_POLICY,
    ...(spec.startingDeadlineSeconds !== undefined && { startingDeadlineSeconds: spec.startingDeadlineSeconds }),
    ...(spec.successfulJobsHistoryLimit !== undefined && {
      successfulJobsHistoryLimit: spec.successfulJobsHistoryLimit,
    }),
    ...(spec.failedJobsHistoryLimit !== undefined && { failedJobsHistoryLimit: spec.failedJobsHistoryLimit }),
    scannerImage: config.image ?? options.scannerImage ?? DEFAULT_SCANNER_IMAGE,
    reportImage: options.reportImage ?? DEFAULT_REPORT_IMAGE,
    scanCommand:
      config.command !== undefined || config.args !== undefined
        ? [...(config.command ?? []), ...(config.args ?? [])]
        : jmoScanCommand(template),
    resultsDir: template.results?.dir ?? DEFAULT_RESULTS_DIR,
    ...(template.options?.fail_on !== undefined && { failOn: template.options.fail_on }),
    ...(timeoutOf(config.activeDeadlineSeconds, template.options?.timeout) !== undefined && {
      timeoutSeconds: timeoutOf(config.activeDeadlineSeconds, template.options?.timeout),
    }),
    channels,
    warnings,
    periodic: timing.kind !== 'cron',
  };
}

// activeDeadlineSeconds bounds the whole Job; options.timeout is JMo's per-tool limit, the only bound left
// when no deadline is set (a run of several tools may need more: it is a floor, not a promise).
function timeoutOf(deadline: number | undefined, perTool: number | undefined): number | undefined {
  return deadline ?? perTool;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** POSIX shell quoting: a word as-is when it is safe, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export const shellCommand = (words: readonly string[]): string => words.map(shellQuote).join(' ');

/** "# " before each line of the warnings, for formats with # comments. */
export function warningComments(warnings: readonly string[]): string[] {
  return warnings.map((warning) => `# WARNING: ${warning}`);
}
