import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cron } from 'croner';
import fc from 'fast-check';
import { cronCadence } from './cadence.ts';
import { zonedCadence } from './zoned-cadence.ts';

// Zones with every kind of transition: DST by an hour, by 30 minutes (Lord Howe), by 2 hours (Troll), at
// midnight (Santiago, Havana), moved by religious calendars (Casablanca, Gaza), half-hour and 45-minute
// offsets (St Johns, Kathmandu), a day skipped across the date line (Apia, 2011), DST abolished (Tehran).
const zones = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'Antarctica/Troll',
  'America/Santiago',
  'America/Havana',
  'Africa/Casablanca',
  'Asia/Gaza',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Pacific/Apia',
  'Asia/Tehran',
  'Australia/Adelaide',
  'Europe/Dublin',
];
const patterns = [
  '0 2 * * *',
  '30 2 * * *',
  '30 1 * * *',
  '0 0 * * *',
  '45 23 * * *',
  '0 * * * *',
  '*/15 * * * *',
  '*/7 1-3 * * *',
  '0 1-3 * * *',
  '30 2,3 * * 0',
  '0 12 1 * *',
  '0 0 29 2 *',
];

const named = (pattern: string, zone: string): Cron =>
  new Cron(pattern, { timezone: zone, mode: '5-part', fixedTimeRule: 'no-wildcard', domAndDow: false });

const HOUR = 3_600_000;
const from2010 = Date.parse('2010-01-01T00:00:00Z');
const to2032 = Date.parse('2032-01-01T00:00:00Z');

describe('zonedCadence (fixed-offset fast path)', () => {
  it('finds exactly the times croner finds with the zone name', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.constantFrom(...patterns),
        fc.integer({ min: from2010, max: to2032 }),
        fc.integer({ min: 0, max: 40 }),
        (zone, pattern, startMs, steps) => {
          const slow = cronCadence(named(pattern, zone));
          const fast = zonedCadence(pattern, zone, named(pattern, zone));
          // Walk a stretch of consecutive times both ways: walks cross transitions far more often than
          // random instants would.
          let t = startMs;
          for (let i = 0; i <= steps; i += 1) {
            const expected = slow.next(t);
            assert.equal(fast.next(t), expected, `next after ${new Date(t).toISOString()} in ${zone} for "${pattern}"`);
            assert.equal(
              fast.latest(t),
              slow.latest(t),
              `latest at ${new Date(t).toISOString()} in ${zone} for "${pattern}"`,
            );
            if (expected === null) break;
            t = expected + (i % 3 === 0 ? 0 : (i * 7919) % HOUR);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('agrees at and around every transition instant of 2026', () => {
    const transitions: [string, string][] = [
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Europe/Berlin', '2026-03-29T01:00:00Z'],
      ['Europe/Berlin', '2026-10-25T01:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['America/Santiago', '2026-09-06T04:00:00Z'],
      ['America/Santiago', '2026-04-05T03:00:00Z'],
    ];
    for (const [zone, at] of transitions) {
      for (const pattern of patterns) {
        const slow = cronCadence(named(pattern, zone));
        const fast = zonedCadence(pattern, zone, named(pattern, zone));
        for (let delta = -3 * HOUR; delta <= 3 * HOUR; delta += 15 * 60_000) {
          const t = Date.parse(at) + delta;
          assert.equal(fast.next(t), slow.next(t), `next after ${new Date(t).toISOString()} ${zone} "${pattern}"`);
          assert.equal(fast.latest(t), slow.latest(t), `latest at ${new Date(t).toISOString()} ${zone} "${pattern}"`);
        }
      }
    }
  });

  it('keeps period bounds on whole seconds when first asked at an instant with milliseconds', () => {
    // Europe/Paris is asked nowhere else in this file, so its periods are searched from these instants.
    const pattern = '30 2,3 * * 0';
    const slow = cronCadence(named(pattern, 'Europe/Paris'));
    const fast = zonedCadence(pattern, 'Europe/Paris', named(pattern, 'Europe/Paris'));
    const transition = Date.parse('2010-03-28T01:00:00Z');
    for (const t of [transition - 1, transition, transition + 1, transition + 998, transition - 1001]) {
      assert.equal(fast.latest(t), slow.latest(t), `latest at ${new Date(t).toISOString()}`);
      assert.equal(fast.next(t), slow.next(t), `next after ${new Date(t).toISOString()}`);
    }
  });

  it('takes the fast path away from transitions (croner with the zone name is rarely asked)', () => {
    const zoneCron = named('*/15 * * * *', 'Europe/Berlin');
    let slowCalls = 0;
    const nextRun = zoneCron.nextRun.bind(zoneCron);
    zoneCron.nextRun = (reference) => {
      slowCalls += 1;
      return nextRun(reference);
    };
    const fast = zonedCadence('*/15 * * * *', 'Europe/Berlin', zoneCron);
    let t = Date.parse('2026-06-01T00:00:00Z');
    for (let i = 0; i < 500; i += 1) t = fast.next(t) ?? t;
    assert.equal(t, Date.parse('2026-06-01T00:00:00Z') + 500 * 15 * 60_000);
    assert.equal(slowCalls, 0);
  });
});
