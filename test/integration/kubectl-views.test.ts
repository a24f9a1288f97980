// What a user sees through kubectl: the printer columns of `kubectl get scansched` and `kubectl get scanrun`, the
// order runs are listed in, and the field documentation of `kubectl explain`, all served by kube-apiserver from
// the generated CRDs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_TIMEZONE } from '../../src/api/defaults.ts';
import { scanScheduleSchema } from '../../src/api/schema.ts';
import type { ScanRun, ScanRunStatus, ScanScheduleStatus } from '../../src/api/types.ts';
import { manualRunName, scheduledRunName } from '../../src/core/run-names.ts';
import { compact } from '../../src/core/run-verdict.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, type KubectlResult, kubectl, statusPatchArgs } from '../controlplane/kubectl.ts';
import { waitUntil } from '../controlplane/wait-until.ts';
import { aScanRun, aScanSchedule } from './manifests.ts';

const NAMESPACE = 'kubectl-views';

/** kubectl separates columns by at least two spaces ("LAST SCHEDULE" is one column). */
const columns = (line: string): string[] => line.trim().split(/\s{2,}/);
const squash = (text: string): string => text.replace(/\s+/g, ' ').trim();
/** A row's cells by the header's column positions: a server-side column with no value is blank, not <none>. */
const cellsAt = (header: string, row: string): Record<string, string> => {
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((match) => ({ name: match[0], at: match.index }));
  return Object.fromEntries(
    starts.map(({ name, at }, i) => [name, row.slice(at, starts[i + 1]?.at ?? row.length).trim()]),
  );
};

const SCHEDULED_MS = Date.parse('2026-05-19T02:00:00Z');
const at = (seconds: number): string => new Date(SCHEDULED_MS + seconds * 1000).toISOString().replace('.000Z', 'Z');
const runAt = (name: string, seconds: number, trigger: ScanRun['spec']['trigger']): ScanRun => {
  const run = aScanRun(name);
  return { ...run, spec: { ...run.spec, scheduledTime: at(seconds), trigger } };
};
/** A run with the status the controller would write for it (compact derives status.duration). */
const written = (run: ScanRun, status: ScanRunStatus) => ({ run, status: compact(status) });
/** Runs of `nightly`, in time order. */
const RUNS = [
  written(runAt(scheduledRunName('nightly', SCHEDULED_MS), 0, 'schedule'), {
    phase: 'Succeeded',
    reason: 'Completed',
    startTime: at(3),
    completionTime: at(255),
  }),
  // The name `scanschedule trigger` 40 s later gives it: its token is toISOString() and 6 hex characters.
  written(runAt(manualRunName('nightly', `${new Date(SCHEDULED_MS + 40_000).toISOString()}-a1b2c3`), 40, 'manual'), {
    phase: 'Failed',
    reason: 'ScanFailed',
    startTime: at(45),
    completionTime: at(90),
  }),
  written(runAt(scheduledRunName('nightly', SCHEDULED_MS + 3_600_000), 3600, 'schedule'), {
    phase: 'Running',
    startTime: at(3603),
  }),
];

describe('kubectl views of ScanSchedule and ScanRun', () => {
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
    const patched = await kubectl(controlPlane, statusPatchArgs('scanschedule', 'nightly', NAMESPACE, status));
    assert.equal(patched.code, 0, describeKubectl(patched));
    // Created newest first: the API server lists by name, so the list order is the names' order.
    for (const { run, status } of [...RUNS].reverse()) {
      const createdRun = await kubectl(controlPlane, ['create', '-n', NAMESPACE, '-f', '-'], {
        input: JSON.stringify(run),
      });
      assert.equal(createdRun.code, 0, describeKubectl(createdRun));
      const patchedRun = await kubectl(
        controlPlane,
        statusPatchArgs('scanrun', run.metadata.name ?? '', NAMESPACE, status),
      );
      assert.equal(patchedRun.code, 0, describeKubectl(patchedRun));
    }
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

  it('kubectl get scanrun prints DURATION after SCHEDULED, the controller’s status.duration, and lists runs in time order', async () => {
    const result = await kubectl(controlPlane, ['get', 'scanrun', '-n', NAMESPACE]);
    assert.equal(result.code, 0, describeKubectl(result));
    const [header = '', ...rows] = result.stdout.trimEnd().split('\n');
    assert.deepEqual(
      columns(header),
      ['NAME', 'SCHEDULE', 'SCHEDULED', 'DURATION', 'PHASE', 'REASON', 'CRITICAL', 'HIGH', 'TOTAL', 'STARTED', 'AGE'],
      describeKubectl(result),
    );
    // SCHEDULED, STARTED and AGE are relative to the clock; the rest is exact.
    assert.deepEqual(
      rows.map((row) => {
        const cells = cellsAt(header, row);
        return [cells.NAME, cells.SCHEDULE, cells.DURATION, cells.PHASE, cells.REASON];
      }),
      [
        ['nightly-1779156000', 'nightly', '4m12s', 'Succeeded', 'Completed'],
        [RUNS[1]?.run.metadata.name, 'nightly', '45s', 'Failed', 'ScanFailed'],
        ['nightly-1779159600', 'nightly', '', 'Running', ''],
      ],
      describeKubectl(result),
    );
    assert.match(RUNS[1]?.run.metadata.name ?? '', /^nightly-1779156040m[a-z2-9]{2}$/);
  });

  it('kubectl get scanrun -o wide adds COMPLETED', async () => {
    const result = await kubectl(controlPlane, ['get', 'scanrun', '-n', NAMESPACE, '-o', 'wide']);
    assert.equal(result.code, 0, describeKubectl(result));
    assert.ok(columns(result.stdout.split('\n')[0] ?? '').includes('COMPLETED'), describeKubectl(result));
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
