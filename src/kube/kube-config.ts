// Where the CLI and the controller find their cluster: --kubeconfig, else KUBECONFIG, ~/.kube/config, then the
// in-cluster service account (client-node's loadFromDefault order).
import type { KubeConfig } from '@kubernetes/client-node';
import { PooledKubeConfig } from './pooled-kube-config.ts';

export function loadKubeConfig(path?: string, context?: string): KubeConfig {
  const config = new PooledKubeConfig();
  if (path === undefined) config.loadFromDefault();
  else config.loadFromFile(path);
  if (context !== undefined) config.setCurrentContext(context);
  if (config.getCurrentCluster() === null) {
    throw new Error('no cluster configured: pass --kubeconfig, set KUBECONFIG, or run inside a cluster');
  }
  return config;
}

/** The namespace of the current context, as kubectl uses it when -n is not given. */
export function contextNamespace(config: KubeConfig): string {
  return config.getContextObject(config.getCurrentContext())?.namespace ?? 'default';
}
