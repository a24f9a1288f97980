// A real, throwaway Kubernetes control plane for integration tests: etcd + kube-apiserver (+ optionally
// kube-controller-manager) on loopback ports, with a temp data dir, its own PKI and the CRDs installed.
// The recipe is controller-runtime's envtest; docs/design.md §6 explains why the tests never use a fake API server.
//
//   const cp = await startControlPlane();        // in before(): a few seconds
//   execFile('kubectl', ['--kubeconfig', cp.kubeconfigPath, 'get', 'scanschedules', '-A']);
//   await cp.restartApiServer();                 // same port, same etcd data: informers must recover
//   await cp.stop();                             // in after(): no process or temp dir stays behind
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeAdminKubeconfig } from './admin-kubeconfig.ts';
import { type ApiIdentity, adminIdentity, apiRequest } from './api-request.ts';
import { binariesIn, type ControlPlaneBinaries, locateBinaries } from './binaries.ts';
import { installCrds } from './crd-install.ts';
import { registerForEmergencyTeardown } from './emergency-teardown.ts';
import { freeLoopbackPorts } from './free-port.ts';
import { createPki, type Pki } from './pki.ts';
import {
  describeExit,
  logTail,
  type SupervisedProcess,
  signalGroup,
  startSupervisedProcess,
} from './supervised-process.ts';
import { waitUntil } from './wait-until.ts';

