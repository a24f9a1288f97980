import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesBackendConfig, ScanRun } from '../api/types.ts';
import { aRun } from '../testing/builders.ts';
import { localScanCommand } from './scan-command.ts';

/** A run of a local schedule: its frozen backend and jobTemplate are what the command comes from. */
function runWith(config: KubernetesBackendConfig | undefined, timeout?: number): ScanRun {
  const run = aRun();
  run.spec.jobTemplate = { targets: { repo: '/src/app' }, ...(timeout === undefined ? {} : { options: { timeout } }) };
  if (config !== undefined) run.spec.backend = { type: 'local', config };
  return run;
}

describe('localScanCommand: what the Job would run, on this machine', () => {
  it('the JMo default writes to the run’s own results directory', () => {
    const command = localScanCommand(runWith(undefined), '/state/runs/ns/r/results');
    assert.ok(!('problem' in command));
    assert.deepEqual(command.argv.slice(0, 2), ['jmo', 'scan']);
    const at = command.argv.indexOf('--results-dir');
    assert.equal(command.argv[at + 1], '/state/runs/ns/r/results');
    assert.equal(command.env.RESULTS_DIR, '/state/runs/ns/r/results');
  });

  it('command and args run as given, with plain env values', () => {
    const command = localScanCommand(
      runWith({ command: ['sh', '-c'], args: ['echo hi'], env: [{ name: 'A', value: '1' }] }),
      '/r',
    );
    assert.ok(!('problem' in command));
    assert.deepEqual(command.argv, ['sh', '-c', 'echo hi']);
    assert.equal(command.env.A, '1');
    assert.equal(command.env.SCANSCHEDULE_RUN, `security/${aRun().metadata.name}`);
  });

  const refused: [string, KubernetesBackendConfig, RegExp][] = [
    [
      'valueFrom needs a cluster',
      { command: ['x'], env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      /env\[0\] \(TOKEN\) uses valueFrom/,
    ],
    ['args without command have no image entrypoint', { args: ['--fast'] }, /args is set without command/],
    ['an empty command', { command: [] }, /command is empty/],
  ];
  for (const [name, config, message] of refused) {
    it(`refuses: ${name}`, () => {
      const command = localScanCommand(runWith(config), '/r');
      assert.ok('problem' in command);
      assert.match(command.problem, message);
    });
  }

  it('activeDeadlineSeconds bounds the run, else options.timeout', () => {
    const both = localScanCommand(runWith({ command: ['x'], activeDeadlineSeconds: 30 }, 600), '/r');
    const timeoutOnly = localScanCommand(runWith({ command: ['x'] }, 600), '/r');
    const neither = localScanCommand(runWith({ command: ['x'] }), '/r');
    assert.ok(!('problem' in both) && !('problem' in timeoutOnly) && !('problem' in neither));
    assert.equal(both.deadlineSeconds, 30);
    assert.equal(timeoutOnly.deadlineSeconds, 600);
    assert.equal(neither.deadlineSeconds, undefined);
  });
});
