import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForbiddenAddress, isForbiddenHostName } from './target-policy.ts';

describe('isForbiddenAddress', () => {
  const cases: [string, boolean][] = [
    ['169.254.169.254', true],
    ['169.254.170.2', true],
    ['169.254.0.1', true],
    ['100.100.100.200', true],
    ['192.0.0.192', true],
    ['fe80::1', true],
    ['febf::1', true],
    ['fd00:ec2::254', true],
    ['::ffff:169.254.169.254', true],
    ['::ffff:a9fe:a9fe', true],
    ['127.0.0.1', false],
    ['::1', false],
    ['10.0.0.1', false],
    ['192.168.1.10', false],
    ['100.100.100.201', false],
    ['169.255.0.1', false],
    ['fec0::1', false],
    ['8.8.8.8', false],
    ['not-an-address', false],
  ];
  for (const [address, expected] of cases) {
    it(`${address} is ${expected ? 'refused' : 'allowed'}`, () => assert.equal(isForbiddenAddress(address), expected));
  }
});

describe('isForbiddenHostName', () => {
  const cases: [string, boolean][] = [
    ['metadata.google.internal', true],
    ['METADATA.google.internal.', true],
    ['metadata.goog', true],
    ['metadata', true],
    ['instance-data.ec2.internal', true],
    ['hooks.slack.com', false],
    ['metadata.example.com', false],
    ['receiver.security.svc.cluster.local', false],
  ];
  for (const [name, expected] of cases) {
    it(`${name} is ${expected ? 'refused' : 'allowed'}`, () => assert.equal(isForbiddenHostName(name), expected));
  }
});
