import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signature, signingKey, standardWebhookHeaders, webhookId } from './signing.ts';

// The test vector of the Standard Webhooks reference library
// (standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const keyOf = (text: string): Buffer => {
  const parsed = signingKey(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.key;
};

describe('signature', () => {
  it('matches the published Standard Webhooks test vector', () =>
    assert.equal(signature(keyOf(VECTOR.secret), VECTOR.id, VECTOR.timestamp, VECTOR.body), VECTOR.signature));

  it('changes when the body changes', () =>
    assert.notEqual(signature(keyOf(VECTOR.secret), VECTOR.id, VECTOR.timestamp, `${VECTOR.body} `), VECTOR.signature));
});

describe('signingKey', () => {
  const cases: [string, string, Buffer | string][] = [
    ['a whsec_ key is its base64 decoded', 'whsec_AAEC', Buffer.from([0, 1, 2])],
    ['a whsec_ key keeps working with the final newline of a file', 'whsec_AAEC\n', Buffer.from([0, 1, 2])],
    ['any other text is its own UTF-8 bytes', 'hunter2-but-longer', Buffer.from('hunter2-but-longer')],
    ['whsec_ followed by something not base64 is a problem', 'whsec_not base64!', 'not base64'],
    ['an empty key is a problem', '  \n', 'empty'],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const parsed = signingKey(text);
      if (typeof expected === 'string')
        assert.match('problem' in parsed ? parsed.problem : 'no problem', new RegExp(expected));
      else assert.deepEqual('key' in parsed ? parsed.key : undefined, expected);
    });
  }
});

describe('webhookId', () => {
  const cases: [string, Parameters<typeof webhookId>[0], number, string][] = [
    ['is the run UID and the channel index', { metadata: { uid: 'a1b2-c3', name: 'n' } }, 2, 'a1b2-c3-2'],
    ['falls back to namespace and name without dots', { metadata: { namespace: 'sec', name: 'a.b' } }, 0, 'sec-a-b-0'],
  ];
  for (const [name, run, index, expected] of cases) it(name, () => assert.equal(webhookId(run, index), expected));
});

describe('standardWebhookHeaders', () => {
  const now = new Date(VECTOR.timestamp * 1000 + 999);

  it('signs id, unix-seconds timestamp and body when there is a key', () =>
    assert.deepEqual(standardWebhookHeaders(VECTOR.id, now, VECTOR.body, keyOf(VECTOR.secret)), {
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    }));

  it('sends id and timestamp but no signature without a key', () =>
    assert.deepEqual(standardWebhookHeaders(VECTOR.id, now, VECTOR.body, undefined), {
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
    }));
});
