// Real-shaped result files (test/fixtures/results, shapes sourced in its README) → exact counts and verdicts.
// The fixture texts are loaded once up front; summarizeResults itself sees only { path, text } values.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import type { Findings, Severity } from '../../api/types.ts';
import type { ResultFile } from './scan-summary.ts';
import { summarizeResults } from './summarize-results.ts';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'results');

function fixtureFiles(dir: string): ResultFile[] {
  const root = join(fixtures, dir);
  const walk = (current: string): ResultFile[] =>
    readdirSync(current, { withFileTypes: true }).flatMap((entry) => {
      const full = join(current, entry.name);
      if (entry.isDirectory()) return walk(full);
      return [{ path: relative(root, full).split(sep).join('/'), text: readFileSync(full, 'utf8') }];
    });
  return walk(root);
}

function summaryOf(files: ResultFile[], failOn?: Severity) {
  const result = summarizeResults(files, failOn === undefined ? {} : { failOn });
  assert.ok('summary' in result, 'problem' in result ? result.problem : '');
  return result.summary;
}

const f = (critical: number, high: number, medium: number, low: number, info: number): Findings => ({
  critical,
  high,
  medium,
  low,
  info,
  total: critical + high + medium + low + info,
});

describe('summarizeResults: one fixture per scanner', () => {
  const cases: { dir: string; findings: Findings; tools: string[]; first: { id: string; severity: Severity } }[] = [
    {
      dir: 'jmo',
      findings: f(1, 2, 1, 1, 1),
      tools: ['checkov', 'gitleaks', 'hadolint', 'semgrep', 'trivy'],
      first: { id: 'aws-access-token', severity: 'CRITICAL' },
    },
    {
      dir: 'trivy',
      findings: f(4, 2, 0, 1, 0),
      tools: ['Trivy'],
      first: { id: 'aws-access-key-id', severity: 'CRITICAL' },
    },
    {
      dir: 'grype',
      findings: f(1, 1, 1, 2, 0),
      tools: ['grype'],
      first: { id: 'CVE-2023-38545-curl', severity: 'CRITICAL' },
    },
    {
      dir: 'semgrep',
      findings: f(0, 1, 2, 1, 0),
      tools: ['Semgrep OSS'],
      first: { id: 'python.lang.security.audit.formatted-sql-query.formatted-sql-query', severity: 'HIGH' },
    },
    { dir: 'checkov', findings: f(0, 2, 1, 1, 0), tools: ['Checkov'], first: { id: 'CKV_AWS_18', severity: 'HIGH' } },
    {
      dir: 'codeql',
      findings: f(1, 2, 1, 2, 0),
      tools: ['CodeQL'],
      first: { id: 'js/hardcoded-credentials', severity: 'CRITICAL' },
    },
    { dir: 'custom', findings: f(0, 1, 3, 0, 5), tools: ['zap-baseline'], first: { id: '10038', severity: 'HIGH' } },
    { dir: 'zero', findings: f(0, 0, 0, 0, 0), tools: ['Trivy'], first: { id: '', severity: 'INFO' } },
  ];
  for (const c of cases) {
    it(`counts ${c.dir} exactly`, () => {
      const summary = summaryOf(fixtureFiles(c.dir));
      assert.deepEqual(summary.findings, c.findings);
      assert.deepEqual(summary.tools, c.tools);
      if (c.findings.total === 0) assert.deepEqual(summary.topFindings, []);
      else assert.deepEqual({ id: summary.topFindings[0]?.id, severity: summary.topFindings[0]?.severity }, c.first);
    });
  }

  it('reads JMo findings.json once: its own findings.sarif and raw tool output are not counted again', () => {
    const summary = summaryOf(fixtureFiles('jmo'));
    assert.deepEqual(summary.sources, ['summaries/findings.json']);
  });

  it('shows a JMo finding by rule, title and location', () => {
    const summary = summaryOf(fixtureFiles('jmo'));
    assert.deepEqual(summary.topFindings[1], {
      id: 'python.lang.security.audit.formatted-sql-query.formatted-sql-query',
      severity: 'HIGH',
      title: 'SQL built with string formatting',
      location: 'src/app/db.py:15',
      tool: 'semgrep',
    });
  });

  it('keeps two OS packages Trivy places on the same line apart', () => {
    const summary = summaryOf(fixtureFiles('trivy'));
    const same = summary.topFindings.filter((t) => t.id === 'CVE-2024-5535');
    assert.equal(same.length, 2);
    assert.equal(same[0]?.location, 'library/alpine:1');
  });

  it('skips CodeQL results suppressed in source', () => {
    const summary = summaryOf(fixtureFiles('codeql'));
    assert.equal(summary.topFindings.filter((t) => t.id === 'js/xss').length, 1);
    assert.equal(summary.topFindings.find((t) => t.id === 'js/xss')?.title, 'Client-side cross-site scripting');
  });

  it('adds up several scanners in one directory, sorted most severe first, ties by tool then id', () => {
    const files = ['trivy', 'grype', 'checkov', 'codeql', 'semgrep', 'custom'].flatMap((dir) =>
      fixtureFiles(dir).map((file) => ({ ...file, path: `${dir}/${file.path}` })),
    );
    const summary = summaryOf(files, 'HIGH');
    assert.deepEqual(summary.findings, f(6, 9, 8, 7, 5));
    assert.equal(summary.topFindings.length, 10);
    assert.deepEqual(
      summary.topFindings.slice(0, 7).map((t) => `${t.severity} ${t.tool} ${t.id}`),
      [
        'CRITICAL CodeQL js/hardcoded-credentials',
        'CRITICAL grype CVE-2023-38545-curl',
        'CRITICAL Trivy aws-access-key-id',
        'CRITICAL Trivy CVE-2024-24790',
        'CRITICAL Trivy CVE-2024-5535',
        'CRITICAL Trivy CVE-2024-5535',
        'HIGH Checkov CKV_AWS_18',
      ],
    );
    assert.deepEqual(summary.verdict, { failOn: 'HIGH', atOrAbove: 15, passed: false });
  });
});

