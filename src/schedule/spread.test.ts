import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRuns } from './next-runs.ts';
import { fnv1a32 } from './stable-hash.ts';
import { effectiveSchedule } from './timing.ts';

describe('H spreading', () => {
  it('hashes with FNV-1a, the same number on every platform', () => {
    // Reference values of 32-bit FNV-1a (the published test vectors for "" and "a").
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });

  it('gives a schedule the same expansion every time (it becomes status.effectiveSchedule)', () => {
    const key = { namespace: 'security', name: 'nightly' };
    assert.equal(effectiveSchedule({ schedule: 'H 2 * * *' }, key), '18 2 * * *');
    assert.equal(effectiveSchedule({ schedule: 'H H * * *' }, key), '18 12 * * *');
    assert.equal(effectiveSchedule({ schedule: 'H/15 * * * *' }, key), '3-59/15 * * * *');
    assert.equal(effectiveSchedule({ schedule: 'H(0-29) H(1-4) * * 1-5' }, key), '18 1 * * 1-5');
  });

  it('keeps every non-H part of the pattern as written', () => {
    assert.equal(
      effectiveSchedule({ schedule: 'H 2 * JAN-MAR mon' }, { name: 'x' }).split(' ').slice(1).join(' '),
      '2 * JAN-MAR mon',
    );
  });

  it('leaves patterns without H, descriptors and intervals unchanged', () => {
    const key = { namespace: 'a', name: 'b' };
    assert.equal(effectiveSchedule({ schedule: '0 2 * * *' }, key), '0 2 * * *');
    assert.equal(effectiveSchedule({ schedule: '@daily' }, key), '@daily');
    assert.equal(effectiveSchedule({ schedule: '@every 90s' }, key), '@every 90s');
    assert.equal(effectiveSchedule({ interval: '1h30m' }, key), '1h30m');
  });

  it('keeps H values inside H(a-b)', () => {
    for (let i = 0; i < 200; i += 1) {
      const [minute, hour] = effectiveSchedule({ schedule: 'H(10-19) H(3-4) * * *' }, { name: `s${i}` }).split(' ');
      assert.ok(Number(minute) >= 10 && Number(minute) <= 19, `minute ${minute}`);
      assert.ok(Number(hour) >= 3 && Number(hour) <= 4, `hour ${hour}`);
    }
  });

  it('keeps the spacing of H/s: the start lies in the first step', () => {
    for (let i = 0; i < 100; i += 1) {
      const [minutes = ''] = effectiveSchedule({ schedule: 'H/20 * * * *' }, { name: `s${i}` }).split(' ');
      const start = Number(minutes.split('-')[0]);
      assert.ok(start >= 0 && start < 20 && minutes.endsWith('-59/20'), minutes);
    }
  });

  it('spreads 1,000 schedules written "H 2 * * *" over the hour', () => {
    const minutes = new Map<string, number>();
    for (let i = 0; i < 1000; i += 1) {
      const minute =
        effectiveSchedule({ schedule: 'H 2 * * *' }, { namespace: 'team', name: `scan-${i}` }).split(' ')[0] ?? '';
      minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
    }
    assert.equal(minutes.size, 60, 'every minute is used');
    assert.ok(
      Math.max(...minutes.values()) < 40,
      `no minute takes more than 40 of 1,000 (${Math.max(...minutes.values())})`,
    );
  });

  it('schedules runs at the expanded time', () => {
    const runs = nextRuns(
      { schedule: 'H 2 * * *' },
      { from: new Date('2026-06-01T00:00:00Z'), count: 1, namespace: 'security', name: 'nightly' },
    );
    assert.deepEqual(
      runs.map((run) => run.at.toISOString()),
      ['2026-06-01T02:18:00.000Z'],
    );
  });
});
