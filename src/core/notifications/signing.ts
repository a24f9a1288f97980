// Standard Webhooks (https://www.standardwebhooks.com, spec 1.0.0) symmetric signatures: HMAC-SHA256 over
// `${webhook-id}.${webhook-timestamp}.${body}`, sent as `webhook-signature: v1,<base64>`. Pure (node:crypto
// computes, it does no I/O).
import { createHmac } from 'node:crypto';

const KEY_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const KEY_HINT = 'store whsec_ followed by the base64 of 32 random bytes in the Secret';

export type SigningKey = { key: Buffer } | { problem: string };

/**
 * The HMAC key from the Secret's text: `whsec_<base64>` (the Standard Webhooks form, what its libraries
 * verify with) is base64-decoded; any other text is used as its UTF-8 bytes. Surrounding whitespace is
 * dropped: `kubectl create secret --from-file` keeps the file's final newline.
 */
export function signingKey(secretText: string): SigningKey {
  const text = secretText.trim();
  if (!text.startsWith(KEY_PREFIX)) {
    return text === ''
      ? { problem: `signingKeyFrom: the key is empty; ${KEY_HINT}` }
      : { key: Buffer.from(text, 'utf8') };
  }
  const encoded = text.slice(KEY_PREFIX.length);
  if (!BASE64.test(encoded) || encoded.length % 4 === 1) {
    return { problem: `signingKeyFrom: the key starts with whsec_ but the rest is not base64; ${KEY_HINT}` };
  }
  return { key: Buffer.from(encoded, 'base64') };
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signature(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/**
 * The same for every attempt of one run to one channel, so a receiver can drop a retry it already handled.
 * Standard Webhooks forbids `.` in it (the signed text is dot-separated); a run UID has none.
 */
export function webhookId(run: { metadata: { uid?: string; namespace?: string; name?: string } }, index: number) {
  const { uid, namespace, name } = run.metadata;
  const base = uid ?? `${namespace ?? 'default'}-${name ?? 'run'}`;
  return `${base.replaceAll('.', '-')}-${index}`;
}

/** The Standard Webhooks headers: id and timestamp always, the signature when there is a key. */
export function standardWebhookHeaders(
  id: string,
  now: Date,
  body: string,
  key: Buffer | undefined,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    ...(key !== undefined && { 'webhook-signature': signature(key, id, timestamp, body) }),
  };
}
