// The CRDs' CEL rules (src/api/cel-rules.ts) run in a real kube-apiserver: each case breaks one rule and must be
// rejected with that rule's message; the valid baseline proves the rejections come from the rule under test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CEL_RULES } from '../../src/api/cel-rules.ts';
import type { ScanSchedule } from '../../src/api/types.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, kubectl } from '../controlplane/kubectl.ts';
import { aScanSchedule, withoutSpecFields } from './manifests.ts';

const NAMESPACE = 'cel-rules';

interface Case {
  name: string;
  manifest: ScanSchedule;
  message: string;
}

const slack = { type: 'slack' as const };
const cases: Case[] = [
  {
    name: 'rejects both schedule and interval',
    manifest: aScanSchedule('both', { schedule: '0 2 * * *', interval: '1h' }),
    message: CEL_RULES.scheduleXorInterval.message,
  },
  {
    name: 'rejects neither schedule nor interval',
    manifest: withoutSpecFields(aScanSchedule('neither'), 'schedule', 'interval'),
    message: CEL_RULES.scheduleXorInterval.message,
  },
  {
    name: 'rejects TZ= in the schedule',
    manifest: aScanSchedule('tz-prefix', { schedule: 'TZ=Europe/Berlin 0 2 * * *' }),
    message: CEL_RULES.noTimezoneInSchedule.message,
  },
  {
    name: 'rejects CRON_TZ= in the schedule',
    manifest: aScanSchedule('cron-tz-prefix', { schedule: 'CRON_TZ=UTC 0 2 * * *' }),
    message: CEL_RULES.noTimezoneInSchedule.message,
  },
  {
    name: 'rejects an interval of 30s',
    manifest: withoutSpecFields(aScanSchedule('thirty-seconds', { interval: '30s' }), 'schedule'),
    message: CEL_RULES.intervalAtLeastOneMinute.message,
  },
  {
    name: 'rejects a name of 53 characters',
    manifest: aScanSchedule('n'.repeat(53)),
    message: CEL_RULES.scheduleNameLength.message,
  },
  {
    name: 'rejects a channel with both url and urlFrom',
    manifest: aScanSchedule('url-and-url-from', {
      jobTemplate: {
        targets: { repo: '/repos/app' },
        notifications: {
          enabled: true,
          channels: [
            { ...slack, url: 'https://hooks.example.com/x', urlFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          ],
        },
      },
    }),
    message: CEL_RULES.channelUrlXorUrlFrom.message,
  },
  {
    name: 'rejects a channel with neither url nor urlFrom',
    manifest: aScanSchedule('no-url', {
      jobTemplate: { targets: { repo: '/repos/app' }, notifications: { enabled: true, channels: [slack] } },
    }),
    message: CEL_RULES.channelUrlXorUrlFrom.message,
  },
];

const accepted: { name: string; manifest: ScanSchedule }[] = [
  { name: 'accepts a cron schedule', manifest: aScanSchedule('cron') },
  {
    name: 'accepts an interval of exactly 1m',
    manifest: withoutSpecFields(aScanSchedule('one-minute', { interval: '1m' }), 'schedule'),
  },
  { name: 'accepts a name of 52 characters', manifest: aScanSchedule('n'.repeat(52)) },
  {
    name: 'accepts a channel with urlFrom only',
    manifest: aScanSchedule('url-from', {
      jobTemplate: {
        targets: { repo: '/repos/app' },
        notifications: { enabled: true, channels: [{ ...slack, urlFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      },
    }),
  },
];

describe('CRD validation rules in kube-apiserver', () => {
  let controlPlane: ControlPlane;
  before(async () => {
    controlPlane = await startControlPlane();
    const created = await kubectl(controlPlane, ['create', 'namespace', NAMESPACE]);
    assert.equal(created.code, 0, describeKubectl(created));
  });
  after(() => controlPlane?.stop());

  const apply = (manifest: ScanSchedule) =>
    kubectl(controlPlane, ['apply', '--server-side', '-n', NAMESPACE, '-f', '-'], { input: JSON.stringify(manifest) });

  for (const c of accepted) {
    it(c.name, async () => {
      const result = await apply(c.manifest);
      assert.equal(result.code, 0, describeKubectl(result));
    });
  }

  for (const c of cases) {
    it(c.name, async () => {
      const result = await apply(c.manifest);
      assert.notEqual(result.code, 0, `expected a rejection, but it was accepted\n${describeKubectl(result)}`);
      assert.ok(
        result.stderr.includes(c.message),
        `expected stderr to contain ${JSON.stringify(c.message)}\n${describeKubectl(result)}`,
      );
    });
  }
});
