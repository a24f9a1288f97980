import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StringPool } from './string-pool.ts';

// JavaScript cannot tell two equal strings apart, so these pin what the pool holds (and so keeps shared), not
// which copy it returns.
describe('StringPool', () => {
  it('holds one entry per distinct value, however often it is seen', () => {
    const pool = new StringPool();
    for (let i = 0; i < 100; i++) pool.intern(['jmo.security/v1alpha1', 'ScanRun'][i % 2] as string);
    assert.equal(pool.size, 2);
    assert.equal(pool.has('ScanRun'), true);
  });

  it('pools every string of a JSON object in place, nested objects and arrays included, and changes no value', () => {
    const pool = new StringPool();
    const run = JSON.parse(
      '{"apiVersion":"jmo.security/v1alpha1","metadata":{"name":"a","labels":{"x":"y"},"managedFields":null},' +
        '"spec":{"targets":["repo","repo"],"retries":2,"suspend":false}}',
    );
    assert.equal(pool.internAll(run), run);
    assert.deepEqual(run, {
      apiVersion: 'jmo.security/v1alpha1',
      metadata: { name: 'a', labels: { x: 'y' }, managedFields: null },
      spec: { targets: ['repo', 'repo'], retries: 2, suspend: false },
    });
    assert.deepEqual(
      ['jmo.security/v1alpha1', 'a', 'y', 'repo'].map((v) => pool.has(v)),
      [true, true, true, true],
    );
    assert.equal(pool.size, 4); // keys, numbers, booleans and null are not pooled
  });

  it('leaves what is not plain JSON data alone', () => {
    const pool = new StringPool();
    const when = new Date('2026-12-02T00:00:00Z');
    const object = { when, pruned: undefined };
    pool.internAll(object);
    assert.equal(object.when, when);
    assert.equal(Object.hasOwn(object, 'pruned'), true);
    assert.equal(pool.size, 0);
  });

  const cases: { name: string; capacity: number; values: string[]; held: string[]; gone: string[] }[] = [
    {
      name: 'holds two generations at most: values not seen for a whole generation drop out',
      capacity: 3,
      values: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      held: ['d', 'e', 'f', 'g'],
      gone: ['a', 'b', 'c'],
    },
    {
      name: 'a value seen in every generation never drops out',
      capacity: 2,
      values: ['hot', 'a', 'b', 'hot', 'c', 'd', 'hot', 'e'],
      held: ['hot', 'e'],
      gone: ['a', 'b'],
    },
    {
      name: 'long strings pass through, not pooled',
      capacity: 10,
      values: ['x'.repeat(129), 'x'.repeat(128)],
      held: ['x'.repeat(128)],
      gone: ['x'.repeat(129)],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const pool = new StringPool(c.capacity);
      for (const value of c.values) pool.intern(value);
      assert.deepEqual(
        c.held.map((v) => pool.has(v)),
        c.held.map(() => true),
      );
      assert.deepEqual(
        c.gone.map((v) => pool.has(v)),
        c.gone.map(() => false),
      );
      assert.ok(pool.size <= 2 * c.capacity);
    });
  }

  it('rejects a capacity that is not a positive integer', () => {
    assert.throws(() => new StringPool(0), RangeError);
    assert.throws(() => new StringPool(1.5), RangeError);
  });
});
