// The writes every due run makes (create the ScanRun, create its Job, patch a status), as plain JSON over
// undici's request. client-node's generated clients walk every typed field of a V1Job to serialise and
// deserialise it and go through fetch; at a burst of 1,000 due runs that was most of the controller's CPU per
// run (docs/scaling.md). Credentials and the pooled connection come from the KubeConfig's public
// applySecurityAuthentication, as for every client-node call, and errors are client-node's ApiException, so
// api-errors.ts maps them as it maps every other call.
import { ApiException, HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { request } from 'undici';
import type { DeadlineOptions } from './api-clients.ts';

type Method = 'POST' | 'PATCH' | 'PUT';

export const JSON_CONTENT = 'application/json';
export const MERGE_PATCH_CONTENT = 'application/merge-patch+json';

export class JsonWrites {
  readonly #config: KubeConfig;
  readonly #server: string;
  readonly #deadline: DeadlineOptions;

  constructor(config: KubeConfig, deadline: DeadlineOptions) {
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster: set current-context');
    this.#config = config;
    this.#server = cluster.server.replace(/\/+$/, '');
    this.#deadline = deadline;
  }

  /** Sends `body` as JSON to `path`; the response object, or an ApiException for any status above 299. */
  async send(method: Method, path: string, body: unknown, contentType: string = JSON_CONTENT): Promise<unknown> {
    const url = `${this.#server}${path}`;
    const context = new RequestContext(url, HttpMethod[method]);
    await this.#config.applySecurityAuthentication(context);
    const signals = [AbortSignal.timeout(this.#deadline.timeoutMs)];
    if (this.#deadline.signal !== undefined) signals.push(this.#deadline.signal);
    const response = await request(url, {
      method,
      headers: { ...context.getHeaders(), 'content-type': contentType, accept: JSON_CONTENT },
      body: JSON.stringify(body),
      dispatcher: context.getDispatcher(),
      signal: AbortSignal.any(signals),
    });
    const text = await response.body.text();
    if (response.statusCode > 299) {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
      }
      throw new ApiException(response.statusCode, `HTTP ${response.statusCode} from ${method} ${path}`, text, headers);
    }
    return text === '' ? undefined : JSON.parse(text);
  }
}
