// A real receiver on 127.0.0.1 (node:http) takes the POSTs. Nothing here leaves loopback: names resolve
// through a test resolver, and the refused targets are checked to open no socket at all.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ScanRun } from '../api/types.ts';
import { notificationRequest } from '../core/notifications/request.ts';
import { signingKey } from '../core/notifications/signing.ts';
import { type PostNotificationInput, type PostResult, postNotification } from './post-notification.ts';

const TOKEN = 'T0SECRETb1c2d3e4f5TOKEN';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const received: Received[] = [];
const errors: string[] = [];
let server: Server;
let origin: string;
let closedPort: number;

/** The receiver: what it answers depends on the first path segment. */
function answer(path: string, respond: (status: number, headers?: Record<string, string>, body?: string) => void) {
  const route = path.split('/')[1];
  if (route === 'ok') respond(204);
  else if (route === 'fail') respond(500, {}, 'internal error');
  else if (route === 'missing') respond(404, {}, `no hook at ${path}`);
  else if (route === 'busy') respond(429, { 'retry-after': '7' }, 'slow down');
  else if (route === 'moved') respond(302, { location: 'http://169.254.169.254/latest/meta-data/' });
  else if (route === 'slow')
    return; // never answers
  else respond(400, {}, 'invalid_payload');
}

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      answer(req.url ?? '', (status, headers = {}, text = '') => res.writeHead(status, headers).end(text));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closedPort = (spare.address() as AddressInfo).port;
  await new Promise<void>((resolve) => spare.close(() => resolve()));
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // No error text, from any test here, quotes a URL or its token.
  assert.ok(errors.length > 10, 'the error cases ran');
  for (const error of errors) {
    assert.doesNotMatch(error, new RegExp(TOKEN), error);
    assert.doesNotMatch(error, /(https?|file):\/\/\S/, error);
  }
});

/** Resolves test names to loopback only (or to what a case says), and records which names were asked. */
const resolver = (table: Record<string, string[]>) => async (name: string) =>
  (table[name] ?? ['127.0.0.1']).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

async function post(url: string, extra: Partial<PostNotificationInput> = {}): Promise<PostResult> {
  const result = await postNotification({
    url,
    body: '{"hello":"receiver"}',
    headers: { 'content-type': 'application/json' },
    timeoutMs: 2000,
    resolveAll: resolver({}),
    ...extra,
  });
  if (!result.ok) errors.push(result.error);
  return result;
}

/** Runs `action` and returns how many client sockets it opened. */
async function socketsOpenedBy(action: () => Promise<unknown>): Promise<number> {
  let opened = 0;
  const onSocket = () => {
    opened += 1;
  };
  diagnostics.subscribe('net.client.socket', onSocket);
  try {
    await action();
  } finally {
    diagnostics.unsubscribe('net.client.socket', onSocket);
  }
  return opened;
}

const run: ScanRun = {
  apiVersion: 'jmo.security/v1alpha1',
  kind: 'ScanRun',
  metadata: { name: 'nightly-1', namespace: 'security', uid: 'run-uid-1' },
  spec: {
    scheduleRef: { name: 'nightly' },
    scheduledTime: '2026-05-19T02:00:00Z',
    trigger: 'schedule',
    jobTemplate: { targets: { repo: '/r' } },
  },
  status: {
    phase: 'Failed',
    reason: 'FindingsAboveThreshold',
    findings: { critical: 1, high: 0, medium: 0, low: 0, info: 0, total: 1 },
  },
};

describe('postNotification delivers', () => {
  it('a signed generic webhook: body and Standard Webhooks headers arrive as sent, and the signature verifies', async () => {
    const key = signingKey(SECRET);
    assert.ok('key' in key);
    const request = notificationRequest({
      run,
      event: 'thresholdExceeded',
      index: 1,
      channel: { type: 'webhook', url: 'x' },
      signingKey: key.key,
      now: new Date(),
    });
    const url = `${origin}/ok/${TOKEN}`;
    assert.deepEqual(await post(url, { body: request.body, headers: request.headers }), { ok: true, status: 204 });

    const got = received.at(-1)!;
    assert.equal(got.path, `/ok/${TOKEN}`);
    assert.equal(got.body, request.body);
    assert.equal(got.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(got.headers['webhook-id'], 'run-uid-1-1');
    assert.ok(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000) < 60);
    // Verified the way a receiver would, independently of our signing code.
    const mac = createHmac('sha256', Buffer.from(SECRET.slice('whsec_'.length), 'base64'))
      .update(`${got.headers['webhook-id']}.${got.headers['webhook-timestamp']}.${got.body}`)
      .digest('base64');
    assert.equal(got.headers['webhook-signature'], `v1,${mac}`);
    assert.equal(JSON.parse(got.body).event, 'thresholdExceeded');
  });

  it('a Slack message as a POST of its JSON', async () => {
    const request = notificationRequest({
      run,
      event: 'thresholdExceeded',
      index: 0,
      channel: { type: 'slack', url: 'x' },
      now: new Date(),
    });
    assert.equal((await post(`${origin}/ok/slack/${TOKEN}`, request)).ok, true);
    const got = received.at(-1)!;
    assert.deepEqual(Object.keys(JSON.parse(got.body)), ['text', 'blocks']);
    assert.equal(got.headers['webhook-signature'], undefined);
  });

  it('to the address the name resolved to and was checked, with the name as Host', async () => {
    const port = new URL(origin).port;
    const result = await post(`http://receiver.test:${port}/ok/pinned`, {
      resolveAll: resolver({ 'receiver.test': ['127.0.0.1'] }),
    });
    assert.equal(result.ok, true);
    assert.equal(received.at(-1)?.headers.host, `receiver.test:${port}`);
  });

  it('to a metadata host name when the operator allows link-local targets', async () => {
    const port = new URL(origin).port;
    const result = await post(`http://metadata:${port}/ok/allowed`, {
      allowLinkLocal: true,
      resolveAll: resolver({ metadata: ['127.0.0.1'] }),
    });
    assert.equal(result.ok, true);
  });
});

