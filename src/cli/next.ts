// scanschedule next FILE: when each schedule in a file will run, in its zone and in UTC.
import { SCAN_SCHEDULE_KIND, type ScanSchedule } from '../api/types.ts';
import { parseYamlDocuments } from '../api/yaml-documents.ts';
import { checkManifests } from '../core/check-manifests.ts';
import { previewSchedule, type SchedulePreview } from '../core/preview.ts';
import { describeTiming } from './describe-timing.ts';
import { readInputs } from './input-files.ts';
import { UsageError } from './usage-error.ts';
import { type CommandOutput, formatFinding } from './validate.ts';

export interface NextOptions {
  count: string;
  from?: string;
  output: 'text' | 'json';
}

/** --from as a time: RFC 3339; a time without an offset is read as UTC (said in the output), never as local. */
export function parseFrom(text: string): Date | undefined {
  const trimmed = text.trim();
  const hasTime = /T|\d:\d/.test(trimmed);
  const hasOffset = /(Z|[+-]\d\d:?\d\d)$/i.test(trimmed);
  // A bare date is already UTC midnight to Date; a date-time without an offset would be local time.
  const at = new Date(hasTime && !hasOffset ? `${trimmed.replace(' ', 'T')}Z` : trimmed);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

export function runNext(
  files: string | readonly string[],
  options: NextOptions,
  stdin: () => string,
  now: Date,
): CommandOutput {
  const count = Number(options.count);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new UsageError(`--count ${options.count}: give a whole number from 1 to 1000`);
  }
  const from = options.from === undefined ? now : parseFrom(options.from);
  if (from === undefined)
    throw new UsageError(`--from ${options.from}: not a time; use RFC 3339, e.g. 2026-03-28T00:00:00Z`);
  const paths = typeof files === 'string' ? [files] : files;

  const sources = readInputs(paths, stdin);
  // The same checks as validate: a preview of a schedule the controller would reject would be a lie.
  const checked = checkManifests(sources, { strict: false, defaultNamespace: 'default' });
  const errors = checked.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    return { stdout: '', stderr: `${errors.map(formatFinding).join('\n')}\n`, exitCode: 1 };
  }
  const schedules = sources.flatMap((source) =>
    parseYamlDocuments(source.text)
      .map((doc) => doc.value as ScanSchedule | null | undefined)
      .filter((value): value is ScanSchedule => value?.kind === SCAN_SCHEDULE_KIND),
  );
  if (schedules.length === 0) throw new UsageError(`${paths.join(', ')}: no ScanSchedule in it`);
  const warnings = checked.findings.filter((f) => f.severity === 'warning').map(formatFinding);
  const stderr = warnings.length === 0 ? '' : `${warnings.join('\n')}\n`;
  const previews = schedules.map((schedule) => previewSchedule(schedule, { from, count }));
  if (options.output === 'json') {
    return { stdout: `${JSON.stringify(previews.map(toJson), null, 2)}\n`, stderr, exitCode: 0 };
  }
  const fromLine =
    options.from === undefined
      ? ''
      : `from ${from.toISOString().replace(/\.000Z$/, 'Z')} (UTC; --from ${options.from})\n`;
  return { stdout: `${fromLine}${previews.map(renderPreview).join('\n')}`, stderr, exitCode: 0 };
}

function toJson(preview: SchedulePreview) {
  const wallClockIn = wallClockFormat(preview.timezone);
  return {
    ...preview,
    description: describeTiming(preview.effectiveSchedule, preview.kind),
    runs: preview.runs.map((run) => ({
      time: run.at.toISOString(),
      local: wallClockIn(run.at),
      movedByGap: run.movedByGap,
    })),
  };
}

function renderPreview(preview: SchedulePreview): string {
  const lines = [`ScanSchedule ${preview.namespace}/${preview.name}`];
  const shown =
    preview.effectiveSchedule === preview.schedule
      ? preview.schedule
      : `${preview.schedule} (effective: ${preview.effectiveSchedule})`;
  lines.push(`  ${preview.kind === 'interval' ? 'interval' : 'schedule'}  ${shown} in ${preview.timezone}`);
  lines.push(`  meaning   ${describeTiming(preview.effectiveSchedule, preview.kind)}`);
  for (const note of preview.notes) lines.push(`  note      ${note}`);
  const wallClockIn = wallClockFormat(preview.timezone);
  const width = Math.max(...preview.runs.map((run) => wallClockIn(run.at).length), 0);
  for (const run of preview.runs) {
    const local = wallClockIn(run.at).padEnd(width);
    const moved = run.movedByGap ? '  moved: its wall-clock time does not exist that day (daylight-saving gap)' : '';
    lines.push(`    ${local}  ${run.at.toISOString().replace(/\.\d{3}Z$/, 'Z')}${moved}`);
  }
  if (preview.runs.length === 0) lines.push('    (never runs)');
  return `${lines.join('\n')}\n`;
}

/** Formats an instant as the wall clock a person in `timeZone` reads: "Mon 2027-03-29 03:00 CEST". */
function wallClockFormat(timeZone: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  return (at) => {
    const parts = format.formatToParts(at);
    const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
    return `${part('weekday')} ${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
  };
}
