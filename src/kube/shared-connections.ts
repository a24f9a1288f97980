// client-node 2.0.1 builds a new undici Agent, with its own connection pool, for every request
// (KubeConfig.applySecurityAuthentication → createDispatcher). Nothing is reused: every call pays a TLS
// handshake and leaves an idle connection behind, which at 1,000 schedules cost ~70 MiB of RSS and a third of the
// reconcile time in bench/controller-memory.ts. This keeps one Agent per distinct TLS identity instead. A rotated
// client certificate is a new identity and gets a new Agent; bearer tokens travel in headers and need nothing.
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';

interface Closable {
  close(): Promise<void>;
}
type CreateDispatcher = (cluster: unknown, agentOptions: Record<string, unknown>) => Closable | undefined;

/** At most this many identities are kept; an older Agent is closed once it has been replaced. */
const MAX_AGENTS = 4;

function identityOf(cluster: unknown, agentOptions: Record<string, unknown>): string {
  const { server, proxyUrl } = (cluster ?? {}) as { server?: string; proxyUrl?: string };
  const hash = createHash('sha256');
  hash.update(JSON.stringify([server, proxyUrl]));
  for (const key of Object.keys(agentOptions).sort()) {
    const value = agentOptions[key];
    hash.update(key);
    hash.update(Buffer.isBuffer(value) ? value : JSON.stringify(value ?? null));
  }
  return hash.digest('hex');
}

const shared = new WeakSet<KubeConfig>();

/** Makes `config` reuse connections; returns false (and changes nothing) when client-node has no such hook. */
export function shareConnections(config: KubeConfig): boolean {
  if (shared.has(config)) return true;
  const target = config as unknown as { createDispatcher?: CreateDispatcher };
  const original = target.createDispatcher;
  if (typeof original !== 'function') return false;
  shared.add(config);
  const agents = new Map<string, Closable | undefined>();
  target.createDispatcher = (cluster, agentOptions) => {
    const key = identityOf(cluster, agentOptions);
    if (agents.has(key)) return agents.get(key);
    const agent = original.call(config, cluster, agentOptions);
    agents.set(key, agent);
    if (agents.size > MAX_AGENTS) {
      const [oldest] = agents.keys();
      if (oldest !== undefined) {
        const evicted = agents.get(oldest);
        agents.delete(oldest);
        // Requests already on it finish first: close() waits for them.
        void evicted?.close().catch(() => {});
      }
    }
    return agent;
  };
  return true;
}
