import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { NotificationChannel } from '../api/types.ts';
import { LocalNotificationPort, secretEnvName } from './notification-port.ts';

const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'slack'));
writeFileSync(join(dir, 'slack', 'url'), 'https://hooks.example.com/from-file\n');

const fromSecret = (name: string, key: string): NotificationChannel => ({
  type: 'slack',
  urlFrom: { secretKeyRef: { name, key } },
});

describe('LocalNotificationPort.resolve: where a channel URL comes from on one machine', () => {
  const port = new LocalNotificationPort({
    secretsDir: dir,
    env: { [secretEnvName({ name: 'hook', key: 'url' })]: 'https://hooks.example.com/from-env' },
    timeoutMs: 1000,
  });
  const cases: [string, NotificationChannel, { url: string } | RegExp][] = [
    ['an inline url', { type: 'webhook', url: 'https://a.example.com/x' }, { url: 'https://a.example.com/x' }],
    ['a Secret as a file in --secrets-dir', fromSecret('slack', 'url'), { url: 'https://hooks.example.com/from-file' }],
    [
      'a Secret from SCANSCHEDULE_SECRET_<NAME>_<KEY>',
      fromSecret('hook', 'url'),
      { url: 'https://hooks.example.com/from-env' },
    ],
    [
      'a missing Secret names both places, never a URL',
      fromSecret('nope', 'url'),
      /nope\/url, or set SCANSCHEDULE_SECRET_NOPE_URL/,
    ],
    ['a name that would leave the directory is not read as a path', fromSecret('..', 'url'), /not found/],
    ['no url at all', { type: 'slack' }, /no url or urlFrom/],
  ];
  for (const [name, channel, expected] of cases) {
    it(name, async () => {
      const resolved = await port.resolve('default', channel);
      if (expected instanceof RegExp) {
        assert.ok('error' in resolved);
        assert.match(resolved.error, expected);
      } else {
        assert.deepEqual(resolved, expected);
      }
    });
  }
});
