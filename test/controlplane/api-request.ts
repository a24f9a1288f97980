// Plain HTTPS to kube-apiserver with the admin certificate, for the harness itself (readiness, CRDs, discovery).
// Tests use kubectl or @kubernetes/client-node with the kubeconfig instead; the harness stays independent of both
// so that a broken client never looks like a broken control plane.
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { Pki } from './pki.ts';

export interface ApiIdentity {
  /** https://127.0.0.1:<port> */
  server: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export interface ApiResponse {
  status: number;
  body: string;
}

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: string;
  contentType?: string;
  timeoutMs?: number;
}

export async function adminIdentity(server: string, pki: Pki): Promise<ApiIdentity> {
  const [ca, cert, key] = await Promise.all([readFile(pki.caCert), readFile(pki.adminCert), readFile(pki.adminKey)]);
  return { server, ca, cert, key };
}

export function apiRequest(identity: ApiIdentity, req: ApiRequest): Promise<ApiResponse> {
  const url = new URL(req.path, identity.server);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: req.method ?? 'GET',
        ca: identity.ca,
        cert: identity.cert,
        key: identity.key,
        // A fresh connection per call: polls across an apiserver restart must not reuse a dead socket.
        agent: false,
        timeout: req.timeoutMs ?? 10_000,
        headers: {
          accept: 'application/json',
          ...(req.body !== undefined ? { 'content-type': req.contentType ?? 'application/json' } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${req.method ?? 'GET'} ${req.path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}
