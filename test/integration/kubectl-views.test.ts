// What a user sees through kubectl: the printer columns of `kubectl get scansched` and the field documentation of
// `kubectl explain`, both served by kube-apiserver from the generated CRD.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_TIMEZONE } from '../../src/api/defaults.ts';
import { scanScheduleSchema } from '../../src/api/schema.ts';
import type { ScanScheduleStatus } from '../../src/api/types.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, type KubectlResult, kubectl } from '../controlplane/kubectl.ts';
import { waitUntil } from '../controlplane/wait-until.ts';
import { aScanSchedule } from './manifests.ts';

const NAMESPACE = 'kubectl-views';

/** kubectl separates columns by at least two spaces ("LAST SCHEDULE" is one column). */
const columns = (line: string): string[] => line.trim().split(/\s{2,}/);
const squash = (text: string): string => text.replace(/\s+/g, ' ').trim();

describe('kubectl views of ScanSchedule', () => {
  let controlPlane: ControlPlane;
  before(async () => {
    controlPlane = await startControlPlane();
    const created = await kubectl(controlPlane, ['create', 'namespace', NAMESPACE]);
    assert.equal(created.code, 0, describeKubectl(created));
    const applied = await kubectl(controlPlane, ['apply', '--server-side', '-n', NAMESPACE, '-f', '-'], {
      input: JSON.stringify(aScanSchedule('nightly')),
    });
    assert.equal(applied.code, 0, describeKubectl(applied));
    const status: ScanScheduleStatus = {
      active: 1,
      lastScheduleTime: '2026-05-19T02:00:00Z',
      nextScheduleTime: '2026-05-20T02:00:00Z',
      lastRun: { name: 'nightly-29650680', phase: 'Succeeded' },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Scheduled',
          message: 'next run at 2026-05-20T02:00:00Z',
          lastTransitionTime: '2026-05-19T02:00:00Z',
        },
      ],
    };
    const patched = await kubectl(controlPlane, [
      'patch',
      'scanschedule',
      'nightly',
      '-n',
      NAMESPACE,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    ]);
    assert.equal(patched.code, 0, describeKubectl(patched));
  });
  after(() => controlPlane?.stop());

  it('kubectl get scansched prints the printer columns and their values', async () => {
    const result = await kubectl(controlPlane, ['get', 'scansched', '-n', NAMESPACE]);
    assert.equal(result.code, 0, describeKubectl(result));
    const [header = '', row = ''] = result.stdout.trimEnd().split('\n');
    assert.deepEqual(
      columns(header),
      [
        'NAME',
        'SCHEDULE',
        'READY',
        'STATUS',
        'TIMEZONE',
        'SUSPEND',
        'ACTIVE',
        'LAST SCHEDULE',
        'NEXT',
        'LAST RESULT',
        'AGE',
      ],
      describeKubectl(result),
    );
    const cells = columns(row);
    // LAST SCHEDULE and AGE are relative durations that change with the clock; everything else is exact.
    assert.deepEqual(
      [cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[8], cells[9]],
      [
        'nightly',
        '0 2 * * *',
        'True',
        'Scheduled',
        DEFAULT_TIMEZONE,
        'false',
        '1',
        '2026-05-20T02:00:00Z',
        'Succeeded',
      ],
      describeKubectl(result),
    );
  });

  it('kubectl get scansched -o wide adds the interval column', async () => {
    const result = await kubectl(controlPlane, ['get', 'scansched', '-n', NAMESPACE, '-o', 'wide']);
    assert.equal(result.code, 0, describeKubectl(result));
    assert.ok(columns(result.stdout.split('\n')[0] ?? '').includes('INTERVAL'), describeKubectl(result));
  });

  it('kubectl explain scanschedule.spec.concurrencyPolicy prints the schema description', async () => {
    const description = scanScheduleSchema.properties?.spec?.properties?.concurrencyPolicy?.description ?? '';
    assert.ok(description.length > 0, 'schema.ts lost the description of spec.concurrencyPolicy');
    // The OpenAPI document kubectl explain reads is published shortly after the CRD is served, not with it.
    let last: KubectlResult | undefined;
    await waitUntil(
      'kubectl explain to know scanschedule.spec.concurrencyPolicy',
      async () => {
        last = await kubectl(controlPlane, ['explain', 'scanschedule.spec.concurrencyPolicy']);
        return last.code === 0 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${last !== undefined ? describeKubectl(last) : ''}`);
    });
    const output = last?.stdout ?? '';
    // explain wraps long descriptions, so compare with all whitespace runs made single spaces.
    assert.ok(squash(output).includes(squash(description)), `description missing:\n${output}`);
    assert.match(output, /FIELD:\s+concurrencyPolicy\s+<string>/, output);
    assert.match(output, /ENUM:[\s\S]*Allow[\s\S]*Forbid[\s\S]*Replace/, output);
  });
});
