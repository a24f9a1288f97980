// scanschedule describe NAME: everything about one schedule in one screen, like kubectl describe: its timing
// in words, status, conditions, recent runs and Events.
import type { EventsV1Event } from '@kubernetes/client-node';
import {
  DEFAULT_CONCURRENCY_POLICY,
  DEFAULT_FAILED_HISTORY_LIMIT,
  DEFAULT_SUCCESSFUL_HISTORY_LIMIT,
  DEFAULT_TIMEZONE,
} from '../api/defaults.ts';
import { FINISHED_PHASES, LABEL_SCHEDULE, type ScanRun, type ScanSchedule } from '../api/types.ts';
import { findingCounts } from '../core/results/severity.ts';
import { eventsFor, eventTimeMs } from '../kube/custom-objects.ts';
import type { ClusterContext } from './cluster-context.ts';
import { describeTiming } from './describe-timing.ts';
import { NotFoundError } from './exit-codes.ts';
import { age } from './human-duration.ts';
import { newestFirst, runTable } from './runs.ts';
import { renderTable } from './table.ts';
import type { CommandOutput } from './validate.ts';

const RECENT_RUNS = 10;

export async function runDescribe(name: string, cluster: ClusterContext): Promise<CommandOutput> {
  const schedule = await cluster.objects.getSchedule(cluster.namespace, name);
  if (schedule === undefined)
    throw new NotFoundError(`scanschedules.jmo.security "${name}" not found in namespace ${cluster.namespace}`);
  const runs = newestFirst(await cluster.objects.listRuns(cluster.namespace, `${LABEL_SCHEDULE}=${name}`));
  const events = await eventsFor(cluster.events, cluster.namespace, schedule.metadata.uid ?? '');
  return {
    stdout: renderDescription(schedule, runs.slice(0, RECENT_RUNS), events, cluster.now),
    stderr: '',
    exitCode: 0,
  };
}

export function renderDescription(
  schedule: ScanSchedule,
  runs: Parameters<typeof runTable>[0],
  events: readonly EventsV1Event[],
  now: Date,
): string {
  const { spec, status = {}, metadata } = schedule;
  const kind = spec.interval === undefined ? 'cron' : 'interval';
  const effective = status.effectiveSchedule ?? spec.schedule ?? spec.interval ?? '';
  const when = (time: string | undefined): string =>
    time === undefined ? '<none>' : `${time} (${age(time, now)} ago)`;
  const fields: [string, string][] = [
    ['Name', metadata.name ?? ''],
    ['Namespace', metadata.namespace ?? ''],
    ['Labels', labels(metadata.labels)],
    [kind === 'cron' ? 'Schedule' : 'Interval', spec.schedule ?? spec.interval ?? ''],
    ['Effective Schedule', effective],
    ['Meaning', describeTiming(effective, kind)],
    ['Timezone', spec.timezone ?? DEFAULT_TIMEZONE],
    ['Suspend', String(spec.suspend ?? false)],
    ['Concurrency Policy', spec.concurrencyPolicy ?? DEFAULT_CONCURRENCY_POLICY],
    ['Starting Deadline', spec.startingDeadlineSeconds === undefined ? '<unset>' : `${spec.startingDeadlineSeconds}s`],
    [
      'History Limits',
      `${spec.successfulJobsHistoryLimit ?? DEFAULT_SUCCESSFUL_HISTORY_LIMIT} successful, ${spec.failedJobsHistoryLimit ?? DEFAULT_FAILED_HISTORY_LIMIT} failed`,
    ],
    ['Backend', spec.backend?.type ?? 'kubernetes'],
    ['Fail On', spec.jobTemplate.options?.fail_on ?? '<unset>'],
    ['Last Schedule Time', when(status.lastScheduleTime)],
    ['Next Schedule Time', status.nextScheduleTime ?? '<none>'],
    ['Last Successful Time', when(status.lastSuccessfulTime)],
    ['Last Missed Time', when(status.lastMissedTime)],
    ['Active Runs', status.activeRuns?.join(', ') || '<none>'],
  ];
  const width = Math.max(...fields.map(([label]) => label.length)) + 2;
  const out = fields.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`);
  out.push('Conditions:');
  const conditions = status.conditions ?? [];
  out.push(
    conditions.length === 0
      ? '  <none>'
      : indent(
          renderTable(
            ['type', 'status', 'reason', 'message'],
            conditions.map((c) => [c.type, c.status, c.reason, c.message]),
          ),
        ),
  );
  out.push('Last Run:');
  const last = runs.find((run) => run.status?.phase !== undefined && FINISHED_PHASES.includes(run.status.phase));
  out.push(last === undefined ? '  <none>' : indent(renderLastRun(last)));
  out.push('Runs:');
  out.push(runs.length === 0 ? '  <none>' : indent(runTable(runs, now, false)));
  out.push('Events:');
  out.push(
    events.length === 0
      ? '  <none>'
      : indent(
          renderTable(
            ['type', 'reason', 'age', 'message'],
            events.map((e) => [e.type ?? '', e.reason ?? '', age(eventTimestamp(e), now), e.note ?? '']),
          ),
        ),
  );
  return `${out.join('\n')}\n`;
}

/** The verdict of a finished run, its findings, its most severe findings and how people were told. */
export function renderLastRun(run: ScanRun): string {
  const status = run.status ?? {};
  const findings = status.findings;
  const lines = [
    `Name:      ${run.metadata.name ?? ''}`,
    `Verdict:   ${status.phase ?? ''}${status.reason === undefined ? '' : ` (${status.reason})`}: ${status.message ?? ''}`,
    `Findings:  ${
      findings === undefined ? 'unknown' : `${findingCounts(findings).join(', ')} (${findings.total} total)`
    }`,
  ];
  if (status.tools !== undefined && status.tools.length > 0) lines.push(`Tools:     ${status.tools.join(', ')}`);
  const top = status.topFindings ?? [];
  if (top.length > 0) {
    lines.push('Top Findings:');
    lines.push(
      indent(
        renderTable(
          ['severity', 'id', 'title', 'location'],
          top.map((f) => [f.severity, f.id, f.title, f.location ?? '']),
        ),
      ),
    );
  }
  const sent = status.notifications ?? [];
  if (sent.length > 0) {
    lines.push('Notifications:');
    lines.push(
      indent(
        renderTable(
          ['channel', 'type', 'state', 'attempts', 'last error'],
          sent.map((d) => [String(d.channel), d.type, d.state, String(d.attempts), d.lastError ?? '']),
        ),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

function labels(map: Record<string, string> | undefined): string {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

function eventTimestamp(event: EventsV1Event): string | undefined {
  const ms = eventTimeMs(event);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
