import type { Problem } from '../api/problem.ts';
import { BACKEND_TYPES, CONCURRENCY_POLICIES, type ScanScheduleSpec } from '../api/types.ts';
import { podSecurityProblems } from './pod-security-problems.ts';

/** A count or a number of seconds as the schema allows it: a whole number, zero or more. */
export const isWholeNonNegative = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

/**
 * Problems in the spec fields, other than timing, that planning reads. The API server's schema rejects them
 * already; the planner checks again because objects also come from files and the local runtime, and a bad
 * value must become a condition, never a crash or a silently wrong plan.
 */
export function planningProblems(spec: ScanScheduleSpec): Problem[] {
  const problems: Problem[] = [];
  const { concurrencyPolicy, startingDeadlineSeconds, successfulJobsHistoryLimit, failedJobsHistoryLimit } = spec;
  if (concurrencyPolicy !== undefined && !CONCURRENCY_POLICIES.includes(concurrencyPolicy)) {
    problems.push({
      path: 'spec.concurrencyPolicy',
      message: `"${String(concurrencyPolicy)}" is not a concurrency policy`,
      fix: 'Use Allow, Forbid or Replace.',
    });
  }
  const counts: [string, unknown][] = [
    ['startingDeadlineSeconds', startingDeadlineSeconds],
    ['successfulJobsHistoryLimit', successfulJobsHistoryLimit],
    ['failedJobsHistoryLimit', failedJobsHistoryLimit],
  ];
  for (const [field, value] of counts) {
    if (value !== undefined && !isWholeNonNegative(value)) {
      problems.push({
        path: `spec.${field}`,
        message: `spec.${field} is ${JSON.stringify(value)}; it must be a whole number, 0 or more`,
        fix: `Set spec.${field} to 0 or more, or remove it.`,
      });
    }
  }
  const backendType = spec.backend?.type;
  if (backendType !== undefined && !BACKEND_TYPES.includes(backendType)) {
    problems.push({
      path: 'spec.backend.type',
      message: `"${String(backendType)}" is not a backend type`,
      fix: `Use one of ${BACKEND_TYPES.join(', ')}.`,
    });
  }
  return [...problems, ...podSecurityProblems(spec)];
}
