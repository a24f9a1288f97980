// Shards on the real control plane: a controller given shard k of S reconciles the schedules of the namespaces
// that hash to it and no others, each shard leads on a Lease of its own, and shards 0 and 1 of 2 together
// reconcile everything; and a controller of another shard count does not lead while one of the old count does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { shardOfNamespace } from '../../src/core/shards.ts';
import type { RunningController } from '../../src/kube/controller.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import {
  aSchedule,
  type ClusterClients,
  consistently,
  createNamespace,
  createSchedule,
  eventually,
  getSchedule,
  runsOf,
  startClusterForController,
  startTestController,
} from './controller-harness.ts';

/** The first namespace named `shards-<i>` that hashes to `shard` of 2. */
function namespaceOfShard(shard: number, taken: readonly string[]): string {
  for (let i = 0; ; i++) {
    const namespace = `shards-${i}`;
    if (shardOfNamespace(namespace, 2) === shard && !taken.includes(namespace)) return namespace;
  }
}

describe('controller shards', () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  const controllers: RunningController[] = [];
  const ns0 = namespaceOfShard(0, []);
  const ns1 = namespaceOfShard(1, []);

  before(async () => {
    ({ controlPlane, clients } = await startClusterForController());
    for (const ns of [ns0, ns1]) await createNamespace(clients, ns);
  });
  after(async () => {
    await Promise.all(controllers.map((c) => c.stop()));
    await controlPlane?.stop();
  });

  const holderOf = async (lease: string): Promise<string | undefined> => {
    try {
      const read = await clients.config
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ name: lease, namespace: 'default' });
      return read.spec?.holderIdentity ?? undefined;
    } catch {
      return undefined;
    }
  };

  it('reconciles only the namespaces of its shard, on a Lease of its own; the other shard takes the rest', {
    timeout: 120_000,
  }, async () => {
    // Shard 1's schedule is created first: with one worker taking keys in order, shard 0 would have reconciled it
    // before its own, had it not been left out.
    await createSchedule(clients, aSchedule(ns1, 'theirs', { schedule: '@every 2s' }));
    await createSchedule(clients, aSchedule(ns0, 'ours', { schedule: '@every 2s' }));
    const shard0 = await startTestController(clients, {
      leaderElect: true,
      identity: 'shard-0',
      shard: { index: 0, count: 2 },
      maxConcurrentReconciles: 1,
    });
    controllers.push(shard0);
    await eventually('a run of the schedule in shard 0', async () => (await runsOf(clients, ns0, 'ours'))[0]);
    assert.equal(await holderOf('scanschedule.jmo.security-shard-0-of-2'), 'shard-0');
    assert.equal(await holderOf('scanschedule.jmo.security'), undefined, 'the unsharded Lease is not taken');
    await consistently('shard 1’s schedule untouched by shard 0', 3_000, async () => {
      const runs = await runsOf(clients, ns1, 'theirs');
      const status = (await getSchedule(clients, ns1, 'theirs')).status;
      if (runs.length > 0) return `${runs.length} runs in ${ns1}`;
      return status === undefined ? undefined : `status written: ${JSON.stringify(status)}`;
    });

    const shard1 = await startTestController(clients, {
      leaderElect: true,
      identity: 'shard-1',
      shard: { index: 1, count: 2 },
    });
    controllers.push(shard1);
    await eventually('a run of the schedule in shard 1', async () => (await runsOf(clients, ns1, 'theirs'))[0]);
    assert.equal(await holderOf('scanschedule.jmo.security-shard-1-of-2'), 'shard-1');
    await Promise.all(controllers.splice(0).map((c) => c.stop()));
  });

  it('does not lead shard 0 of 2 while an unsharded controller leads, and takes over once it stops', {
    timeout: 120_000,
  }, async () => {
    const unsharded = await startTestController(clients, { leaderElect: true, identity: 'unsharded' });
    controllers.push(unsharded);
    await eventually('the unsharded controller leading', async () =>
      (await holderOf('scanschedule.jmo.security')) === 'unsharded' ? true : undefined,
    );
    const shard0 = await startTestController(clients, {
      leaderElect: true,
      identity: 'shard-0-new',
      shard: { index: 0, count: 2 },
    });
    controllers.push(shard0);
    // The lease holds for 3 s in these tests: longer than that, shard 0 would have taken its Lease by now.
    await consistently('shard 0 of 2 not leading while the unsharded controller does', 5_000, async () => {
      const holder = await holderOf('scanschedule.jmo.security-shard-0-of-2');
      return holder === undefined || holder === '' ? undefined : `its Lease is held by ${holder}`;
    });
    await unsharded.stop();
    await eventually('shard 0 of 2 leading', async () =>
      (await holderOf('scanschedule.jmo.security-shard-0-of-2')) === 'shard-0-new' ? true : undefined,
    );
    // Created now, so only a controller leading now can give it a run.
    await createSchedule(clients, aSchedule(ns0, 'later', { schedule: '@every 2s' }));
    await eventually(
      'a run of a schedule created in shard 0 after the takeover',
      async () => (await runsOf(clients, ns0, 'later'))[0],
    );
  });
});
