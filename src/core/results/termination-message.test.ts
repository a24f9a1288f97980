import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Findings, TopFinding } from '../../api/types.ts';
import type { ScanSummary } from './scan-summary.ts';
import { verdictOf } from './severity.ts';
import {
  decodeTerminationMessage,
  encodeTerminationMessage,
  findingsFromTerminationMessage,
  MAX_TERMINATION_MESSAGE_BYTES,
} from './termination-message.ts';

const findings: Findings = { critical: 2, high: 3, medium: 3, low: 2, info: 0, total: 10 };
const severities: TopFinding['severity'][] = [
  'CRITICAL',
  'CRITICAL',
  'HIGH',
  'HIGH',
  'HIGH',
  'MEDIUM',
  'MEDIUM',
  'MEDIUM',
  'LOW',
  'LOW',
];

function summary(top: TopFinding[]): ScanSummary {
  return {
    version: 1,
    findings,
    tools: ['Trivy'],
    topFindings: top,
    sources: ['trivy.sarif'],
    verdict: verdictOf(findings, 'HIGH'),
  };
}
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('encodeTerminationMessage / decodeTerminationMessage', () => {
  it('round-trips a small summary (sources stay in the pod)', () => {
    const top = [
      {
        id: 'CVE-2024-1',
        severity: 'CRITICAL' as const,
        title: 'openssl',
        location: 'library/alpine:1',
        tool: 'Trivy',
      },
    ];
    assert.deepEqual(decodeTerminationMessage(encodeTerminationMessage(summary(top))), {
      summary: { ...summary(top), sources: [] },
    });
  });

  it('fits 10 findings with 200-character multi-byte titles in 4 KiB, dropping the least severe first', () => {
    const top = severities.map((severity, i) => ({
      id: `CVE-2024-${1000 + i}`,
      severity,
      title: 'é'.repeat(200),
      location: `src/${'ü'.repeat(250)}.go:${i}`,
      tool: 'Trivy',
    }));
    const text = encodeTerminationMessage(summary(top));
    assert.ok(bytes(text) <= MAX_TERMINATION_MESSAGE_BYTES, `${bytes(text)} bytes`);
    const decoded = decodeTerminationMessage(text);
    assert.ok('summary' in decoded, JSON.stringify(decoded));
    const kept = decoded.summary.topFindings;
    assert.ok(kept.length >= 1 && kept.length < 10, `${kept.length} kept`);
    assert.deepEqual(
      kept.map((t) => t.id),
      top.slice(0, kept.length).map((t) => t.id),
    );
    assert.equal(decoded.summary.topFindingsDropped, 10 - kept.length);
    assert.deepEqual(decoded.summary.findings, findings);
    assert.deepEqual(decoded.summary.verdict, { failOn: 'HIGH', atOrAbove: 5, passed: false });
  });

  it('keeps all 10 findings when they fit', () => {
    const top = severities.map((severity, i) => ({ id: `R${i}`, severity, title: 't'.repeat(100), tool: 'x' }));
    const decoded = decodeTerminationMessage(encodeTerminationMessage(summary(top)));
    assert.ok('summary' in decoded);
    assert.equal(decoded.summary.topFindings.length, 10);
    assert.equal(decoded.summary.topFindingsDropped, undefined);
  });

  it('shortens an error to fit and reads it back', () => {
    const text = encodeTerminationMessage({ error: `trivy.sarif: not valid JSON ${'x'.repeat(5000)}` });
    assert.ok(bytes(text) <= MAX_TERMINATION_MESSAGE_BYTES);
    const decoded = decodeTerminationMessage(text);
    assert.ok('error' in decoded && decoded.error.startsWith('trivy.sarif: not valid JSON'));
  });
});

