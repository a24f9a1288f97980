// API clients whose every request has a deadline. client-node 2 sets no timeout on a request: a call to an API
// server that accepted the connection and went quiet (a paused process, a half-open connection, a proxy that
// stalls) waits forever, and a reconcile waiting on it holds its key and, at shutdown, the process. The generated
// clients take middleware in their Configuration and a RequestContext carries an AbortSignal: the seam used here.
import {
  type Configuration,
  createConfiguration,
  type KubeConfig,
  type Middleware,
  type RequestContext,
  type ResponseContext,
  ServerConfiguration,
} from '@kubernetes/client-node';

/** Long enough for a large list on a busy API server, short enough that a hung call does not stall a worker. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface DeadlineOptions {
  /** Each request is aborted after this long. */
  timeoutMs: number;
  /** Aborting it aborts every request in flight and every later one (the controller's lifetime). */
  signal?: AbortSignal;
}

/** Middleware giving each request its own deadline, combined with `signal` and any signal already set. */
export function deadlineMiddleware(options: DeadlineOptions): Middleware {
  return {
    pre: async (request: RequestContext): Promise<RequestContext> => {
      const signals = [AbortSignal.timeout(options.timeoutMs)];
      if (options.signal !== undefined) signals.push(options.signal);
      const existing = request.getSignal();
      if (existing !== undefined) signals.push(existing);
      request.setSignal(AbortSignal.any(signals));
      return request;
    },
    post: async (response: ResponseContext): Promise<ResponseContext> => response,
  };
}

/**
 * Like KubeConfig.makeApiClient (the same server and authentication), with a deadline on every request.
 * Per-call options that add middleware with the 'append' strategy (setHeaderOptions does) keep the deadline.
 */
export function makeApiClientWithDeadline<T>(
  kubeConfig: KubeConfig,
  apiClass: new (configuration: Configuration) => T,
  options: DeadlineOptions,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster: set current-context');
  return new apiClass(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: [deadlineMiddleware(options)],
    }),
  );
}
