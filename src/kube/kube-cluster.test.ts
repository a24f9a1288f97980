import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchV1Api, V1Job, V1Pod } from '@kubernetes/client-node';
import { LABEL_SCHEDULE, type ScanRun, type ScanSchedule } from '../api/types.ts';
import type { ScanObjects } from './custom-objects.ts';
import type { EventRecorder } from './event-recorder.ts';
import { KubeCluster } from './kube-cluster.ts';
import { type CachedObject, ResilientInformer } from './resilient-informer.ts';

/** An informer whose cache holds `items` once started; nothing else of it is used here. */
async function cached<T extends CachedObject>(resource: string, items: T[]): Promise<ResilientInformer<T>> {
  const informer = new ResilientInformer<T>({
    resource,
    path: `/apis/test/v1/${resource}`,
    list: async () => ({ items }),
    onEvent: () => {},
    createSource: (handlers, list) => ({
      async start() {
        for (const item of (await list()).items) handlers.add(item);
      },
      async stop() {},
    }),
  });
  return informer;
}

const run = (name: string, namespace: string, schedule: string): ScanRun =>
  ({
    metadata: { name, namespace, resourceVersion: '1', labels: { [LABEL_SCHEDULE]: schedule } },
  }) as Partial<ScanRun> as ScanRun;
const pod = (name: string, labels: Record<string, string>, ownerUid?: string): V1Pod => ({
  metadata: {
    name,
    namespace: 'sec',
    resourceVersion: '1',
    labels,
    ...(ownerUid !== undefined && {
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'x', uid: ownerUid }],
    }),
  },
});

async function cluster(runs: ScanRun[], pods: V1Pod[]): Promise<KubeCluster> {
  const informers = {
    schedules: await cached<ScanSchedule>('scanschedules', []),
    runs: await cached('scanruns', runs),
    jobs: await cached<V1Job>('jobs', []),
    pods: await cached('pods', pods),
  };
  const result = new KubeCluster({
    ...informers,
    objects: {} as ScanObjects,
    batch: {} as BatchV1Api,
    events: {} as EventRecorder,
  });
  for (const informer of Object.values(informers)) {
    informer.start();
    await informer.waitForSync();
    await informer.stop();
  }
  return result;
}

const names = (objects: readonly { metadata?: { name?: string } }[]): string[] =>
  objects.map((o) => o.metadata?.name ?? '').sort();

describe('KubeCluster', () => {
  it('runsOf returns the runs labelled with the schedule in its namespace only', async () => {
    const c = await cluster(
      [run('nightly-1', 'sec', 'nightly'), run('nightly-2', 'sec', 'nightly'), run('nightly-1', 'other', 'nightly')],
      [],
    );
    const schedule = { metadata: { name: 'nightly', namespace: 'sec' } } as ScanSchedule;
    assert.deepEqual(names(c.runsOf(schedule)), ['nightly-1', 'nightly-2']);
    assert.deepEqual(c.runsOf({ metadata: { name: 'weekly', namespace: 'sec' } } as ScanSchedule), []);
  });

  it('podsOf returns pods owned by the Job or carrying its job-name label, each once', async () => {
    const jobName = 'batch.kubernetes.io/job-name';
    const c = await cluster(
      [],
      [
        pod('both', { [jobName]: 'nightly-1' }, 'job-uid'),
        pod('owner-only', {}, 'job-uid'),
        pod('label-only', { [jobName]: 'nightly-1' }),
        pod('another-job', { [jobName]: 'nightly-2' }, 'other-uid'),
      ],
    );
    const job: V1Job = { metadata: { name: 'nightly-1', namespace: 'sec', uid: 'job-uid' } };
    assert.deepEqual(names(c.podsOf(job)), ['both', 'label-only', 'owner-only']);
  });
});
