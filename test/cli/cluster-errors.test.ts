// Cluster commands that cannot reach or use a cluster say so as kubectl does (which server, what failed, the
// fix) and exit 3, never with a stack trace. No cluster is needed: the servers here do not exist or refuse.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from './cli-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'scanschedule-cli-'));
const home = join(dir, 'home');

function kubeconfig(name: string, server: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: very-secret-token}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: team-a}}]
current-context: x
`,
  );
  return path;
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

const { KUBERNETES_SERVICE_HOST: _inCluster, ...outside } = process.env;
const env: NodeJS.ProcessEnv = { ...outside, HOME: home, KUBECONFIG: '' };

describe('cluster errors', () => {
  let refused = '';
  before(async () => {
    refused = `127.0.0.1:${await closedPort()}`;
  });

  it('get with no kubeconfig says where it looked and what to do, exit 3', () => {
    const out = runCli(['get'], { env });
    assert.equal(out.status, 3, out.stderr);
    assert.match(out.stderr, /no cluster configured: no kubeconfig at ~\/\.kube\/config/);
    assert.match(out.stderr, /--kubeconfig/);
  });
  it('a --kubeconfig that does not exist is named, exit 3', () => {
    const out = runCli(['get', '--kubeconfig', join(dir, 'nope')], { env });
    assert.equal(out.status, 3, out.stderr);
    assert.match(out.stderr, /--kubeconfig .*nope: no such file/);
  });
  const commands = [
    ['get'],
    ['describe', 'x'],
    ['runs', 'x'],
    ['trigger', 'x'],
    ['suspend', 'x'],
    ['delete', 'x'],
    ['logs', 'x'],
  ];
  for (const command of commands) {
    it(`${command[0]} against a refused server names it, exit 3, no stack, no token`, () => {
      const out = runCli([...command, '--kubeconfig', kubeconfig('refused.yaml', `https://${refused}`)], { env });
      assert.equal(out.status, 3, out.stderr);
      assert.match(out.stderr, new RegExp(`The connection to the server ${refused} was refused`));
      assert.doesNotMatch(out.stderr, /\n\s+at |very-secret-token/);
      assert.equal(out.stderr.trim().split('\n').length, 1, out.stderr);
    });
  }
  it('https://127.0.0.1:1 (a port fetch refuses to use) is named too, exit 3', () => {
    const out = runCli(['get', '--kubeconfig', kubeconfig('port1.yaml', 'https://127.0.0.1:1')], { env });
    assert.equal(out.status, 3, out.stderr);
    assert.match(out.stderr, /Unable to connect to the server 127\.0\.0\.1:1/);
    assert.doesNotMatch(out.stderr, /\n\s+at /);
  });
  it('an unknown host is said to be unknown, exit 3', () => {
    const out = runCli(['get', '--kubeconfig', kubeconfig('dns.yaml', 'https://no-such-host.invalid:6443')], { env });
    assert.equal(out.status, 3, out.stderr);
    assert.match(out.stderr, /no-such-host\.invalid:6443: no such host/);
  });
});
