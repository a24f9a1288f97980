// ResilientInformer against a real kube-apiserver: label selectors, the event stream, the server-side watch timeout,
// and recovery when the API server goes away and comes back (client-node's own informer stays stopped then).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Job,
} from '@kubernetes/client-node';
import type { ScanRun } from '../../src/api/types.ts';
import { jobForRun } from '../../src/core/job-for-run.ts';
import { collectionPath, type InformerEventType, ResilientInformer } from '../../src/kube/resilient-informer.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { waitUntil } from '../controlplane/wait-until.ts';

const MANAGED = 'app.kubernetes.io/managed-by=scanschedule';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function aJob(namespace: string, name: string, managed = true): V1Job {
  const run: ScanRun = {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: { name, namespace, uid: `00000000-0000-4000-8000-${String(name.length).padStart(12, '0')}` },
    spec: {
      scheduleRef: { name: 'nightly' },
      scheduledTime: '2026-05-19T02:00:00Z',
      trigger: 'schedule',
      jobTemplate: { targets: { repo: '/r' } },
    },
  };
  const job = jobForRun(run, { scannerImage: 'scanner:1', reportImage: 'report:1' });
  if (!managed && job.metadata !== undefined) job.metadata.labels = { app: 'something-else' };
  return job;
}

interface Recorder {
  informer: ResilientInformer<V1Job>;
  events: [InformerEventType, string][];
  restarts: string[];
}

describe('ResilientInformer on a real API server', () => {
  let controlPlane: ControlPlane;
  let config: KubeConfig;
  let batch: BatchV1Api;
  const informers: ResilientInformer<V1Job>[] = [];

  const watchJobs = (namespace: string, extra: { watchTimeoutSeconds?: number } = {}): Recorder => {
    const events: [InformerEventType, string][] = [];
    const restarts: string[] = [];
    const informer = new ResilientInformer<V1Job>({
      resource: 'jobs',
      kubeConfig: config,
      path: collectionPath({ group: 'batch', version: 'v1', plural: 'jobs', namespace }),
      list: (options) => batch.listNamespacedJob({ namespace, ...options }),
      labelSelector: MANAGED,
      onEvent: (type, job) => events.push([type, job.metadata?.name ?? '']),
      onRestart: (reason) => restarts.push(reason),
      restartBackoffBaseMs: 200,
      restartBackoffMaxMs: 2_000,
      ...extra,
    });
    informers.push(informer);
    informer.start();
    return { informer, events, restarts };
  };
  const seen = (recorder: Recorder, type: InformerEventType, name: string): Promise<true> =>
    waitUntil(
      `${type} ${name}`,
      async () => (recorder.events.some(([t, n]) => t === type && n === name) ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 50 },
    );
  const createNamespace = async (name: string): Promise<void> => {
    await config.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  };

  before(async () => {
    controlPlane = await startControlPlane();
    config = new KubeConfig();
    config.loadFromFile(controlPlane.kubeconfigPath);
    batch = config.makeApiClient(BatchV1Api);
  });
  after(async () => {
    await Promise.all(informers.map((informer) => informer.stop()));
    await controlPlane?.stop();
  });

  it('syncs, then sees only Jobs with the managed-by label, with adds, updates and deletes', async () => {
    const namespace = 'informer-events';
    await createNamespace(namespace);
    await batch.createNamespacedJob({ namespace, body: aJob(namespace, 'before-start') });
    const recorder = watchJobs(namespace);
    await recorder.informer.waitForSync();
    assert.deepEqual(recorder.events, [['add', 'before-start']]);

    await batch.createNamespacedJob({ namespace, body: aJob(namespace, 'foreign', false) });
    await batch.createNamespacedJob({ namespace, body: aJob(namespace, 'ours') });
    await seen(recorder, 'add', 'ours');
    await batch.patchNamespacedJob(
      { name: 'ours', namespace, body: { metadata: { annotations: { touched: 'yes' } } } },
      mergePatch,
    );
    await seen(recorder, 'update', 'ours');
    await batch.deleteNamespacedJob({ name: 'ours', namespace, propagationPolicy: 'Background' });
    await seen(recorder, 'delete', 'ours');

    assert.ok(!recorder.events.some(([, name]) => name === 'foreign'), 'an unlabelled Job leaked through');
    assert.deepEqual(
      recorder.informer.list().map((job) => job.metadata?.name),
      ['before-start'],
    );
    assert.equal(
      recorder.informer.get(namespace, 'before-start')?.metadata?.labels?.['jmo.security/schedule'],
      'nightly',
    );
    assert.equal(
      typeof recorder.informer.get(namespace, 'before-start')?.metadata?.creationTimestamp,
      'string',
      'wire JSON in the cache',
    );
    assert.deepEqual(recorder.restarts, []);
  });

  it('reconnects by itself when the server ends a watch at timeoutSeconds, without a restart', async () => {
    const namespace = 'informer-timeout';
    await createNamespace(namespace);
    const recorder = watchJobs(namespace, { watchTimeoutSeconds: 1 });
    await recorder.informer.waitForSync();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await batch.createNamespacedJob({ namespace, body: aJob(namespace, 'after-timeouts') });
    await seen(recorder, 'add', 'after-timeouts');
    assert.deepEqual(recorder.restarts, []);
  });

  it('restarts when the API server goes away and catches up when it is back', async () => {
    const namespace = 'informer-outage';
    await createNamespace(namespace);
    const recorder = watchJobs(namespace);
    await recorder.informer.waitForSync();
    await controlPlane.stopApiServer();
    await waitUntil('a restart', async () => (recorder.restarts.length > 0 ? true : undefined), { timeoutMs: 30_000 });
    assert.equal(recorder.informer.hasSynced(), true, 'the cache stays synced (and served) through the outage');
    await controlPlane.startApiServer();
    await batch.createNamespacedJob({ namespace, body: aJob(namespace, 'after-outage') });
    await seen(recorder, 'add', 'after-outage');
    assert.ok(recorder.restarts.every((reason) => reason === 'error'));
  });
});
