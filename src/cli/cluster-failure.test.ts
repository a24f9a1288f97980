import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainClusterFailure, serverHost } from './cluster-failure.ts';
import { ClusterError, NotFoundError } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';

/** client-node's ApiException as the CLI sees it: a status code and the raw body. */
class FakeApiException extends Error {
  readonly code: number;
  readonly body: string;
  constructor(code: number, body: string) {
    super(`HTTP-Code: ${code}`);
    this.code = code;
    this.body = body;
  }
}

function fetchFailed(code: string, message: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

const server = '10.0.0.1:6443';

describe('explainClusterFailure', () => {
  const cases: { name: string; error: Error; says: RegExp }[] = [
    {
      name: 'a refused connection, as kubectl says it',
      error: fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6443'),
      says: /^The connection to the server 10\.0\.0\.1:6443 was refused - did you specify the right host or port\?/,
    },
    {
      name: 'an unknown host',
      error: fetchFailed('ENOTFOUND', 'getaddrinfo ENOTFOUND x'),
      says: /Unable to connect to the server 10\.0\.0\.1:6443: no such host/,
    },
    {
      name: 'a timeout',
      error: fetchFailed('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'),
      says: /timed out or unreachable/,
    },
    {
      name: 'an untrusted certificate',
      error: fetchFailed('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
      says: /TLS: self-signed certificate in certificate chain\. .*certificate-authority/,
    },
    {
      name: '401',
      error: new FakeApiException(401, '{"message":"Unauthorized"}'),
      says: /^error: You must be logged in to the server 10\.0\.0\.1:6443 \(Unauthorized\)/,
    },
    {
      name: '403 with the server’s words and the RBAC fix',
      error: new FakeApiException(
        403,
        '{"message":"scanschedules.jmo.security is forbidden: User \\"bob\\" cannot list"}',
      ),
      says: /^Error from server \(Forbidden\): scanschedules\.jmo\.security is forbidden: User "bob" cannot list\. Ask .*docs\/operations\.md/,
    },
    {
      name: '404 on a list: CRDs missing',
      error: new FakeApiException(404, '{"message":"the server could not find the requested resource"}'),
      says: /doesn't have a resource type "scanschedules".*kubectl apply -f crds\//,
    },
    {
      name: 'another status',
      error: new FakeApiException(500, 'not json'),
      says: /^Error from server \(500\) at 10\.0\.0\.1:6443: HTTP 500$/,
    },
  ];
  for (const c of cases) {
    it(`explains ${c.name} as a ClusterError (exit 3)`, () => {
      const explained = explainClusterFailure(c.error, server);
      assert.ok(explained instanceof ClusterError, explained.message);
      assert.match(explained.message, c.says);
    });
  }
  it('passes the errors commands phrased themselves through', () => {
    for (const error of [new UsageError('u'), new NotFoundError('n'), new ClusterError('c')])
      assert.equal(explainClusterFailure(error, server), error);
  });
  it('leaves a bug in our own code a bug', () => {
    const bug = new RangeError('index out of range');
    assert.equal(explainClusterFailure(bug, server), bug);
  });
});

describe('serverHost', () => {
  it('keeps host and port, drops credentials and query', () => {
    assert.equal(serverHost('https://user:pw@api.example.com:6443/path?token=x'), 'api.example.com:6443');
    assert.equal(serverHost('not a url'), '<no server>');
  });
});
