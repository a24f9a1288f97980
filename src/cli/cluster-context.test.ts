import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KubeconfigSources, missingKubeconfig } from './cluster-context.ts';

const only =
  (...paths: string[]) =>
  (path: string): boolean =>
    paths.includes(path);
const base: KubeconfigSources = { env: {}, home: '/home/u', exists: only() };

describe('missingKubeconfig', () => {
  const cases: { name: string; sources: KubeconfigSources; says?: RegExp }[] = [
    {
      name: 'nothing at all',
      sources: base,
      says: /no kubeconfig at ~\/\.kube\/config and not running inside a cluster/,
    },
    { name: '~/.kube/config', sources: { ...base, exists: only('/home/u/.kube/config') } },
    { name: 'KUBECONFIG naming a file', sources: { ...base, env: { KUBECONFIG: '/k' }, exists: only('/k') } },
    {
      name: 'KUBECONFIG naming nothing that exists',
      sources: { ...base, env: { KUBECONFIG: '/k' } },
      says: /no kubeconfig at KUBECONFIG=\/k/,
    },
    { name: 'in a cluster', sources: { ...base, env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' } } },
    { name: '--kubeconfig that exists', sources: { ...base, flag: '/f', exists: only('/f') } },
    { name: '--kubeconfig that does not', sources: { ...base, flag: '/f' }, says: /--kubeconfig \/f: no such file/ },
  ];
  for (const c of cases) {
    it(`${c.says === undefined ? 'finds' : 'explains'} ${c.name}`, () => {
      const missing = missingKubeconfig(c.sources);
      if (c.says === undefined) assert.equal(missing, undefined);
      else assert.match(missing ?? '', c.says);
    });
  }
});
