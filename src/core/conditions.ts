import type { Condition, ConditionStatus } from '../api/types.ts';
import { formatUtc } from '../schedule/rfc3339.ts';

/** A condition as the planner decides it; the bookkeeping fields are filled in by `withTransitionTimes`. */
export interface DesiredCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** The condition types the planner owns; LastRunSucceeded is absent until a run has finished. */
export const OUR_CONDITION_TYPES = ['Ready', 'Stalled', 'Reconciling', 'Suspended', 'LastRunSucceeded'] as const;

/**
 * The desired conditions in metav1.Condition shape. lastTransitionTime stays what it was while status and
 * reason are unchanged, so a reconcile that changes nothing writes nothing; it is `now` on a change.
 * Conditions of other types (written by someone else) are kept, after ours.
 */
export function withTransitionTimes(
  desired: readonly DesiredCondition[],
  existing: readonly Condition[] | undefined,
  context: { now: Date; generation: number | undefined },
): Condition[] {
  const previous = new Map((existing ?? []).map((condition) => [condition.type, condition]));
  const ours = desired.map((condition): Condition => {
    const before = previous.get(condition.type);
    const unchanged = before !== undefined && before.status === condition.status && before.reason === condition.reason;
    return {
      type: condition.type,
      status: condition.status,
      ...(context.generation === undefined ? {} : { observedGeneration: context.generation }),
      lastTransitionTime: unchanged ? before.lastTransitionTime : formatUtc(context.now),
      reason: condition.reason,
      message: condition.message,
    };
  });
  const ourTypes = new Set<string>(OUR_CONDITION_TYPES);
  const theirs = (existing ?? []).filter((condition) => !ourTypes.has(condition.type));
  return [...ours, ...theirs];
}