describe('postNotification reports a failed attempt', () => {
  const cases: [string, string, { retryable: boolean; error: RegExp; retryAfterMs?: number }][] = [
    ['500 is worth another attempt', `/fail/${TOKEN}`, { retryable: true, error: /answered 500: internal error/ }],
    [
      '404 is not, and quotes the receiver without the URL',
      `/missing/${TOKEN}`,
      { retryable: false, error: /answered 404: no hook at <redacted>/ },
    ],
    ['429 is, with its Retry-After', `/busy/${TOKEN}`, { retryable: true, error: /answered 429/, retryAfterMs: 7000 }],
    ['400 is not', `/bad/${TOKEN}`, { retryable: false, error: /answered 400: invalid_payload/ }],
    [
      'a redirect is refused, never followed',
      `/moved/${TOKEN}`,
      { retryable: false, error: /302, a redirect; redirects are not followed/ },
    ],
  ];
  for (const [name, path, expected] of cases) {
    it(name, async () => {
      const before = received.length;
      const result = await post(`${origin}${path}`);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.retryable, expected.retryable);
      assert.match(result.error, expected.error);
      assert.equal(result.retryAfterMs, expected.retryAfterMs);
      assert.equal(received.length, before + 1, 'exactly one request, no redirect followed');
    });
  }

  it('no answer within the timeout is worth another attempt', async () => {
    const started = Date.now();
    const result = await post(`${origin}/slow/${TOKEN}`, { timeoutMs: 300 });
    assert.deepEqual(result, { ok: false, retryable: true, error: 'the receiver did not answer within 300 ms' });
    assert.ok(Date.now() - started < 2000);
  });

  it('a stopping controller cancels the attempt, to be made again later', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await post(`${origin}/slow/${TOKEN}`, { signal: controller.signal });
    assert.deepEqual(result, {
      ok: false,
      retryable: true,
      error: 'the attempt was cancelled (the controller is stopping)',
    });
  });

  it('a receiver that is down is worth another attempt', async () => {
    const result = await post(`http://127.0.0.1:${closedPort}/hook/${TOKEN}`);
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.retryable && /ECONNREFUSED/.test(result.error), JSON.stringify(result));
  });

  it('a name that does not resolve is worth another attempt', async () => {
    const result = await post(`http://nowhere.test/hook/${TOKEN}`, {
      resolveAll: async () => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND nowhere.test /hook/${TOKEN}`), { code: 'ENOTFOUND' });
      },
    });
    assert.deepEqual(result, {
      ok: false,
      retryable: true,
      error: "the channel's host name does not resolve (ENOTFOUND)",
    });
  });
});

describe('postNotification refuses, without opening a socket', () => {
  const cases: [string, string, Record<string, string[]>, RegExp][] = [
    ['the metadata address itself', `http://169.254.169.254/latest/${TOKEN}`, {}, /169\.254\.169\.254, a link-local/],
    ['an IPv6 link-local address', `http://[fe80::1]/${TOKEN}`, {}, /fe80::1, a link-local/],
    ['the AWS IPv6 metadata address', `http://[fd00:ec2::254]/${TOKEN}`, {}, /fd00:ec2::254/],
    ['an IPv4-mapped metadata address', `http://[::ffff:169.254.169.254]/${TOKEN}`, {}, /link-local/],
    ['Alibaba Cloud metadata', `http://100.100.100.200/${TOKEN}`, {}, /100\.100\.100\.200/],
    [
      'a metadata host name',
      `http://metadata.google.internal/computeMetadata/${TOKEN}`,
      {},
      /names a cloud metadata service/,
    ],
    [
      'a name that resolves to a metadata address',
      `https://innocent.test/${TOKEN}`,
      { 'innocent.test': ['169.254.169.254'] },
      /169\.254\.169\.254/,
    ],
    [
      'a name with one bad address among good ones',
      `https://mixed.test/${TOKEN}`,
      { 'mixed.test': ['127.0.0.1', '169.254.170.2'] },
      /169\.254\.170\.2/,
    ],
    ['a URL that is not http', `file:///etc/${TOKEN}`, {}, /must use https or http, not file$/],
    ['a URL that is not a URL', `not a url ${TOKEN}`, {}, /not a valid URL/],
  ];
  for (const [name, url, table, error] of cases) {
    it(name, async () => {
      let result: PostResult | undefined;
      const sockets = await socketsOpenedBy(async () => {
        result = await post(url, { resolveAll: resolver(table) });
      });
      assert.equal(sockets, 0);
      assert.equal(result?.ok, false);
      if (result?.ok !== false) return;
      assert.equal(result.retryable, false);
      assert.match(result.error, error);
      assert.match(result.error, /^(refused|the channel URL)/);
    });
  }

  it('the socket counter does count a real connection (so the zeros above mean something)', async () => {
    assert.equal(await socketsOpenedBy(() => post(`${origin}/ok/counted`)), 1);
  });
});
