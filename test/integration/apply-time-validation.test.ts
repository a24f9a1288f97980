// What the controller would refuse is refused by kube-apiserver itself at `kubectl apply`: spec.schedule's
// pattern (src/api/schedule-pattern.ts) and spec.timezone's enum (src/api/time-zone-names.ts), no webhook. And
// what `kubectl get` shows about health: the READY and STATUS columns read the Ready condition, SCHEDULED the
// run's nominal time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ScanSchedule } from '../../src/api/types.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, kubectl, statusPatchArgs } from '../controlplane/kubectl.ts';
import { aScanRun, aScanSchedule } from './manifests.ts';

const NAMESPACE = 'apply-time-validation';

const refused: { name: string; manifest: ScanSchedule; stderr: string }[] = [
  { name: 'hour 25', manifest: aScanSchedule('hour-25', { schedule: '0 25 * * *' }), stderr: 'spec.schedule' },
  { name: 'six fields', manifest: aScanSchedule('six', { schedule: '0 0 2 * * *' }), stderr: 'spec.schedule' },
  { name: 'the L token', manifest: aScanSchedule('last-day', { schedule: '0 0 L * *' }), stderr: 'spec.schedule' },
  {
    name: 'an upper-case descriptor',
    manifest: aScanSchedule('upper', { schedule: '@DAILY' }),
    stderr: 'spec.schedule',
  },
  {
    name: 'a trailing space in the schedule',
    manifest: aScanSchedule('space-cron', { schedule: '0 2 * * * ' }),
    stderr: 'spec.schedule',
  },
  {
    name: 'a misspelt zone',
    manifest: aScanSchedule('berlim', { timezone: 'Europe/Berlim' }),
    stderr: 'spec.timezone: Unsupported value: "Europe/Berlim"',
  },
  {
    name: 'a trailing space in the zone',
    manifest: aScanSchedule('space-zone', { timezone: 'Europe/Berlin ' }),
    stderr: 'spec.timezone: Unsupported value: "Europe/Berlin "',
  },
  {
    name: 'a zone in the wrong case',
    manifest: aScanSchedule('lower-zone', { timezone: 'europe/berlin' }),
    stderr: 'spec.timezone: Unsupported value',
  },
];

const accepted: { name: string; manifest: ScanSchedule }[] = [
  { name: 'weekdays by name', manifest: aScanSchedule('weekdays', { schedule: '0 9-17/2 * * mon-fri' }) },
  { name: 'H spreading', manifest: aScanSchedule('spread', { schedule: 'H H(0-5) * * *' }) },
  { name: '@every', manifest: aScanSchedule('every', { schedule: '@every 1h30m' }) },
  { name: 'a zone link', manifest: aScanSchedule('link', { timezone: 'US/Eastern' }) },
  { name: 'a newer zone name', manifest: aScanSchedule('kyiv', { timezone: 'Europe/Kyiv' }) },
];

/** kubectl separates columns by at least two spaces. */
const columns = (line: string): string[] => line.trim().split(/\s{2,}/);

describe('apply-time validation and health columns in kube-apiserver', () => {
  let controlPlane: ControlPlane;
  before(async () => {
    controlPlane = await startControlPlane();
    const created = await kubectl(controlPlane, ['create', 'namespace', NAMESPACE]);
    assert.equal(created.code, 0, describeKubectl(created));
  });
  after(() => controlPlane?.stop());

  const apply = (manifest: object) =>
    kubectl(controlPlane, ['apply', '--server-side', '-n', NAMESPACE, '-f', '-'], { input: JSON.stringify(manifest) });

  for (const c of refused) {
    it(`kubectl apply refuses ${c.name}`, async () => {
      const result = await apply(c.manifest);
      assert.notEqual(result.code, 0, `expected a rejection, but it was accepted\n${describeKubectl(result)}`);
      assert.ok(result.stderr.includes(c.stderr), `expected ${JSON.stringify(c.stderr)}\n${describeKubectl(result)}`);
    });
  }

  for (const c of accepted) {
    it(`kubectl apply accepts ${c.name}`, async () => {
      const result = await apply(c.manifest);
      assert.equal(result.code, 0, describeKubectl(result));
    });
  }

  it('kubectl get scansched shows the Ready condition as READY and STATUS, and MESSAGE with -o wide', async () => {
    assert.equal((await apply(aScanSchedule('health'))).code, 0);
    const status = {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'InvalidSchedule',
          message: 'the range "5-1" runs backwards',
          lastTransitionTime: '2026-05-19T02:00:00Z',
        },
      ],
    };
    const patched = await kubectl(controlPlane, statusPatchArgs('scansched', 'health', NAMESPACE, status));
    assert.equal(patched.code, 0, describeKubectl(patched));
    const wide = await kubectl(controlPlane, ['get', 'scansched', 'health', '-n', NAMESPACE, '-o', 'wide']);
    const [header = '', row = ''] = wide.stdout.trimEnd().split('\n');
    const cells = Object.fromEntries(columns(header).map((name, index) => [name, columns(row)[index]]));
    assert.equal(cells.READY, 'False', describeKubectl(wide));
    assert.equal(cells.STATUS, 'InvalidSchedule', describeKubectl(wide));
    assert.equal(cells.MESSAGE, 'the range "5-1" runs backwards', describeKubectl(wide));
  });

  it('kubectl get scanrun shows the nominal time as SCHEDULED', async () => {
    assert.equal((await apply(aScanRun('health-1'))).code, 0);
    const result = await kubectl(controlPlane, ['get', 'scanrun', 'health-1', '-n', NAMESPACE]);
    const [header = ''] = result.stdout.split('\n');
    assert.ok(columns(header).includes('SCHEDULED'), describeKubectl(result));
    const json = await kubectl(controlPlane, [
      'get',
      'scanrun',
      '-n',
      NAMESPACE,
      '--sort-by=.spec.scheduledTime',
      '-o',
      'jsonpath={.items[*].spec.scheduledTime}',
    ]);
    assert.equal(json.stdout, '2026-05-19T02:00:00Z', describeKubectl(json));
  });
});
