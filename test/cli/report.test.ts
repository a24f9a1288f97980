// `scanschedule report` as the scan pod's report step runs it: exit codes, output and the termination log.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeTerminationMessage } from '../../src/core/results/termination-message.ts';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join('test', 'fixtures', 'results');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'src', 'cli', 'main.ts'), 'report', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scanschedule report: exit codes', () => {
  const cases: { name: string; args: string[]; status: number }[] = [
    { name: 'no threshold', args: [join(fixtures, 'jmo')], status: 0 },
    { name: 'below the threshold', args: [join(fixtures, 'semgrep'), '--fail-on', 'CRITICAL'], status: 0 },
    { name: 'at the threshold', args: [join(fixtures, 'semgrep'), '--fail-on', 'HIGH'], status: 1 },
    {
      name: 'above the threshold, severity in lower case',
      args: [join(fixtures, 'trivy'), '--fail-on', 'medium'],
      status: 1,
    },
    { name: 'a clean scan at INFO', args: [join(fixtures, 'zero'), '--fail-on', 'INFO'], status: 0 },
    { name: 'a corrupt file', args: [join(fixtures, 'corrupt', 'truncated'), '--fail-on', 'HIGH'], status: 2 },
    { name: 'no result file', args: [join(fixtures, 'empty')], status: 2 },
    { name: 'a missing directory', args: [join(fixtures, 'nope')], status: 2 },
    { name: 'a bad --fail-on', args: [join(fixtures, 'jmo'), '--fail-on', 'SEVERE'], status: 2 },
  ];
  for (const c of cases) {
    it(`exits ${c.status} for ${c.name}`, () => {
      const out = cli(c.args);
      assert.equal(out.status, c.status, out.stdout + out.stderr);
      assert.doesNotMatch(out.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});

describe('scanschedule report: output', () => {
  it('prints counts, tools, top findings and the verdict', () => {
    const out = cli([join(fixtures, 'jmo'), '--fail-on', 'HIGH']);
    assert.match(out.stdout, /^findings: 6 total \(1 critical, 2 high, 1 medium, 1 low, 1 info\)$/m);
    assert.match(out.stdout, /^tools: checkov, gitleaks, hadolint, semgrep, trivy$/m);
    assert.match(
      out.stdout,
      /^ {2}CRITICAL aws-access-token {2}AWS Access Token {2}config\/settings\.py:12 {2}\[gitleaks\]$/m,
    );
    assert.match(out.stdout, /^verdict: failed: 3 findings at or above HIGH$/m);
  });
  it('prints the summary as JSON with -o json', () => {
    const out = cli([join(fixtures, 'grype'), '-o', 'json', '--fail-on', 'CRITICAL']);
    const summary = JSON.parse(out.stdout) as { findings: { total: number }; verdict: { atOrAbove: number } };
    assert.equal(summary.findings.total, 5);
    assert.equal(summary.verdict.atOrAbove, 1);
  });
  it('names the file and what is wrong when it cannot read it', () => {
    const out = cli([join(fixtures, 'corrupt', 'bad-severity')]);
    assert.equal(out.stdout, '');
    assert.match(out.stderr, /^error: summaries\/findings\.json: findings\[1\]\.severity is "SEVERE"/);
  });
  it('names the directory and the expected files when there are none', () => {
    const out = cli([join(fixtures, 'empty')]);
    assert.match(out.stderr, /no result files in test\/fixtures\/results\/empty: expected summaries\/findings\.json/);
  });
});

describe('scanschedule report --termination-log', () => {
  it('writes the summary the controller decodes', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'report-')), 'termination-log');
    const out = cli([join(fixtures, 'codeql'), '--fail-on', 'CRITICAL', '--termination-log', log]);
    assert.equal(out.status, 1);
    const decoded = decodeTerminationMessage(readFileSync(log, 'utf8'));
    assert.ok('summary' in decoded, JSON.stringify(decoded));
    assert.deepEqual(decoded.summary.findings, { critical: 1, high: 2, medium: 1, low: 2, info: 0, total: 6 });
    assert.deepEqual(decoded.summary.verdict, { failOn: 'CRITICAL', atOrAbove: 1, passed: false });
  });
  it('writes the error form when the results cannot be read', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'report-')), 'termination-log');
    const out = cli([join(fixtures, 'corrupt', 'not-jmo'), '--termination-log', log]);
    assert.equal(out.status, 2);
    const decoded = decodeTerminationMessage(readFileSync(log, 'utf8'));
    assert.ok('error' in decoded && decoded.error.startsWith('summaries/findings.json: not JMo findings'));
  });
  it('refuses a symbolic link out of the results directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const outside = join(dir, 'outside.sarif');
    writeFileSync(outside, readFileSync(join(root, fixtures, 'zero', 'trivy.sarif')));
    mkdirSync(join(dir, 'results'));
    symlinkSync(outside, join(dir, 'results', 'linked.sarif'));
    const out = cli([join(dir, 'results')]);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /linked\.sarif: a symbolic link to outside the results directory/);
  });
});
