// The cronjob export of every example is accepted by a real API server (kubectl apply --dry-run=server).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportSchedule } from '../../src/core/export/index.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, kubectl } from '../controlplane/kubectl.ts';
import { exampleSchedules, GOLDEN_NOW } from '../golden/export/golden-cases.ts';

describe('export --to cronjob on a real API server', () => {
  let controlPlane: ControlPlane;
  before(async () => {
    controlPlane = await startControlPlane();
  });
  after(async () => {
    await controlPlane?.stop();
  });
  for (const { example, schedule } of exampleSchedules()) {
    it(`${example}: kubectl apply --dry-run=server accepts it`, async () => {
      const { text } = exportSchedule(schedule, 'cronjob', { utc: false, now: GOLDEN_NOW });
      const result = await kubectl(controlPlane, ['apply', '--dry-run=server', '-f', '-'], { input: text });
      assert.equal(result.code, 0, describeKubectl(result));
      assert.match(result.stdout, /cronjob\.batch\/\S+ created \(server dry run\)/);
    });
  }
});
