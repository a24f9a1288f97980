// A failed API call, told as kubectl tells it: which server, what went wrong (refused, TLS, unauthorised,
// forbidden, no CRDs) and the fix. Duck-typed on client-node's ApiException ({code, body}) and undici's
// "fetch failed" (a cause with a code), so this stays pure and does not load the client.
import { ClusterError, NotFoundError } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';

/** host:port of a server URL, without credentials or query, for messages. */
export function serverHost(server: string): string {
  try {
    return new URL(server).host || server;
  } catch {
    return '<no server>';
  }
}

interface ApiFailure {
  code: number;
  body?: unknown;
}

function isApiFailure(error: unknown): error is ApiFailure {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'number' &&
    'body' in error &&
    error.name !== 'TypeError'
  );
}

function statusMessage(body: unknown): string | undefined {
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown } | undefined;
    return typeof status?.message === 'string' ? status.message : undefined;
  } catch {
    return undefined;
  }
}

/** The innermost cause's code and message: undici wraps the socket error in "fetch failed". */
function rootCause(error: Error): { code: string; message: string } {
  let current: unknown = error;
  let code = '';
  let message = error.message;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const c = (current as { code?: unknown }).code;
    if (typeof c === 'string') code = c;
    message = current.message;
    current = current.cause;
  }
  return { code, message };
}

const TLS_CODE = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME|ALTNAME/;

/**
 * The error to show for a failure of a cluster command: errors the command already phrased pass through;
 * API and network failures become a ClusterError (exit 3), a missing object a NotFoundError (exit 1).
 */
export function explainClusterFailure(error: unknown, server: string): Error {
  if (error instanceof UsageError || error instanceof NotFoundError || error instanceof ClusterError) return error;
  if (isApiFailure(error)) {
    const said = statusMessage(error.body) ?? `HTTP ${error.code}`;
    switch (error.code) {
      case 401:
        return new ClusterError(
          `error: You must be logged in to the server ${server} (Unauthorized). Your credentials were refused or have expired: log in again (refresh the token in your kubeconfig) or pick another --context.`,
        );
      case 403:
        return new ClusterError(
          `Error from server (Forbidden): ${said}. Ask a cluster admin for a Role that allows it on scanschedules/scanruns in group jmo.security (see docs/operations.md), or use another --context.`,
        );
      case 404:
        return new ClusterError(
          `error: the server ${server} doesn't have a resource type "scanschedules" (${said}). Install the CRDs first: kubectl apply -f crds/`,
        );
      default:
        return new ClusterError(`Error from server (${error.code}) at ${server}: ${said}`);
    }
  }
  if (error instanceof Error) {
    const cause = rootCause(error);
    if (cause.code === 'ECONNREFUSED')
      return new ClusterError(
        `The connection to the server ${server} was refused - did you specify the right host or port? Check that the cluster is running and that your kubeconfig's server is right (kubectl config view --minify).`,
      );
    if (cause.code === 'ENOTFOUND' || cause.code === 'EAI_AGAIN')
      return new ClusterError(
        `Unable to connect to the server ${server}: no such host. Check the server in your kubeconfig (kubectl config view --minify) and your DNS or VPN.`,
      );
    if (/TIMEOUT|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/.test(cause.code))
      return new ClusterError(
        `Unable to connect to the server ${server}: ${cause.message} (timed out or unreachable). Check the network path to the cluster (VPN, firewall, proxy).`,
      );
    if (TLS_CODE.test(cause.code))
      return new ClusterError(
        `Unable to connect to the server ${server}: TLS: ${cause.message}. The server's certificate is not trusted: check certificate-authority(-data) in your kubeconfig matches the cluster.`,
      );
    // Anything else the client or the HTTP stack threw (a kubeconfig it cannot use, a socket error).
    const fromClient = /@kubernetes[\\/]client-node|undici/.test(error.stack ?? '');
    if (error.message === 'fetch failed' || cause.code !== '' || fromClient)
      return new ClusterError(
        `Unable to connect to the server ${server}: ${cause.message}. Check the server in your kubeconfig (kubectl config view --minify) and that the cluster is running.`,
      );
  }
  return error instanceof Error ? error : new Error(String(error));
}
