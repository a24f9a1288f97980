import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, settle } from '../testing/manual-clock.ts';
import { BACKOFF_MAX_MS, backoffDelayMs, MAX_LANE_WAIT_MS, ScheduleKeyQueue } from './work-queue.ts';

function aQueue(clock = new ManualClock(), lanes = 1): { queue: ScheduleKeyQueue; clock: ManualClock } {
  return { queue: new ScheduleKeyQueue({ clock: clock.clock, setTimer: clock.setTimer, lanes }), clock };
}

/** Takes and finishes every key that is ready right now, without waiting. */
async function drain(queue: ScheduleKeyQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.depth > 0) {
    const key = await queue.get();
    if (key === undefined) break;
    keys.push(key);
    queue.done(key);
  }
  return keys;
}

describe('backoffDelayMs', () => {
  const cases: { failures: number; ms: number }[] = [
    { failures: 0, ms: 0 },
    { failures: 1, ms: 5 },
    { failures: 2, ms: 10 },
    { failures: 3, ms: 20 },
    { failures: 16, ms: 163_840 },
    { failures: 17, ms: BACKOFF_MAX_MS },
    { failures: 10_000, ms: BACKOFF_MAX_MS },
  ];
  for (const c of cases) {
    it(`waits ${c.ms} ms after ${c.failures} failures`, () => {
      assert.equal(backoffDelayMs(c.failures), c.ms);
    });
  }
});

describe('ScheduleKeyQueue lanes', () => {
  it('hands out the most urgent lane first, in order within a lane', async () => {
    const { queue } = aQueue(undefined, 3);
    queue.add('ns/status', 2);
    queue.add('ns/jobs-1', 1);
    queue.add('ns/runs-1');
    queue.add('ns/jobs-2', 1);
    queue.add('ns/runs-2', 0);
    assert.equal(queue.waitingThrough(0), 2);
    assert.equal(queue.waitingThrough(1), 4);
    assert.equal(queue.depth, 5);
    assert.deepEqual(await drain(queue), ['ns/runs-1', 'ns/runs-2', 'ns/jobs-1', 'ns/jobs-2', 'ns/status']);
  });

  it('moves a waiting key to a more urgent lane, never to a less urgent one', async () => {
    const { queue } = aQueue(undefined, 3);
    queue.add('ns/a', 2);
    queue.add('ns/b', 1);
    queue.add('ns/a', 0);
    queue.add('ns/b', 2);
    assert.equal(queue.depth, 2);
    assert.equal(queue.adds, 2, 'a move is not a new add');
    assert.deepEqual(await drain(queue), ['ns/a', 'ns/b']);
  });

  it('says which lane an in-flight key was taken from, and re-queues a key re-added in flight in its lane', async () => {
    const { queue } = aQueue(undefined, 3);
    queue.add('ns/a', 1);
    const key = await queue.get();
    assert.equal(key, 'ns/a');
    assert.equal(queue.takenFrom('ns/a'), 1);
    queue.add('ns/a', 2);
    queue.add('ns/b', 0);
    queue.done('ns/a');
    assert.equal(queue.takenFrom('ns/a'), undefined);
    assert.deepEqual(await drain(queue), ['ns/b', 'ns/a']);
    assert.equal(queue.takenFrom('ns/a'), undefined);
  });

  it(`serves a lane whose oldest key waited ${MAX_LANE_WAIT_MS} ms before more urgent ones`, async () => {
    const { queue, clock } = aQueue(undefined, 3);
    queue.add('ns/late', 2);
    queue.add('ns/urgent-1');
    await clock.advance(MAX_LANE_WAIT_MS - 1);
    queue.add('ns/urgent-2');
    assert.equal(await queue.get(), 'ns/urgent-1');
    queue.done('ns/urgent-1');
    await clock.advance(1);
    assert.equal(await queue.get(), 'ns/late');
    queue.done('ns/late');
    assert.equal(await queue.get(), 'ns/urgent-2');
  });

  const sharing: { name: string; waited: [string, number][]; fresh: [string, number][]; order: string[] }[] = [
    {
      name: 'an aged lane shares the workers with the urgent lane, a key each in turn',
      waited: [
        ['ns/job-1', 1],
        ['ns/job-2', 1],
        ['ns/job-3', 1],
      ],
      fresh: [
        ['ns/run-1', 0],
        ['ns/run-2', 0],
      ],
      order: ['ns/job-1', 'ns/run-1', 'ns/job-2', 'ns/run-2', 'ns/job-3'],
    },
    {
      name: 'of two aged lanes the more urgent one takes the turns, the other follows when it empties',
      waited: [
        ['ns/status-1', 2],
        ['ns/job-1', 1],
      ],
      fresh: [
        ['ns/run-1', 0],
        ['ns/run-2', 0],
        ['ns/run-3', 0],
      ],
      order: ['ns/job-1', 'ns/run-1', 'ns/status-1', 'ns/run-2', 'ns/run-3'],
    },
    {
      name: 'an aged lane that is itself the most urgent one is simply served',
      waited: [['ns/job-1', 1]],
      fresh: [['ns/status-1', 2]],
      order: ['ns/job-1', 'ns/status-1'],
    },
  ];
  for (const c of sharing) {
    it(c.name, async () => {
      const { queue, clock } = aQueue(undefined, 3);
      for (const [key, lane] of c.waited) queue.add(key, lane);
      await clock.advance(MAX_LANE_WAIT_MS);
      for (const [key, lane] of c.fresh) queue.add(key, lane);
      assert.deepEqual(await drain(queue), c.order);
    });
  }

  it('refuses a lane it does not have', () => {
    const { queue } = aQueue(undefined, 3);
    assert.throws(() => queue.add('ns/a', 3), /lane must be 0 to 2, not 3/);
    assert.throws(() => queue.add('ns/a', -1), RangeError);
    assert.throws(() => new ScheduleKeyQueue({ lanes: 0 }), /lanes must be a whole number/);
  });
});

