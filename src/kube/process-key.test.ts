import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictError, RejectedError, TransientError } from '../core/errors.ts';
import { Lane, processKey, workOrderOf } from './process-key.ts';

const KEY = 'security/nightly';

/** Records the queue calls and log levels processKey makes, in order. */
function recorder(): {
  calls: string[];
  queue: Parameters<typeof processKey>[2];
  log: Parameters<typeof processKey>[3];
} {
  const calls: string[] = [];
  return {
    calls,
    queue: {
      add: (key, lane) => calls.push(lane === undefined ? `add ${key}` : `add ${key} lane ${lane}`),
      addAfter: (key, ms) => calls.push(`addAfter ${key} ${ms}`),
      addRateLimited: (key) => calls.push(`addRateLimited ${key}`),
      forget: (key) => calls.push(`forget ${key}`),
    },
    log: {
      debug: (_fields, message) => calls.push(`debug: ${message}`),
      warn: (_fields, message) => calls.push(`warn: ${message}`),
      error: (_fields, message) => calls.push(`error: ${message}`),
    },
  };
}

const cases: {
  name: string;
  outcome: { requeueAfterMs: number | null; deferred?: 'jobs' | 'status' } | Error;
  result: string;
  calls: string[];
}[] = [
  {
    name: 'a success forgets the backoff and does not requeue',
    outcome: { requeueAfterMs: null },
    result: 'success',
    calls: [`forget ${KEY}`, 'debug: reconciled'],
  },
  {
    name: 'a success with requeueAfter forgets the backoff and adds the key after that delay',
    outcome: { requeueAfterMs: 90_000 },
    result: 'requeue_after',
    calls: [`forget ${KEY}`, `addAfter ${KEY} 90000`, 'debug: reconciled'],
  },
  {
    name: 'a reconcile that left its Jobs for later queues the key in the Jobs lane',
    outcome: { requeueAfterMs: null, deferred: 'jobs' },
    result: 'deferred',
    calls: [`forget ${KEY}`, `add ${KEY} lane ${Lane.Jobs}`, 'debug: reconciled, the rest deferred'],
  },
  {
    name: 'a reconcile that left its status write for later queues the key in the status lane',
    outcome: { requeueAfterMs: null, deferred: 'status' },
    result: 'deferred',
    calls: [`forget ${KEY}`, `add ${KEY} lane ${Lane.Status}`, 'debug: reconciled, the rest deferred'],
  },
  {
    name: 'a conflict adds the key again at once, without backoff',
    outcome: new ConflictError('the object has been modified'),
    result: 'requeue',
    calls: ['debug: conflict, requeued', `add ${KEY}`],
  },
  {
    name: 'a rejected write backs off and warns',
    outcome: new RejectedError('spec.foo: Invalid value'),
    result: 'error',
    calls: ['warn: reconcile failed, retrying with backoff', `addRateLimited ${KEY}`],
  },
  {
    name: 'a transient error backs off and logs an error',
    outcome: new TransientError('503'),
    result: 'error',
    calls: ['error: reconcile failed, retrying with backoff', `addRateLimited ${KEY}`],
  },
  {
    name: 'any other error backs off and logs an error',
    outcome: new TypeError('cannot read properties of undefined'),
    result: 'error',
    calls: ['error: reconcile failed, retrying with backoff', `addRateLimited ${KEY}`],
  },
];

describe('processKey (the error → queue policy)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { calls, queue, log } = recorder();
      const { outcome } = c;
      const reconcile = async (): Promise<{ requeueAfterMs: number | null }> => {
        if (outcome instanceof Error) throw outcome;
        return outcome;
      };
      assert.equal(await processKey(KEY, reconcile, queue, log), c.result);
      assert.deepEqual(calls, c.calls);
    });
  }
});

describe('workOrderOf', () => {
  const cases: { lane: number; waiting: number[]; jobsCanWait: boolean; statusCanWait: boolean }[] = [
    { lane: Lane.Runs, waiting: [0, 0, 0], jobsCanWait: false, statusCanWait: false },
    { lane: Lane.Runs, waiting: [3, 0, 0], jobsCanWait: true, statusCanWait: true },
    { lane: Lane.Runs, waiting: [0, 2, 0], jobsCanWait: false, statusCanWait: true },
    { lane: Lane.Runs, waiting: [0, 0, 5], jobsCanWait: false, statusCanWait: false },
    // Taken from a later lane (it waited long enough, or nothing more urgent was left): that lane's work happens.
    { lane: Lane.Jobs, waiting: [3, 0, 0], jobsCanWait: false, statusCanWait: true },
    { lane: Lane.Jobs, waiting: [0, 0, 5], jobsCanWait: false, statusCanWait: false },
    { lane: Lane.Status, waiting: [3, 2, 0], jobsCanWait: false, statusCanWait: false },
  ];
  for (const c of cases) {
    it(`taken from lane ${c.lane} with ${c.waiting.join('/')} waiting: Jobs ${c.jobsCanWait ? 'wait' : 'now'}, status ${c.statusCanWait ? 'waits' : 'now'}`, () => {
      const queue = {
        waitingThrough: (lane: number) => c.waiting.slice(0, lane + 1).reduce((sum, n) => sum + n, 0),
      };
      const order = workOrderOf(c.lane, queue);
      assert.equal(order.jobsCanWait(), c.jobsCanWait);
      assert.equal(order.statusCanWait(), c.statusCanWait);
    });
  }
});
