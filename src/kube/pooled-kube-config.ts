// client-node 2.0.1 builds a new undici Agent, with its own connection pool, for every request
// (KubeConfig.applySecurityAuthentication → a fresh dispatcher each call). Nothing is reused: every call pays a TLS
// handshake and leaves an idle connection behind, which at 1,000 schedules cost ~70 MiB of RSS and a third of the
// reconcile time in bench/controller-memory.ts. PooledKubeConfig keeps one Agent per distinct TLS identity instead,
// through public seams only: it overrides the public applySecurityAuthentication (the one hook the generated API
// clients and Watch call), takes credentials from the public applyToHTTPSOptions, and the dispatcher's shape from
// the public createDispatcherOptions. A rotated client certificate is a new identity and gets a new Agent; bearer
// tokens travel in headers and need nothing.
import type https from 'node:https';
import { isDeepStrictEqual } from 'node:util';
import { type DispatcherOptions, KubeConfig, type RequestContext } from '@kubernetes/client-node';
import { Agent, type Dispatcher, ProxyAgent } from 'undici';

/** At most this many identities are kept; an older Agent is closed once it has been replaced. */
const MAX_AGENTS = 4;

/**
 * One dispatcher per identity, oldest closed first when more than MAX_AGENTS are in use. An identity is the
 * dispatcher options themselves, compared by value (Buffers byte for byte): applyToHTTPSOptions makes new Buffers
 * on every call, and hashing them per request cost 3 % of the controller's CPU in a burst (docs/scaling.md),
 * where comparing against the few known identities is a memcmp each.
 */
export class DispatcherPool {
  /** Oldest first. */
  readonly #known: { options: DispatcherOptions; dispatcher: Dispatcher }[] = [];

  /** The shared dispatcher for `options`; undefined where fetch's own global dispatcher serves (no TLS options). */
  dispatcherFor(options: DispatcherOptions): Dispatcher | undefined {
    if (options.type === 'none' || options.type === 'socks') return undefined;
    const known = this.#known.find((entry) => isDeepStrictEqual(entry.options, options));
    if (known !== undefined) return known.dispatcher;
    const dispatcher =
      options.type === 'proxy'
        ? new ProxyAgent({ uri: options.uri, requestTls: options.requestTls, connect: options.connect })
        : new Agent({ connect: options.connect });
    this.#known.push({ options, dispatcher });
    if (this.#known.length > MAX_AGENTS) {
      // Requests already on it finish first: close() waits for them.
      void this.#known
        .shift()
        ?.dispatcher.close()
        .catch(() => {});
    }
    return dispatcher;
  }

  get size(): number {
    return this.#known.length;
  }
}

/** A KubeConfig whose API clients and watches share connections (see the top of this file). */
export class PooledKubeConfig extends KubeConfig {
  readonly pool = new DispatcherPool();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const cluster = this.getCurrentCluster();
    // A SOCKS proxy needs client-node's own connector, which it does not export: such a cluster keeps
    // client-node's behaviour (correct, unpooled).
    if (cluster?.proxyUrl?.startsWith('socks')) return super.applySecurityAuthentication(context);
    const options: https.RequestOptions = {};
    await this.applyToHTTPSOptions(options);
    // The same headers, in the same order, as client-node's own applySecurityAuthentication.
    if (typeof options.auth === 'string') {
      context.setHeaderParam('Authorization', `Basic ${Buffer.from(options.auth).toString('base64')}`);
    }
    for (const [key, value] of Object.entries(options.headers ?? {})) context.setHeaderParam(key, `${value}`);
    const tls: https.AgentOptions = {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
    };
    if (options.rejectUnauthorized !== undefined) tls.rejectUnauthorized = options.rejectUnauthorized;
    if (options.servername !== undefined) tls.servername = options.servername;
    const dispatcher = this.pool.dispatcherFor(this.createDispatcherOptions(cluster, tls));
    if (dispatcher !== undefined) context.setDispatcher(dispatcher);
  }
}
