// What the controller does with a plan, reduced to its effect on the objects, so tests can run a sequence
// of reconciles: create (AlreadyExists counts as success), cancel (phase Cancelled, reason Replaced),
// delete, and write status. Imported only by tests and bench/.
import type { ScanRun, ScanSchedule } from '../api/types.ts';
import type { Plan } from '../core/plan.ts';
import { RunReason } from '../core/run-reasons.ts';
import { formatUtc } from '../schedule/rfc3339.ts';

export interface World {
  schedule: ScanSchedule;
  runs: ScanRun[];
}

/** The objects after `plan` was applied at `now`. Inputs are not changed. */
export function applyPlan(world: World, plan: Plan, now: Date): World {
  const deleted = new Set(plan.delete);
  const cancelled = new Set(plan.cancel);
  const runs = world.runs
    .filter((run) => !deleted.has(run.metadata.name ?? ''))
    .map((run) =>
      cancelled.has(run.metadata.name ?? '')
        ? {
            ...run,
            status: { ...run.status, phase: 'Cancelled' as const, reason: 'Replaced', completionTime: formatUtc(now) },
          }
        : run,
    );
  const existing = new Set(runs.map((run) => run.metadata.name));
  for (const run of plan.create) {
    if (existing.has(run.metadata.name)) continue;
    runs.push({ ...run, metadata: { ...run.metadata, creationTimestamp: formatUtc(now) } });
    existing.add(run.metadata.name);
  }
  return { schedule: { ...world.schedule, status: plan.status }, runs };
}

/** Moves runs along as a kubelet would: `finish` decides which active runs end now, and how. */
export function finishRuns(
  world: World,
  now: Date,
  finish: (run: ScanRun) => 'Succeeded' | 'Failed' | undefined,
): World {
  const runs = world.runs.map((run) => {
    const phase = run.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Cancelled') return run;
    const outcome = finish(run);
    const started = run.status?.startTime ?? run.metadata.creationTimestamp ?? formatUtc(now);
    if (outcome === undefined)
      return { ...run, status: { ...run.status, phase: 'Running' as const, startTime: started } };
    return {
      ...run,
      status: {
        ...run.status,
        phase: outcome,
        reason: outcome === 'Succeeded' ? RunReason.Completed : RunReason.ScanFailed,
        startTime: started,
        completionTime: formatUtc(now),
      },
    };
  });
  return { ...world, runs };
}
