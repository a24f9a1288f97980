// The kubectl-shaped commands against a real kube-apiserver: -o yaml without managedFields, suspend/resume,
// delete, get -w, logs of a run without a pod, NotFound as exit 1, and refused credentials as exit 3.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, kubectl } from '../controlplane/kubectl.ts';
import { aScanSchedule } from '../integration/manifests.ts';
import { mainScript, root, runCliAsync } from './cli-process.ts';

const NAMESPACE = 'cli-commands';

describe('cluster commands', () => {
  let controlPlane: ControlPlane;
  let cli: (...args: string[]) => ReturnType<typeof runCliAsync>;
  const suspendOf = async (name: string): Promise<string> =>
    (await kubectl(controlPlane, ['get', 'scansched', name, '-n', NAMESPACE, '-o', 'jsonpath={.spec.suspend}'])).stdout;

  before(async () => {
    controlPlane = await startControlPlane();
    cli = (...args) => runCliAsync([...args, '--kubeconfig', controlPlane.kubeconfigPath, '-n', NAMESPACE]);
    const created = await kubectl(controlPlane, ['create', 'namespace', NAMESPACE]);
    assert.equal(created.code, 0, describeKubectl(created));
    for (const name of ['alpha', 'beta', 'gamma']) {
      const applied = await kubectl(controlPlane, ['apply', '--server-side', '-n', NAMESPACE, '-f', '-'], {
        input: JSON.stringify(aScanSchedule(name)),
      });
      assert.equal(applied.code, 0, describeKubectl(applied));
    }
  });
  after(() => controlPlane?.stop());

  it('get -o yaml and -o json leave out managedFields', async () => {
    for (const format of ['yaml', 'json']) {
      const out = await cli('get', 'alpha', '-o', format);
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stdout, /alpha/);
      assert.doesNotMatch(out.stdout, /managedFields/);
    }
  });

  it('suspend and resume set spec.suspend, several at once', async () => {
    const suspended = await cli('suspend', 'alpha', 'beta');
    assert.equal(suspended.status, 0, suspended.stderr);
    assert.equal(
      suspended.stdout,
      'scanschedule.jmo.security/alpha suspended\nscanschedule.jmo.security/beta suspended\n',
    );
    assert.equal(await suspendOf('alpha'), 'true');
    assert.equal(await suspendOf('beta'), 'true');
    const resumed = await cli('resume', 'alpha');
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(await suspendOf('alpha'), 'false');
  });

  it('a schedule that does not exist is NotFound, exit 1, for every command that names one', async () => {
    for (const command of ['get', 'describe', 'trigger', 'suspend', 'resume']) {
      const out = await cli(command, 'nope');
      assert.equal(out.status, 1, `${command}: ${out.stderr}`);
      assert.match(out.stderr, /scanschedules\.jmo\.security "nope" not found in namespace cli-commands/, command);
    }
  });

  it('logs of a run that does not exist is NotFound, exit 1', async () => {
    const out = await cli('logs', 'alpha-123');
    assert.equal(out.status, 1, out.stderr);
    assert.match(out.stderr, /scanruns\.jmo\.security "alpha-123" not found/);
  });

  it('get -w prints the table, then a row when a schedule changes', async () => {
    const watcher = spawn(
      process.execPath,
      [mainScript, 'get', '-w', '--kubeconfig', controlPlane.kubeconfigPath, '-n', NAMESPACE],
      { cwd: root },
    );
    let stdout = '';
    watcher.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const gammaRows = (): string[] => stdout.split('\n').filter((line) => line.startsWith('gamma '));
    const waitFor = async (what: string, done: () => boolean): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.ok(done(), `${what}; the output was:\n${stdout}`);
    };
    try {
      await waitFor('the first table', () => gammaRows().length === 1);
      assert.match(gammaRows()[0] ?? '', / false /);
      const suspended = await cli('suspend', 'gamma');
      assert.equal(suspended.status, 0, suspended.stderr);
      await waitFor('a row for the change', () => gammaRows().length === 2);
      assert.match(gammaRows()[1] ?? '', / true /);
      assert.equal(stdout.match(/^NAME /gm)?.length, 1, 'the header once');
    } finally {
      watcher.kill('SIGTERM');
    }
  });

  it('delete removes schedules; a second delete is NotFound (exit 1) unless --ignore-not-found', async () => {
    const deleted = await cli('delete', 'beta');
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'scanschedule.jmo.security "beta" deleted\n');
    const gone = await kubectl(controlPlane, ['get', 'scansched', 'beta', '-n', NAMESPACE]);
    assert.notEqual(gone.code, 0);
    const again = await cli('delete', 'beta');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /Error from server \(NotFound\): scanschedules\.jmo\.security "beta" not found/);
    assert.equal((await cli('delete', 'beta', '--ignore-not-found')).status, 0);
  });

  it('credentials the server refuses are exit 3 in kubectl’s words, with no token in the message', async () => {
    const config = parse(readFileSync(controlPlane.kubeconfigPath, 'utf8')) as { users: { user: object }[] };
    for (const user of config.users) user.user = { token: 'not-a-real-token' };
    const path = join(controlPlane.dir, 'bad-token.kubeconfig');
    writeFileSync(path, stringify(config));
    const out = await runCliAsync(['get', '--kubeconfig', path, '-n', NAMESPACE]);
    assert.equal(out.status, 3, out.stderr);
    assert.match(out.stderr, /You must be logged in to the server|Error from server \(Forbidden\)/);
    assert.doesNotMatch(out.stderr, /not-a-real-token|\n\s+at /);
  });
});
