import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { keepPodStatusFields, pruneForCollection, withoutManagedFields } from './cache-pruning.ts';

const managed = [{ manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { f: {} } }];

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
    assert.deepEqual(Object.keys(pruned).sort(), ['apiVersion', 'kind', 'metadata', 'status']);
    assert.deepEqual(Object.keys(pruned.metadata ?? {}).sort(), [
      'creationTimestamp',
      'labels',
      'name',
      'namespace',
      'ownerReferences',
      'resourceVersion',
      'uid',
    ]);
    assert.deepEqual(Object.keys(pruned.status ?? {}).sort(), [
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
    assert.deepEqual(withoutManagedFields(pod()), expected);
  });
});
