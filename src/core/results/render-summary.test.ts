import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSummaryText } from './render-summary.ts';

describe('renderSummaryText', () => {
  it('shows counts, tools, top findings and the verdict', () => {
    const text = renderSummaryText({
      version: 1,
      findings: { critical: 1, high: 0, medium: 0, low: 1, info: 0, total: 2 },
      tools: ['Trivy'],
      topFindings: [{ id: 'CVE-1', severity: 'CRITICAL', title: 'openssl', location: 'a:1', tool: 'Trivy' }],
      sources: ['trivy.sarif'],
      verdict: { failOn: 'HIGH', atOrAbove: 1, passed: false },
    });
    assert.equal(
      text,
      [
        'findings: 2 total (1 critical, 0 high, 0 medium, 1 low, 0 info)',
        'tools: Trivy',
        'top findings:',
        '  CRITICAL CVE-1  openssl  a:1  [Trivy]',
        '  … and 1 more',
        'verdict: failed: 1 finding at or above HIGH',
        'read: trivy.sarif',
        '',
      ].join('\n'),
    );
  });
});
