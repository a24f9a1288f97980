// What a worker does with the queue after reconciling one key: controller-runtime's reconcileHandler, as one
// switch. Errors carry their own retry policy (core/errors.ts); this maps each to a queue action, so the
// queue's bookkeeping lives in one place.
import { ConflictError, RejectedError } from '../core/errors.ts';
import type { Logger } from '../observe/logger.ts';
import type { ScheduleKeyQueue } from './work-queue.ts';

/** How one reconcile ended, as the reconcile metric counts it. */
export type ReconcileResult = 'success' | 'requeue_after' | 'requeue' | 'error';

/** The queue calls processKey makes. */
export type KeyQueueActions = Pick<ScheduleKeyQueue, 'add' | 'addAfter' | 'addRateLimited' | 'forget'>;

/**
 * Reconciles `key` and queues it again as the outcome says:
 * - success: the key's backoff is forgotten, and it comes back after requeueAfterMs when that is set;
 * - ConflictError (someone else changed the object): added again at once, the cache catches up meanwhile;
 * - RejectedError (400/422: our write is wrong for this object): retried with backoff, logged as a warning;
 * - anything else: retried with backoff, logged as an error.
 */
export async function processKey(
  key: string,
  reconcile: () => Promise<{ requeueAfterMs: number | null }>,
  queue: KeyQueueActions,
  log: Pick<Logger, 'debug' | 'warn' | 'error'>,
): Promise<ReconcileResult> {
  try {
    const { requeueAfterMs } = await reconcile();
    queue.forget(key);
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
