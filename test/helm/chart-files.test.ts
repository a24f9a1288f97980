// charts/scanschedule/crds and files/ are generated (scripts/gen-chart.ts): the chart installs the very CRDs,
// RBAC rules, admission policy, user roles, alerts and dashboard that crds/ and manifests/ hold.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CHART_DIR, chartGeneratedFiles } from '../../scripts/gen-chart.ts';

const packageVersion = (
  JSON.parse(readFileSync(join(CHART_DIR, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

describe('charts/scanschedule', () => {
  for (const { path, text } of chartGeneratedFiles()) {
    it(`${path} is exactly what npm run gen writes (run it after changing src/api or manifests/)`, () => {
      assert.equal(readFileSync(join(CHART_DIR, path), 'utf8'), text);
    });
  }

  it('has the package version as version and appVersion, the tag of the image it runs', () => {
    const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };
    assert.equal(chart.version, packageVersion);
    assert.equal(chart.appVersion, packageVersion);
  });
});
