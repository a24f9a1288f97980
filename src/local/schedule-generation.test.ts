import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aSchedule, instants } from '../testing/builders.ts';
import { storedVersionOf } from './schedule-generation.ts';

describe('storedVersionOf: a file edit as the API server would see it', () => {
  const fromFile = aSchedule({ metadata: { uid: 'ignored', generation: 7, creationTimestamp: undefined } });

  it('a new schedule is generation 1, created now, with no uid (ownership by label)', () => {
    const stored = storedVersionOf(fromFile, undefined, instants.topOfTheHour);
    assert.equal(stored.metadata.generation, 1);
    assert.equal(stored.metadata.creationTimestamp, '2016-05-19T10:00:00Z');
    assert.equal(stored.metadata.uid, undefined);
  });

  it('an unchanged spec keeps the generation, creation time and status', () => {
    const first = { ...storedVersionOf(fromFile, undefined, instants.justBeforeTheHour), status: { active: 1 } };
    const again = storedVersionOf(fromFile, first, instants.topOfTheHour);
    assert.equal(again.metadata.generation, 1);
    assert.equal(again.metadata.creationTimestamp, first.metadata.creationTimestamp);
    assert.deepEqual(again.status, { active: 1 });
  });

  it('a spec edit is the next generation', () => {
    const first = storedVersionOf(fromFile, undefined, instants.justBeforeTheHour);
    const edited = aSchedule({ spec: { suspend: true } });
    assert.equal(storedVersionOf(edited, first, instants.topOfTheHour).metadata.generation, 2);
  });
});
