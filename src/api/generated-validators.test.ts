import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GENERATED_VALIDATORS, renderValidators } from '../../scripts/gen-validators.ts';

/** The first line where two texts differ, for a failure message that fits on a screen (the file is ~200 KB). */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((text, index) => text !== e[index]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: has ${JSON.stringify(a[at]?.slice(0, 200))}, npm run gen writes ${JSON.stringify(e[at]?.slice(0, 200))}`;
}

describe('generated validators', () => {
  it('src/api/generated/validators.ts is exactly what npm run gen writes (run it after changing src/api)', () => {
    const onDisk = readFileSync(GENERATED_VALIDATORS, 'utf8');
    const expected = renderValidators();
    assert.ok(onDisk === expected, firstDifference(onDisk, expected));
  });
});
