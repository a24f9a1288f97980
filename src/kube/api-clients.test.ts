import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BatchV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { ScanRun } from '../api/types.ts';
import { makeApiClientWithDeadline } from './api-clients.ts';
import { ScanObjects } from './custom-objects.ts';
import { JsonWrites } from './json-writes.ts';

/** An API server that accepts every request and never answers it: what a paused kube-apiserver looks like. */
function silentServer(): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request) => {
    requests.push(`${request.method} ${request.url}`);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, requests });
    });
  });
}

function configFor(url: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'not-a-real-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

const aRun: ScanRun = {
  apiVersion: 'jmo.security/v1alpha1',
  kind: 'ScanRun',
  metadata: { name: 'nightly-1', namespace: 'ns' },
  spec: {
    scheduleRef: { name: 'nightly' },
    scheduledTime: '2026-05-19T02:00:00Z',
    trigger: 'schedule',
    jobTemplate: { targets: { repo: '/r' } },
  },
};

describe('makeApiClientWithDeadline', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  before(async () => {
    silent = await silentServer();
  });
  after(() => {
    silent.server.closeAllConnections();
    silent.server.close();
  });

  it('ends a write the API server never answers at the deadline', { timeout: 10_000 }, async () => {
    const objects = new ScanObjects(
      makeApiClientWithDeadline(configFor(silent.url), CustomObjectsApi, { timeoutMs: 300 }),
    );
    const started = performance.now();
    await assert.rejects(objects.createRun(aRun));
    const elapsedMs = performance.now() - started;
    assert.ok(elapsedMs < 3_000, `took ${Math.round(elapsedMs)} ms`);
    assert.ok(
      silent.requests.some((r) => r.startsWith('POST /apis/jmo.security/v1alpha1/namespaces/ns/scanruns')),
      'the request reached the server',
    );
  });

  it('keeps the deadline through per-call options (a merge patch)', { timeout: 10_000 }, async () => {
    const objects = new ScanObjects(
      makeApiClientWithDeadline(configFor(silent.url), CustomObjectsApi, { timeoutMs: 300 }),
    );
    await assert.rejects(objects.patchRunStatus(aRun, { phase: 'Running' }));
  });

  it('aborts every request in flight when the shared signal is aborted', { timeout: 10_000 }, async () => {
    const lifetime = new AbortController();
    const batch = makeApiClientWithDeadline(configFor(silent.url), BatchV1Api, {
      timeoutMs: 60_000,
      signal: lifetime.signal,
    });
    const call = batch.deleteNamespacedJob({ name: 'j', namespace: 'ns' });
    setTimeout(() => lifetime.abort(new Error('lost leadership')), 100);
    const started = performance.now();
    await assert.rejects(call);
    assert.ok(performance.now() - started < 3_000);
  });

  it('names the fix when the kubeconfig has no current cluster', () => {
    assert.throws(
      () => makeApiClientWithDeadline(new KubeConfig(), BatchV1Api, { timeoutMs: 1_000 }),
      /no current cluster: set current-context/,
    );
  });

  const jsonCases: { name: string; write: (objects: ScanObjects) => Promise<unknown> }[] = [
    { name: 'a run create', write: (objects) => objects.createRun(aRun) },
    { name: 'a status patch', write: (objects) => objects.patchRunStatus(aRun, { phase: 'Running' }) },
  ];
  for (const c of jsonCases) {
    it(`ends ${c.name} sent as plain JSON (the controller's hot writes) at the deadline`, {
      timeout: 10_000,
    }, async () => {
      const api = makeApiClientWithDeadline(configFor(silent.url), CustomObjectsApi, { timeoutMs: 60_000 });
      const objects = new ScanObjects(api, new JsonWrites(configFor(silent.url), { timeoutMs: 300 }));
      const started = performance.now();
      await assert.rejects(c.write(objects));
      assert.ok(performance.now() - started < 3_000);
    });
  }

  it('aborts a plain JSON write in flight when the shared signal is aborted', { timeout: 10_000 }, async () => {
    const lifetime = new AbortController();
    const writes = new JsonWrites(configFor(silent.url), { timeoutMs: 60_000, signal: lifetime.signal });
    const call = writes.send('POST', '/apis/batch/v1/namespaces/ns/jobs', { metadata: { name: 'j' } });
    setTimeout(() => lifetime.abort(new Error('lost leadership')), 100);
    const started = performance.now();
    await assert.rejects(call);
    assert.ok(performance.now() - started < 3_000);
    assert.ok(silent.requests.includes('POST /apis/batch/v1/namespaces/ns/jobs'), 'the request reached the server');
  });
});
