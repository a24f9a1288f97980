// scanschedule export FILE|-|NAME --to TARGET: one ScanSchedule as a GitHub Actions workflow, GitLab CI jobs,
// a crontab or a CronJob. A file (or stdin) is read offline and must pass `validate`; a NAME is read from the
// cluster, whose client is loaded only then so that the offline path never pulls it in.
import { existsSync, writeFileSync } from 'node:fs';
import { SCAN_SCHEDULE_KIND, type ScanSchedule } from '../api/types.ts';
import { parseYamlDocuments } from '../api/yaml-documents.ts';
import { checkManifests } from '../core/check-manifests.ts';
import { EXPORT_TARGETS, ExportError, type ExportTarget, exportSchedule } from '../core/export/index.ts';
import { validateScanSchedule } from '../core/validate.ts';
import type { ClusterOptions } from './cluster-context.ts';
import { readInputs } from './input-files.ts';
import { UsageError } from './usage-error.ts';
import { type CommandOutput, formatFinding } from './validate.ts';

export interface ExportCommandOptions extends ClusterOptions {
  to: string;
  output?: string;
  utc: boolean;
}

const isTarget = (value: string): value is ExportTarget => (EXPORT_TARGETS as readonly string[]).includes(value);

/** Names the controller accepts (a DNS label); anything else given as the input is taken for a path. */
const SCHEDULE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const invalid = (stderr: string): CommandOutput => ({ stdout: '', stderr, exitCode: 1 });

async function scheduleFromCluster(name: string, options: ClusterOptions): Promise<ScanSchedule | CommandOutput> {
  const { connect } = await import('./cluster-context.ts');
  const cluster = await connect(options);
  const schedule = await cluster.objects.getSchedule(cluster.namespace, name);
  if (schedule === undefined)
    throw new UsageError(`scanschedule "${name}" not found in namespace ${cluster.namespace}`);
  const problems = validateScanSchedule(schedule);
  if (problems.length > 0) {
    return invalid(`${problems.map((p) => `${cluster.namespace}/${name}  ${p.path}  ${p.message}`).join('\n')}\n`);
  }
  return schedule;
}

function scheduleFromFile(input: string, stdin: () => string): ScanSchedule | CommandOutput {
  const sources = readInputs([input], stdin);
  const checked = checkManifests(sources, { strict: false, defaultNamespace: 'default' });
  const errors = checked.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) return invalid(`${errors.map(formatFinding).join('\n')}\n`);
  const schedules = sources.flatMap((source) =>
    parseYamlDocuments(source.text)
      .map((doc) => doc.value as ScanSchedule | null | undefined)
      .filter((value): value is ScanSchedule => value?.kind === SCAN_SCHEDULE_KIND),
  );
  if (schedules.length === 0) throw new UsageError(`${input}: no ScanSchedule in it`);
  if (schedules.length > 1) {
    throw new UsageError(`${input}: ${schedules.length} ScanSchedules in it; export takes one file per schedule`);
  }
  return schedules[0] as ScanSchedule;
}

export async function runExport(
  input: string,
  options: ExportCommandOptions,
  stdin: () => string,
  now: Date,
): Promise<CommandOutput> {
  if (!isTarget(options.to)) throw new UsageError(`--to ${options.to}: use one of ${EXPORT_TARGETS.join(', ')}`);
  const fromCluster = input !== '-' && !existsSync(input) && SCHEDULE_NAME.test(input);
  const read = fromCluster ? await scheduleFromCluster(input, options) : scheduleFromFile(input, stdin);
  if ('exitCode' in read) return read;

  let result: ReturnType<typeof exportSchedule>;
  try {
    result = exportSchedule(read, options.to, { utc: options.utc, now });
  } catch (error) {
    if (error instanceof ExportError) return invalid(`error: ${error.message}\n`);
    throw error;
  }
  const stderr = [
    ...result.warnings.map((warning) => `warning: ${warning}`),
    ...result.notes.map((note) => `next: ${note}`),
  ];
  const stderrText = stderr.length === 0 ? '' : `${stderr.join('\n')}\n`;
  if (options.output === undefined || options.output === '-') {
    return { stdout: result.text, stderr: stderrText, exitCode: 0 };
  }
  try {
    writeFileSync(options.output, result.text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`-o ${options.output}: cannot write it (${code})`);
  }
  return { stdout: '', stderr: `${stderrText}wrote ${options.output}\n`, exitCode: 0 };
}
