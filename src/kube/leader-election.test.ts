import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, settle } from '../testing/manual-clock.ts';
import {
  type LeaderElectionOptions,
  LeaderElector,
  type LeaseLock,
  type LeaseRecord,
  type ObservedLease,
} from './leader-election.ts';

/** The API server's Lease: optimistic concurrency on resourceVersion, like etcd behind it. */
class LeaseStore {
  lease: ObservedLease | undefined;
  #version = 0;

  get(): ObservedLease | undefined {
    return this.lease === undefined ? undefined : structuredClone(this.lease);
  }

  create(record: LeaseRecord): 'created' | 'conflict' {
    if (this.lease !== undefined) return 'conflict';
    this.lease = { record: { ...record }, resourceVersion: String(++this.#version) };
    return 'created';
  }

  update(record: LeaseRecord, resourceVersion: string): 'updated' | 'conflict' {
    if (this.lease === undefined || this.lease.resourceVersion !== resourceVersion) return 'conflict';
    this.lease = { record: { ...record }, resourceVersion: String(++this.#version) };
    return 'updated';
  }
}

/** One replica's connection to the store; `cut` makes its calls fail, `hang` makes them never answer. */
class ReplicaLock implements LeaseLock {
  readonly description = 'scanschedule-system/scanschedule-leader';
  cut = false;
  hang = false;
  readonly #store: LeaseStore;
  constructor(store: LeaseStore) {
    this.#store = store;
  }
  async #reach(): Promise<void> {
    if (this.hang) await new Promise(() => {});
    if (this.cut) throw new Error('connect ECONNREFUSED');
  }
  async get(): Promise<ObservedLease | undefined> {
    await this.#reach();
    return this.#store.get();
  }
  async create(record: LeaseRecord): Promise<'created' | 'conflict'> {
    await this.#reach();
    return this.#store.create(record);
  }
  async update(record: LeaseRecord, resourceVersion: string): Promise<'updated' | 'conflict'> {
    await this.#reach();
    return this.#store.update(record, resourceVersion);
  }
}

interface Replica {
  elector: LeaderElector;
  lock: ReplicaLock;
  log: string[];
  done: Promise<void>;
}

function replica(
  identity: string,
  store: LeaseStore,
  clock: ManualClock,
  overrides: Partial<LeaderElectionOptions> = {},
): Replica {
  const lock = new ReplicaLock(store);
  const log: string[] = [];
  const elector = new LeaderElector({
    identity,
    lock,
    onStartedLeading: () => log.push('started'),
    onStoppedLeading: () => log.push('stopped'),
    clock: clock.clock,
    setTimer: clock.setTimer,
    random: () => 0,
    ...overrides,
  });
  return { elector, lock, log, done: elector.run() };
}

describe('LeaderElector', () => {
  it('creates the lease and leads when there is none, then renews it every retry period', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    const a = replica('pod-a', store, clock);
    await settle();
    assert.equal(a.elector.isLeader(), true);
    assert.deepEqual(a.log, ['started']);
    assert.equal(store.lease?.record.holderIdentity, 'pod-a');
    assert.equal(store.lease?.record.leaseDurationSeconds, 15);
    const firstRenew = store.lease?.record.renewTime;
    await clock.advance(2_000);
    assert.notEqual(store.lease?.record.renewTime, firstRenew);
    assert.equal(store.lease?.record.acquireTime, firstRenew, 'acquireTime stays while renewing');
    await a.elector.stop();
    await a.done;
  });

  it('lets only one of two candidates lead', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    const a = replica('pod-a', store, clock);
    const b = replica('pod-b', store, clock);
    for (let i = 0; i < 20; i++) {
      await clock.advance(1_000);
      assert.ok(!(a.elector.isLeader() && b.elector.isLeader()), 'two leaders at once');
    }
    assert.equal([a, b].filter((r) => r.elector.isLeader()).length, 1);
    assert.equal(b.elector.observedLeader, 'pod-a');
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('takes over from a leader that stopped renewing, but only once the lease expired by its own clock', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    const a = replica('pod-a', store, clock, { releaseOnStop: false });
    await settle();
    const b = replica('pod-b', store, clock);
    await clock.advance(4_000);
    await a.elector.stop(); // a crash, as far as the lease can tell: no release
    const lastRenewMs = clock.nowMs;
    while (!b.elector.isLeader()) {
      await clock.advance(500);
      assert.ok(clock.nowMs - lastRenewMs < 15_000 + 2_000 * 2.2 + 2_500, 'took too long');
    }
    // b saw the last renewal at most one retry period after it was written, and waits a whole lease from then.
    assert.ok(clock.nowMs - lastRenewMs >= 15_000 - 2_000, `took over after only ${clock.nowMs - lastRenewMs} ms`);
    assert.equal(store.lease?.record.holderIdentity, 'pod-b');
    assert.equal(store.lease?.record.leaseTransitions, 1);
    assert.deepEqual(b.log, ['started']);
    await b.elector.stop();
  });

  it('hands the lease over on a graceful stop, so the other replica leads within a retry period', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    const a = replica('pod-a', store, clock);
    await settle();
    const b = replica('pod-b', store, clock);
    await clock.advance(3_000);
    await a.elector.stop();
    assert.deepEqual(a.log, ['started', 'stopped']);
    assert.equal(store.lease?.record.holderIdentity, '');
    assert.equal(store.lease?.record.leaseDurationSeconds, 1);
    await clock.advance(2_000);
    assert.equal(b.elector.isLeader(), true);
    await b.elector.stop();
  });

  it('steps down after renewDeadline when the API server cannot be reached, before the lease expires', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    const a = replica('pod-a', store, clock);
    await settle();
    a.lock.cut = true;
    const cutAt = clock.nowMs;
    let stepDownAfterMs = 0;
    while (a.elector.isLeader()) {
      await clock.advance(100);
      stepDownAfterMs = clock.nowMs - cutAt;
    }
    await a.done;
    assert.deepEqual(a.log, ['started', 'stopped']);
    assert.ok(stepDownAfterMs >= 10_000 && stepDownAfterMs < 15_000, `stepped down after ${stepDownAfterMs} ms`);
  });

  it('steps down when renewals hang instead of failing', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    const a = replica('pod-a', store, clock);
    await settle();
    a.lock.hang = true;
    await clock.advance(12_100);
    assert.equal(a.elector.isLeader(), false);
    await a.done;
    assert.deepEqual(a.log, ['started', 'stopped']);
  });

