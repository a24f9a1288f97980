// The published package holds what a user needs: the command (bin/), the CRDs, the manifests to install the
// controller, the examples and docs the README links, and the LICENSE; not the sources' tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { root } from './cli-process.ts';

describe('npm pack', () => {
  // --ignore-scripts: `prepare` would build dist/ into the working tree; the file list does not depend on it.
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const files =
    (JSON.parse(pack.stdout || '[{"files":[]}]') as { files: { path: string; mode: number }[] }[])[0]?.files ?? [];
  const paths = new Set(files.map((f) => f.path));

  it('packs', () => assert.equal(pack.status, 0, pack.stderr));
  const expected = [
    'LICENSE',
    'README.md',
    'bin/scanschedule.js',
    'bin/kubectl-scanschedule.js',
    'manifests/kustomization.yaml',
    'examples/nightly.yaml',
    'docs/design.md',
    'docs/operations.md',
    'docs/troubleshooting.md',
  ];
  for (const path of expected) it(`includes ${path}`, () => assert.ok(paths.has(path), [...paths].join('\n')));
  it('includes the CRDs', () => assert.ok([...paths].some((p) => p.startsWith('crds/'))));
  it('leaves out the sources and tests', () =>
    assert.deepEqual(
      [...paths].filter((p) => p.startsWith('src/') || p.startsWith('test/')),
      [],
    ));
  it('ships the bins executable', () => {
    for (const file of files.filter((f) => f.path.startsWith('bin/')))
      assert.equal(file.mode & 0o111, 0o111, `${file.path} mode ${file.mode.toString(8)}`);
  });
  it('LICENSE is the Apache-2.0 text the package declares', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
    assert.equal(manifest.license, 'Apache-2.0');
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
  });
});
