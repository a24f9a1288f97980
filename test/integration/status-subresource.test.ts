// ScanRun status goes through the status subresource, the way the controller writes it (client-node merge patch),
// and the main resource ignores status: a client editing spec can never overwrite what the controller reported.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ScanRun, ScanRunStatus } from '../../src/api/types.ts';
import { GROUP, SCAN_RUN_PLURAL, VERSION } from '../../src/api/types.ts';
import { ConflictError, RejectedError } from '../../src/core/errors.ts';
import { ScanObjects } from '../../src/kube/custom-objects.ts';
import { JsonWrites } from '../../src/kube/json-writes.ts';
import { loadKubeConfig } from '../../src/kube/kube-config.ts';
import { type ControlPlane, startControlPlane } from '../controlplane/control-plane.ts';
import { aScanRun } from './manifests.ts';

const NAMESPACE = 'status-subresource';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('ScanRun status subresource', () => {
  let controlPlane: ControlPlane;
  let api: CustomObjectsApi;
  const collection = { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: SCAN_RUN_PLURAL };
  const target = (name: string) => ({ ...collection, name });
  const read = async (name: string): Promise<ScanRun> => (await api.getNamespacedCustomObject(target(name))) as ScanRun;

  before(async () => {
    controlPlane = await startControlPlane();
    const config = new KubeConfig();
    config.loadFromFile(controlPlane.kubeconfigPath);
    api = config.makeApiClient(CustomObjectsApi);
    await config.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });
  after(() => controlPlane?.stop());

  it('drops status sent with create', async () => {
    const run: ScanRun = { ...aScanRun('created-with-status'), status: { phase: 'Succeeded' } };
    const created = (await api.createNamespacedCustomObject({ ...collection, body: run })) as ScanRun;
    assert.equal(created.status, undefined);
  });

  it('round-trips a status written through the status subresource', async () => {
    await api.createNamespacedCustomObject({ ...collection, body: aScanRun('finished') });
    const status: ScanRunStatus = {
      phase: 'Succeeded',
      reason: 'Completed',
      jobName: 'finished',
      startTime: '2026-05-19T02:00:05Z',
      completionTime: '2026-05-19T02:07:41Z',
      findings: { critical: 1, high: 2, medium: 3, low: 4, info: 5, total: 15 },
      notifications: [
        { channel: 0, type: 'slack', state: 'Sent', attempts: 1, lastAttemptTime: '2026-05-19T02:07:42Z' },
      ],
    };
    const patched = (await api.patchNamespacedCustomObjectStatus(
      { ...target('finished'), body: { status } },
      mergePatch,
    )) as ScanRun;
    assert.deepEqual(patched.status, status);
    assert.deepEqual((await read('finished')).status, status);
  });

  it('ignores status written through the main resource', async () => {
    await api.createNamespacedCustomObject({ ...collection, body: aScanRun('running') });
    await api.patchNamespacedCustomObjectStatus(
      { ...target('running'), body: { status: { phase: 'Running' } } },
      mergePatch,
    );
    await api.patchNamespacedCustomObject(
      { ...target('running'), body: { metadata: { labels: { edited: 'yes' } }, status: { phase: 'Failed' } } },
      mergePatch,
    );
    const run = await read('running');
    assert.equal(run.metadata.labels?.edited, 'yes', 'the spec/metadata part of the patch should apply');
    assert.equal(run.status?.phase, 'Running');
  });

  it('ignores spec written through the status subresource', async () => {
    await api.createNamespacedCustomObject({ ...collection, body: aScanRun('frozen') });
    await api.patchNamespacedCustomObjectStatus(
      { ...target('frozen'), body: { spec: { trigger: 'manual' }, status: { phase: 'Pending' } } },
      mergePatch,
    );
    const run = await read('frozen');
    assert.equal(run.spec.trigger, 'schedule');
    assert.equal(run.status?.phase, 'Pending');
  });

  it('validates status against the schema', async () => {
    await api.createNamespacedCustomObject({ ...collection, body: aScanRun('bad-phase') });
    await assert.rejects(
      api.patchNamespacedCustomObjectStatus(
        { ...target('bad-phase'), body: { status: { phase: 'Exploded' } } },
        mergePatch,
      ),
      (error: { code?: number; body?: string }) => {
        assert.equal(error.code, 422, String(error.body));
        // ApiException.body is the raw JSON Status; its message is what kubectl would print.
        const { message } = JSON.parse(String(error.body)) as { message: string };
        assert.match(message, /status\.phase: Unsupported value: "Exploded"/, message);
        return true;
      },
    );
  });

  it("takes the controller's JSON writes as client-node's: create, AlreadyExists, a conditional status patch, a rejection", async () => {
    const writes = new JsonWrites(loadKubeConfig(controlPlane.kubeconfigPath), { timeoutMs: 30_000 });
    const objects = new ScanObjects(api, writes);
    const created = await objects.createRun({
      ...aScanRun('json-written'),
      metadata: { name: 'json-written', namespace: NAMESPACE },
    });
    assert.notEqual(created, 'already-exists');
    if (created === 'already-exists') return;
    assert.equal(typeof created.metadata.uid, 'string');
    assert.equal(
      await objects.createRun({
        ...aScanRun('json-written'),
        metadata: { name: 'json-written', namespace: NAMESPACE },
      }),
      'already-exists',
    );
    const running = await objects.patchRunStatus(created, { phase: 'Running', jobName: 'json-written' });
    assert.equal((await read('json-written')).status?.phase, 'Running');
    // `created` is stale now: its resourceVersion makes the patch conditional, and the API server refuses it.
    await assert.rejects(objects.patchRunStatus(created, { phase: 'Succeeded' }), ConflictError);
    assert.equal((await read('json-written')).status?.phase, running.status?.phase);
    const invalid = { ...aScanRun('json-invalid'), metadata: { name: 'json-invalid', namespace: NAMESPACE } };
    await assert.rejects(
      objects.createRun({ ...invalid, spec: { ...invalid.spec, trigger: 'bogus' as 'manual' } }),
      (error: unknown) => error instanceof RejectedError && /trigger/.test(error.message),
    );
  });
});
