// The fence between shard counts: which Leases are ours and of which count, when a holder is judged alive (by
// observed changes, never by comparing clocks), and how waiting and the look after acquiring behave.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { silentLogger } from '../observe/logger.ts';
import { ManualClock, settle } from '../testing/manual-clock.ts';
import { ForeignLeases, type LeaseSummary, ShardCountFence, shardCountOfLease } from './shard-count-fence.ts';

const lease = (name: string, holderIdentity: string, resourceVersion: string, seconds = 15): LeaseSummary => ({
  name,
  holderIdentity,
  leaseDurationSeconds: seconds,
  resourceVersion,
});
const UNSHARDED = 'scanschedule.jmo.security';
const shardLease = (k: number, s: number): string => `scanschedule.jmo.security-shard-${k}-of-${s}`;

describe('shardCountOfLease', () => {
  const cases: { name: string; lease: string; count: number | undefined }[] = [
    { name: 'reads the unsharded Lease as a count of 1', lease: UNSHARDED, count: 1 },
    { name: 'reads shard 0 of 2', lease: shardLease(0, 2), count: 2 },
    { name: 'reads shard 17 of 256', lease: shardLease(17, 256), count: 256 },
    { name: 'ignores another controller’s Lease', lease: 'kube-controller-manager', count: undefined },
    { name: 'ignores a look-alike with any character for a dot', lease: 'scanschedulexjmo.security', count: undefined },
    { name: 'ignores a suffix it does not know', lease: `${UNSHARDED}-backup`, count: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(shardCountOfLease(c.lease), c.count));
});

describe('ForeignLeases.live', () => {
  it('ignores Leases of its own count and Leases not of ours', () => {
    const foreign = new ForeignLeases(2, new ManualClock().clock);
    assert.deepEqual(
      foreign.live([lease(shardLease(0, 2), 'a', '1'), lease(shardLease(1, 2), 'b', '1'), lease('other', 'c', '1')]),
      [],
    );
  });

  it('judges a held Lease of another count alive while its record changes, dead once unchanged for its duration', async () => {
    const time = new ManualClock();
    const foreign = new ForeignLeases(2, time.clock);
    assert.deepEqual(foreign.live([lease(UNSHARDED, 'old', '1')]), [UNSHARDED], 'first seen: alive');
    await time.advance(10_000);
    assert.deepEqual(foreign.live([lease(UNSHARDED, 'old', '2')]), [UNSHARDED], 'renewed: alive');
    await time.advance(14_999);
    assert.deepEqual(foreign.live([lease(UNSHARDED, 'old', '2')]), [UNSHARDED], 'unchanged for less than 15 s');
    await time.advance(1);
    assert.deepEqual(foreign.live([lease(UNSHARDED, 'old', '2')]), [], 'unchanged for 15 s: its holder is gone');
    assert.deepEqual(foreign.live([lease(UNSHARDED, 'new', '3')]), [UNSHARDED], 'taken again: alive again');
  });

  it('judges a released Lease dead at once, whatever its version', () => {
    const foreign = new ForeignLeases(1, new ManualClock().clock);
    assert.deepEqual(foreign.live([lease(shardLease(0, 3), '', '9', 1), lease(shardLease(1, 3), 'b', '4')]), [
      shardLease(1, 3),
    ]);
  });
});

interface FakeLister {
  answers: (LeaseSummary[] | Error)[];
  list(): Promise<LeaseSummary[]>;
  calls: number;
}

function lister(answers: (LeaseSummary[] | Error)[]): FakeLister {
  const fake: FakeLister = {
    answers,
    calls: 0,
    async list() {
      fake.calls += 1;
      const answer = fake.answers.length > 1 ? fake.answers.shift() : fake.answers[0];
      if (answer instanceof Error) throw answer;
      return answer ?? [];
    },
  };
  return fake;
}

function fence(fake: FakeLister, time: ManualClock, warnings: unknown[] = []): ShardCountFence {
  const log = silentLogger();
  log.warn = ((fields: unknown) => {
    warnings.push(fields);
  }) as typeof log.warn;
  return new ShardCountFence({
    lister: fake,
    shardCount: 2,
    retryPeriodMs: 500,
    log,
    clock: time.clock,
    sleep: (ms) => new Promise((resolve) => time.setTimer(() => resolve(), ms)),
  });
}

describe('ShardCountFence', () => {
  it('lets a controller campaign at once when no other count holds a Lease', async () => {
    const time = new ManualClock();
    const fake = lister([[lease(shardLease(1, 2), 'sibling', '1'), lease(UNSHARDED, '', '5', 1)]]);
    await fence(fake, time).waitUntilAlone(() => false);
    assert.equal(fake.calls, 1);
  });

  it('waits while the old count renews, says so naming the Lease, and goes on once it is released', async () => {
    const time = new ManualClock();
    const fake = lister([
      [lease(UNSHARDED, 'old', '1')],
      [lease(UNSHARDED, 'old', '2')],
      new Error('connection reset'),
      [lease(UNSHARDED, 'old', '3')],
      [lease(UNSHARDED, '', '4', 1)],
    ]);
    const warnings: unknown[] = [];
    let done = false;
    void fence(fake, time, warnings)
      .waitUntilAlone(() => false)
      .then(() => {
        done = true;
      });
    for (let i = 0; i < 3; i++) {
      await time.advance(500);
      assert.equal(done, false, `still waiting after ${i + 1} retries`);
    }
    await time.advance(500);
    await settle();
    assert.equal(done, true);
    assert.equal(fake.calls, 5);
    assert.deepEqual(warnings[0], { leases: [UNSHARDED], shardCount: 2 });
  });

  it('goes on when a holder of the old count stops renewing without releasing (a crash), after its duration', async () => {
    const time = new ManualClock();
    const fake = lister([[lease(UNSHARDED, 'crashed', '7', 3)]]);
    let done = false;
    void fence(fake, time)
      .waitUntilAlone(() => false)
      .then(() => {
        done = true;
      });
    await time.advance(2_500);
    assert.equal(done, false);
    await time.advance(1_000);
    assert.equal(done, true);
  });

  it('stops waiting when the controller stops', async () => {
    const time = new ManualClock();
    let stopped = false;
    let done = false;
    void fence(lister([[lease(UNSHARDED, 'old', '1')]]), time)
      .waitUntilAlone(() => stopped)
      .then(() => {
        done = true;
      });
    await time.advance(1_000);
    assert.equal(done, false);
    stopped = true;
    await time.advance(500);
    assert.equal(done, true);
  });

  it('after acquiring, reports a Lease of another count taken meanwhile, retrying a failed list', async () => {
    const time = new ManualClock();
    const fake = lister([
      new Error('timeout'),
      [lease(shardLease(0, 3), 'racer', '1'), lease(shardLease(0, 2), 'me', '2')],
    ]);
    const look = fence(fake, time).othersLiveAfterAcquiring(() => false);
    await time.advance(500);
    assert.deepEqual(await look, [shardLease(0, 3)]);
  });

  it('turns itself off, saying how to grant it, when it may not list Leases (RBAC from before the fence)', async () => {
    const time = new ManualClock();
    const forbidden = new ApiException(403, 'leases is forbidden', {}, {});
    const fake = lister([forbidden]);
    const warnings: unknown[] = [];
    const shardFence = fence(fake, time, warnings);
    await shardFence.waitUntilAlone(() => false);
    assert.deepEqual(await shardFence.othersLiveAfterAcquiring(() => false), []);
    assert.equal(fake.calls, 1, 'asked once, not on every look');
    assert.equal(warnings.length, 1);
  });
});
