// `validate DIR` on a real GitOps repository: dependencies and files that are not Kubernetes objects are
// skipped (with a note), a tab-indented file is one error, and the usual typos get a "did you mean".
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { runValidate, type ValidateOptions } from '../../src/cli/validate.ts';
import { runCli } from './cli-process.ts';

const text: ValidateOptions = { strict: false, output: 'text', namespace: 'default' };
const noStdin = (): string => '';

function schedule(spec: string, name = 'nightly'): string {
  return `apiVersion: jmo.security/v1alpha1
kind: ScanSchedule
metadata: {name: ${name}}
spec:
  schedule: "0 2 * * *"
${spec}
  jobTemplate: {targets: {repo: /r}}
`;
}

function repository(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scanschedule-repo-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('validate on a repository', () => {
  it('skips node_modules, vendor and .git, and notes files that are not Kubernetes objects', () => {
    const dir = repository({
      'scans/nightly.yaml': schedule('  timezone: Europe/Berlin'),
      'node_modules/x/package.json': '{"name": "x"}',
      'vendor/y/broken.yaml': 'a: [',
      '.git/config.yaml': 'a: [',
      'helm/values.yaml': 'replicaCount: 2\nimage: {tag: latest}\n',
      'package.json': '{"name": "repo", "version": "1.0.0"}',
      '.github/workflows/ci.yml': 'on: push\n',
    });
    const out = runValidate([dir], text, noStdin);
    assert.equal(out.exitCode, 0, out.stdout);
    assert.doesNotMatch(out.stdout, /node_modules|vendor|\.git\//);
    assert.match(out.stdout, /helm\/values\.yaml:1:1 {2}note: skipped: not a Kubernetes object/);
    assert.match(out.stdout, /package\.json:1:1 {2}note: skipped: not a Kubernetes object/);
    assert.match(out.stdout, /ok: 1 object in 3 files valid/);
  });

  it('with --strict a file that is not a Kubernetes object is an error', () => {
    const dir = repository({ 'values.yaml': 'replicaCount: 2\n' });
    const out = runValidate([dir], { ...text, strict: true }, noStdin);
    assert.equal(out.exitCode, 1, out.stdout);
  });

  it('reports a tab-indented file as one error that lists the other lines', () => {
    const dir = repository({ 'tabs.yaml': 'spec:\n\ta: 1\n\tb: 2\n\tc: 3\n' });
    const out = runValidate([dir], text, noStdin);
    const errors = out.stdout.split('\n').filter((line) => line.includes('YAML syntax error'));
    assert.equal(errors.length, 1, out.stdout);
    assert.match(errors[0] ?? '', /tabs\.yaml:2:1 .*\(also on lines 3, 4\)/);
  });

  const suggestions = [
    { spec: '  timeZone: Europe/Berlin', says: 'Did you mean "timezone"?' },
    { spec: '  concurrencyPolicy: forbid', says: 'Did you mean "Forbid"?' },
    { spec: '  timezone: Europe/Berlim', says: 'Did you mean "Europe/Berlin"?' },
    { spec: '  timezone: America/New_Yrok', says: 'Did you mean "America/New_York"?' },
  ];
  for (const c of suggestions) {
    it(`suggests the nearest spelling for "${c.spec.trim()}"`, () => {
      const out = runValidate(['-'], text, () => schedule(c.spec));
      assert.equal(out.exitCode, 1, out.stdout);
      assert.ok(out.stdout.includes(c.says), out.stdout);
    });
  }

  it('suggests nothing for a word far from every choice', () => {
    const out = runValidate(['-'], text, () => schedule('  bananas: 3'));
    assert.doesNotMatch(out.stdout, /Did you mean/);
  });

  const zones = [
    { zone: 'EST', says: 'Use "America/New_York"' },
    { zone: 'US/Eastern', says: 'Use "America/New_York"' },
    { zone: 'PST8PDT', says: 'Use "America/Los_Angeles"' },
    { zone: 'Europe/Kiev', says: 'Use "Europe/Kyiv"' },
  ];
  for (const c of zones) {
    it(`warns that ${c.zone} misleads but passes (exit 0)`, () => {
      const out = runValidate(['-'], text, () => schedule(`  timezone: ${c.zone}`));
      assert.equal(out.exitCode, 0, out.stdout);
      assert.match(out.stdout, /spec\.timezone {2}warning: /);
      assert.ok(out.stdout.includes(c.says), out.stdout);
      assert.match(out.stdout, /ok: 1 object in 1 file valid, 1 warning/);
    });
  }
});

describe('validate exit codes', () => {
  const cases = [
    { name: 'valid files', args: ['validate', 'examples/nightly.yaml'], status: 0 },
    { name: 'an invalid file', args: ['validate', 'test/fixtures/invalid/six-fields.yaml'], status: 1 },
    { name: 'a missing file', args: ['validate', 'no/such/file.yaml'], status: 2 },
    { name: 'an unknown flag', args: ['validate', '--bogus', 'examples/'], status: 2 },
    { name: 'an unknown command', args: ['valdate', 'examples/'], status: 2 },
    { name: 'a bad --output', args: ['validate', '-o', 'xml', 'examples/'], status: 2 },
  ];
  for (const c of cases) {
    it(`exits ${c.status} for ${c.name}`, () => {
      const out = runCli(c.args);
      assert.equal(out.status, c.status, out.stderr);
      assert.doesNotMatch(out.stderr, /\n\s+at /);
    });
  }
});
