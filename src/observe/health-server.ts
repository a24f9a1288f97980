// The probe and metrics endpoints, on node:http. Bind addresses use controller-runtime's syntax
// (`:8081`, `127.0.0.1:8080`, `[::1]:0`; `0` turns the endpoint off), so the flags read like every operator's.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A named probe check; true when healthy. A throw counts as failed. */
export type HealthCheck = () => boolean;

export interface MetricsSource {
  exposition(): Promise<string>;
  readonly contentType: string;
}

export interface HealthServerSettings {
  /** `host:port`, `:port` (all interfaces) or `[v6]:port`. */
  address: string;
  /** /healthz: the process is alive. Absent → the endpoint is not served. */
  liveness?: Readonly<Record<string, HealthCheck>>;
  /** /readyz: e.g. { informers: () => caches synced }. Not tied to leadership: a standby replica is ready. */
  readiness?: Readonly<Record<string, HealthCheck>>;
  /** /metrics. */
  metrics?: MetricsSource;
}

export interface RunningHealthServer {
  readonly host: string;
  /** The bound port, also when `:0` asked the OS to choose. */
  readonly port: number;
  close(): Promise<void>;
}

export interface BindAddress {
  host: string | undefined;
  port: number;
}

/** Parses a bind address; undefined for `0`, controller-runtime's "disabled". */
export function parseBindAddress(address: string): BindAddress | undefined {
  const text = address.trim();
  if (text === '0') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65_535) {
    throw new Error(`bind address "${address}" is not host:port, :port or [ipv6]:port (use 0 to disable)`);
  }
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

function runChecks(checks: Readonly<Record<string, HealthCheck>>): { ok: boolean; lines: string[] } {
  let ok = true;
  const lines: string[] = [];
  for (const [name, check] of Object.entries(checks)) {
    let passed: boolean;
    try {
      passed = check();
    } catch {
      passed = false;
    }
    ok &&= passed;
    lines.push(passed ? `[+]${name} ok` : `[-]${name} failed`);
  }
  return { ok, lines };
}

// Kubernetes' own /healthz style: "ok" or the failed checks with [-]; `?verbose` lists every check.
function answerProbe(
  request: IncomingMessage,
  response: ServerResponse,
  checks: Readonly<Record<string, HealthCheck>>,
  path: string,
): void {
  const { ok, lines } = runChecks(checks);
  const verbose = new URL(request.url ?? '/', 'http://probe').searchParams.has('verbose');
  const shown = verbose ? lines : lines.filter((line) => line.startsWith('[-]'));
  const body = ok && !verbose ? 'ok\n' : `${[...shown, `${path.slice(1)} ${ok ? 'passed' : 'failed'}`].join('\n')}\n`;
  response.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Starts the server, or nothing when its address is `0` (the flags' "disabled"). */
export async function startOptionalHealthServer(
  settings: HealthServerSettings,
): Promise<RunningHealthServer | undefined> {
  return parseBindAddress(settings.address) === undefined ? undefined : startHealthServer(settings);
}

export async function startHealthServer(settings: HealthServerSettings): Promise<RunningHealthServer> {
  const bind = parseBindAddress(settings.address);
  if (bind === undefined) throw new Error('the health server was asked to bind to "0" (disabled); do not start it');

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://probe').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz' && settings.liveness !== undefined) {
      answerProbe(request, response, settings.liveness, path);
    } else if (path === '/readyz' && settings.readiness !== undefined) {
      answerProbe(request, response, settings.readiness, path);
    } else if (path === '/metrics' && settings.metrics !== undefined) {
      const metrics = settings.metrics;
      metrics.exposition().then(
        (text) => {
          response.writeHead(200, { 'content-type': metrics.contentType });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          response.end(`collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
        },
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  // Probes are short; without these an idle keep-alive connection from a scraper would hold close() open.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
