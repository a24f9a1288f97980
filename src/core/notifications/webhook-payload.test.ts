import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanRun, ScanRunStatus } from '../../api/types.ts';
import { webhookPayload } from './webhook-payload.ts';

function aRun(status: ScanRunStatus | undefined): ScanRun {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: { name: 'nightly-29617440', namespace: 'security', uid: '5f0c7e52-4e0b-4a51-9d43-1b2f3c4d5e6f' },
    spec: {
      scheduleRef: { name: 'nightly' },
      scheduledTime: '2026-05-19T02:00:00Z',
      trigger: 'schedule',
      jobTemplate: { targets: { repo: '/r' }, options: { fail_on: 'HIGH' } },
    },
    ...(status && { status }),
  };
}

describe('webhookPayload', () => {
  it('states the run, its verdict, findings, top findings and tools in version 1', () =>
    assert.deepEqual(
      webhookPayload(
        aRun({
          phase: 'Failed',
          reason: 'FindingsAboveThreshold',
          message: '1 finding at or above HIGH',
          startTime: '2026-05-19T02:00:03Z',
          completionTime: '2026-05-19T02:04:15Z',
          findings: { critical: 0, high: 1, medium: 2, low: 0, info: 0, total: 3 },
          topFindings: [
            { id: 'CVE-2026-0001', severity: 'HIGH', title: 'openssl: overflow', location: 'go.sum', tool: 'trivy' },
            { id: 'G101', severity: 'MEDIUM', title: 'hard-coded credential' },
          ],
          tools: ['trivy', 'gosec'],
        }),
        'thresholdExceeded',
      ),
      {
        apiVersion: 'jmo.security/v1alpha1',
        kind: 'ScanRunNotification',
        version: 1,
        event: 'thresholdExceeded',
        schedule: { namespace: 'security', name: 'nightly' },
        run: {
          name: 'nightly-29617440',
          uid: '5f0c7e52-4e0b-4a51-9d43-1b2f3c4d5e6f',
          trigger: 'schedule',
          scheduledTime: '2026-05-19T02:00:00Z',
          phase: 'Failed',
          reason: 'FindingsAboveThreshold',
          message: '1 finding at or above HIGH',
          startTime: '2026-05-19T02:00:03Z',
          completionTime: '2026-05-19T02:04:15Z',
          durationSeconds: 252,
        },
        failOn: 'HIGH',
        findings: { critical: 0, high: 1, medium: 2, low: 0, info: 0, total: 3 },
        topFindings: [
          { id: 'CVE-2026-0001', severity: 'HIGH', title: 'openssl: overflow', location: 'go.sum', tool: 'trivy' },
          { id: 'G101', severity: 'MEDIUM', title: 'hard-coded credential', location: null, tool: null },
        ],
        tools: ['trivy', 'gosec'],
      },
    ));

  it('says null for unknown findings, never zeros, and keeps every key', () => {
    const payload = webhookPayload(aRun({ phase: 'Failed', reason: 'ScanFailed' }), 'failure');
    assert.equal(payload.findings, null);
    assert.deepEqual(payload.topFindings, []);
    assert.deepEqual(payload.tools, []);
    assert.deepEqual(
      Object.entries(payload.run)
        .filter(([, v]) => v === null)
        .map(([k]) => k),
      ['message', 'startTime', 'completionTime', 'durationSeconds'],
    );
    assert.ok('findings' in JSON.parse(JSON.stringify(payload)));
  });

  it('has no duration when the clock ran backwards', () =>
    assert.equal(
      webhookPayload(
        aRun({ phase: 'Succeeded', startTime: '2026-05-19T02:05:00Z', completionTime: '2026-05-19T02:00:00Z' }),
        'success',
      ).run.durationSeconds,
      null,
    ));
});
