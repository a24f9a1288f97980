import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { aRun } from '../testing/builders.ts';
import { lockStateDir, StateDirLocked } from './state-lock.ts';
import { DATABASE_FILE, migrate, SCHEMA_VERSION, StateStore } from './state-store.ts';

const root = mkdtempSync(join(tmpdir(), 'state-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
const fresh = (): string => mkdtempSync(join(root, 'dir-'));

describe('StateStore', () => {
  it('creates the database 0600 at the current schema version', () => {
    const dir = fresh();
    new StateStore(dir).close();
    assert.equal(statSync(join(dir, DATABASE_FILE)).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const db = new DatabaseSync(join(dir, DATABASE_FILE));
    assert.deepEqual({ ...db.prepare('SELECT version FROM schema_version').get() }, { version: SCHEMA_VERSION });
    db.close();
  });

  it('refuses a database from a newer version', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db);
    db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 1);
    assert.throws(() => migrate(db), /newer than this scanschedule knows/);
  });

  it('a run name is created once: the second create of the same name is refused', () => {
    const store = new StateStore(fresh());
    const run = aRun();
    assert.equal(store.createRun('security/nightly', run), true);
    assert.equal(store.createRun('security/nightly', { ...run, status: { phase: 'Running' } }), false);
    assert.equal(store.runsOf('security/nightly')[0]?.run.status, undefined);
    store.close();
  });

  it('a failed transaction stores nothing', () => {
    const store = new StateStore(fresh());
    assert.throws(() =>
      store.transaction(() => {
        store.createRun('security/nightly', aRun());
        throw new Error('crash');
      }),
    );
    assert.deepEqual(store.runsOf('security/nightly'), []);
    store.close();
  });
});

describe('lockStateDir', () => {
  it('a second lock on the same directory is refused while the holder runs', () => {
    const dir = fresh();
    // PID 1 always runs: a lock held by another live process.
    lockStateDir(dir);
    writeFileSync(join(dir, 'scheduler.lock'), '1\n');
    assert.throws(
      () => lockStateDir(dir),
      (error: unknown) => error instanceof StateDirLocked && /pid 1/.test(error.message),
    );
  });

  it('a stale lock (its process is gone) is taken over', () => {
    const dir = fresh();
    lockStateDir(dir);
    writeFileSync(join(dir, 'scheduler.lock'), '999999999\n');
    const lock = lockStateDir(dir);
    lock.release();
  });
});
