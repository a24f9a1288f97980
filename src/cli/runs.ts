// scanschedule runs NAME: the ScanRuns of one schedule, newest first.
import { LABEL_SCHEDULE, type ScanRun } from '../api/types.ts';
import type { ClusterContext } from './cluster-context.ts';
import { age } from './human-duration.ts';
import { type OutputFormat, renderObjects } from './output-format.ts';
import { renderTable } from './table.ts';
import type { CommandOutput } from './validate.ts';

export async function runRuns(name: string, output: OutputFormat, cluster: ClusterContext): Promise<CommandOutput> {
  const runs = newestFirst(await cluster.objects.listRuns(cluster.namespace, `${LABEL_SCHEDULE}=${name}`));
  if (output === 'yaml' || output === 'json')
    return { stdout: renderObjects(runs, output, false), stderr: '', exitCode: 0 };
  if (runs.length === 0)
    return {
      stdout: '',
      stderr: `No runs of scanschedule "${name}" in ${cluster.namespace} namespace.\n`,
      exitCode: 0,
    };
  return { stdout: runTable(runs, cluster.now, output === 'wide'), stderr: '', exitCode: 0 };
}

export function newestFirst(runs: readonly ScanRun[]): ScanRun[] {
  return [...runs].sort(
    (a, b) =>
      b.spec.scheduledTime.localeCompare(a.spec.scheduledTime) ||
      (b.metadata.name ?? '').localeCompare(a.metadata.name ?? ''),
  );
}

function topFinding(run: ScanRun): string {
  const top = run.status?.topFindings?.[0];
  return top === undefined ? '' : `${top.severity} ${top.id}`;
}

export function runTable(runs: readonly ScanRun[], now: Date, wide: boolean): string {
  const headers = [
    'name',
    'trigger',
    'phase',
    'reason',
    'critical',
    'high',
    'total',
    'started',
    'age',
    ...(wide ? ['scheduled', 'top finding', 'message'] : []),
  ];
  const rows = runs.map((run) => {
    const findings = run.status?.findings;
    return [
      run.metadata.name ?? '',
      run.spec.trigger,
      run.status?.phase ?? 'Pending',
      run.status?.reason ?? '',
      findings === undefined ? '-' : String(findings.critical),
      findings === undefined ? '-' : String(findings.high),
      findings === undefined ? '-' : String(findings.total),
      age(run.status?.startTime, now),
      age(run.metadata.creationTimestamp, now),
      ...(wide ? [run.spec.scheduledTime, topFinding(run), run.status?.message ?? ''] : []),
    ];
  });
  return renderTable(headers, rows);
}
