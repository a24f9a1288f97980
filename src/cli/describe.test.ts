import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanRun } from '../api/types.ts';
import { renderLastRun } from './describe.ts';

function aFinishedRun(status: ScanRun['status']): ScanRun {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: { name: 'nightly-29650920', namespace: 'security' },
    spec: {
      scheduleRef: { name: 'nightly' },
      scheduledTime: '2026-05-19T00:00:00Z',
      trigger: 'schedule',
      jobTemplate: { targets: { repo: '/src' } },
    },
    status,
  };
}

describe('renderLastRun', () => {
  it('shows the verdict, the counts, the top findings and each channel’s delivery', () => {
    const text = renderLastRun(
      aFinishedRun({
        phase: 'Failed',
        reason: 'FindingsAboveThreshold',
        message: '2 findings at or above HIGH: 3 findings (2 high, 1 low)',
        findings: { critical: 0, high: 2, medium: 0, low: 1, info: 0, total: 3 },
        tools: ['Trivy'],
        topFindings: [{ id: 'CVE-2024-0001', severity: 'HIGH', title: 'openssl: bad thing', location: 'lib/ssl.so' }],
        notifications: [{ channel: 0, type: 'slack', state: 'Failed', attempts: 5, lastError: 'connection refused' }],
      }),
    );
    assert.match(text, /Verdict: +Failed \(FindingsAboveThreshold\): 2 findings at or above HIGH/);
    assert.match(text, /Findings: +0 critical, 2 high, 0 medium, 1 low, 0 info \(3 total\)/);
    assert.match(text, /Tools: +Trivy/);
    assert.match(text, /HIGH +CVE-2024-0001 +openssl: bad thing +lib\/ssl\.so/);
    assert.match(text, /0 +slack +Failed +5 +connection refused/);
  });

  it('says the findings are unknown for a failed scan, never zeros', () => {
    const text = renderLastRun(aFinishedRun({ phase: 'Failed', reason: 'ScanFailed', message: 'exit 1' }));
    assert.match(text, /Findings: +unknown/);
    assert.doesNotMatch(text, /Top Findings/);
  });
});
