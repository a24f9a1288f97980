// The local runtime's store: schedules (as last read from their files, with their status), runs (the same ScanRun
// objects the cluster keeps) and a short Event history, in one SQLite file (node:sqlite, built into Node 24).
//
// WAL: the scheduler writes while `get`/`runs`/`trigger --local` read or write from other processes; a reader
// never blocks the writer and a busy timeout covers the short write transactions. Every plan is applied in one
// transaction (`transaction`), so a kill -9 leaves either all of a plan or none of it.
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ScanRun, ScanSchedule } from '../api/types.ts';

export const DATABASE_FILE = 'scanschedule.db';

/** Each step moves the schema up one version; a step is never edited once released, only appended. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE schedules (
     key TEXT PRIMARY KEY,
     file TEXT NOT NULL,
     object TEXT NOT NULL,
     defined INTEGER NOT NULL,
     run_now TEXT
   );
   CREATE TABLE runs (
     key TEXT PRIMARY KEY,
     schedule_key TEXT NOT NULL,
     object TEXT NOT NULL,
     pid INTEGER
   );
   CREATE INDEX runs_by_schedule ON runs (schedule_key);
   CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     schedule_key TEXT NOT NULL,
     time TEXT NOT NULL,
     type TEXT NOT NULL,
     reason TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX events_by_schedule ON events (schedule_key, id);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Events kept per schedule: enough for `describe`, bounded like the cluster's one-hour Events. */
const EVENTS_KEPT = 50;

export interface StoredSchedule {
  key: string;
  file: string;
  schedule: ScanSchedule;
  /** Whether a watched file defines it now; a schedule whose file went away keeps its history. */
  defined: boolean;
  /** A run-now token written by `trigger --local`, picked up by the running scheduler. */
  runNow: string | undefined;
}

export interface StoredEvent {
  time: string;
  type: string;
  reason: string;
  message: string;
}

export interface StoredRun {
  run: ScanRun;
  /** The process group of the run's scan, once started (the pid of its leader). */
  pid: number | undefined;
}

