// Which finished runs a channel hears about: the run's outcome as a NotificationEvent, and the channels whose
// `when` filter names it. Pure.
import {
  DEFAULT_NOTIFICATION_EVENTS,
  type NotificationChannel,
  type NotificationEvent,
  type ScanRun,
} from '../../api/types.ts';
import { RunReason } from '../run-reasons.ts';

/** A channel with its index in spec.jobTemplate.notifications.channels (the key its delivery is recorded under). */
export interface IndexedChannel {
  index: number;
  channel: NotificationChannel;
}

/**
 * The event a finished run announces; undefined while it runs and for Cancelled runs, which nobody is told
 * about (a cancellation is a person's or a policy's decision, not news).
 */
export function runEvent(run: ScanRun): NotificationEvent | undefined {
  switch (run.status?.phase) {
    case 'Succeeded':
      return 'success';
    case 'Failed':
      return run.status.reason === RunReason.FindingsAboveThreshold ? 'thresholdExceeded' : 'failure';
    default:
      return undefined;
  }
}

/** The channels of the run's own copy of jobTemplate.notifications that want to hear about its event. */
export function channelsToNotify(run: ScanRun): IndexedChannel[] {
  const event = runEvent(run);
  const notifications = run.spec.jobTemplate.notifications;
  if (event === undefined || notifications?.enabled !== true) return [];
  return (notifications.channels ?? []).flatMap((channel, index) =>
    (channel.when ?? DEFAULT_NOTIFICATION_EVENTS).includes(event) ? [{ index, channel }] : [],
  );
}
