// When each channel of a finished run gets its next attempt, and what an attempt's outcome does to the
// delivery recorded in ScanRun.status.notifications. Pure: the clock is a parameter.
//
// Schedule: attempt 1 as soon as the run is finished, then 2 s, 4 s, 8 s and 16 s after each failed attempt
// (attempts at about 0, 2, 6, 14 and 30 s), MAX_ATTEMPTS in all. A receiver's Retry-After lengthens a wait,
// up to MAX_RETRY_AFTER_MS. Status is the memory: an entry recorded Sent or Failed is never attempted again,
// so a restarted or newly elected controller carries on where the last one stopped.
import type { NotificationChannel, NotificationDelivery, ScanRun } from '../../api/types.ts';
import { formatUtc, parseTimeMs } from '../../schedule/rfc3339.ts';
import { channelsToNotify, type IndexedChannel } from './events.ts';

export const MAX_ATTEMPTS = 5;
/** The wait after the first failed attempt; it doubles after each further one. */
export const FIRST_RETRY_DELAY_MS = 2_000;
/** A receiver's Retry-After is honoured up to this long (beyond it the delivery would outlive its news). */
export const MAX_RETRY_AFTER_MS = 60_000;
/** lastError is cut to this length: status is not a log. */
export const MAX_ERROR_LENGTH = 256;

/** A channel whose attempt number `attempt` (1-based) is due now. */
export interface DueDelivery extends IndexedChannel {
  attempt: number;
}

export interface DeliveryPlan {
  due: DueDelivery[];
  /** Milliseconds until the earliest Pending retry that is not due yet; null when none waits. */
  nextCheckMs: number | null;
}

export type AttemptResult =
  | { ok: true }
  | {
      ok: false;
      /** Why, without the URL (see redactUrls). */
      error: string;
      retryable: boolean;
      /** The receiver's Retry-After, when it sent one. */
      retryAfterMs?: number;
    };

/** How long to wait after `attemptsMade` failed attempts: 2 s, 4 s, 8 s, 16 s. */
export function retryDelayMs(attemptsMade: number): number {
  return FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, attemptsMade - 1);
}

/** HTTP statuses worth another attempt: 5xx, 408 Request Timeout and 429 Too Many Requests. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** The recorded delivery for each channel index. */
export function deliveriesByChannel(run: ScanRun): Map<number, NotificationDelivery> {
  return new Map((run.status?.notifications ?? []).map((delivery) => [delivery.channel, delivery]));
}

/** Which channels get an attempt now, and when to look again for the ones that wait. */
export function planDeliveries(run: ScanRun, now: Date): DeliveryPlan {
  const recorded = deliveriesByChannel(run);
  const due: DueDelivery[] = [];
  let nextCheckMs: number | null = null;
  for (const target of channelsToNotify(run)) {
    const delivery = recorded.get(target.index);
    if (delivery === undefined) {
      due.push({ ...target, attempt: 1 });
      continue;
    }
    if (delivery.state !== 'Pending' || delivery.attempts >= MAX_ATTEMPTS) continue;
    const notBefore = parseTimeMs(delivery.nextAttemptTime) ?? now.getTime();
    const waitMs = notBefore - now.getTime();
    if (waitMs <= 0) due.push({ ...target, attempt: delivery.attempts + 1 });
    else nextCheckMs = nextCheckMs === null ? waitMs : Math.min(nextCheckMs, waitMs);
  }
  return { due, nextCheckMs };
}

/**
 * The delivery after one more attempt. `previous` is the recorded entry (undefined before the first attempt);
 * `target` names the channel, because the first attempt has no entry to take it from.
 */
export function recordAttempt(
  previous: NotificationDelivery | undefined,
  target: { index: number; channel: Pick<NotificationChannel, 'type'> },
  result: AttemptResult,
  now: Date,
): NotificationDelivery {
  const attempts = (previous?.attempts ?? 0) + 1;
  const base = { channel: target.index, type: target.channel.type, attempts, lastAttemptTime: formatUtc(now) };
  if (result.ok) return { ...base, state: 'Sent' };
  const lastError = clip(result.error, MAX_ERROR_LENGTH);
  if (!result.retryable || attempts >= MAX_ATTEMPTS) return { ...base, state: 'Failed', lastError };
  const waitMs = Math.max(retryDelayMs(attempts), Math.min(result.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
  // Status times have whole seconds: round up so that the wait is never shorter than the schedule says.
  const nextAttemptMs = Math.ceil((now.getTime() + waitMs) / 1000) * 1000;
  return { ...base, state: 'Pending', nextAttemptTime: formatUtc(nextAttemptMs), lastError };
}

/** `deliveries` with `delivery` in place of the entry for its channel, ordered by channel index. */
export function withDelivery(
  deliveries: readonly NotificationDelivery[] | undefined,
  delivery: NotificationDelivery,
): NotificationDelivery[] {
  return [...(deliveries ?? []).filter((d) => d.channel !== delivery.channel), delivery].sort(
    (a, b) => a.channel - b.channel,
  );
}

/** True when this update turned a delivery Failed: the moment for the one NotificationFailed Event. */
export function becameFailed(previous: NotificationDelivery | undefined, next: NotificationDelivery): boolean {
  return next.state === 'Failed' && previous?.state !== 'Failed';
}

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
