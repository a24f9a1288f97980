import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderObjects } from './output-format.ts';

const object = {
  apiVersion: 'jmo.security/v1alpha1',
  kind: 'ScanSchedule',
  metadata: { name: 'a', managedFields: [{ manager: 'kubectl', operation: 'Apply' }] },
  spec: { schedule: '@daily' },
};

describe('renderObjects', () => {
  for (const format of ['yaml', 'json'] as const) {
    it(`-o ${format} leaves out managedFields, one object or a List`, () => {
      for (const single of [true, false]) {
        const out = renderObjects([object], format, single);
        assert.doesNotMatch(out, /managedFields|manager/);
        assert.match(out, /@daily/);
      }
    });
  }
  it('leaves the caller’s object as it was', () => {
    renderObjects([object], 'json', true);
    assert.equal(object.metadata.managedFields.length, 1);
  });
});
