// Posts one notification: the thin I/O beside src/core/notifications, used by the Kubernetes controller and
// by local runners alike. node:http/https rather than fetch, because the connection must go to exactly the
// addresses that were checked: the `lookup` hook below hands the socket the addresses resolved and vetted
// once, so a name that resolves to a public address for the check and to 169.254.169.254 for the connection
// (DNS rebinding) cannot get through. Redirects are never followed (node:http does not follow them), so a
// 3xx cannot steer a request to a metadata address either.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isRetryableStatus } from '../core/notifications/deliveries.ts';
import { redactUrls } from '../core/notifications/redact.ts';
import { isForbiddenAddress, isForbiddenHostName } from './target-policy.ts';

export type ResolveAll = (hostName: string) => Promise<LookupAddress[]>;

export interface PostNotificationInput {
  /** http or https; a secret: it never appears in the result. */
  url: string;
  body: string;
  headers: Record<string, string>;
  /** For the whole attempt: resolving, connecting, and the answer's status line. */
  timeoutMs: number;
  /** Allow link-local and cloud-metadata targets (169.254.0.0/16, fe80::/10, …); off unless an operator says so. */
  allowLinkLocal?: boolean;
  /** Aborts the attempt (controller shutdown); the result is then a retryable failure. */
  signal?: AbortSignal;
  /** How host names are resolved; node:dns lookup unless a test resolves them itself. */
  resolveAll?: ResolveAll;
}

export type PostResult =
  | { ok: true; status: number }
  | { ok: false; error: string; retryable: boolean; retryAfterMs?: number };

/** Enough of an error answer's body to show what the receiver said (Slack answers e.g. `invalid_blocks`). */
const MAX_ERROR_BODY_CHARS = 200;
const ALLOW_HINT = 'allow link-local notification targets in the controller to send there';

const resolveWithDns: ResolveAll = (hostName) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostName, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

export async function postNotification(input: PostNotificationInput): Promise<PostResult> {
  const result = await attempt(input);
  // Whatever went wrong, the text that leaves here must not quote the URL (error texts of the stack may).
  return result.ok ? result : { ...result, error: redactUrls(result.error, [input.url]) };
}

async function attempt(input: PostNotificationInput): Promise<PostResult> {
  let url: URL;
  try {
    url = new URL(input.url.trim());
  } catch {
    return refused('the channel URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refused(`the channel URL must use https or http, not ${url.protocol.replace(/:$/, '')}`);
  }
  const signal = input.signal
    ? AbortSignal.any([input.signal, AbortSignal.timeout(input.timeoutMs)])
    : AbortSignal.timeout(input.timeoutMs);
  const hostName = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const allow = input.allowLinkLocal === true;
  if (!allow && isForbiddenHostName(hostName)) {
    return refused(`refused: the channel URL names a cloud metadata service; ${ALLOW_HINT}`);
  }

  let addresses: LookupAddress[];
  if (isIP(hostName) !== 0) {
    addresses = [{ address: hostName, family: isIP(hostName) }];
  } else {
    try {
      addresses = await abortable((input.resolveAll ?? resolveWithDns)(hostName), signal);
    } catch (error) {
      return signal.aborted
        ? abortedResult(input)
        : failed(`the channel's host name does not resolve (${codeOf(error)})`);
    }
    if (addresses.length === 0) return failed("the channel's host name resolves to no address");
  }
  const bad = addresses.find((a) => isForbiddenAddress(a.address));
  if (!allow && bad !== undefined) {
    return refused(
      `refused: the channel URL leads to ${bad.address}, a link-local or cloud-metadata address; ${ALLOW_HINT}`,
    );
  }
  return send(url, addresses, input, signal);
}

function send(
  url: URL,
  addresses: LookupAddress[],
  input: PostNotificationInput,
  signal: AbortSignal,
): Promise<PostResult> {
  // The socket connects to the vetted addresses, never to a second resolution of the name.
  const pinned: LookupFunction = (_hostName, options, callback) => {
    const usable = addresses.filter((a) => !options.family || a.family === options.family);
    const chosen = usable.length > 0 ? usable : addresses;
    if (options.all) callback(null, chosen);
    else callback(null, chosen[0]!.address, chosen[0]!.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'user-agent': 'scanschedule',
          ...input.headers,
          'content-length': String(Buffer.byteLength(input.body, 'utf8')),
        },
        lookup: pinned,
        agent: false,
        signal,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          response.resume();
          response.on('error', () => {});
          resolve({ ok: true, status });
          return;
        }
        readSome(response, (said) => resolve(statusResult(status, said, response.headers['retry-after'])));
      },
    );
    request.on('error', (error) => resolve(signal.aborted ? abortedResult(input) : failed(networkError(error))));
    request.end(input.body);
  });
}

function statusResult(status: number, said: string, retryAfter: string | undefined): PostResult {
  const quote = said === '' ? '' : `: ${said}`;
  if (status >= 300 && status < 400) {
    return refused(
      `the receiver answered ${status}, a redirect; redirects are not followed: set the channel's URL to the final address`,
    );
  }
  const retryable = isRetryableStatus(status);
  const retryAfterMs = retryable ? retryAfterMsOf(retryAfter) : undefined;
  return {
    ok: false,
    error: `the receiver answered ${status}${quote}`,
    retryable,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  };
}

function readSome(response: http.IncomingMessage, done: (text: string) => void): void {
  let text = '';
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    response.destroy();
    done(text.replace(/\s+/g, ' ').trim().slice(0, MAX_ERROR_BODY_CHARS));
  };
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    text += chunk;
    if (text.length >= MAX_ERROR_BODY_CHARS) finish();
  });
  response.on('end', finish);
  response.on('error', finish);
  response.on('close', finish);
}

/** Retry-After as delta-seconds or an HTTP date. */
function retryAfterMsOf(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(at - Date.now(), 0);
}

function networkError(error: unknown): string {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return `could not deliver (${code}): ${message}`;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

function abortedResult(input: PostNotificationInput): PostResult {
  return input.signal?.aborted
    ? failed('the attempt was cancelled (the controller is stopping)')
    : failed(`the receiver did not answer within ${input.timeoutMs} ms`);
}

const refused = (error: string): PostResult => ({ ok: false, error, retryable: false });
const failed = (error: string): PostResult => ({ ok: false, error, retryable: true });

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
