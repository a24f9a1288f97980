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
  const conditions: Condition[] = [];
  for (const condition of desired) {
    const before = existing?.find((candidate) => candidate.type === condition.type);
    const unchanged = before !== undefined && before.status === condition.status && before.reason === condition.reason;
    const written: Condition = {
      type: condition.type,
      status: condition.status,
      lastTransitionTime: unchanged ? before.lastTransitionTime : formatUtc(context.now),
      reason: condition.reason,
      message: condition.message,
    };
    if (context.generation !== undefined) written.observedGeneration = context.generation;
    conditions.push(written);
  }
  for (const condition of existing ?? []) {
    if (!OUR_TYPES.has(condition.type)) conditions.push(condition);
  }
  return conditions;
}

const OUR_TYPES: ReadonlySet<string> = new Set(OUR_CONDITION_TYPES);
