// Regenerates crds/*.yaml from src/api/schema.ts, the chart's copies (gen-chart.ts) and the offline validators
// (gen-validators.ts), on npm run gen. crds.test.ts, test/helm/chart-files.test.ts and
// generated-validators.test.ts fail when they drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CRD_FILES, renderCrd, renderCrdKustomization } from '../src/api/crds.ts';
import { CHART_DIR, chartGeneratedFiles } from './gen-chart.ts';
import { GENERATED_VALIDATORS, renderValidators } from './gen-validators.ts';

const dir = join(import.meta.dirname, '..', 'crds');
mkdirSync(dir, { recursive: true });
for (const { file, crd } of CRD_FILES) {
  writeFileSync(join(dir, file), renderCrd(crd));
  console.log(`wrote crds/${file}`);
}
writeFileSync(join(dir, 'kustomization.yaml'), renderCrdKustomization());
console.log('wrote crds/kustomization.yaml');
for (const { path, text } of chartGeneratedFiles()) {
  mkdirSync(dirname(join(CHART_DIR, path)), { recursive: true });
  writeFileSync(join(CHART_DIR, path), text);
  console.log(`wrote charts/scanschedule/${path}`);
}
writeFileSync(GENERATED_VALIDATORS, renderValidators());
console.log('wrote src/api/generated/validators.ts');
