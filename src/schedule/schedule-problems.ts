import type { Problem } from '../api/problem.ts';
import type { ScheduleKey } from './spread.ts';
import { compileTiming, type TimingSpec } from './timing.ts';

/**
 * Everything wrong with the timing fields of a spec, in words a user can act on; [] when it can run.
 * `key` (namespace/name) is accepted so callers can pass what planning will use; no verdict depends on it.
 */
export function scheduleProblems(spec: TimingSpec, key?: ScheduleKey): Problem[] {
  return compileTiming(spec, key).problems;
}
