// scanschedule get [NAME] [-l selector] [-A]: ScanSchedules as a kubectl-style table, or as YAML/JSON.
import { DEFAULT_CONCURRENCY_POLICY, DEFAULT_TIMEZONE } from '../api/defaults.ts';
import type { ScanSchedule } from '../api/types.ts';
import type { ClusterContext } from './cluster-context.ts';
import { NotFoundError } from './exit-codes.ts';
import { age } from './human-duration.ts';
import { type OutputFormat, renderObjects } from './output-format.ts';
import { renderTable } from './table.ts';
import type { CommandOutput } from './validate.ts';

export interface GetOptions {
  selector?: string;
  allNamespaces: boolean;
  output: OutputFormat;
}

export async function runGet(
  name: string | undefined,
  options: GetOptions,
  cluster: ClusterContext,
): Promise<CommandOutput> {
  let schedules: ScanSchedule[];
  if (name !== undefined) {
    const schedule = await cluster.objects.getSchedule(cluster.namespace, name);
    if (schedule === undefined)
      throw new NotFoundError(`scanschedules.jmo.security "${name}" not found in namespace ${cluster.namespace}`);
    schedules = [schedule];
  } else {
    schedules = await cluster.objects.listSchedules(
      options.allNamespaces ? undefined : cluster.namespace,
      options.selector,
    );
  }
  if (options.output === 'yaml' || options.output === 'json') {
    return { stdout: renderObjects(schedules, options.output, name !== undefined), stderr: '', exitCode: 0 };
  }
  if (schedules.length === 0) {
    const where = options.allNamespaces ? '' : ` in ${cluster.namespace} namespace`;
    return { stdout: '', stderr: `No resources found${where}.\n`, exitCode: 0 };
  }
  return { stdout: scheduleTable(schedules, options, cluster.now), stderr: '', exitCode: 0 };
}

export function scheduleTable(
  schedules: readonly ScanSchedule[],
  options: Pick<GetOptions, 'allNamespaces' | 'output'>,
  now: Date,
): string {
  const wide = options.output === 'wide';
  const headers = [
    ...(options.allNamespaces ? ['namespace'] : []),
    'name',
    'schedule',
    'timezone',
    'suspend',
    'active',
    'last schedule',
    'next',
    'last result',
    'age',
    ...(wide ? ['effective', 'concurrency', 'ready'] : []),
  ];
  const rows = schedules.map((s) => {
    const ready = s.status?.conditions?.find((c) => c.type === 'Ready');
    return [
      ...(options.allNamespaces ? [s.metadata.namespace ?? ''] : []),
      s.metadata.name ?? '',
      s.spec.schedule ?? `every ${s.spec.interval ?? '?'}`,
      s.spec.timezone ?? DEFAULT_TIMEZONE,
      String(s.spec.suspend ?? false),
      String(s.status?.active ?? 0),
      age(s.status?.lastScheduleTime, now),
      s.status?.nextScheduleTime ?? '<none>',
      s.status?.lastRun?.phase ?? '<none>',
      age(s.metadata.creationTimestamp, now),
      ...(wide
        ? [
            s.status?.effectiveSchedule ?? '<none>',
            s.spec.concurrencyPolicy ?? DEFAULT_CONCURRENCY_POLICY,
            ready === undefined ? '<unknown>' : `${ready.status}/${ready.reason}`,
          ]
        : []),
    ];
  });
  return renderTable(headers, rows);
}
