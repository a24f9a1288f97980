import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type HealthCheck,
  parseBindAddress,
  type RunningHealthServer,
  startHealthServer,
  startOptionalHealthServer,
} from './health-server.ts';
import { ControllerMetrics } from './metrics.ts';

describe('parseBindAddress', () => {
  const cases: { address: string; expected: ReturnType<typeof parseBindAddress> | 'error' }[] = [
    { address: ':8080', expected: { host: undefined, port: 8080 } },
    { address: '127.0.0.1:0', expected: { host: '127.0.0.1', port: 0 } },
    { address: '0.0.0.0:8081', expected: { host: '0.0.0.0', port: 8081 } },
    { address: '[::1]:9090', expected: { host: '::1', port: 9090 } },
    { address: '0', expected: undefined },
    { address: '8080', expected: 'error' },
    { address: 'localhost:99999', expected: 'error' },
    { address: '::1:80', expected: 'error' },
  ];
  for (const c of cases) {
    it(`reads "${c.address}" as ${c.expected === 'error' ? 'an error' : (JSON.stringify(c.expected) ?? 'disabled')}`, () => {
      if (c.expected === 'error') assert.throws(() => parseBindAddress(c.address), /is not host:port/);
      else assert.deepEqual(parseBindAddress(c.address), c.expected);
    });
  }
});

describe('startHealthServer', () => {
  let synced = false;
  let server: RunningHealthServer;
  const metrics = new ControllerMetrics();
  const get = async (path: string): Promise<{ status: number; body: string; type: string | null }> => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
  };
  const failing: HealthCheck = () => {
    throw new Error('boom');
  };

  before(async () => {
    server = await startHealthServer({
      address: '127.0.0.1:0',
      liveness: { ping: () => true },
      readiness: { informers: () => synced, other: () => true },
      metrics,
    });
  });
  after(() => server.close());

  it('binds an OS-chosen port for :0 and reports it', () => {
    assert.ok(server.port > 0);
    assert.equal(server.host, '127.0.0.1');
  });

  it('answers /healthz with ok', async () => {
    assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok\n', type: 'text/plain; charset=utf-8' });
  });

  it('answers /readyz with 500 naming the failed check until the caches are synced', async () => {
    synced = false;
    const notReady = await get('/readyz');
    assert.equal(notReady.status, 500);
    assert.equal(notReady.body, '[-]informers failed\nreadyz failed\n');
    synced = true;
    assert.equal((await get('/readyz')).status, 200);
  });

  it('lists every check with ?verbose', async () => {
    synced = true;
    assert.equal((await get('/readyz?verbose')).body, '[+]informers ok\n[+]other ok\nreadyz passed\n');
  });

  it('serves the metrics registry in the Prometheus text format', async () => {
    metrics.reconciled('success', 0.02);
    const response = await get('/metrics');
    assert.equal(response.status, 200);
    assert.match(response.type ?? '', /^text\/plain/);
    assert.match(response.body, /scanschedule_reconcile_total\{result="success"\} 1/);
  });

  it('answers 404 for other paths', async () => {
    assert.equal((await get('/nope')).status, 404);
  });

  it('treats a check that throws as failed', async () => {
    const other = await startHealthServer({ address: '127.0.0.1:0', liveness: { broken: failing } });
    try {
      const response = await fetch(`http://127.0.0.1:${other.port}/healthz`);
      assert.equal(response.status, 500);
      assert.equal(await response.text(), '[-]broken failed\nhealthz failed\n');
      assert.equal((await fetch(`http://127.0.0.1:${other.port}/metrics`)).status, 404, 'metrics not configured');
    } finally {
      await other.close();
    }
  });

  it('refuses to start on the disabled address 0', async () => {
    await assert.rejects(startHealthServer({ address: '0' }), /disabled/);
  });

  it('rejects when the port is taken', async () => {
    await assert.rejects(startHealthServer({ address: `127.0.0.1:${server.port}` }), /EADDRINUSE/);
  });
});

describe('startOptionalHealthServer', () => {
  it('starts nothing for the address 0', async () => {
    assert.equal(await startOptionalHealthServer({ address: '0', liveness: { ping: () => true } }), undefined);
  });

  it('serves on any other address', async () => {
    const server = await startOptionalHealthServer({ address: '127.0.0.1:0', liveness: { ping: () => true } });
    assert.ok(server !== undefined);
    try {
      assert.equal((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status, 200);
    } finally {
      await server.close();
    }
  });

  it('still refuses an address it cannot read', async () => {
    await assert.rejects(startOptionalHealthServer({ address: '8080' }), /is not host:port/);
  });
});
