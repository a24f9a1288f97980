import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NotificationChannel, Notifications, RunPhase, ScanRun } from '../../api/types.ts';
import { channelsToNotify, runEvent } from './events.ts';

function aRun(phase: RunPhase | undefined, reason?: string, notifications?: Notifications): ScanRun {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: { name: 'nightly-1', namespace: 'security', uid: 'run-uid-1' },
    spec: {
      scheduleRef: { name: 'nightly' },
      scheduledTime: '2026-05-19T02:00:00Z',
      trigger: 'schedule',
      jobTemplate: { targets: { repo: '/r' }, ...(notifications && { notifications }) },
    },
    ...(phase !== undefined && { status: { phase, ...(reason !== undefined && { reason }) } }),
  };
}

const slack = (when?: NotificationChannel['when']): NotificationChannel => ({
  type: 'slack',
  urlFrom: { secretKeyRef: { name: 'slack', key: 'url' } },
  ...(when && { when }),
});

describe('runEvent', () => {
  const cases: [string, RunPhase | undefined, string | undefined, ReturnType<typeof runEvent>][] = [
    ['a succeeded run is a success', 'Succeeded', 'Completed', 'success'],
    ['findings above the threshold are thresholdExceeded', 'Failed', 'FindingsAboveThreshold', 'thresholdExceeded'],
    ['a scanner that failed is a failure', 'Failed', 'ScanFailed', 'failure'],
    ['a deadline is a failure', 'Failed', 'DeadlineExceeded', 'failure'],
    ['a failed run without a reason is a failure', 'Failed', undefined, 'failure'],
    ['a cancelled run announces nothing', 'Cancelled', 'RunReplaced', undefined],
    ['a running run announces nothing yet', 'Running', undefined, undefined],
    ['a pending run announces nothing yet', 'Pending', undefined, undefined],
    ['a run without status announces nothing', undefined, undefined, undefined],
  ];
  for (const [name, phase, reason, expected] of cases) {
    it(name, () => assert.equal(runEvent(aRun(phase, reason)), expected));
  }
});

describe('channelsToNotify', () => {
  const channels = [slack(), slack(['failure', 'thresholdExceeded']), slack(['success']), slack([])];
  const cases: [string, ScanRun, number[]][] = [
    [
      'a success reaches the default channel and the success-only channel',
      aRun('Succeeded', 'Completed', { enabled: true, channels }),
      [0, 2],
    ],
    [
      'a threshold breach reaches the default channel and the failure channel',
      aRun('Failed', 'FindingsAboveThreshold', { enabled: true, channels }),
      [0, 1],
    ],
    ['a scan failure reaches the failure channels', aRun('Failed', 'ScanFailed', { enabled: true, channels }), [0, 1]],
    ['a cancelled run reaches nobody', aRun('Cancelled', undefined, { enabled: true, channels }), []],
    ['a running run reaches nobody', aRun('Running', undefined, { enabled: true, channels }), []],
    ['notifications not enabled reach nobody', aRun('Succeeded', 'Completed', { channels }), []],
    ['notifications disabled reach nobody', aRun('Succeeded', 'Completed', { enabled: false, channels }), []],
    ['enabled without channels reaches nobody', aRun('Succeeded', 'Completed', { enabled: true }), []],
    ['no notifications block reaches nobody', aRun('Succeeded', 'Completed'), []],
  ];
  for (const [name, run, expected] of cases) {
    it(name, () =>
      assert.deepEqual(
        channelsToNotify(run).map((c) => c.index),
        expected,
      ),
    );
  }

  it('returns the channel itself beside its index', () => {
    const [first] = channelsToNotify(aRun('Succeeded', 'Completed', { enabled: true, channels }));
    assert.equal(first?.channel, channels[0]);
  });
});
