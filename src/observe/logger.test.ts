import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, type LogLevel } from './logger.ts';

function capture(level: LogLevel = 'info'): {
  lines: () => Record<string, unknown>[];
  log: ReturnType<typeof createLogger>;
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const log = createLogger({ level, destination, base: { component: 'test' } });
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with the level name, an ISO time, the fixed message and the fields', () => {
    const { log, lines } = capture();
    log.child({ scanschedule: 'ns/nightly' }).info({ run: 'nightly-29000000' }, 'created scan run');
    const [line] = lines();
    assert.equal(line?.level, 'info');
    assert.equal(line?.msg, 'created scan run');
    assert.equal(line?.scanschedule, 'ns/nightly');
    assert.equal(line?.run, 'nightly-29000000');
    assert.equal(line?.component, 'test');
    assert.match(String(line?.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('drops lines below the level', () => {
    const { log, lines } = capture('warn');
    log.info({}, 'hidden');
    log.warn({}, 'shown');
    assert.deepEqual(
      lines().map((line) => line.msg),
      ['shown'],
    );
  });

  const secretCases: { name: string; fields: object; path: (line: Record<string, unknown>) => unknown }[] = [
    { name: 'a top-level url', fields: { url: 'https://hooks.slack.com/services/T/B/X' }, path: (l) => l.url },
    {
      name: 'the url of a logged channel',
      fields: { channel: { type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' } },
      path: (l) => (l.channel as Record<string, unknown>).url,
    },
  ];
  for (const c of secretCases) {
    it(`redacts ${c.name}`, () => {
      const { log, lines } = capture();
      log.info(c.fields, 'notification sent');
      const [line] = lines();
      assert.ok(line !== undefined);
      assert.equal(c.path(line), '[redacted]');
      assert.doesNotMatch(JSON.stringify(line), /hooks\.slack\.com/);
    });
  }

  it('serializes errors with their message and stack', () => {
    const { log, lines } = capture();
    log.error({ err: new Error('conflict', { cause: new Error('409') }) }, 'reconcile failed, retrying with backoff');
    const err = lines()[0]?.err as Record<string, unknown>;
    assert.match(String(err.message), /conflict/);
    assert.match(String(err.stack), /Error: conflict/);
  });
});
