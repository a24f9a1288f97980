// Notifications for finished runs: which channels hear about a run, when each attempt is due, what is sent.
// Pure; src/notify posts the requests.
export type { AttemptResult, DeliveryPlan, DueDelivery } from './deliveries.ts';
export {
  becameFailed,
  deliveriesByChannel,
  FIRST_RETRY_DELAY_MS,
  isRetryableStatus,
  MAX_ATTEMPTS,
  MAX_RETRY_AFTER_MS,
  planDeliveries,
  recordAttempt,
  retryDelayMs,
  withDelivery,
} from './deliveries.ts';
export type { IndexedChannel } from './events.ts';
export { channelsToNotify, runEvent } from './events.ts';
export { REDACTED, redactUrls } from './redact.ts';
export type { NotificationRequest, NotificationRequestInput } from './request.ts';
export { notificationRequest } from './request.ts';
export type { SigningKey } from './signing.ts';
export { signature, signingKey, standardWebhookHeaders, webhookId } from './signing.ts';
export type { SlackBlock, SlackMessage } from './slack-message.ts';
export { SLACK_LIMITS, slackMessage } from './slack-message.ts';
export type { WebhookPayloadV1 } from './webhook-payload.ts';
export { WEBHOOK_PAYLOAD_VERSION, webhookPayload } from './webhook-payload.ts';
