// `scanschedule validate` over the shipped examples and one fixture per mistake users really make.
// Each fixture states its expectation in its header (`# validate: <text the output must contain>`) and marks
// the offending line with `# <- mistake`, so adding a fixture adds a test case.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runValidate, type ValidateOptions } from '../../src/cli/validate.ts';

const root = join(import.meta.dirname, '..', '..');
const fixturesDir = join(root, 'test', 'fixtures', 'invalid');
const examplesDir = join(root, 'examples');
const text: ValidateOptions = { strict: false, output: 'text', namespace: 'default' };
const noStdin = (): string => {
  throw new Error('stdin not expected');
};

interface Fixture {
  file: string;
  expect: string;
  line: number;
}

function fixtureExpectations(file: string): Fixture {
  const content = readFileSync(join(fixturesDir, file), 'utf8');
  // A truly empty file cannot carry a header.
  if (content === '') return { file, expect: 'the file is empty', line: 1 };
  const expect = /^# validate: (.+)$/m.exec(content)?.[1];
  assert.ok(expect, `${file} has no "# validate:" header`);
  const markerLine = content.split('\n').findIndex((line) => line.includes('# <- mistake'));
  return { file, expect, line: markerLine === -1 ? 1 : markerLine + 1 };
}

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: root,
    input,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('validate: invalid fixtures', () => {
  const fixtures = readdirSync(fixturesDir).filter((f) => /\.ya?ml$/.test(f));
  it('has a fixture for each mistake', () => assert.ok(fixtures.length >= 20, `only ${fixtures.length} fixtures`));
  for (const fixture of fixtures.map(fixtureExpectations)) {
    it(`rejects ${fixture.file} at line ${fixture.line}: ${fixture.expect}`, () => {
      const path = join('test', 'fixtures', 'invalid', fixture.file);
      const out = runValidate([join(root, path)], text, noStdin);
      assert.equal(out.exitCode, 1, out.stdout);
      const hit = out.stdout.split('\n').find((line) => line.includes(fixture.expect));
      assert.ok(hit, `expected "${fixture.expect}" in:\n${out.stdout}`);
      assert.match(hit, new RegExp(`${fixture.file.replace('.', '\\.')}:${fixture.line}:\\d+ `), hit);
    });
  }
});

describe('validate: examples', () => {
  it('accepts every example', () => {
    const out = runValidate([examplesDir], text, noStdin);
    assert.equal(out.exitCode, 0, out.stdout);
    assert.match(out.stdout, /^ok: \d+ objects in \d+ files valid$/m);
  });
  it('notes the Secret next to a schedule and skips it', () => {
    const out = runValidate([join(examplesDir, 'slack-from-secret.yaml')], text, noStdin);
    assert.equal(out.exitCode, 0);
    assert.match(out.stdout, /slack-from-secret\.yaml:\d+:\d+ {2}kind {2}note: skipped v1 Secret: not a ScanSchedule/);
  });
  it('fails on the Secret with --strict', () => {
    const out = runValidate([join(examplesDir, 'slack-from-secret.yaml')], { ...text, strict: true }, noStdin);
    assert.equal(out.exitCode, 1);
  });
});

describe('validate: the command', () => {
  it('exits 0 on examples/ as a user runs it', () => {
    const out = cli(['validate', 'examples/']);
    assert.equal(out.status, 0, out.stdout + out.stderr);
  });
  it('reads stdin for -', () => {
    const out = cli(['validate', '-'], readFileSync(join(fixturesDir, 'six-fields.yaml'), 'utf8'));
    assert.equal(out.status, 1);
    assert.match(out.stdout, /^<stdin>:\d+:\d+ {2}spec\.schedule {2}/m);
  });
  it('prints JSON findings with --output json', () => {
    const out = cli(['validate', '-o', 'json', 'test/fixtures/invalid/negative-history-limit.yaml']);
    assert.equal(out.status, 1);
    const body = JSON.parse(out.stdout) as { valid: boolean; findings: { path: string; line: number }[] };
    assert.equal(body.valid, false);
    assert.deepEqual(
      body.findings.map((f) => [f.path, f.line]),
      [['spec.successfulJobsHistoryLimit', 10]],
    );
  });
  it('names a missing path and exits 2 without a stack trace', () => {
    const out = cli(['validate', 'no/such/file.yaml']);
    assert.equal(out.status, 2);
    assert.equal(out.stderr, 'error: no/such/file.yaml: no such file or folder\n');
  });
});
