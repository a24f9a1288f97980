// Rewrites test/golden/export/<target>/<example>.<ext> from the current generators (npm run gen:export).
// test/golden/export/golden.test.ts fails when the files and the generators drift apart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { GOLDEN_DIR, goldenCases, goldenText, ROOT } from '../test/golden/export/golden-cases.ts';

let written = 0;
for (const c of goldenCases()) {
  mkdirSync(dirname(c.file), { recursive: true });
  writeFileSync(c.file, goldenText(c));
  written++;
}
process.stdout.write(`wrote ${written} files under ${relative(ROOT, GOLDEN_DIR)}\n`);
