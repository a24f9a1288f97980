import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NotificationChannel, NotificationDelivery, ScanRun } from '../../api/types.ts';
import {
  type AttemptResult,
  becameFailed,
  isRetryableStatus,
  MAX_ATTEMPTS,
  planDeliveries,
  recordAttempt,
  retryDelayMs,
  withDelivery,
} from './deliveries.ts';

const NOW = new Date('2026-05-19T02:10:00.400Z');
const channels: NotificationChannel[] = [
  { type: 'slack', urlFrom: { secretKeyRef: { name: 'slack', key: 'url' } } },
  { type: 'webhook', url: 'https://receiver.example/hook' },
  { type: 'webhook', url: 'https://receiver.example/success-only', when: ['success'] },
];

function aFailedRun(notifications?: NotificationDelivery[]): ScanRun {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: { name: 'nightly-1', namespace: 'security', uid: 'run-uid-1' },
    spec: {
      scheduleRef: { name: 'nightly' },
      scheduledTime: '2026-05-19T02:00:00Z',
      trigger: 'schedule',
      jobTemplate: { targets: { repo: '/r' }, notifications: { enabled: true, channels } },
    },
    status: { phase: 'Failed', reason: 'ScanFailed', ...(notifications && { notifications }) },
  };
}

const pending = (channel: number, attempts: number, nextAttemptTime?: string): NotificationDelivery => ({
  channel,
  type: channel === 0 ? 'slack' : 'webhook',
  state: 'Pending',
  attempts,
  ...(nextAttemptTime && { nextAttemptTime }),
});
const done = (channel: number, state: 'Sent' | 'Failed'): NotificationDelivery => ({
  channel,
  type: channel === 0 ? 'slack' : 'webhook',
  state,
  attempts: 1,
});

describe('retryDelayMs', () => {
  it('doubles from 2 s: 2, 4, 8, 16 s after attempts 1 to 4', () =>
    assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [2000, 4000, 8000, 16000]));
});

describe('isRetryableStatus', () => {
  const cases: [number, boolean][] = [
    [500, true],
    [502, true],
    [503, true],
    [408, true],
    [429, true],
    [400, false],
    [403, false],
    [404, false],
    [410, false],
  ];
  for (const [status, expected] of cases) {
    it(`${status} is ${expected ? '' : 'not '}worth another attempt`, () =>
      assert.equal(isRetryableStatus(status), expected));
  }
});

describe('planDeliveries', () => {
  const cases: [string, NotificationDelivery[] | undefined, { index: number; attempt: number }[], number | null][] = [
    [
      'a finished run with no record: every matching channel, first attempt',
      undefined,
      [
        { index: 0, attempt: 1 },
        { index: 1, attempt: 1 },
      ],
      null,
    ],
    ['Sent and Failed are never attempted again', [done(0, 'Sent'), done(1, 'Failed')], [], null],
    [
      'a Pending retry whose time has come is due, with the next attempt number',
      [pending(0, 2, '2026-05-19T02:10:00Z'), done(1, 'Sent')],
      [{ index: 0, attempt: 3 }],
      null,
    ],
    [
      'a Pending retry in the future waits, and says how long',
      [pending(0, 1, '2026-05-19T02:10:02Z'), done(1, 'Sent')],
      [],
      1600,
    ],
    [
      'the earliest of several waiting retries sets the next check',
      [pending(0, 1, '2026-05-19T02:10:08Z'), pending(1, 1, '2026-05-19T02:10:03Z')],
      [],
      2600,
    ],
    [
      'a channel without a record is due beside one that waits',
      [pending(0, 1, '2026-05-19T02:10:05Z')],
      [{ index: 1, attempt: 1 }],
      4600,
    ],
    [
      'a Pending record without a time is due now',
      [pending(1, 1)],
      [
        { index: 0, attempt: 1 },
        { index: 1, attempt: 2 },
      ],
      null,
    ],
    [
      'a Pending record that already used every attempt is not attempted again',
      [pending(0, MAX_ATTEMPTS, '2026-05-19T02:00:00Z'), done(1, 'Sent')],
      [],
      null,
    ],
    [
      'a record for a channel the event does not reach changes nothing',
      [pending(2, 1, '2026-05-19T02:00:00Z'), done(0, 'Sent'), done(1, 'Sent')],
      [],
      null,
    ],
  ];
  for (const [name, notifications, due, nextCheckMs] of cases) {
    it(name, () => {
      const plan = planDeliveries(aFailedRun(notifications), NOW);
      assert.deepEqual(
        plan.due.map(({ index, attempt }) => ({ index, attempt })),
        due,
      );
      assert.equal(plan.nextCheckMs, nextCheckMs);
    });
  }

  it('an unfinished run has nothing due', () => {
    const run = aFailedRun();
    run.status = { phase: 'Running' };
    assert.deepEqual(planDeliveries(run, NOW), { due: [], nextCheckMs: null });
  });

  it('hands over the channel to post to', () => {
    assert.equal(planDeliveries(aFailedRun(), NOW).due[1]?.channel, channels[1]);
  });
});

