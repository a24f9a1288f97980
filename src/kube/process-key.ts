// What a worker does with the queue after reconciling one key: controller-runtime's reconcileHandler, as one
// switch. Errors carry their own retry policy (core/errors.ts); this maps each to a queue action, so the
// queue's bookkeeping lives in one place.
import { ConflictError, RejectedError } from '../core/errors.ts';
import type { WorkOrder } from '../core/ports.ts';
import type { DeferredStage } from '../core/reconcile.ts';
import type { Logger } from '../observe/logger.ts';
import type { ScheduleKeyQueue } from './work-queue.ts';

/** How one reconcile ended, as the reconcile metric counts it. */
export type ReconcileResult = 'success' | 'requeue_after' | 'requeue' | 'deferred' | 'error';

/**
 * The work queue's lanes, most urgent first: schedules whose due runs may need creating (every add from a watch
 * or timer), then schedules whose runs wait for their Job, then schedules whose status write waits.
 */
export const Lane = { Runs: 0, Jobs: 1, Status: 2 } as const satisfies Record<string, number>;
export const LANE_COUNT = Object.keys(Lane).length;
const LANE_OF_STAGE: Record<DeferredStage, number> = { jobs: Lane.Jobs, status: Lane.Status };

/**
 * What a key taken from `lane` may leave for later: its Jobs while other keys wait in the runs lane, its status
 * write while others wait for runs or Jobs. A key taken from a later lane does that lane's work (a lane that waited
 * too long gets every other turn before more urgent ones, and must then make progress).
 */
export function workOrderOf(lane: number, queue: Pick<ScheduleKeyQueue, 'waitingThrough'>): WorkOrder {
  return {
    jobsCanWait: () => lane === Lane.Runs && queue.waitingThrough(Lane.Runs) > 0,
    statusCanWait: () => lane <= Lane.Jobs && queue.waitingThrough(Lane.Jobs) > 0,
  };
}

/** The queue calls processKey makes. */
export type KeyQueueActions = Pick<ScheduleKeyQueue, 'add' | 'addAfter' | 'addRateLimited' | 'forget'>;

/**
 * Reconciles `key` and queues it again as the outcome says:
 * - success: the key's backoff is forgotten, and it comes back after requeueAfterMs when that is set;
 * - deferred (part of the work waits for other schedules' more urgent work): queued in the stage's lane, whose
 *   pass computes its own requeueAfterMs;
 * - ConflictError (someone else changed the object): added again at once, the cache catches up meanwhile;
 * - RejectedError (400/422: our write is wrong for this object): retried with backoff, logged as a warning;
 * - anything else: retried with backoff, logged as an error.
 */
export async function processKey(
  key: string,
  reconcile: () => Promise<{ requeueAfterMs: number | null; deferred?: DeferredStage }>,
  queue: KeyQueueActions,
  log: Pick<Logger, 'debug' | 'warn' | 'error'>,
): Promise<ReconcileResult> {
  try {
    const { requeueAfterMs, deferred } = await reconcile();
    queue.forget(key);
    if (deferred !== undefined) {
      queue.add(key, LANE_OF_STAGE[deferred]);
      log.debug({ deferred }, 'reconciled, the rest deferred');
      return 'deferred';
    }
    if (requeueAfterMs !== null) queue.addAfter(key, requeueAfterMs);
    log.debug({ requeueAfterMs }, 'reconciled');
    return requeueAfterMs === null ? 'success' : 'requeue_after';
  } catch (error) {
    if (error instanceof ConflictError) {
      log.debug({ err: error }, 'conflict, requeued');
      queue.add(key);
      return 'requeue';
    }
    // Backing off keeps a write the server refuses from becoming a hot loop.
    const level = error instanceof RejectedError ? 'warn' : 'error';
    log[level]({ err: error }, 'reconcile failed, retrying with backoff');
    queue.addRateLimited(key);
    return 'error';
  }
}
