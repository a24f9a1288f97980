// The harness itself: restarts keep the cluster, and nothing survives the test process however it ends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { describeKubectl, kubectl } from './kubectl.ts';
import { waitUntil } from './wait-until.ts';

/** Running, not a zombie: an orphan whose new parent does not reap it yet still answers kill(pid, 0). */
const alive = (pid: number): boolean => {
  try {
    if (existsSync('/proc/self/stat')) return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('control plane', () => {
  let controlPlane: ControlPlane;
  before(async () => {
    controlPlane = await startControlPlane();
  });
  after(() => controlPlane?.stop());

  it('serves the CRDs', async () => {
    assert.deepEqual([...controlPlane.crds].sort(), ['scanruns.jmo.security', 'scanschedules.jmo.security']);
    const result = await kubectl(controlPlane, ['api-resources', '--api-group=jmo.security', '-o', 'name']);
    assert.equal(result.code, 0, describeKubectl(result));
    assert.deepEqual(result.stdout.trim().split('\n').sort(), ['scanruns.jmo.security', 'scanschedules.jmo.security']);
  });

  it('authorizes with RBAC, so auth can-i answers for other users', async () => {
    const result = await kubectl(controlPlane, ['auth', 'can-i', 'list', 'scanschedules', '--as=someone']);
    assert.equal(result.stdout.trim(), 'no', describeKubectl(result));
  });

  it('keeps the port and the data across restartApiServer()', async () => {
    const created = await kubectl(controlPlane, ['create', 'namespace', 'survives-restart']);
    assert.equal(created.code, 0, describeKubectl(created));
    const server = controlPlane.server;
    await controlPlane.restartApiServer();
    assert.equal(controlPlane.server, server);
    const result = await kubectl(controlPlane, ['get', 'namespace', 'survives-restart', '-o', 'name']);
    assert.equal(result.stdout.trim(), 'namespace/survives-restart', describeKubectl(result));
    const crds = await kubectl(controlPlane, ['get', 'scanschedules', '-A']);
    assert.equal(crds.code, 0, describeKubectl(crds));
  });

  it('runs kube-controller-manager on request', async () => {
    await controlPlane.startControllerManager();
    // The service-account controller is one of its controllers: it gives every namespace a default account.
    await kubectl(controlPlane, ['create', 'namespace', 'with-controllers']);
    await waitUntil(
      'the default ServiceAccount created by kube-controller-manager',
      async () => {
        const result = await kubectl(controlPlane, ['get', 'serviceaccount', 'default', '-n', 'with-controllers']);
        return result.code === 0 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });
});

// A separate node process starts a control plane, reports where it lives, and is then ended from outside.
const STARTER = `
import { startControlPlane } from ${JSON.stringify(join(import.meta.dirname, 'control-plane.ts'))};
const controlPlane = await startControlPlane({ crdDirectory: false });
console.log(JSON.stringify({ dir: controlPlane.dir }));
setInterval(() => {}, 1 << 30);
`;

async function startInChild(): Promise<{ child: ReturnType<typeof spawn>; dir: string; pids: number[] }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', STARTER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code, signal) => reject(new Error(`starter exited early: ${code ?? signal}`)));
  });
  lines.close();
  const { dir } = JSON.parse(first) as { dir: string };
  const pids = readFileSync(join(dir, 'pgids'), 'utf8').trim().split('\n').map(Number);
  assert.equal(pids.length, 2, 'etcd and kube-apiserver should be running');
  assert.ok(pids.every(alive));
  return { child, dir, pids };
}

describe('teardown when the test process ends abruptly', () => {
  for (const signal of ['SIGKILL', 'SIGINT', 'SIGTERM'] as const) {
    it(`${signal} leaves no process and no temp dir`, async () => {
      const { child, dir, pids } = await startInChild();
      const exited = new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
      child.kill(signal);
      assert.equal(await exited, signal, 'the child should end by the signal it got');
      await waitUntil(
        'etcd and kube-apiserver to be gone and the temp dir removed',
        async () => (!pids.some(alive) && !existsSync(dir) ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    });
  }
});
