// Sends the notifications of one finished run: which channel is due comes from the run's status (planDeliveries),
// the message from the pure builders, the Secret read and the POST from the NotificationPort.
//
// Exactly once is impossible here: the receiver accepting a POST and our status write are two systems, and a
// crash between them leaves no record of the success. What holds instead:
//   - the plan is made from a live read of the run, never from the cache, which lags our own last write;
//   - the outcome is written with that read's resourceVersion, and an entry recorded Sent or Failed is never
//     attempted again, by this replica or by the next leader;
//   - so a message is repeated only after a crash (or a lost status write) between its POST and the write:
//     at most once per such crash, and the repeat carries the same `webhook-id` for receivers to drop.
import type {
  NotificationChannel,
  NotificationDelivery,
  NotificationEvent,
  ScanRun,
  ScanRunStatus,
  ScanSchedule,
} from '../api/types.ts';
import {
  becameFailed,
  deliveriesByChannel,
  notificationRequest,
  planDeliveries,
  recordAttempt,
  runEvent,
  signingKey,
  withDelivery,
} from './notifications/index.ts';
import type { ClusterEvent, NotificationPort, PostOutcome, ReconcileObserver } from './ports.ts';
import { Reason } from './reasons.ts';

export interface DeliveryContext {
  port: NotificationPort;
  /** A live read of the run (see ClusterWriter.readRun). */
  readRun: (run: ScanRun) => Promise<ScanRun | undefined>;
  /** Writes the run's status with the read run's resourceVersion; returns the run as written. */
  writeStatus: (run: ScanRun, status: ScanRunStatus) => Promise<ScanRun>;
  recordEvent: (event: ClusterEvent) => void;
  observer?: ReconcileObserver | undefined;
}

export interface DeliveryOutcome {
  run: ScanRun;
  /** When a Pending retry is due (epoch ms); undefined when nothing waits. */
  retryAtMs?: number;
}

export async function deliverNotifications(
  cached: ScanRun,
  _schedule: ScanSchedule,
  now: Date,
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const event = runEvent(cached);
  if (event === undefined) return { run: cached };
  // Cheap first look at the cached run: nothing due means no API call at all (the common case).
  const glance = planDeliveries(cached, now);
  if (glance.due.length === 0) return withRetry(cached, glance.nextCheckMs, now);

  const live = await context.readRun(cached);
  if (live === undefined) return { run: cached };
  const plan = planDeliveries(live, now);
  if (plan.due.length === 0) return withRetry(live, plan.nextCheckMs, now);

  const recorded = deliveriesByChannel(live);
  let deliveries: NotificationDelivery[] | undefined = live.status?.notifications;
  const namespace = live.metadata.namespace ?? '';
  for (const due of plan.due) {
    const outcome = await attempt(live, event, due.index, due.channel, namespace, now, context.port);
    const previous = recorded.get(due.index);
    const delivery = recordAttempt(previous, due, outcome, now);
    deliveries = withDelivery(deliveries, delivery);
    context.observer?.notification?.(
      due.channel.type,
      delivery.state === 'Sent' ? 'sent' : delivery.state === 'Failed' ? 'failed' : 'retry',
    );
    if (becameFailed(previous, delivery)) {
      context.recordEvent({
        type: 'Warning',
        reason: Reason.NotificationFailed,
        message: `Notification ${due.index} (${due.channel.type}) for run ${live.metadata.name ?? ''} failed after ${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'}: ${delivery.lastError ?? 'unknown error'}`,
        action: 'Notify',
      });
    }
  }
  const written = await context.writeStatus(live, { ...live.status, notifications: deliveries ?? [] });
  return withRetry(written, planDeliveries(written, now).nextCheckMs, now);
}

function withRetry(run: ScanRun, nextCheckMs: number | null, now: Date): DeliveryOutcome {
  return nextCheckMs === null ? { run } : { run, retryAtMs: now.getTime() + nextCheckMs };
}

async function attempt(
  run: ScanRun,
  event: NotificationEvent,
  index: number,
  channel: NotificationChannel,
  namespace: string,
  now: Date,
  port: NotificationPort,
): Promise<PostOutcome> {
  const resolved = await port.resolve(namespace, channel);
  // A Secret that is missing now may be created in a minute: worth the retries.
  if ('error' in resolved) return { ok: false, error: resolved.error, retryable: true };
  let key: Buffer | undefined;
  if (resolved.signingKey !== undefined) {
    const parsed = signingKey(resolved.signingKey);
    if ('problem' in parsed) return { ok: false, error: parsed.problem, retryable: false };
    key = parsed.key;
  }
  const request = notificationRequest({ run, event, index, channel, signingKey: key, now });
  return port.post({ url: resolved.url, body: request.body, headers: request.headers });
}