describe('recordAttempt', () => {
  const target = { index: 1, channel: { type: 'webhook' as const } };
  const fail = (retryable: boolean, retryAfterMs?: number): AttemptResult => ({
    ok: false,
    error: 'the receiver answered 503',
    retryable,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
  const cases: [string, NotificationDelivery | undefined, AttemptResult, NotificationDelivery][] = [
    [
      'a first attempt that succeeds is Sent',
      undefined,
      { ok: true },
      { channel: 1, type: 'webhook', state: 'Sent', attempts: 1, lastAttemptTime: '2026-05-19T02:10:00Z' },
    ],
    [
      'a retry that succeeds is Sent and forgets the earlier error',
      { ...pending(1, 2, '2026-05-19T02:10:00Z'), lastError: 'the receiver answered 500' },
      { ok: true },
      { channel: 1, type: 'webhook', state: 'Sent', attempts: 3, lastAttemptTime: '2026-05-19T02:10:00Z' },
    ],
    [
      'a first retryable failure waits 2 s, rounded up to the next whole second',
      undefined,
      fail(true),
      {
        channel: 1,
        type: 'webhook',
        state: 'Pending',
        attempts: 1,
        lastAttemptTime: '2026-05-19T02:10:00Z',
        nextAttemptTime: '2026-05-19T02:10:03Z',
        lastError: 'the receiver answered 503',
      },
    ],
    [
      'a fourth retryable failure waits 16 s',
      pending(1, 3),
      fail(true),
      {
        channel: 1,
        type: 'webhook',
        state: 'Pending',
        attempts: 4,
        lastAttemptTime: '2026-05-19T02:10:00Z',
        nextAttemptTime: '2026-05-19T02:10:17Z',
        lastError: 'the receiver answered 503',
      },
    ],
    [
      'a Retry-After longer than the backoff is honoured',
      undefined,
      fail(true, 30_000),
      {
        channel: 1,
        type: 'webhook',
        state: 'Pending',
        attempts: 1,
        lastAttemptTime: '2026-05-19T02:10:00Z',
        nextAttemptTime: '2026-05-19T02:10:31Z',
        lastError: 'the receiver answered 503',
      },
    ],
    [
      'a Retry-After is honoured up to a minute',
      undefined,
      fail(true, 3_600_000),
      {
        channel: 1,
        type: 'webhook',
        state: 'Pending',
        attempts: 1,
        lastAttemptTime: '2026-05-19T02:10:00Z',
        nextAttemptTime: '2026-05-19T02:11:01Z',
        lastError: 'the receiver answered 503',
      },
    ],
    [
      'the last allowed attempt failing is Failed',
      pending(1, MAX_ATTEMPTS - 1),
      fail(true),
      {
        channel: 1,
        type: 'webhook',
        state: 'Failed',
        attempts: MAX_ATTEMPTS,
        lastAttemptTime: '2026-05-19T02:10:00Z',
        lastError: 'the receiver answered 503',
      },
    ],
    [
      'a failure not worth retrying is Failed at once',
      undefined,
      fail(false),
      {
        channel: 1,
        type: 'webhook',
        state: 'Failed',
        attempts: 1,
        lastAttemptTime: '2026-05-19T02:10:00Z',
        lastError: 'the receiver answered 503',
      },
    ],
  ];
  for (const [name, previous, result, expected] of cases) {
    it(name, () => assert.deepEqual(recordAttempt(previous, target, result, NOW), expected));
  }

  it('cuts a long error to 256 characters', () => {
    const recorded = recordAttempt(undefined, target, { ok: false, error: 'x'.repeat(1000), retryable: true }, NOW);
    assert.equal(Array.from(recorded.lastError ?? '').length, 256);
    assert.ok(recorded.lastError?.endsWith('…'));
  });

  it('five failing attempts in a row follow the documented schedule: 0, 2, 6, 14, 30 s, then Failed', () => {
    let delivery: NotificationDelivery | undefined;
    let now = new Date('2026-05-19T02:10:00Z');
    const times: string[] = [];
    for (;;) {
      const run = aFailedRun(delivery ? [delivery, done(0, 'Sent')] : [done(0, 'Sent')]);
      const plan = planDeliveries(run, now);
      if (plan.due.length === 0) {
        if (plan.nextCheckMs === null) break;
        now = new Date(now.getTime() + plan.nextCheckMs);
        continue;
      }
      times.push(now.toISOString().slice(17, 19));
      delivery = recordAttempt(delivery, plan.due[0]!, fail(true), now);
    }
    assert.deepEqual(times, ['00', '02', '06', '14', '30']);
    assert.equal(delivery?.state, 'Failed');
    assert.equal(delivery?.attempts, MAX_ATTEMPTS);
  });
});

describe('withDelivery', () => {
  it('replaces the entry of the same channel and keeps the list ordered by channel', () =>
    assert.deepEqual(withDelivery([done(2, 'Sent'), pending(0, 1)], done(0, 'Sent')), [
      done(0, 'Sent'),
      done(2, 'Sent'),
    ]));
  it('starts a list when there is none', () =>
    assert.deepEqual(withDelivery(undefined, pending(1, 1)), [pending(1, 1)]));
});

describe('becameFailed', () => {
  const cases: [string, NotificationDelivery | undefined, NotificationDelivery, boolean][] = [
    ['Pending to Failed is the moment for the Event', pending(1, 4), done(1, 'Failed'), true],
    ['a first attempt that fails for good is too', undefined, done(1, 'Failed'), true],
    ['Failed staying Failed is not announced twice', done(1, 'Failed'), done(1, 'Failed'), false],
    ['Pending staying Pending is no failure', pending(1, 1), pending(1, 2), false],
    ['Sent is no failure', pending(1, 1), done(1, 'Sent'), false],
  ];
  for (const [name, previous, next, expected] of cases)
    it(name, () => assert.equal(becameFailed(previous, next), expected));
});
