// Regenerates crds/*.yaml from src/api/schema.ts (npm run gen). crds.test.ts fails when they drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRD_FILES, renderCrd, renderCrdKustomization } from '../src/api/crds.ts';

const dir = join(import.meta.dirname, '..', 'crds');
mkdirSync(dir, { recursive: true });
for (const { file, crd } of CRD_FILES) {
  writeFileSync(join(dir, file), renderCrd(crd));
  console.log(`wrote crds/${file}`);
}
writeFileSync(join(dir, 'kustomization.yaml'), renderCrdKustomization());
console.log('wrote crds/kustomization.yaml');