describe('decodeTerminationMessage: untrusted input', () => {
  const good = JSON.parse(encodeTerminationMessage(summary([]))) as Record<string, unknown>;
  const cases: { name: string; message: string | undefined; problem: string }[] = [
    { name: 'no message', message: undefined, problem: 'the scan wrote no termination message' },
    { name: 'not JSON', message: 'Traceback', problem: 'the termination message is not JSON' },
    {
      name: 'over 4 KiB',
      message: `{"findings":{},"pad":"${'x'.repeat(4100)}"}`,
      problem: 'the termination message is longer than 4 KiB',
    },
    {
      name: 'another version',
      message: JSON.stringify({ ...good, version: 2 }),
      problem: 'the termination message has version 2, not 1',
    },
    {
      name: 'an unknown field',
      message: JSON.stringify({ ...good, extra: 1 }),
      problem: 'the termination message has an unknown field "extra"',
    },
    {
      name: 'a missing count',
      message: JSON.stringify({ ...good, findings: { critical: 1, high: 0, medium: 0, low: 0, total: 1 } }),
      problem: 'findings.info is not a non-negative integer',
    },
    {
      name: 'a fractional count',
      message: JSON.stringify({ ...good, findings: { ...findings, high: 1.5 } }),
      problem: 'findings.high is not a non-negative integer',
    },
    {
      name: 'a total below the sum',
      message: JSON.stringify({ ...good, findings: { ...findings, total: 3 } }),
      problem: 'findings.total is 3, less than the sum of the counts (10)',
    },
    {
      name: 'a verdict that contradicts the counts',
      message: JSON.stringify({ ...good, verdict: { failOn: 'HIGH', atOrAbove: 0, passed: true } }),
      problem: 'verdict in the termination message does not match its findings',
    },
    {
      name: 'a lower-case severity in a top finding',
      message: JSON.stringify({ ...good, topFindings: [{ id: 'a', severity: 'high', title: 't' }] }),
      problem: 'topFindings[0].severity is not one of CRITICAL, HIGH, MEDIUM, LOW, INFO',
    },
    {
      name: 'more than 10 top findings',
      message: JSON.stringify({
        ...good,
        topFindings: Array.from({ length: 11 }, () => ({ id: 'a', severity: 'LOW', title: 't' })),
      }),
      problem: 'topFindings has 11 entries, more than 10',
    },
    {
      name: 'an overlong title',
      message: JSON.stringify({ ...good, topFindings: [{ id: 'a', severity: 'LOW', title: 't'.repeat(201) }] }),
      problem: 'topFindings[0].title is longer than 200 characters',
    },
    {
      name: 'tools that are not names',
      message: JSON.stringify({ ...good, tools: [1] }),
      problem: 'tools in the termination message is not a list of at most 20 names',
    },
  ];
  for (const c of cases)
    it(`refuses ${c.name}`, () => assert.deepEqual(decodeTerminationMessage(c.message), { problem: c.problem }));
});

describe('findingsFromTerminationMessage: the seed’s plain {"findings":{...}}', () => {
  it('reads it with a missing count as 0', () => {
    assert.deepEqual(findingsFromTerminationMessage('{"findings":{"high":5}}'), {
      findings: { critical: 0, high: 5, medium: 0, low: 0, info: 0, total: 5 },
    });
  });
  it('refuses a negative count', () => {
    assert.deepEqual(findingsFromTerminationMessage('{"findings":{"critical":-1}}'), {
      problem: 'findings.critical is not a non-negative integer in the termination message',
    });
  });
  it('refuses JSON without findings', () => {
    assert.deepEqual(findingsFromTerminationMessage('{"ok":true}'), {
      problem: 'the termination message has no "findings" object',
    });
  });
  it('reports the report step’s error as unknown findings', () => {
    assert.deepEqual(findingsFromTerminationMessage('{"version":1,"error":"no result files in /results"}'), {
      problem: 'the report step could not read the results: no result files in /results',
    });
  });
  it('reads the counts of a full summary', () => {
    assert.deepEqual(findingsFromTerminationMessage(encodeTerminationMessage(summary([]))), { findings });
  });
});
