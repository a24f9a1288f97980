// What one attempt sends to one channel: the body for the channel's type and its headers. Pure; the caller
// has read the signing key from the Secret and posts the result with src/notify.
import type { NotificationChannel, NotificationEvent, ScanRun } from '../../api/types.ts';
import { standardWebhookHeaders, webhookId } from './signing.ts';
import { slackMessage } from './slack-message.ts';
import { webhookPayload } from './webhook-payload.ts';

export interface NotificationRequest {
  body: string;
  headers: Record<string, string>;
}

export interface NotificationRequestInput {
  run: ScanRun;
  event: NotificationEvent;
  index: number;
  channel: NotificationChannel;
  /** webhook channels: the HMAC key (see signingKey); undefined sends no webhook-signature. */
  signingKey?: Buffer;
  now: Date;
}

export function notificationRequest({
  run,
  event,
  index,
  channel,
  signingKey,
  now,
}: NotificationRequestInput): NotificationRequest {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  if (channel.type === 'slack') return { body: JSON.stringify(slackMessage(run, event)), headers: json };
  const body = JSON.stringify(webhookPayload(run, event));
  return { body, headers: { ...json, ...standardWebhookHeaders(webhookId(run, index), now, body, signingKey) } };
}
