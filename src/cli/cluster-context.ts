// What the commands that talk to a cluster share: the clients, the namespace, the server they talk to, and the
// time "now" is. The clients come from kube/command-clients.ts (the Kubernetes client, ≈1 s to load), imported
// here when a cluster command runs, never by the offline commands.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { CommandClients } from '../kube/command-clients.ts';
import { serverHost } from './cluster-failure.ts';
import { ClusterError } from './exit-codes.ts';

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface ClusterContext extends CommandClients {
  namespace: string;
  /** host:port of the API server, for messages (never the credentials). */
  server: string;
  now: Date;
}

export interface KubeconfigSources {
  flag?: string;
  env: NodeJS.ProcessEnv;
  home: string;
  exists: (path: string) => boolean;
}

/** Why no cluster can be configured from these sources, or undefined when one can (client-node's order). */
export function missingKubeconfig(sources: KubeconfigSources): string | undefined {
  if (sources.flag !== undefined) {
    return sources.exists(sources.flag)
      ? undefined
      : `error: --kubeconfig ${sources.flag}: no such file. Pass the path of a kubeconfig file.`;
  }
  const fromEnv = (sources.env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  if (fromEnv.some(sources.exists)) return undefined;
  if (sources.exists(join(sources.home, '.kube', 'config'))) return undefined;
  if (sources.env.KUBERNETES_SERVICE_HOST !== undefined) return undefined;
  const tried = fromEnv.length > 0 ? `KUBECONFIG=${fromEnv.join(delimiter)}` : '~/.kube/config';
  return `error: no cluster configured: no kubeconfig at ${tried} and not running inside a cluster. Pass --kubeconfig FILE, set KUBECONFIG, or point kubectl at a cluster first (kubectl config current-context).`;
}

export async function connect(options: ClusterOptions): Promise<ClusterContext> {
  const missing = missingKubeconfig({
    flag: options.kubeconfig,
    env: process.env,
    home: homedir(),
    exists: existsSync,
  });
  if (missing !== undefined) throw new ClusterError(missing);
  const [{ commandClients }, { contextNamespace, loadKubeConfig }] = await Promise.all([
    import('../kube/command-clients.ts'),
    import('../kube/kube-config.ts'),
  ]);
  let config: ReturnType<typeof loadKubeConfig>;
  try {
    config = loadKubeConfig(options.kubeconfig, options.context);
  } catch (cause) {
    throw new ClusterError(`error: ${(cause as Error).message}`, { cause });
  }
  const server = serverHost(config.getCurrentCluster()?.server ?? '');
  return {
    ...commandClients(config),
    namespace: options.namespace ?? contextNamespace(config),
    server,
    now: new Date(),
  };
}
