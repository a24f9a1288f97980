// The controller process on a real API server when things go wrong around it: credentials that stop working
// during a watch reconnect, an API server that goes quiet while reconciles are in flight (leadership is lost and
// the controller must stop at once, not drain), caches that are stale after an outage (not ready), and the
// probe/metrics servers turned off with address 0.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BatchV1Api, CoordinationV1Api, KubeConfig, type V1Job } from '@kubernetes/client-node';
import { LOCAL_CONTROLLER_SETTINGS, type RunningController, startController } from '../../src/kube/controller.ts';
import { collectionPath, ResilientInformer } from '../../src/kube/resilient-informer.ts';
import { createLogger } from '../../src/observe/logger.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import {
  aSchedule,
  type ClusterClients,
  createNamespace,
  createSchedule,
  eventually,
  runsOf,
  startClusterForController,
} from './controller-harness.ts';
import { isRunning, LEASE_NAMESPACE, logTail, spawnControllerProcess } from './controller-process.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy in front of kube-apiserver that can go silent: connections stay open, nothing passes. */
interface SilenceableProxy {
  readonly server: string;
  silent: boolean;
  close(): Promise<void>;
}

async function startProxy(upstream: string): Promise<SilenceableProxy> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const proxy: SilenceableProxy = { server: '', silent: false, close: async () => {} };
  const tcp: Server = createServer((client) => {
    const remote = tcpConnect(Number(target.port), target.hostname);
    for (const socket of [client, remote]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.on('data', (data) => {
      if (!proxy.silent) remote.write(data);
    });
    remote.on('data', (data) => {
      if (!proxy.silent) client.write(data);
    });
    client.on('end', () => remote.end());
    remote.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const address = tcp.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return Object.assign(proxy, {
    server: `https://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  });
}

/** The admin kubeconfig with another server address or another user. */
function variantOf(admin: KubeConfig, change: { server?: string; exec?: Record<string, unknown> }): KubeConfig {
  const cluster = admin.getCurrentCluster();
  const user = admin.getCurrentUser();
  assert.ok(cluster !== null && user !== null);
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ ...cluster, name: 'c', server: change.server ?? cluster.server }],
    users: [change.exec === undefined ? { ...user, name: 'u' } : { name: 'exec-user', exec: change.exec }],
    contexts: [{ name: 'x', cluster: 'c', user: change.exec === undefined ? 'u' : 'exec-user' }],
    currentContext: 'x',
  });
  return config;
}

describe('controller process robustness on a real API server', () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  let scratch: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    ({ controlPlane, clients } = await startClusterForController());
    scratch = await mkdtemp(join(tmpdir(), 'scanschedule-robust-'));
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await controlPlane?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('survives credentials that fail on a watch reconnect: no unhandled rejection, stale, then fresh again', {
    timeout: 60_000,
  }, async () => {
    const namespace = 'robust-credentials';
    await createNamespace(clients, namespace);
    // An exec credential plugin handing out the admin certificate, and failing while the marker file exists.
    const cluster = clients.config.getCurrentCluster();
    const user = clients.config.getCurrentUser();
    assert.ok(cluster !== null && user !== null && user.certData !== undefined && user.keyData !== undefined);
    const credential = join(scratch, 'credential.json');
    const revoked = join(scratch, 'revoked');
    await writeFile(
      credential,
      JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: {
          clientCertificateData: Buffer.from(user.certData, 'base64').toString('utf8'),
          clientKeyData: Buffer.from(user.keyData, 'base64').toString('utf8'),
          // Expired: the plugin runs for every request, as a short-lived credential would.
          expirationTimestamp: '2000-01-01T00:00:00Z',
        },
      }),
    );
    const config = variantOf(clients.config, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'sh',
        args: ['-c', `if [ -e '${revoked}' ]; then echo 'credentials revoked' >&2; exit 1; fi; cat '${credential}'`],
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(async () => process.off('unhandledRejection', onUnhandled));
    const batch = config.makeApiClient(BatchV1Api);
    const restarts: string[] = [];
    const informer = new ResilientInformer<V1Job>({
      resource: 'jobs',
      kubeConfig: config,
      path: collectionPath({ group: 'batch', version: 'v1', plural: 'jobs', namespace }),
      list: (options) => batch.listNamespacedJob({ namespace, ...options }),
      onEvent: () => {},
      onRestart: (reason) => restarts.push(reason),
      // The server ends each watch after 1-2 s: reconnects come quickly.
      watchTimeoutSeconds: 1,
      restartBackoffBaseMs: 200,
      restartBackoffMaxMs: 1_000,
    });
    cleanups.push(() => informer.stop());
    informer.start();
    await informer.waitForSync();
    assert.equal(informer.isFresh(), true);

    await writeFile(revoked, '');
    await eventually('the informer notices the failing credentials', async () =>
      restarts.length > 0 && !informer.isFresh() ? true : undefined,
    );
    await sleep(3_000);
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
    assert.equal(informer.isFresh(), false, 'stale while it cannot authenticate');
    assert.equal(informer.hasSynced(), true, 'the last cache is still served');

    await rm(revoked);
    await eventually('fresh again with working credentials', async () => (informer.isFresh() ? true : undefined));
    assert.deepEqual(unhandled, []);
  });

  it('reports not ready while its caches are stale after an API server outage', { timeout: 120_000 }, async () => {
    const controller = await startController({
      ...LOCAL_CONTROLLER_SETTINGS,
      kubeConfig: clients.config,
      log: createLogger({ level: 'silent' }),
      identity: 'robust-readiness',
    });
    cleanups.push(() => controller.stop());
    const readyz = async (): Promise<number> => {
      try {
        return (await fetch(`http://127.0.0.1:${controller.healthPort}/readyz`)).status;
      } catch {
        return -1;
      }
    };
    await eventually('ready', async () => ((await readyz()) === 200 ? true : undefined));
    await controlPlane.stopApiServer();
    try {
      await eventually('not ready while kube-apiserver is down', async () =>
        (await readyz()) === 500 ? true : undefined,
      );
    } finally {
      await controlPlane.startApiServer();
    }
    await eventually('ready again once re-listed', async () => ((await readyz()) === 200 ? true : undefined), 90_000);
    await controller.stop();
  });

  it('turns the metrics and probe servers off with address 0', { timeout: 60_000 }, async () => {
    const controller = await startController({
      ...LOCAL_CONTROLLER_SETTINGS,
      kubeConfig: clients.config,
      metricsBindAddress: '0',
      healthProbeBindAddress: '0',
      log: createLogger({ level: 'silent' }),
      identity: 'robust-no-servers',
    });
    cleanups.push(() => controller.stop());
    assert.equal(controller.metricsPort, undefined);
    assert.equal(controller.healthPort, undefined);
    await controller.stop();
    assert.equal(await controller.done, 'stopped');
  });

  it('stops at once when it loses the lease while reconciles hang, instead of draining', {
    timeout: 120_000,
  }, async () => {
    const namespace = 'robust-leadership';
    await createNamespace(clients, namespace);
    for (const name of ['a', 'b', 'c']) {
      await createSchedule(clients, aSchedule(namespace, name, { schedule: '@every 1s', concurrencyPolicy: 'Allow' }));
    }
    const proxy = await startProxy(controlPlane.server);
    cleanups.push(() => proxy.close());
    const identity = 'robust-leader';
    const controller: RunningController = await startController({
      ...LOCAL_CONTROLLER_SETTINGS,
      kubeConfig: variantOf(clients.config, { server: proxy.server }),
      namespace,
      leaderElect: true,
      leaderElectNamespace: namespace,
      leaseDurationMs: 4_000,
      renewDeadlineMs: 3_000,
      retryPeriodMs: 1_000,
      log: createLogger({ level: 'silent' }),
      identity,
    });
    cleanups.push(() => controller.stop());
    const leases = clients.config.makeApiClient(CoordinationV1Api);
    await eventually('it leads', async () => {
      const lease = await leases
        .readNamespacedLease({ namespace, name: 'scanschedule.jmo.security' })
        .catch(() => undefined);
      return lease?.spec?.holderIdentity === identity ? true : undefined;
    });
    await eventually('it reconciles', async () =>
      (await runsOf(clients, namespace, 'a')).length >= 2 ? true : undefined,
    );

    // From here every request hangs: the reconciles due each second stall mid-write, and renewals fail.
    proxy.silent = true;
    const silencedAt = Date.now();
    const outcome = await Promise.race([controller.done, sleep(15_000).then(() => 'still running' as const)]);
    const elapsedMs = Date.now() - silencedAt;
    assert.equal(outcome, 'lost-leadership');
    // Renew deadline (3 s) plus one retry period; draining would wait for the hung writes (30 s deadlines).
    assert.ok(elapsedMs < 8_000, `done after ${elapsedMs} ms`);
  });

  it('exits the CLI with status 1 as soon as the lease is lost while API calls hang', {
    timeout: 120_000,
  }, async () => {
    const namespace = 'robust-cli';
    await createNamespace(clients, namespace);
    for (const name of ['a', 'b', 'c']) {
      await createSchedule(clients, aSchedule(namespace, name, { schedule: '@every 1s', concurrencyPolicy: 'Allow' }));
    }
    const proxy = await startProxy(controlPlane.server);
    cleanups.push(() => proxy.close());
    const kubeconfigPath = join(scratch, 'proxied-kubeconfig');
    const admin = await readFile(controlPlane.kubeconfigPath, 'utf8');
    await writeFile(kubeconfigPath, admin.replace(`server: ${controlPlane.server}`, `server: ${proxy.server}`));
    const identity = 'robust-cli-leader';
    const replica = spawnControllerProcess(identity, kubeconfigPath, scratch);
    cleanups.push(async () => {
      if (isRunning(replica)) replica.child.kill('SIGKILL');
    });
    const leases = clients.config.makeApiClient(CoordinationV1Api);
    await eventually('the CLI replica leads', async () => {
      if (!isRunning(replica)) throw new Error(`it exited:\n${await logTail(replica.logPath)}`);
      const lease = await leases
        .readNamespacedLease({ namespace: LEASE_NAMESPACE, name: 'scanschedule.jmo.security' })
        .catch(() => undefined);
      return lease?.spec?.holderIdentity === identity ? true : undefined;
    });
    await eventually('it reconciles', async () =>
      (await runsOf(clients, namespace, 'a')).length >= 2 ? true : undefined,
    );

    proxy.silent = true;
    const silencedAt = Date.now();
    const code = await Promise.race([replica.exited, sleep(15_000).then(() => 'still running' as const)]);
    const elapsedMs = Date.now() - silencedAt;
    assert.equal(code, 1, await logTail(replica.logPath));
    assert.ok(elapsedMs < 8_000, `exited after ${elapsedMs} ms`);
  });
});