  it('keeps leading through a short outage shorter than renewDeadline', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    const a = replica('pod-a', store, clock);
    await settle();
    a.lock.cut = true;
    await clock.advance(6_000);
    a.lock.cut = false;
    await clock.advance(10_000);
    assert.equal(a.elector.isLeader(), true);
    assert.deepEqual(a.log, ['started']);
    await a.elector.stop();
  });

  it('loses a race for the lease on a resourceVersion conflict and keeps following', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    store.lease = {
      resourceVersion: '7',
      record: { holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 3 },
    };
    const lock = new ReplicaLock(store);
    const realUpdate = lock.update.bind(lock);
    let raced = false;
    lock.update = async (record, resourceVersion) => {
      if (!raced) {
        raced = true;
        store.update({ ...record, holderIdentity: 'pod-z' }, resourceVersion); // another replica wins first
      }
      return realUpdate(record, resourceVersion);
    };
    const log: string[] = [];
    const elector = new LeaderElector({
      identity: 'pod-a',
      lock,
      onStartedLeading: () => log.push('started'),
      onStoppedLeading: () => log.push('stopped'),
      clock: clock.clock,
      setTimer: clock.setTimer,
      random: () => 0,
    });
    const done = elector.run();
    await clock.advance(5_000);
    assert.equal(elector.isLeader(), false);
    assert.equal(store.lease?.record.holderIdentity, 'pod-z');
    assert.deepEqual(log, []);
    await elector.stop();
    await done;
    assert.deepEqual(log, [], 'never led, so never stopped leading');
  });

  it('survives callbacks that throw', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    const a = replica('pod-a', store, clock, {
      onStartedLeading: () => {
        throw new Error('bug');
      },
    });
    await clock.advance(4_000);
    assert.equal(a.elector.isLeader(), true);
    await a.elector.stop();
  });

  const invalid: { name: string; options: Partial<LeaderElectionOptions>; message: RegExp }[] = [
    {
      name: 'a lease not longer than the renew deadline',
      options: { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 },
      message: /leaseDuration must be greater/,
    },
    {
      name: 'a renew deadline within 1.2 retry periods',
      options: { renewDeadlineMs: 2_400, retryPeriodMs: 2_000 },
      message: /renewDeadline must be greater/,
    },
    { name: 'an empty identity', options: { identity: '' }, message: /non-empty identity/ },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}`, () => {
      assert.throws(
        () =>
          new LeaderElector({
            identity: 'pod-a',
            lock: new ReplicaLock(new LeaseStore()),
            onStartedLeading: () => {},
            onStoppedLeading: () => {},
            ...c.options,
          }),
        c.message,
      );
    });
  }
});

describe('LeaderElector.stop', () => {
  it('returns even when the API server never answers', async () => {
    const store = new LeaseStore();
    const clock = new ManualClock();
    const a = replica('pod-a', store, clock);
    await settle();
    a.lock.hang = true;
    let stopped = false;
    const stopping = a.elector.stop().then(() => {
      stopped = true;
    });
    await clock.advance(10_000);
    await stopping;
    assert.equal(stopped, true);
    assert.deepEqual(a.log, ['started', 'stopped']);

    const b = replica('pod-b', new LeaseStore(), clock);
    b.lock.hang = true;
    const stoppingB = b.elector.stop();
    await clock.advance(10_000);
    await stoppingB;
    assert.deepEqual(b.log, []);
  });
});
