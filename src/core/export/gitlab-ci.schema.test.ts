// The gitlab-ci export of every example is valid against GitLab's published CI schema (vendored, offline).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { exampleSchedules, GOLDEN_NOW, ROOT } from '../../../test/golden/export/golden-cases.ts';
import { exportSchedule } from './index.ts';

const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'vendor', 'gitlab-ci-schema', 'gitlab-ci.json'), 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validate = ajv.compile(schema);

describe('export --to gitlab-ci: valid against GitLab CI schema', () => {
  for (const { example, schedule } of exampleSchedules()) {
    for (const utc of [false, true]) {
      it(`${example}${utc ? ' --utc' : ''}`, () => {
        const config = parse(exportSchedule(schedule, 'gitlab-ci', { utc, now: GOLDEN_NOW }).text);
        const valid = validate(config);
        assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
        assert.equal(JSON.stringify(config).includes('"sast"'), false, 'SARIF must not go under reports:sast');
      });
    }
  }
  it('rejects a job the schema does not allow (the check can fail)', () => {
    assert.equal(validate({ scan: { script: ['x'], rules: 'not a list' } }), false);
  });
});
