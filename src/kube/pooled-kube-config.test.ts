import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { PooledKubeConfig } from './pooled-kube-config.ts';

interface UserShape {
  certData?: string;
  keyData?: string;
  token?: string;
  username?: string;
  password?: string;
}

function load<T extends KubeConfig>(config: T, user: UserShape, server = 'https://127.0.0.1:6443'): T {
  config.loadFromOptions({
    clusters: [{ name: 'c', server, caData: Buffer.from('ca').toString('base64') }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const withCert = (cert: string): UserShape => ({ certData: b64(cert), keyData: b64('key') });

async function authenticated(config: KubeConfig): Promise<RequestContext> {
  const context = new RequestContext('https://127.0.0.1:6443/api', HttpMethod.GET);
  await config.applySecurityAuthentication(context);
  return context;
}

describe('PooledKubeConfig', () => {
  it('hands every request for one identity the same dispatcher, where client-node makes a new one each time', async () => {
    const plain = load(new KubeConfig(), withCert('cert-1'));
    assert.notEqual((await authenticated(plain)).getDispatcher(), (await authenticated(plain)).getDispatcher());
    const pooled = load(new PooledKubeConfig(), withCert('cert-1'));
    const first = (await authenticated(pooled)).getDispatcher();
    assert.notEqual(first, undefined);
    assert.equal((await authenticated(pooled)).getDispatcher(), first);
    assert.equal(pooled.pool.size, 1);
  });

  it('gives a rotated client certificate its own dispatcher', async () => {
    const pooled = load(new PooledKubeConfig(), withCert('cert-1'));
    const before = (await authenticated(pooled)).getDispatcher();
    const user = pooled.getCurrentUser();
    assert.ok(user !== null);
    (user as { certData?: string }).certData = b64('cert-2');
    const after = (await authenticated(pooled)).getDispatcher();
    assert.notEqual(after, before);
    assert.equal(pooled.pool.size, 2);
  });

  it('keeps at most four identities', async () => {
    const pooled = load(new PooledKubeConfig(), withCert('cert-0'));
    const user = pooled.getCurrentUser() as { certData?: string };
    for (let i = 1; i <= 6; i += 1) {
      user.certData = b64(`cert-${i}`);
      await authenticated(pooled);
    }
    assert.equal(pooled.pool.size, 4);
  });

  const headerCases: { name: string; user: UserShape; authorization: string }[] = [
    { name: 'a bearer token', user: { token: 'abc' }, authorization: 'Bearer abc' },
    {
      name: 'a user name and password',
      user: { username: 'ann', password: 'pw' },
      authorization: `Basic ${b64('ann:pw')}`,
    },
  ];
  for (const { name, user, authorization } of headerCases) {
    it(`sends the same Authorization header as client-node for ${name}`, async () => {
      const plain = await authenticated(load(new KubeConfig(), user));
      const pooled = await authenticated(load(new PooledKubeConfig(), user));
      assert.equal(pooled.getHeaders().Authorization, authorization);
      assert.deepEqual(pooled.getHeaders(), plain.getHeaders());
    });
  }
});
