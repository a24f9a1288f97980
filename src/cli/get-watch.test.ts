import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanSchedule } from '../api/types.ts';
import { changedSince } from './get-watch.ts';

const schedule = (name: string, resourceVersion: string): ScanSchedule =>
  ({ metadata: { namespace: 'ns', name, resourceVersion }, spec: { schedule: '@daily' } }) as ScanSchedule;

describe('get -w: changedSince', () => {
  it('prints every schedule first, then only those whose resourceVersion moved', () => {
    const seen = new Map<string, string>();
    assert.deepEqual(
      changedSince(seen, [schedule('a', '1'), schedule('b', '1')]).map((s) => s.metadata.name),
      ['a', 'b'],
    );
    assert.deepEqual(
      changedSince(seen, [schedule('a', '1'), schedule('b', '2')]).map((s) => s.metadata.name),
      ['b'],
    );
    assert.deepEqual(changedSince(seen, [schedule('a', '1'), schedule('b', '2')]), []);
  });
});
