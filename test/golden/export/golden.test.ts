// Every example through every export target matches its golden file; `npm run gen:export` rewrites them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { goldenCases, goldenText, ROOT } from './golden-cases.ts';

describe('scanschedule export golden files', () => {
  const cases = goldenCases();
  it('covers every example for all four targets', () => {
    assert.ok(cases.length >= 4 * 12, `only ${cases.length} cases`);
  });
  for (const c of cases) {
    it(`${c.target}: ${c.example} matches ${relative(ROOT, c.file)}`, () => {
      let golden: string;
      try {
        golden = readFileSync(c.file, 'utf8');
      } catch {
        assert.fail(`${relative(ROOT, c.file)} is missing: run npm run gen:export`);
      }
      assert.equal(
        goldenText(c),
        golden,
        'the export drifted from its golden file: run npm run gen:export and review the diff',
      );
    });
  }
});
