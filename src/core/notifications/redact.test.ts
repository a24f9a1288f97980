import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrls } from './redact.ts';

const SLACK = 'https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/XXXXsecretTokenXXXX';

describe('redactUrls', () => {
  const cases: [string, string, readonly string[], string][] = [
    ['removes the whole URL', `fetch failed: POST ${SLACK} refused`, [SLACK], 'fetch failed: POST <redacted> refused'],
    [
      'removes the path and its token when quoted without the host',
      'bad path /services/T0AAAAAAA/B0BBBBBBB/XXXXsecretTokenXXXX',
      [SLACK],
      'bad path <redacted>',
    ],
    ['removes a token segment quoted alone', 'token XXXXsecretTokenXXXX expired', [SLACK], 'token <redacted> expired'],
    [
      'removes a query token and credentials',
      'GET /hook?token=abcdefgh12345 as user:pa55word-long',
      ['https://user:pa55word-long@example.com/hook?token=abcdefgh12345'],
      'GET <redacted> as <redacted>:<redacted>',
    ],
    [
      'removes the percent-decoded form too',
      'at /a b/secret path',
      ['http://example.com/a%20b/secret%20path'],
      'at <redacted>',
    ],
    [
      'leaves text without the URL alone',
      'connect ECONNREFUSED 127.0.0.1:9',
      [SLACK],
      'connect ECONNREFUSED 127.0.0.1:9',
    ],
    ['does not redact a bare slash path', 'answered 500 for /', ['http://127.0.0.1:8080/'], 'answered 500 for /'],
    ['removes text that is not even a URL', 'got not-a-url-at-all', ['not-a-url-at-all'], 'got <redacted>'],
  ];
  for (const [name, text, urls, expected] of cases) it(name, () => assert.equal(redactUrls(text, urls), expected));
});