export const objectKey = (object: { metadata: { namespace?: string; name?: string } }): string =>
  `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;

interface Row {
  [column: string]: unknown;
}

/**
 * Brings the database up to SCHEMA_VERSION, one step per transaction. A database written by a newer version is
 * refused rather than guessed at.
 */
export function migrate(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as Row | undefined;
  let version = typeof row?.version === 'number' ? row.version : 0;
  if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `the state database has schema version ${version}, newer than this scanschedule knows (${SCHEMA_VERSION}); upgrade scanschedule or use another --state-dir`,
    );
  }
  while (version < SCHEMA_VERSION) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[version] as string);
      version += 1;
      db.prepare('UPDATE schema_version SET version = ?').run(version);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

export class StateStore {
  readonly #db: DatabaseSync;

  /** Opens (creating if needed) the store in `stateDir`: the directory 0700, the database files 0600. */
  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const path = join(stateDir, DATABASE_FILE);
    // SQLite gives the -wal and -shm files the mode of the database file, so creating it 0600 covers all three.
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    migrate(this.#db);
  }

  close(): void {
    this.#db.close();
  }

  /** Runs `work` in one write transaction: all of it is stored, or none. */
  transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  schedules(): StoredSchedule[] {
    const rows = this.#db.prepare('SELECT key, file, object, defined, run_now FROM schedules ORDER BY key').all();
    return rows.map(toStoredSchedule);
  }

  schedule(key: string): StoredSchedule | undefined {
    const row = this.#db.prepare('SELECT key, file, object, defined, run_now FROM schedules WHERE key = ?').get(key);
    return row === undefined ? undefined : toStoredSchedule(row as Row);
  }

  putSchedule(file: string, schedule: ScanSchedule, defined: boolean): void {
    this.#db
      .prepare(
        `INSERT INTO schedules (key, file, object, defined) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET file = excluded.file, object = excluded.object, defined = excluded.defined`,
      )
      .run(objectKey(schedule), file, JSON.stringify(schedule), defined ? 1 : 0);
  }

  setDefined(key: string, defined: boolean): void {
    this.#db.prepare('UPDATE schedules SET defined = ? WHERE key = ?').run(defined ? 1 : 0, key);
  }

  /** Asks for a manual run; false when no such schedule is stored. */
  requestRunNow(key: string, token: string): boolean {
    return this.#db.prepare('UPDATE schedules SET run_now = ? WHERE key = ?').run(token, key).changes > 0;
  }

  /** The pending run-now tokens, cheap enough to poll every second. */
  runNowTokens(): Map<string, string> {
    const rows = this.#db.prepare('SELECT key, run_now FROM schedules WHERE run_now IS NOT NULL').all();
    return new Map(rows.map((row) => [String(row.key), String(row.run_now)]));
  }

  runsOf(scheduleKey: string): StoredRun[] {
    const rows = this.#db.prepare('SELECT object, pid FROM runs WHERE schedule_key = ? ORDER BY key').all(scheduleKey);
    return rows.map(toStoredRun);
  }

  run(key: string): StoredRun | undefined {
    const row = this.#db.prepare('SELECT object, pid FROM runs WHERE key = ?').get(key);
    return row === undefined ? undefined : toStoredRun(row as Row);
  }

  /** Runs of every schedule that are not finished: what a restart must recover. */
  unfinishedRuns(): StoredRun[] {
    return this.#db
      .prepare(
        `SELECT object, pid FROM runs
         WHERE json_extract(object, '$.status.phase') IS NULL
            OR json_extract(object, '$.status.phase') IN ('Pending', 'Running')`,
      )
      .all()
      .map(toStoredRun);
  }

  /** Inserts a new run; false when a run of that name exists (AlreadyExists is success: the name is its time). */
  createRun(scheduleKey: string, run: ScanRun): boolean {
    const result = this.#db
      .prepare('INSERT OR IGNORE INTO runs (key, schedule_key, object) VALUES (?, ?, ?)')
      .run(objectKey(run), scheduleKey, JSON.stringify(run));
    return result.changes > 0;
  }

  updateRun(run: ScanRun): void {
    this.#db.prepare('UPDATE runs SET object = ? WHERE key = ?').run(JSON.stringify(run), objectKey(run));
  }

  setRunPid(key: string, pid: number): void {
    this.#db.prepare('UPDATE runs SET pid = ? WHERE key = ?').run(pid, key);
  }

  deleteRun(key: string): void {
    this.#db.prepare('DELETE FROM runs WHERE key = ?').run(key);
  }

  recordEvent(scheduleKey: string, event: StoredEvent): void {
    this.#db
      .prepare('INSERT INTO events (schedule_key, time, type, reason, message) VALUES (?, ?, ?, ?, ?)')
      .run(scheduleKey, event.time, event.type, event.reason, event.message);
    this.#db
      .prepare(
        `DELETE FROM events WHERE schedule_key = ? AND id NOT IN
           (SELECT id FROM events WHERE schedule_key = ? ORDER BY id DESC LIMIT ${EVENTS_KEPT})`,
      )
      .run(scheduleKey, scheduleKey);
  }

  eventsOf(scheduleKey: string): StoredEvent[] {
    return this.#db
      .prepare('SELECT time, type, reason, message FROM events WHERE schedule_key = ? ORDER BY id')
      .all(scheduleKey)
      .map((row) => ({
        time: String(row.time),
        type: String(row.type),
        reason: String(row.reason),
        message: String(row.message),
      }));
  }
}

function toStoredSchedule(row: Row): StoredSchedule {
  return {
    key: String(row.key),
    file: String(row.file),
    schedule: JSON.parse(String(row.object)) as ScanSchedule,
    defined: row.defined === 1,
    runNow: row.run_now === null || row.run_now === undefined ? undefined : String(row.run_now),
  };
}

function toStoredRun(row: Row): StoredRun {
  return {
    run: JSON.parse(String(row.object)) as ScanRun,
    pid: typeof row.pid === 'number' ? row.pid : undefined,
  };
}