describe('ScheduleKeyQueue', () => {
  it('queues a key added twice only once', async () => {
    const { queue } = aQueue();
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    assert.deepEqual(await drain(queue), ['ns/a', 'ns/b']);
    assert.equal(queue.adds, 2);
  });

  it('hands out keys in the order they were first added', async () => {
    const { queue } = aQueue();
    for (const key of ['ns/c', 'ns/a', 'ns/b', 'ns/a']) queue.add(key);
    assert.deepEqual(await drain(queue), ['ns/c', 'ns/a', 'ns/b']);
  });

  it('does not hand out a key that is being processed, and processes it again after done', async () => {
    const { queue } = aQueue();
    queue.add('ns/a');
    const first = await queue.get();
    queue.add('ns/a');
    assert.equal(queue.depth, 0, 'the re-added key waits for done()');
    assert.equal(first, 'ns/a');
    queue.done('ns/a');
    assert.deepEqual(await drain(queue), ['ns/a']);
  });

  it('resolves a waiting get() as soon as a key is added', async () => {
    const { queue } = aQueue();
    const pending = queue.get();
    queue.add('ns/a');
    assert.equal(await pending, 'ns/a');
  });

  it('adds a key after its delay and not before', async () => {
    const { queue, clock } = aQueue();
    queue.addAfter('ns/a', 1_000);
    await clock.advance(999);
    assert.equal(queue.depth, 0);
    await clock.advance(1);
    assert.deepEqual(await drain(queue), ['ns/a']);
  });

  const delayedCases: { name: string; delays: { atMs: number; afterMs: number }[]; dueAtMs: number }[] = [
    {
      name: 'keeps the earlier deadline when a later one is requested',
      delays: [
        { atMs: 0, afterMs: 100 },
        { atMs: 0, afterMs: 5_000 },
      ],
      dueAtMs: 100,
    },
    {
      name: 'moves the deadline forward when an earlier one is requested',
      delays: [
        { atMs: 0, afterMs: 5_000 },
        { atMs: 0, afterMs: 100 },
      ],
      dueAtMs: 100,
    },
    {
      name: 'compares deadlines, not delays, when requests come at different times',
      delays: [
        { atMs: 0, afterMs: 1_000 },
        { atMs: 900, afterMs: 200 },
      ],
      dueAtMs: 1_000,
    },
  ];
  for (const c of delayedCases) {
    it(c.name, async () => {
      const { queue, clock } = aQueue();
      let at = 0;
      for (const d of c.delays) {
        await clock.advance(d.atMs - at);
        at = d.atMs;
        queue.addAfter('ns/a', d.afterMs);
      }
      await clock.advance(c.dueAtMs - at - 1);
      assert.equal(queue.depth, 0, 'not yet due');
      await clock.advance(1);
      assert.deepEqual(await drain(queue), ['ns/a']);
      await clock.advance(10_000);
      assert.equal(queue.depth, 0, 'the replaced deadline does not add it again');
      assert.equal(clock.pendingTimers, 0);
    });
  }

  it('adds at once for a zero or negative delay', async () => {
    const { queue } = aQueue();
    queue.addAfter('ns/a', 0);
    queue.addAfter('ns/b', -5);
    assert.deepEqual(await drain(queue), ['ns/a', 'ns/b']);
  });

  it('backs off exponentially per key on addRateLimited and starts over after forget', async () => {
    const { queue, clock } = aQueue();
    const dueAfter = async (): Promise<number> => {
      let waited = 0;
      while (queue.depth === 0) {
        await clock.advance(1);
        waited++;
      }
      await drain(queue);
      return waited;
    };
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      queue.addRateLimited('ns/a');
      waits.push(await dueAfter());
    }
    assert.deepEqual(waits, [5, 10, 20, 40]);
    assert.equal(queue.numRequeues('ns/a'), 4);
    assert.equal(queue.retries, 4);
    queue.forget('ns/a');
    queue.addRateLimited('ns/a');
    assert.equal(await dueAfter(), 5);
  });

  it('keeps the backoff of one key away from the others', async () => {
    const { queue, clock } = aQueue();
    for (let i = 0; i < 4; i++) {
      queue.addRateLimited('ns/slow');
      await clock.advance(60_000);
      await drain(queue);
    }
    queue.addRateLimited('ns/slow');
    queue.addRateLimited('ns/fresh');
    await clock.advance(5);
    assert.deepEqual(await drain(queue), ['ns/fresh']);
  });

  it('runs at most `concurrency` workers and never one key twice at once', async () => {
    const { queue } = aQueue();
    let running = 0;
    let peak = 0;
    const busy = new Set<string>();
    const seen: string[] = [];
    const releases: (() => void)[] = [];
    const worker = async (key: string): Promise<void> => {
      assert.ok(!busy.has(key), `${key} processed twice at once`);
      busy.add(key);
      running++;
      peak = Math.max(peak, running);
      seen.push(key);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
      busy.delete(key);
    };
    const loops = queue.run(worker, 2);
    for (const key of ['ns/a', 'ns/b', 'ns/c']) queue.add(key);
    await settle();
    assert.equal(running, 2);
    queue.add('ns/a'); // re-added while in flight
    while (releases.length > 0) {
      releases.shift()?.();
      await settle();
    }
    await settle();
    assert.equal(peak, 2);
    assert.deepEqual(seen, ['ns/a', 'ns/b', 'ns/c', 'ns/a']);
    await queue.shutdown();
    await loops;
  });

  it('retries a key whose worker throws, with backoff, instead of stopping', async () => {
    const { queue, clock } = aQueue();
    let calls = 0;
    const loops = queue.run(async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
    }, 1);
    queue.add('ns/a');
    await settle();
    assert.equal(calls, 1);
    assert.equal(queue.numRequeues('ns/a'), 1);
    await clock.advance(5);
    assert.equal(calls, 2);
    await queue.shutdown();
    await loops;
  });

  it('on shutdown stops handing out work and resolves only when in-flight keys are done', async () => {
    const { queue, clock } = aQueue();
    queue.add('ns/a');
    queue.add('ns/b');
    queue.addAfter('ns/c', 1_000);
    const key = await queue.get();
    let stopped = false;
    const shutdown = queue.shutdown().then(() => {
      stopped = true;
    });
    await settle();
    assert.equal(stopped, false, 'waits for the in-flight key');
    assert.equal(await queue.get(), undefined);
    queue.add('ns/d');
    assert.equal(queue.depth, 0, 'ignores adds after shutdown');
    queue.done(key ?? '');
    await shutdown;
    assert.equal(stopped, true);
    await clock.advance(2_000);
    assert.equal(queue.depth, 0, 'delayed adds were cancelled');
    assert.equal(clock.pendingTimers, 0);
  });

  it('releases idle workers on shutdown', async () => {
    const { queue } = aQueue();
    const loops = queue.run(async () => {}, 3);
    await settle();
    await queue.shutdown();
    await loops;
  });

  it('reports adds, retries and depth to its observer', async () => {
    const clock = new ManualClock();
    const seen = { added: 0, retried: 0, depths: [] as number[] };
    const queue = new ScheduleKeyQueue({
      clock: clock.clock,
      setTimer: clock.setTimer,
      observer: {
        added: () => seen.added++,
        retried: () => seen.retried++,
        depthChanged: (depth) => seen.depths.push(depth),
      },
    });
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    await queue.get();
    queue.addRateLimited('ns/z');
    assert.deepEqual(seen, { added: 2, retried: 1, depths: [1, 2, 1] });
  });

  it('keeps keys queued while beforeTake waits, and hands them out once it resolves', async () => {
    const { queue } = aQueue();
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const processed: string[] = [];
    const loops = queue.run(
      async (key) => {
        processed.push(key);
      },
      2,
      { beforeTake: () => gate },
    );
    queue.add('ns/a');
    queue.add('ns/b');
    await settle();
    assert.deepEqual(processed, []);
    assert.equal(queue.depth, 2, 'the keys wait in the queue');
    open();
    await settle();
    await settle();
    assert.deepEqual(processed.sort(), ['ns/a', 'ns/b']);
    await queue.shutdown();
    await loops;
  });

  it('ends workers waiting in beforeTake on shutdown', async () => {
    const { queue } = aQueue();
    const loops = queue.run(async () => {}, 2, { beforeTake: () => new Promise<void>(() => {}) });
    await settle();
    await queue.shutdown();
    await loops;
    assert.equal(queue.runningWorkers, 0);
  });

  it('counts a worker loop that died outside the worker as no longer running', async () => {
    const { queue } = aQueue();
    let calls = 0;
    const loops = queue.run(async () => {}, 3, {
      beforeTake: async () => {
        if (calls++ === 0) throw new Error('bug in the loop');
      },
    });
    await settle();
    assert.equal(queue.runningWorkers, 2, 'one of three loops died');
    queue.add('ns/a');
    await settle();
    assert.equal(queue.depth, 0, 'the others still work');
    await queue.shutdown();
    await assert.rejects(loops, /bug in the loop/);
  });
});
