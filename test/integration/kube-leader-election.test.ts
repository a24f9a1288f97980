// Leader election on a real coordination.k8s.io/v1 Lease, with short durations (lease 3 s, renew deadline 2 s,
// retry 0.5 s) so takeovers happen within the test. The API server checks what the fakes cannot: MicroTime
// formats, resourceVersion conflicts and the Lease schema.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeLeaseLock, LeaderElector } from '../../src/kube/leader-election.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { waitUntil } from '../controlplane/wait-until.ts';

const NAMESPACE = 'leader-election';
const SHORT = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

interface Candidate {
  identity: string;
  elector: LeaderElector;
  log: { event: 'started' | 'stopped'; atMs: number }[];
  done: Promise<void>;
}

describe('LeaderElector on a real Lease', () => {
  let controlPlane: ControlPlane;
  let coordination: CoordinationV1Api;
  const candidates: Candidate[] = [];

  const candidate = (identity: string, lease: string, releaseOnStop = true): Candidate => {
    const log: Candidate['log'] = [];
    const elector = new LeaderElector({
      identity,
      lock: new KubeLeaseLock(coordination, NAMESPACE, lease),
      ...SHORT,
      releaseOnStop,
      onStartedLeading: () => log.push({ event: 'started', atMs: Date.now() }),
      onStoppedLeading: () => log.push({ event: 'stopped', atMs: Date.now() }),
    });
    const entry = { identity, elector, log, done: elector.run() };
    candidates.push(entry);
    return entry;
  };
  const leaderOf = (...group: Candidate[]): Candidate | undefined => group.find((c) => c.elector.isLeader());
  const waitForLeader = (...group: Candidate[]): Promise<Candidate> =>
    waitUntil('a leader', async () => leaderOf(...group), { timeoutMs: 20_000, intervalMs: 20 });

  before(async () => {
    controlPlane = await startControlPlane({ crdDirectory: false });
    const config = new KubeConfig();
    config.loadFromFile(controlPlane.kubeconfigPath);
    coordination = config.makeApiClient(CoordinationV1Api);
    await config.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });
  after(async () => {
    await Promise.all(candidates.map((c) => c.elector.stop()));
    await controlPlane?.stop();
  });

  it('lets exactly one of two replicas lead, and writes a valid Lease', async () => {
    const a = candidate('pod-a', 'one-leader');
    const b = candidate('pod-b', 'one-leader');
    const leader = await waitForLeader(a, b);
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      assert.ok(!(a.elector.isLeader() && b.elector.isLeader()), 'two leaders at once');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(leaderOf(a, b), leader, 'leadership did not flap');
    const lease = await coordination.readNamespacedLease({ name: 'one-leader', namespace: NAMESPACE });
    assert.equal(lease.spec?.holderIdentity, leader.identity);
    assert.equal(lease.spec?.leaseDurationSeconds, 3);
    assert.match(String(lease.spec?.renewTime), /\.\d{6}Z$/, 'MicroTime');
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('takes over from a leader that stopped renewing once the lease has expired', async () => {
    const a = candidate('pod-a', 'crash', false);
    await waitForLeader(a);
    const b = candidate('pod-b', 'crash');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(b.elector.isLeader(), false);
    const crashedAt = Date.now();
    await a.elector.stop(); // no release: to the lease this is a crash
    await waitForLeader(b);
    const tookMs = Date.now() - crashedAt;
    assert.ok(tookMs >= SHORT.leaseDurationMs - SHORT.retryPeriodMs, `took over after only ${tookMs} ms`);
    assert.ok(tookMs < SHORT.leaseDurationMs + 3 * SHORT.retryPeriodMs * 2.2, `took ${tookMs} ms`);
    const lease = await coordination.readNamespacedLease({ name: 'crash', namespace: NAMESPACE });
    assert.equal(lease.spec?.holderIdentity, 'pod-b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    await b.elector.stop();
  });

  it('hands over at once on a graceful stop', async () => {
    const a = candidate('pod-a', 'graceful');
    await waitForLeader(a);
    const b = candidate('pod-b', 'graceful');
    await new Promise((resolve) => setTimeout(resolve, 800));
    const stoppedAt = Date.now();
    await a.elector.stop();
    await waitForLeader(b);
    const tookMs = Date.now() - stoppedAt;
    assert.ok(tookMs < SHORT.leaseDurationMs - SHORT.retryPeriodMs, `took ${tookMs} ms, as if the lease had to expire`);
    assert.deepEqual(
      a.log.map((entry) => entry.event),
      ['started', 'stopped'],
    );
    await b.elector.stop();
  });

  it('steps down within the renew deadline when the API server is gone, and campaigns again when it is back', async () => {
    const a = candidate('pod-a', 'outage');
    await waitForLeader(a);
    await controlPlane.stopApiServer();
    const goneAt = Date.now();
    await a.done;
    const stepDownMs = (a.log.find((entry) => entry.event === 'stopped')?.atMs ?? Number.NaN) - goneAt;
    assert.ok(stepDownMs < SHORT.renewDeadlineMs + SHORT.retryPeriodMs + 500, `stepped down after ${stepDownMs} ms`);
    await controlPlane.startApiServer();
    const again = candidate('pod-a-restarted', 'outage');
    await waitForLeader(again);
    await again.elector.stop();
  });
});