describe('summarizeResults: verdicts at every threshold', () => {
  // jmo: 1 critical, 2 high, 1 medium, 1 low, 1 info.
  const cases: { failOn: Severity; atOrAbove: number }[] = [
    { failOn: 'CRITICAL', atOrAbove: 1 },
    { failOn: 'HIGH', atOrAbove: 3 },
    { failOn: 'MEDIUM', atOrAbove: 4 },
    { failOn: 'LOW', atOrAbove: 5 },
    { failOn: 'INFO', atOrAbove: 6 },
  ];
  for (const c of cases) {
    it(`fails at ${c.failOn} with ${c.atOrAbove} findings at or above it`, () => {
      assert.deepEqual(summaryOf(fixtureFiles('jmo'), c.failOn).verdict, { ...c, passed: false });
    });
  }
  it('passes at CRITICAL when the worst finding is high (semgrep)', () => {
    assert.deepEqual(summaryOf(fixtureFiles('semgrep'), 'CRITICAL').verdict, {
      failOn: 'CRITICAL',
      atOrAbove: 0,
      passed: true,
    });
  });
  it('passes a clean scan even at INFO: zero findings are a legitimate result', () => {
    assert.deepEqual(summaryOf(fixtureFiles('zero'), 'INFO').verdict, { failOn: 'INFO', atOrAbove: 0, passed: true });
  });
  it('has no verdict without a threshold', () => assert.equal(summaryOf(fixtureFiles('jmo')).verdict, undefined));
});

