import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { shareConnections } from './shared-connections.ts';

function configWith(cert: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caData: Buffer.from('ca').toString('base64') }],
    users: [
      { name: 'u', certData: Buffer.from(cert).toString('base64'), keyData: Buffer.from('key').toString('base64') },
    ],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

type Dispatching = { createDispatcher(cluster: unknown, options: Record<string, unknown>): unknown };

describe('shareConnections', () => {
  it('hands every request for one identity the same Agent (client-node makes a new one each time)', () => {
    const config = configWith('cert-1');
    const raw = config as unknown as Dispatching;
    const cluster = config.getCurrentCluster();
    const options = { ca: Buffer.from('ca'), cert: Buffer.from('cert-1'), key: Buffer.from('key') };
    assert.notEqual(raw.createDispatcher(cluster, options), raw.createDispatcher(cluster, options));
    assert.equal(shareConnections(config), true);
    assert.equal(raw.createDispatcher(cluster, options), raw.createDispatcher(cluster, { ...options }));
  });

  it('gives a rotated client certificate its own Agent', () => {
    const config = configWith('cert-1');
    shareConnections(config);
    const raw = config as unknown as Dispatching;
    const cluster = config.getCurrentCluster();
    const before = raw.createDispatcher(cluster, { cert: Buffer.from('cert-1'), key: Buffer.from('key') });
    const after = raw.createDispatcher(cluster, { cert: Buffer.from('cert-2'), key: Buffer.from('key') });
    assert.notEqual(before, after);
  });
});
