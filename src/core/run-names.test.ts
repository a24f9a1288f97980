// Run names: what each kind of run is called, that they fit a Job name (63 characters), and that sorting a
// schedule's run names as strings (kubectl's order) sorts them in time order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { legacyScheduledRunName, manualRunName, scheduledRunName } from './run-names.ts';

const T = Date.parse('2026-05-19T02:00:00Z'); // unix seconds 1779156000
const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]';
const LONGEST_SCHEDULE = 'a'.repeat(52); // the CEL rule's limit

describe('scheduledRunName', () => {
  const cases: { name: string; scheduledMs: number; expected: string }[] = [
    { name: 'names a time on the whole minute by its unix seconds', scheduledMs: T, expected: 'nightly-1779156000' },
    {
      name: 'names a time off the whole minute by its unix seconds',
      scheduledMs: T + 20_000,
      expected: 'nightly-1779156020',
    },
    { name: 'drops the milliseconds of the nominal time', scheduledMs: T + 999, expected: 'nightly-1779156000' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(scheduledRunName('nightly', c.scheduledMs), c.expected));

  it('fits 63 characters for a 52-character schedule name until 2286', () => {
    assert.equal(scheduledRunName(LONGEST_SCHEDULE, T).length, 63);
    assert.equal(scheduledRunName(LONGEST_SCHEDULE, Date.parse('2286-11-20T17:46:39Z')).length, 63);
  });
});

describe('legacyScheduledRunName (recognising runs created before the upgrade)', () => {
  const cases: { name: string; scheduledMs: number; expected: string }[] = [
    { name: 'was unix minutes on the whole minute', scheduledMs: T, expected: 'nightly-29652600' },
    { name: 'was unix seconds off the whole minute', scheduledMs: T + 20_000, expected: 'nightly-1779156020' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(legacyScheduledRunName('nightly', c.scheduledMs), c.expected));
});

describe('manualRunName', () => {
  const cases: { name: string; schedule?: string; token: string; expected: RegExp }[] = [
    {
      name: 'names a trigger token (toISOString + hex) by the unix seconds of its time, m and 2 characters',
      token: '2026-05-19T02:00:00.123Z-a1b2c3',
      expected: new RegExp(`^nightly-1779156000m${SUFFIX}{2}$`),
    },
    {
      name: 'reads an RFC 3339 time with an offset',
      token: '2026-05-19T04:00:00+02:00',
      expected: new RegExp(`^nightly-1779156000m${SUFFIX}{2}$`),
    },
    {
      name: 'reads lower-case t and z, which RFC 3339 allows',
      token: '2026-05-19t02:00:00z',
      expected: new RegExp(`^nightly-1779156000m${SUFFIX}{2}$`),
    },
    {
      name: 'cuts the schedule name to 49 characters for a timed token, so the name is 63',
      schedule: LONGEST_SCHEDULE,
      token: '2026-05-19T02:00:00.123Z-a1b2c3',
      expected: new RegExp(`^a{49}-1779156000m${SUFFIX}{2}$`),
    },
    {
      name: 'keeps the -manual- form for a hand-written token that names no time',
      token: '1716084000',
      expected: new RegExp(`^nightly-manual-${SUFFIX}{5}$`),
    },
    {
      name: 'keeps the -manual- form for a date that does not exist',
      token: '2026-02-30T02:00:00Z',
      expected: new RegExp(`^nightly-manual-${SUFFIX}{5}$`),
    },
    {
      name: 'keeps the -manual- form for a time whose unix seconds are not 10 digits',
      token: '1999-01-01T00:00:00Z',
      expected: new RegExp(`^nightly-manual-${SUFFIX}{5}$`),
    },
    {
      name: 'cuts the schedule name to 50 characters for the -manual- form, so the name is 63',
      schedule: LONGEST_SCHEDULE,
      token: 'token',
      expected: new RegExp(`^a{50}-manual-${SUFFIX}{5}$`),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const name = manualRunName(c.schedule ?? 'nightly', c.token);
      assert.match(name, c.expected);
      assert.ok(name.length <= 63, name);
    });
  }

  it('is the same name for the same token (a retried create gets AlreadyExists, never a second run)', () => {
    const token = '2026-05-19T02:00:00.123Z-a1b2c3';
    assert.equal(manualRunName('nightly', token), manualRunName('nightly', token));
  });

  it('tells apart two triggers in the same second by the token', () => {
    const names = new Set(
      ['a1b2c3', 'd4e5f6', '0789ab', 'cdef01'].map((hex) => manualRunName('nightly', `2026-05-19T02:00:00.5Z-${hex}`)),
    );
    assert.equal(names.size, 4);
  });
});

describe('run names sort in time order as strings', () => {
  it('orders scheduled and triggered runs of a schedule by their times, a manual run after the scheduled run of its second', () => {
    const at = (offsetSeconds: number): number => T + offsetSeconds * 1000;
    const trigger = (offsetSeconds: number): string =>
      manualRunName('nightly', `${new Date(at(offsetSeconds) + 250).toISOString()}-a1b2c3`);
    const inTimeOrder = [
      scheduledRunName('nightly', at(-60)),
      trigger(-59),
      scheduledRunName('nightly', at(-40)),
      scheduledRunName('nightly', at(0)),
      trigger(0),
      scheduledRunName('nightly', at(1)),
      trigger(90),
      scheduledRunName('nightly', at(3600)),
    ];
    assert.deepEqual([...inTimeOrder].sort(), inTimeOrder);
    for (const name of inTimeOrder) assert.match(name, new RegExp(`^nightly-\\d{10}(m${SUFFIX}{2})?$`));
  });
});
