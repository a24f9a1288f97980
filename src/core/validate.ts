// validateScanSchedule (docs/design.md §4.6): everything the API server checks (schema + CEL, via their coded twins)
// plus what only the controller can check (cron grammar, time zone, interval), so a schedule that passes here
// is one the controller will schedule.
import { formatPath, type Problem } from '../api/problem.ts';
import type { ScanScheduleSpec } from '../api/types.ts';
import { schemaProblemsOfScanSchedule } from '../api/validate.ts';
import { scheduleProblems } from '../schedule/index.ts';
import { podSecurityProblems } from './pod-security-problems.ts';

type Spec = Pick<ScanScheduleSpec, 'schedule' | 'interval' | 'timezone'>;

/** Problems with a ScanSchedule; [] when the API server would accept it and the controller can schedule it. */
export function validateScanSchedule(obj: unknown): Problem[] {
  const problems = schemaProblemsOfScanSchedule(obj);
  const spec = (obj as { spec?: unknown } | null)?.spec;
  if (typeof spec !== 'object' || spec === null) return problems;
  // The controller refuses these too (spec-problems.ts); a key the schema already reported as unknown is not repeated.
  problems.push(
    ...podSecurityProblems(spec as ScanScheduleSpec).filter((p) => !problems.some((q) => q.path === p.path)),
  );
  const { schedule, interval, timezone } = spec as Record<string, unknown>;
  // The schema already reported a field of the wrong type; parsing it again would only repeat that.
  const timing: Spec = {
    schedule: typeof schedule === 'string' ? schedule : undefined,
    interval: typeof interval === 'string' ? interval : undefined,
    timezone: typeof timezone === 'string' ? timezone : undefined,
  };
  const metadata = (obj as { metadata?: { namespace?: unknown; name?: unknown } }).metadata ?? {};
  const key = {
    namespace: typeof metadata.namespace === 'string' ? metadata.namespace : 'default',
    name: typeof metadata.name === 'string' ? metadata.name : '',
  };
  // Both or neither of schedule/interval is the schema's spec-level rule, already reported once.
  if ((timing.schedule === undefined) === (timing.interval === undefined)) return problems;
  const already = new Set(problems.map((p) => p.path));
  for (const problem of scheduleProblems(timing, key)) {
    if (already.has(problem.path)) continue;
    const segments = problem.segments ?? problem.path.split('.');
    problems.push({ ...problem, path: formatPath(segments), segments });
  }
  return problems;
}
