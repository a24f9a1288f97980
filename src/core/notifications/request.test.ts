import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NotificationChannel, ScanRun } from '../../api/types.ts';
import { notificationRequest } from './request.ts';
import { signature } from './signing.ts';

const NOW = new Date('2026-05-19T02:05:00.700Z');
const run: ScanRun = {
  apiVersion: 'jmo.security/v1alpha1',
  kind: 'ScanRun',
  metadata: { name: 'nightly-1', namespace: 'security', uid: 'run-uid-1' },
  spec: {
    scheduleRef: { name: 'nightly' },
    scheduledTime: '2026-05-19T02:00:00Z',
    trigger: 'schedule',
    jobTemplate: { targets: { repo: '/r' } },
  },
  status: { phase: 'Succeeded', reason: 'Completed' },
};
const webhook: NotificationChannel = { type: 'webhook', url: 'https://receiver.example/hook' };
const slack: NotificationChannel = { type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' };

describe('notificationRequest', () => {
  it('a slack channel gets the Slack message as JSON and no webhook headers', () => {
    const request = notificationRequest({ run, event: 'success', index: 0, channel: slack, now: NOW });
    assert.deepEqual(request.headers, { 'content-type': 'application/json; charset=utf-8' });
    assert.deepEqual(Object.keys(JSON.parse(request.body)), ['text', 'blocks']);
  });

  it('a webhook channel gets payload v1 with a stable webhook-id and the attempt time', () => {
    const request = notificationRequest({ run, event: 'success', index: 1, channel: webhook, now: NOW });
    assert.deepEqual(request.headers, {
      'content-type': 'application/json; charset=utf-8',
      'webhook-id': 'run-uid-1-1',
      'webhook-timestamp': '1779156300',
    });
    assert.equal(JSON.parse(request.body).kind, 'ScanRunNotification');
  });

  it('a webhook channel with a key gets a signature over exactly the body sent', () => {
    const key = Buffer.from('a signing key of enough bytes!!');
    const request = notificationRequest({
      run,
      event: 'success',
      index: 1,
      channel: webhook,
      signingKey: key,
      now: NOW,
    });
    assert.equal(request.headers['webhook-signature'], signature(key, 'run-uid-1-1', 1779156300, request.body));
  });
});
