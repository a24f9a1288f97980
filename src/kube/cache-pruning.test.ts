import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import {
  keepJobStatusFields,
  keepPodStatusFields,
  pruneForCollection,
  shrinkToIdentity,
  withoutManagedFields,
} from './cache-pruning.ts';

const managed = [{ manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { f: {} } }];

/** The keys that still hold a value: pruning drops a field by setting it undefined (see cache-pruning.ts). */
function definedKeys(record: object): string[] {
  return Object.entries(record)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key)
    .sort();
}

/** The same object as JSON sees it: undefined fields are absent. */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function pod(): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'nightly-1-abc',
      namespace: 'security',
      uid: 'pod-uid',
      resourceVersion: '7',
      labels: { 'batch.kubernetes.io/job-name': 'nightly-1' },
      annotations: { big: 'x'.repeat(1000) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-1', uid: 'job-uid' }],
      creationTimestamp: new Date('2026-05-19T10:00:00Z'),
      managedFields: managed,
    },
    spec: { containers: [{ name: 'report', image: 'img' }] },
    status: {
      phase: 'Failed',
      startTime: new Date('2026-05-19T10:00:01Z'),
      reason: 'DeadlineExceeded',
      message: 'too slow',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [{ name: 'report', image: 'img', imageID: '', ready: false, restartCount: 0 }],
      initContainerStatuses: [{ name: 'scan', image: 'img', imageID: '', ready: false, restartCount: 0 }],
      podIP: '10.0.0.1',
      qosClass: 'BestEffort',
    },
  };
}

describe('keepPodStatusFields', () => {
  it('keeps what run-status and podsOf read and drops spec, annotations, managedFields and the rest of status', () => {
    const pruned = keepPodStatusFields(pod());
    assert.deepEqual(definedKeys(pruned), ['apiVersion', 'kind', 'metadata', 'status']);
    assert.deepEqual(definedKeys(pruned.metadata ?? {}), [
      'creationTimestamp',
      'labels',
      'name',
      'namespace',
      'ownerReferences',
      'resourceVersion',
      'uid',
    ]);
    assert.deepEqual(definedKeys(pruned.status ?? {}), [
      'conditions',
      'containerStatuses',
      'initContainerStatuses',
      'message',
      'phase',
      'reason',
      'startTime',
    ]);
  });

  it('prunes in place, so a cache holding the same object shrinks too', () => {
    const original = pod();
    assert.equal(keepPodStatusFields(original), original);
    assert.equal(original.spec, undefined);
  });
});

describe('pruneForCollection', () => {
  const cases: { path: string; keepsSpec: boolean }[] = [
    { path: '/api/v1/pods', keepsSpec: false },
    { path: '/api/v1/namespaces/security/pods', keepsSpec: false },
    { path: '/apis/batch/v1/jobs', keepsSpec: true },
    { path: '/apis/batch/v1/namespaces/security/jobs', keepsSpec: true },
    { path: '/apis/jmo.security/v1alpha1/namespaces/security/scanruns', keepsSpec: true },
  ];
  for (const c of cases) {
    it(`${c.keepsSpec ? 'keeps' : 'drops'} the spec of objects from ${c.path}, and always managedFields`, () => {
      const pruned = pruneForCollection<V1Pod>(c.path)(pod());
      assert.equal(pruned.spec !== undefined, c.keepsSpec);
      assert.equal(pruned.metadata?.managedFields, undefined);
    });
  }

  it('withoutManagedFields leaves everything else as it was', () => {
    const expected = pod();
    delete expected.metadata?.managedFields;
    assert.deepEqual(asJson(withoutManagedFields(pod())), asJson(expected));
  });

  // Deleting a key that is not the object's last turns it into a hash table in V8 (dictionary mode), 2–3× the size;
  // the API server sorts a custom resource's keys, so managedFields is mid-metadata. The key stays, its value goes.
  const shapeKeepers: { name: string; prune: (p: V1Pod) => V1Pod; record: (p: V1Pod) => object; key: string }[] = [
    {
      name: 'withoutManagedFields',
      prune: withoutManagedFields,
      record: (p) => p.metadata ?? {},
      key: 'managedFields',
    },
    { name: 'keepPodStatusFields', prune: keepPodStatusFields, record: (p) => p, key: 'spec' },
    { name: 'keepPodStatusFields', prune: keepPodStatusFields, record: (p) => p.metadata ?? {}, key: 'annotations' },
    { name: 'shrinkToIdentity', prune: shrinkToIdentity, record: (p) => p, key: 'status' },
  ];
  for (const c of shapeKeepers) {
    it(`${c.name} drops ${c.key} by setting it undefined, not by delete, so the object keeps its shape`, () => {
      const pruned = c.prune(pod());
      const record = c.record(pruned) as Record<string, unknown>;
      assert.equal(Object.hasOwn(record, c.key), true);
      assert.equal(record[c.key], undefined);
    });
  }
});

describe('keepJobStatusFields', () => {
  const job = (): V1Job => ({
    metadata: {
      name: 'nightly-1767225600',
      namespace: 'security',
      uid: 'job-uid',
      resourceVersion: '7',
      labels: { 'jmo.security/schedule': 'nightly' },
      ownerReferences: [
        { apiVersion: 'jmo.security/v1alpha1', kind: 'ScanRun', name: 'n', uid: 'run-uid', controller: true },
      ],
      managedFields: [{ manager: 'scanschedule', operation: 'Update' }],
    },
    spec: {
      activeDeadlineSeconds: 7200,
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'report', image: 'scanschedule:0.1.0' }] } },
    },
    status: { active: 1, startTime: new Date('2026-01-01T00:00:05Z') },
  });

  it('drops the pod template and managedFields, and keeps what run-status and ownership checks read', () => {
    const expected = job();
    delete expected.metadata?.managedFields;
    delete (expected.spec as { template?: unknown }).template;
    const pruned = keepJobStatusFields(job());
    assert.deepEqual(asJson(pruned), asJson(expected));
    assert.equal(pruned.spec?.activeDeadlineSeconds, 7200);
    assert.equal(pruned.metadata?.ownerReferences?.[0]?.uid, 'run-uid');
  });

  it('is what the jobs informer caches', () => {
    const pruned = pruneForCollection<V1Job>('/apis/batch/v1/jobs')(job());
    assert.equal((pruned.spec as { template?: unknown }).template, undefined);
  });
});

describe('shrinkToIdentity', () => {
  it("keeps of another shard's object only its kind and identity, in place", () => {
    const object = pod();
    const shrunk = shrinkToIdentity(object);
    assert.equal(shrunk, object);
    assert.deepEqual(asJson(object), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nightly-1-abc', namespace: 'security', uid: 'pod-uid', resourceVersion: '7' },
    });
  });
});