describe('summarizeResults: unreadable results are problems, never zeros', () => {
  const cases: { name: string; files: ResultFile[]; problem: RegExp }[] = [
    {
      name: 'a SARIF file cut off while being written',
      files: fixtureFiles('corrupt/truncated'),
      problem: /^trivy\.sarif: not valid JSON \(.+\); the scanner may have been cut off while writing it$/,
    },
    {
      name: 'a findings.json that is not JMo’s',
      files: fixtureFiles('corrupt/not-jmo'),
      problem: /^summaries\/findings\.json: not JMo findings: expected \{"meta": \{\.\.\.\}, "findings": \[\.\.\.\]\}$/,
    },
    {
      name: 'a JMo finding with an unknown severity',
      files: fixtureFiles('corrupt/bad-severity'),
      problem:
        /^summaries\/findings\.json: findings\[1\]\.severity is "SEVERE": expected CRITICAL, HIGH, MEDIUM, LOW or INFO$/,
    },
    {
      name: 'a typo in a custom summary',
      files: fixtureFiles('corrupt/typo-custom'),
      problem: /^scanschedule-summary\.json: findings\.crtical is not a severity/,
    },
    {
      name: 'a SARIF run that says it did not finish',
      files: fixtureFiles('corrupt/failed-run'),
      problem: /^semgrep\.sarif: runs\[0\]: Semgrep OSS reports that it did not finish/,
    },
    {
      name: 'an empty result file',
      files: fixtureFiles('corrupt/empty-file'),
      problem: /^scanschedule-summary\.json: the file is empty$/,
    },
    {
      name: 'SARIF of another version',
      files: [{ path: 'old.sarif', text: '{"version":"1.0.0","runs":[]}' }],
      problem: /^old\.sarif: SARIF version "1\.0\.0": only 2\.1\.0 is read/,
    },
    {
      name: 'JSON that is not SARIF',
      files: [{ path: 'x.sarif.json', text: '{"results":[]}' }],
      problem: /^x\.sarif\.json: not SARIF/,
    },
    {
      name: 'a directory without a recognised file',
      files: fixtureFiles('empty'),
      problem:
        /^no result files in the results directory: expected summaries\/findings\.json, \*\.sarif or scanschedule-summary\.json$/,
    },
    {
      name: 'one bad file among good ones (partial counts could pass a threshold)',
      files: [...fixtureFiles('grype'), ...fixtureFiles('corrupt/truncated')],
      problem: /^trivy\.sarif: not valid JSON/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      const result = summarizeResults(c.files, { failOn: 'HIGH' });
      assert.ok('problem' in result, JSON.stringify(result));
      assert.match(result.problem, c.problem);
    });
  }
  it('names the directory when nothing was found', () => {
    assert.deepEqual(summarizeResults([], { dir: '/results' }), {
      problem: 'no result files in /results: expected summaries/findings.json, *.sarif or scanschedule-summary.json',
    });
  });
});

describe('summarizeResults: JMo shapes', () => {
  const finding = {
    id: 'fp-1',
    ruleId: 'CVE-2024-1',
    severity: 'HIGH',
    tool: 'trivy',
    location: { path: 'go.sum', startLine: 3 },
    message: 'm',
  };
  it('reads the pre-1.0 bare array and a tool given as a string', () => {
    const summary = summaryOf([{ path: 'summaries/findings.json', text: JSON.stringify([finding]) }]);
    assert.deepEqual(summary.findings, f(0, 1, 0, 0, 0));
    assert.deepEqual(summary.tools, ['trivy']);
  });
  it('counts a finding reported twice once', () => {
    const text = JSON.stringify({
      meta: {},
      findings: [finding, finding, { ...finding, id: 'fp-2', location: { path: 'b' } }],
    });
    assert.equal(summaryOf([{ path: 'results/summaries/findings.json', text }]).findings.total, 2);
  });
  it('treats a valid empty list as zero findings', () => {
    assert.deepEqual(
      summaryOf([{ path: 'summaries/findings.json', text: '{"meta":{},"findings":[]}' }]).findings,
      f(0, 0, 0, 0, 0),
    );
  });
  it('ignores a findings.json outside a summaries folder', () => {
    const result = summarizeResults([{ path: 'findings.json', text: JSON.stringify([finding]) }]);
    assert.ok('problem' in result);
  });
});
