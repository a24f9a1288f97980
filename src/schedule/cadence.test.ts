import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Cadence, CadenceMemo, cronCadence, rememberedCadence } from './cadence.ts';
import { zonedCron } from './cron.ts';
import { compileTiming } from './timing.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** A cadence over a fixed list of occurrences, counting the questions it is asked. */
function listCadence(occurrences: readonly number[]): Cadence & { asked: number } {
  const sorted = [...occurrences].sort((a, b) => a - b);
  const counted = {
    asked: 0,
    next(afterMs: number) {
      counted.asked += 1;
      return sorted.find((t) => t > afterMs) ?? null;
    },
    latest(atOrBeforeMs: number) {
      counted.asked += 1;
      return sorted.findLast((t) => t <= atOrBeforeMs) ?? null;
    },
  };
  return counted;
}

/** A fixed sequence of pseudo-random numbers in [0, 1), so the questions are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const occurrenceLists: [string, number[]][] = [
  ['hourly', Array.from({ length: 48 }, (_, i) => T0 + i * HOUR)],
  ['uneven gaps', [T0, T0 + MINUTE, T0 + 3 * HOUR, T0 + 3 * HOUR + 1000, T0 + 2 * DAY, T0 + 9 * DAY]],
  ['one occurrence', [T0 + DAY]],
  ['none', []],
];

describe('rememberedCadence', () => {
  for (const [name, occurrences] of occurrenceLists) {
    it(`answers exactly as the cadence it remembers (${name}), whatever the order of the questions`, () => {
      const truth = listCadence(occurrences);
      const memo = new CadenceMemo();
      const random = seeded(occurrences.length + 7);
      // Questions on, just before and just after occurrences and anywhere between, as reconciles of one
      // schedule (and of several sharing a timing) ask them, with a new Cadence every few questions.
      const near = [T0 - DAY, ...occurrences, T0 + 10 * DAY];
      let cadence = rememberedCadence(memo, () => listCadence(occurrences));
      for (let i = 0; i < 4000; i += 1) {
        if (i % 3 === 0) cadence = rememberedCadence(memo, () => listCadence(occurrences));
        const base = near[Math.floor(random() * near.length)] ?? T0;
        const offsets = [-1000, -1, 0, 1, 999, Math.floor(random() * 2 * HOUR)];
        const at = base + (offsets[Math.floor(random() * offsets.length)] ?? 0);
        if (random() < 0.5) assert.equal(cadence.next(at), truth.next(at), `next after ${at - T0}`);
        else assert.equal(cadence.latest(at), truth.latest(at), `latest at ${at - T0}`);
      }
    });
  }

  const hourly = occurrenceLists[0]?.[1] ?? [];
  const asked: [string, (cadence: Cadence) => void, number][] = [
    [
      'asks once for the reconciles of one gap: next after the last scheduled time, then after now',
      (cadence) => {
        cadence.next(T0);
        cadence.next(T0 + 20 * MINUTE);
        cadence.next(T0 + HOUR - 1);
      },
      1,
    ],
    [
      'asks again at the end of the gap (the next occurrence is not after itself)',
      (cadence) => {
        cadence.next(T0);
        cadence.next(T0 + HOUR);
      },
      2,
    ],
    [
      'widens a gap asked from further back, so both starting points are answered',
      (cadence) => {
        cadence.next(T0 + 30 * MINUTE);
        cadence.next(T0 + 10 * MINUTE);
        cadence.next(T0 + 30 * MINUTE);
        cadence.next(T0 + 20 * MINUTE);
      },
      2,
    ],
    [
      'keeps both gaps around an occurrence, as schedules sharing a timing ask about both sides in turn',
      (cadence) => {
        for (let schedule = 0; schedule < 5; schedule += 1) {
          cadence.next(T0 + HOUR - 10 * MINUTE + schedule);
          cadence.next(T0 + HOUR);
          cadence.next(T0 + HOUR + schedule * MINUTE);
        }
      },
      2,
    ],
    [
      'forgets the older of two gaps when a third is asked about',
      (cadence) => {
        cadence.next(T0);
        cadence.next(T0 + HOUR);
        cadence.next(T0 + 2 * HOUR);
        cadence.next(T0 + HOUR + MINUTE);
        cadence.next(T0 + MINUTE);
      },
      4,
    ],
    [
      'answers latest up to the latest instant asked, from the occurrence on',
      (cadence) => {
        cadence.latest(T0 + 40 * MINUTE);
        cadence.latest(T0);
        cadence.latest(T0 + 20 * MINUTE);
        cadence.latest(T0 + 50 * MINUTE);
        cadence.latest(T0 + 45 * MINUTE);
      },
      2,
    ],
    [
      'asks again before the occurrence latest found',
      (cadence) => {
        cadence.latest(T0 + HOUR + 1);
        cadence.latest(T0 + HOUR - 1);
      },
      2,
    ],
    [
      'keeps what next and latest proved apart',
      (cadence) => {
        cadence.next(T0);
        cadence.latest(T0 + 30 * MINUTE);
        cadence.next(T0 + 30 * MINUTE);
        cadence.latest(T0 + 20 * MINUTE);
      },
      2,
    ],
  ];
  for (const [behaviour, ask, expected] of asked) {
    it(behaviour, () => {
      const memo = new CadenceMemo();
      const inner = listCadence(hourly);
      // A new Cadence for each question, as each reconcile reads timing.cadence anew.
      ask({
        next: (afterMs) => rememberedCadence(memo, () => inner).next(afterMs),
        latest: (atOrBeforeMs) => rememberedCadence(memo, () => inner).latest(atOrBeforeMs),
      });
      assert.equal(inner.asked, expected);
    });
  }

  it('builds the cadence on the first question it cannot answer, once, and not at all when none', () => {
    const memo = new CadenceMemo();
    let builds = 0;
    const build = (): Cadence => {
      builds += 1;
      return listCadence(hourly);
    };
    const first = rememberedCadence(memo, build);
    assert.equal(builds, 0);
    first.next(T0);
    first.next(T0 + 2 * HOUR);
    first.latest(T0 + 5 * HOUR);
    assert.equal(builds, 1);
    rememberedCadence(memo, build).next(T0 + 2 * HOUR + 1);
    assert.equal(builds, 1);
  });
});

describe("a cron timing's cadence", () => {
  // Both sides of the 2026 transitions, where the fast path hands over to croner with the zone name.
  const cases: [string, string, string, string][] = [
    ['30 2 * * *', 'Europe/Berlin', '30 2 * * *', '2026-03-28T00:00:00Z'],
    ['30 2 * * *', 'Europe/Berlin', '30 2 * * *', '2026-10-24T00:00:00Z'],
    ['*/30 * * * *', 'America/New_York', '*/30 * * * *', '2026-03-08T04:00:00Z'],
    ['0 1,13 * * 0', 'America/New_York', '0 1,13 * * 0', '2026-10-31T12:00:00Z'],
    ['15 3 * * *', 'UTC', '15 3 * * *', '2026-03-28T00:00:00Z'],
  ];
  for (const [schedule, timezone, croner, from] of cases) {
    it(`gives croner's times for "${schedule}" in ${timezone} when read anew for each question (${from})`, () => {
      const { timing } = compileTiming({ schedule, timezone });
      assert.ok(timing?.kind === 'cron');
      const slow = cronCadence(zonedCron(croner, timezone));
      const start = Date.parse(from);
      const random = seeded(start / 1000);
      for (let i = 0; i < 300; i += 1) {
        const at = start + Math.floor(random() * 3 * DAY);
        assert.equal(timing.cadence.next(at), slow.next(at), `next after ${new Date(at).toISOString()}`);
        assert.equal(timing.cadence.latest(at), slow.latest(at), `latest at ${new Date(at).toISOString()}`);
      }
    });
  }
});