export interface ControlPlaneOptions {
  /** CRD files (*.yaml) to install, or false for none. Default: the repository's crds/. */
  crdDirectory?: string | false;
  /** Directory holding etcd, kube-apiserver and kube-controller-manager. Default: what build.sh provides. */
  binaryDirectory?: string;
  /** Keep the temp dir (logs, certificates, kubeconfig) after stop(). Default: SCANSCHEDULE_KEEP_CONTROLPLANE=1. */
  keepTempDir?: boolean;
  /** Limit for each wait (etcd healthy, apiserver ready, each CRD served). Generous: CI machines have 2 cores. */
  timeoutMs?: number;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=…']. */
  apiServerFlags?: readonly string[];
  /** Receives progress lines; tests leave it unset, `npm run cluster` prints them. */
  log?: (message: string) => void;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port>; stays the same across restartApiServer(). */
  readonly server: string;
  /** Admin kubeconfig (CN=admin, O=system:masters), certificates inlined. */
  readonly kubeconfigPath: string;
  /** The temp dir: certificates, etcd data, and the logs etcd.log, kube-apiserver.log, kube-controller-manager.log. */
  readonly dir: string;
  readonly etcdUrl: string;
  /** Names of the installed CRDs, e.g. scanschedules.jmo.security. */
  readonly crds: readonly string[];
  /** Milliseconds from the call to startControlPlane until the CRDs were served. */
  readonly startupMs: number;
  /** Stops kube-apiserver only (SIGTERM, then SIGKILL); etcd and its data stay. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port with the same data and waits for /readyz and the CRDs. */
  startApiServer(): Promise<void>;
  restartApiServer(): Promise<void>;
  /**
   * SIGKILLs etcd (a crash, not a clean stop), waits `downMs`, and starts it again on the same ports with the same
   * data dir, then waits for /health. kube-apiserver stays up and reconnects by itself (its /readyz fails meanwhile).
   */
  restartEtcd(downMs?: number): Promise<void>;
  /**
   * Starts kube-controller-manager (garbage collector, Job controller, …) and waits for /healthz. Idempotent.
   * `extraFlags` go last, e.g. ['--kube-api-qps=1000', '--controllers=cronjob'] for a benchmark.
   */
  startControllerManager(extraFlags?: readonly string[]): Promise<void>;
  /** Stops everything and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

interface ApiServerConfig {
  server: string;
  identity: ApiIdentity;
  args: string[];
}

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const DEFAULT_TIMEOUT_MS = 120_000;
const BIND_ATTEMPTS = 3;

class StartupError extends Error {
  override readonly name = 'StartupError';
  readonly portConflict: boolean;
  constructor(component: SupervisedProcess, cause: unknown) {
    const tail = logTail(component.logPath);
    const exit = component.exitInfo();
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${component.name} did not become ready${exit !== undefined ? ` (${describeExit(exit)})` : ''}: ${reason}\n` +
        `--- last lines of ${component.logPath} ---\n${tail || '(empty)'}`,
      { cause },
    );
    this.portConflict = /address already in use/i.test(tail);
  }
}

function abortWhenExited(component: SupervisedProcess): () => string | undefined {
  return () => {
    const exit = component.exitInfo();
    return exit === undefined ? undefined : `${component.name} ${describeExit(exit)}`;
  };
}

async function etcdHealthy(url: string): Promise<true | undefined> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { health?: string };
  return body.health === 'true' ? true : undefined;
}

async function httpsOk(identity: ApiIdentity, path: string): Promise<true | undefined> {
  const response = await apiRequest(identity, { path, timeoutMs: 5_000 });
  if (response.status === 200) return true;
  throw new Error(`${path}: HTTP ${response.status} ${response.body.slice(0, 2_000)}`);
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const keepDir = options.keepTempDir ?? process.env.SCANSCHEDULE_KEEP_CONTROLPLANE === '1';
  const log = options.log ?? (() => {});
  const binaries: ControlPlaneBinaries =
    options.binaryDirectory !== undefined ? binariesIn(options.binaryDirectory) : await locateBinaries();

  const dir = await mkdtemp(join(tmpdir(), 'scanschedule-cp-'));
  const running = new Set<SupervisedProcess>();
  const teardown = registerForEmergencyTeardown({
    dir,
    keepDir,
    processGroups: () => [...running].filter((p) => p.exitInfo() === undefined).map((p) => p.pid),
  });
  const launch = (name: string, command: string, args: readonly string[]): SupervisedProcess => {
    const component = startSupervisedProcess({ name, command, args, logPath: join(dir, `${name}.log`) });
    running.add(component);
    teardown.processGroupsChanged();
    return component;
  };
  const halt = async (component: SupervisedProcess | undefined, graceMs?: number): Promise<void> => {
    if (component === undefined) return;
    await component.stop(graceMs);
    running.delete(component);
    teardown.processGroupsChanged();
  };

  let etcd: SupervisedProcess | undefined;
  let apiServer: SupervisedProcess | undefined;
  let controllerManager: SupervisedProcess | undefined;
  let stopped = false;
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Clients first, storage last: the apiserver shuts down cleanly only while etcd still answers.
    await halt(controllerManager, 5_000);
    await halt(apiServer, 15_000);
    await halt(etcd, 5_000);
    teardown.release();
    if (keepDir) log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  };

  try {
    const pkiDir = join(dir, 'pki');
    await mkdir(pkiDir);
    // Certificates are made while etcd starts; the no-op catch only keeps a failure from counting as unhandled
    // until the `await pkiReady` below, which still throws it.
    const pkiReady = createPki(pkiDir);
    pkiReady.catch(() => {});

    let etcdArgs: string[] = [];
    const startEtcd = async (): Promise<string> => {
      for (let attempt = 1; ; attempt++) {
        const [clientPort, peerPort] = await freeLoopbackPorts(2);
        const url = `http://127.0.0.1:${clientPort}`;
        const peerUrl = `http://127.0.0.1:${peerPort}`;
        log(`starting etcd on ${url}`);
        etcdArgs = [
          '--name=default',
          `--data-dir=${join(dir, 'etcd-data')}`,
          `--listen-client-urls=${url}`,
          `--advertise-client-urls=${url}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=default=${peerUrl}`,
          // Test data is thrown away: skipping fsync makes etcd several times faster on a busy disk.
          '--unsafe-no-fsync',
        ];
        const candidate = launch('etcd', binaries.etcd, etcdArgs);
        try {
          await waitUntil('etcd /health', () => etcdHealthy(url), { timeoutMs, abortIf: abortWhenExited(candidate) });
          etcd = candidate;
          return url;
        } catch (error) {
          await halt(candidate);
          const failure = new StartupError(candidate, error);
          if (!failure.portConflict || attempt >= BIND_ATTEMPTS) throw failure;
          await rm(join(dir, 'etcd-data'), { recursive: true, force: true });
        }
      }
    };
    const etcdUrl = await startEtcd();
    const pki: Pki = await pkiReady;

    const launchApiServer = async (config: ApiServerConfig): Promise<void> => {
      const candidate = launch('kube-apiserver', binaries.kubeApiserver, config.args);
      try {
        await waitUntil('kube-apiserver /readyz', () => httpsOk(config.identity, '/readyz'), {
          timeoutMs,
          abortIf: abortWhenExited(candidate),
        });
        apiServer = candidate;
      } catch (error) {
        await halt(candidate);
        throw new StartupError(candidate, error);
      }
    };
    const startFirstApiServer = async (): Promise<ApiServerConfig> => {
      for (let attempt = 1; ; attempt++) {
        const [port] = await freeLoopbackPorts(1);
        const server = `https://127.0.0.1:${port}`;
        const config: ApiServerConfig = {
          server,
          identity: await adminIdentity(server, pki),
          args: [
            `--etcd-servers=${etcdUrl}`,
            `--cert-dir=${join(dir, 'apiserver-certs')}`,
            `--tls-cert-file=${pki.servingCert}`,
            `--tls-private-key-file=${pki.servingKey}`,
            `--client-ca-file=${pki.caCert}`,
            `--secure-port=${port}`,
            '--bind-address=127.0.0.1',
            '--advertise-address=127.0.0.1',
            '--service-cluster-ip-range=10.0.0.0/24',
            // The `kubernetes` Service would get 127.0.0.1 as its endpoint, which Endpoints validation refuses
            // (loopback); nothing in the tests reaches the apiserver through that Service.
            '--endpoint-reconciler-type=none',
            '--allow-privileged=true',
            // Without kube-controller-manager no namespace gets its default ServiceAccount, and this admission
            // plugin would refuse every Pod for lack of it.
            '--disable-admission-plugins=ServiceAccount',
            // RBAC only, so `kubectl auth can-i --as=…` answers what a real cluster would.
            '--authorization-mode=RBAC',
            '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
            `--service-account-key-file=${pki.serviceAccountPublicKey}`,
            `--service-account-signing-key-file=${pki.serviceAccountKey}`,
            ...(options.apiServerFlags ?? []),
          ],
        };
        log(`starting kube-apiserver on ${server}`);
        try {
          await launchApiServer(config);
          return config;
        } catch (error) {
          if (!(error instanceof StartupError && error.portConflict) || attempt >= BIND_ATTEMPTS) throw error;
        }
      }
    };
    const apiServerConfig = await startFirstApiServer();
    const { server, identity: apiIdentity } = apiServerConfig;
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeAdminKubeconfig(kubeconfigPath, server, pki);

    const crdDirectory = options.crdDirectory ?? join(REPO_ROOT, 'crds');
    const crds = crdDirectory === false ? [] : await installCrds(apiIdentity, crdDirectory, timeoutMs);
    const waitForCrds = async (): Promise<void> => {
      if (crdDirectory !== false) await installCrds(apiIdentity, crdDirectory, timeoutMs);
    };
    const startupMs = Date.now() - started;
    log(`control plane ready in ${(startupMs / 1000).toFixed(1)} s (${crds.length} CRDs)`);

    const startApiServer = async (): Promise<void> => {
      if (apiServer !== undefined && apiServer.exitInfo() === undefined) return;
      apiServer = undefined;
      log(`starting kube-apiserver on ${server}`);
      await launchApiServer(apiServerConfig);
      // Re-applying is a no-op for unchanged CRDs and doubles as the wait for them to be back in discovery.
      await waitForCrds();
    };
    const stopApiServer = async (): Promise<void> => {
      const current = apiServer;
      apiServer = undefined;
      await halt(current, 15_000);
    };

    return {
      server,
      kubeconfigPath,
      dir,
      etcdUrl,
      crds,
      startupMs,
      stopApiServer,
      startApiServer,
      async restartApiServer() {
        await stopApiServer();
        await startApiServer();
      },
      async restartEtcd(downMs = 0) {
        const current = etcd;
        etcd = undefined;
        if (current !== undefined) {
          signalGroup(current.pid, 'SIGKILL');
          await current.exited;
          await halt(current);
        }
        await sleep(downMs);
        // Same ports (the apiserver's --etcd-servers) and data dir: what a crashed and restarted member looks like.
        const candidate = launch('etcd', binaries.etcd, etcdArgs);
        try {
          await waitUntil('etcd /health', () => etcdHealthy(etcdUrl), {
            timeoutMs,
            abortIf: abortWhenExited(candidate),
          });
          etcd = candidate;
        } catch (error) {
          await halt(candidate);
          throw new StartupError(candidate, error);
        }
      },
      async startControllerManager(extraFlags: readonly string[] = []) {
        if (controllerManager !== undefined && controllerManager.exitInfo() === undefined) return;
        const [port] = await freeLoopbackPorts(1);
        log(`starting kube-controller-manager on https://127.0.0.1:${port}`);
        const candidate = launch('kube-controller-manager', binaries.kubeControllerManager, [
          // No --authentication/--authorization-kubeconfig: nothing but the health check calls it, and /healthz
          // is always allowed; with them it logs errors about the request-header CA this apiserver does not use.
          `--kubeconfig=${kubeconfigPath}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${port}`,
          // Our serving certificate is valid for 127.0.0.1, so the health check can verify it against our CA.
          `--tls-cert-file=${pki.servingCert}`,
          `--tls-private-key-file=${pki.servingKey}`,
          `--cert-dir=${join(dir, 'controller-manager-certs')}`,
          '--leader-elect=false',
          `--service-account-private-key-file=${pki.serviceAccountKey}`,
          `--root-ca-file=${pki.caCert}`,
          '--use-service-account-credentials=false',
          `--cluster-signing-cert-file=${pki.caCert}`,
          `--cluster-signing-key-file=${pki.caKey}`,
          ...extraFlags,
        ]);
        const kcmIdentity: ApiIdentity = { ...apiIdentity, server: `https://127.0.0.1:${port}` };
        try {
          await waitUntil('kube-controller-manager /healthz', () => httpsOk(kcmIdentity, '/healthz'), {
            timeoutMs,
            abortIf: abortWhenExited(candidate),
          });
          controllerManager = candidate;
        } catch (error) {
          await halt(candidate);
          throw new StartupError(candidate, error);
        }
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
