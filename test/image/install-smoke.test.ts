// The install as an operator does it, end to end on the real control plane: `helm install` of
// charts/scanschedule (its CRDs, RBAC, admission policy), then the controller run from the image's root file
// system (buildah mount, bound read-only, chroot as user 65532: no container runtime runs here) with the
// chart's ServiceAccount token mounted where a pod has it, so it loads its in-cluster config and holds exactly
// the chart's permissions, not admin. A schedule then gets a run, and READY says True.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { describeKubectl, kubectl } from '../controlplane/kubectl.ts';
import { waitUntil } from '../controlplane/wait-until.ts';
import { describeTool, runTool } from '../helm/tools.ts';
import { buildImage, imageConfig, mountedContainer } from './image.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CHART = join(ROOT, 'charts', 'scanschedule');
const RELEASE = 'scanschedule';
const SYSTEM = 'scanschedule-system';
const SERVICE_ACCOUNT = 'scanschedule';
const TEAM = 'team-a';
const SERVICE_ACCOUNT_DIR = 'var/run/secrets/kubernetes.io/serviceaccount';

describe('helm install, then the controller from the image under the chart’s ServiceAccount', () => {
  let controlPlane: ControlPlane;
  let image: string;
  let rootfs: string;
  let removeContainer: () => void = () => {};
  let controller: ChildProcess | undefined;
  let helmHome: string;
  let log = '';

  const helm = (args: readonly string[]) =>
    runTool('helm', [...args, `--kubeconfig=${controlPlane.kubeconfigPath}`], {
      env: {
        ...process.env,
        HELM_CACHE_HOME: join(helmHome, 'cache'),
        HELM_CONFIG_HOME: join(helmHome, 'config'),
        HELM_DATA_HOME: join(helmHome, 'data'),
      },
    });
  const ok = async (args: string[], input?: string) => {
    const result = await kubectl(controlPlane, args, input === undefined ? {} : { input });
    assert.equal(result.code, 0, describeKubectl(result));
    return result;
  };

  before(async () => {
    image = buildImage();
    helmHome = mkdtempSync(join(tmpdir(), 'scanschedule-helm-'));
    // The chart installs the CRDs: none from crds/ here.
    controlPlane = await startControlPlane({ crdDirectory: false });
  });
  after(async () => {
    controller?.kill('SIGTERM');
    if (controller !== undefined && controller.exitCode === null) {
      await new Promise((resolve) => controller?.once('exit', resolve));
    }
    removeContainer();
    await controlPlane?.stop();
    rmSync(helmHome, { recursive: true, force: true });
  });

  it('helm install puts the CRDs, RBAC and admission policy in place', async () => {
    const [repository, tag] = image.split(/:(?=[^:]+$)/);
    const result = await helm([
      'install',
      RELEASE,
      CHART,
      '--namespace',
      SYSTEM,
      '--create-namespace',
      '--set',
      `image.repository=${repository}`,
      '--set',
      `image.tag=${tag}`,
    ]);
    assert.equal(result.code, 0, describeTool(result));
    for (const crd of ['scanschedules.jmo.security', 'scanruns.jmo.security']) {
      await ok(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd}`]);
    }
    const status = await helm(['status', RELEASE, '--namespace', SYSTEM]);
    assert.match(status.stdout, /STATUS: deployed/, describeTool(status));
  });

  it('the chart’s ServiceAccount is not admin', async () => {
    const as = `--as=system:serviceaccount:${SYSTEM}:${SERVICE_ACCOUNT}`;
    assert.equal((await kubectl(controlPlane, ['auth', 'can-i', 'create', 'clusterroles', as])).stdout.trim(), 'no');
    assert.equal((await kubectl(controlPlane, ['auth', 'can-i', 'list', 'secrets', as, '-A'])).stdout.trim(), 'no');
    assert.equal(
      (await kubectl(controlPlane, ['auth', 'can-i', 'create', 'scanruns.jmo.security', as, '-n', TEAM])).stdout.trim(),
      'yes',
    );
  });

  it('the controller from the image, with the ServiceAccount’s token, creates a run of a schedule', async () => {
    const token = (await ok(['create', 'token', SERVICE_ACCOUNT, '-n', SYSTEM, '--duration=1h'])).stdout.trim();
    const kubeconfig = parse(readFileSync(controlPlane.kubeconfigPath, 'utf8')) as {
      clusters: { cluster: { 'certificate-authority-data': string } }[];
    };
    const ca = Buffer.from(kubeconfig.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64');
    const mounted = mountedContainer(image);
    rootfs = mounted.rootfs;
    removeContainer = mounted.remove;
    // What the kubelet mounts into a pod of the ServiceAccount.
    mkdirSync(join(rootfs, SERVICE_ACCOUNT_DIR), { recursive: true });
    writeFileSync(join(rootfs, SERVICE_ACCOUNT_DIR, 'token'), token);
    writeFileSync(join(rootfs, SERVICE_ACCOUNT_DIR, 'ca.crt'), ca);
    writeFileSync(join(rootfs, SERVICE_ACCOUNT_DIR, 'namespace'), SYSTEM);

    // The Deployment's own arguments, with the ports moved to free ones: other tests share this machine.
    const manifest = await helm(['get', 'manifest', RELEASE, '--namespace', SYSTEM]);
    const deployment = parseAllDocuments(manifest.stdout)
      .map((d) => d.toJS() as { kind?: string; spec?: { template: { spec: { containers: { args: string[] }[] } } } })
      .find((o) => o?.kind === 'Deployment');
    const args = (deployment?.spec?.template.spec.containers[0]?.args ?? []).map((arg) =>
      arg.startsWith('--metrics-bind-address') || arg.startsWith('--health-probe-bind-address')
        ? `${arg.split('=')[0]}=127.0.0.1:0`
        : arg,
    );
    assert.ok(args.includes('--leader-elect=true'), args.join(' '));

    // The image's entrypoint, run by chroot: the executable found on the image's PATH, paths relative to its
    // working directory made absolute (chroot starts in /).
    const config = imageConfig(image);
    const workdir = config.WorkingDir ?? '/';
    const [executable = '', ...entrypointArgs] = config.Entrypoint ?? [];
    const absolute = entrypointArgs.map((arg) => (/^[\w.-]+\//.test(arg) ? join(workdir, arg) : arg));
    const server = new URL(controlPlane.server);
    const env = Object.fromEntries(
      (config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    // The host's tools by full path: the environment below is the image's, whose PATH is for inside. In a mount
    // namespace of its own, the root file system is bound read-only first, as readOnlyRootFilesystem makes it:
    // the controller must not need to write anywhere in it (not even /tmp).
    const host = (name: string): string => {
      const found = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((dir) => join(dir, name)).find(existsSync);
      assert.ok(found, `${name} (util-linux/coreutils) is needed to run the image without a container runtime`);
      return found;
    };
    const readOnlyThenExec = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"';
    controller = spawn(
      host('unshare'),
      [
        '--mount',
        host('sh'),
        '-c',
        readOnlyThenExec,
        'sh',
        rootfs,
        host('chroot'),
        `--userspec=${config.User}`,
        rootfs,
        join('/usr/local/bin', executable),
        ...absolute,
        ...args,
      ],
      {
        env: {
          ...env,
          HOME: '/home/nonroot',
          KUBERNETES_SERVICE_HOST: server.hostname,
          KUBERNETES_SERVICE_PORT: server.port,
          POD_NAME: 'scanschedule-from-image',
          POD_NAMESPACE: SYSTEM,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    controller.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    controller.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });

    await ok(['create', 'namespace', TEAM]);
    await ok(
      ['apply', '-n', TEAM, '-f', '-'],
      JSON.stringify({
        apiVersion: 'jmo.security/v1alpha1',
        kind: 'ScanSchedule',
        metadata: { name: 'smoke' },
        spec: { schedule: '@every 5s', jobTemplate: { targets: { repo: '/repos/app' } } },
      }),
    );
    const runName = await waitUntil(
      'a ScanRun created by the controller from the image',
      async () => {
        const result = await kubectl(controlPlane, ['get', 'scanruns', '-n', TEAM, '-o', 'name']);
        return result.stdout.trim() === '' ? undefined : result.stdout.trim().split('\n')[0];
      },
      {
        timeoutMs: 120_000,
        intervalMs: 1000,
        abortIf: () => (controller?.exitCode === null ? undefined : `it exited:\n${log}`),
      },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\ncontroller log:\n${log.slice(-4000)}`);
    });
    assert.match(runName ?? '', /^scanrun\.jmo\.security\/smoke-/);
    const ready = await waitUntil(
      'READY True',
      async () => {
        const result = await kubectl(controlPlane, [
          'get',
          'scansched',
          'smoke',
          '-n',
          TEAM,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]);
        return result.stdout === 'True' ? result.stdout : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    assert.equal(ready, 'True');
    assert.doesNotMatch(log, /forbidden/i, 'the chart’s RBAC must cover what the controller does');
  });
});
