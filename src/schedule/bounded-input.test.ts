// Whatever a user writes into a ScanSchedule, the public scheduling functions answer with problems, never
// with an exception: an exception would fail every reconcile of that schedule without a condition or Event.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidScheduleError } from './invalid-schedule-error.ts';
import { nextRuns } from './next-runs.ts';
import { scheduleProblems } from './schedule-problems.ts';
import { compileTiming, effectiveSchedule, type TimingSpec } from './timing.ts';

// Pieces of real grammar glued at random reach much deeper into the parser than random characters alone.
const token = fc.oneof(
  fc.constantFrom('*', '?', 'H', 'L', 'W', '#', '/', '-', ',', ' ', '@every', '@daily', '@DAILY', 'ſun', 'MON'),
  fc.constantFrom('9223372036854775807', '1e400', '0', '7', '59', '60', 's', 'h', 'ms', '.5', 'TZ=', '\u00a0'),
  fc.integer({ min: -10, max: 100 }).map(String),
  fc.string({ maxLength: 4, unit: 'grapheme' }),
);
const text = fc.oneof(
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.array(token, { maxLength: 14 }).map((t) => t.join('')),
);
const zone = fc.oneof(
  fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Local', '+02:00', 'Etc/GMT+5', 'europe/berlin'),
  fc.string({ maxLength: 20 }),
);
const spec: fc.Arbitrary<TimingSpec> = fc.record(
  { schedule: text, interval: fc.oneof(text, fc.constantFrom('1m', '8760h', '8761h', '99999999999h')), timezone: zone },
  { requiredKeys: [] },
);

describe('bounded input', () => {
  it('never throws from compileTiming, scheduleProblems or effectiveSchedule, and nextRuns throws only its own error', () => {
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 4_102_444_800_000 }), (s, fromMs) => {
        const compiled = compileTiming(s, { namespace: 'ns', name: 'n' });
        assert.equal(scheduleProblems(s).length, compiled.problems.length);
        assert.equal(typeof effectiveSchedule(s, {}), 'string');
        try {
          const runs = nextRuns(s, { from: new Date(fromMs), count: 3 });
          assert.ok(runs.every((run) => Number.isFinite(run.at.getTime()) && run.at.getTime() > fromMs));
          assert.equal(compiled.timing !== undefined, true);
        } catch (error) {
          assert.ok(error instanceof InvalidScheduleError, String(error));
          assert.equal(compiled.timing, undefined);
        }
      }),
      {
        numRuns: 3000,
        examples: [
          [{ schedule: '@every 9223372036854775807s' }, 0],
          [{ schedule: '@every 1000000h', timezone: 'UTC' }, 1_780_000_000_000],
          [{ interval: '99999999999h' }, 0],
        ],
      },
    );
  });

  it('never throws for fields of any JSON type', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (schedule, interval, timezone) => {
        const s = { schedule, interval, timezone } as unknown as TimingSpec;
        assert.ok(Array.isArray(scheduleProblems(s)));
        assert.equal(typeof effectiveSchedule(s, {}), 'string');
        assert.ok(Array.isArray(compileTiming(null as unknown as TimingSpec).problems));
      }),
      { numRuns: 500 },
    );
  });

  it('turns the longest @every into due times that are real dates', () => {
    const runs = nextRuns({ schedule: '@every 8760h' }, { from: new Date('2026-01-01T00:00:00Z'), count: 2 });
    assert.deepEqual(
      runs.map((run) => run.at.toISOString()),
      ['2027-01-01T00:00:00.000Z', '2028-01-01T00:00:00.000Z'],
    );
  });
});
