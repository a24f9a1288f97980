// scanschedule run PATH...: the local runtime (src/local/), a long-running scheduler over ScanSchedule files on
// one machine; and the --local views of get/describe/runs/trigger/logs, which read and write its state database.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EventsV1Event } from '@kubernetes/client-node';
import type { ScanRun } from '../api/types.ts';
import { checkManifests, type ManifestSource } from '../core/check-manifests.ts';
import { manualRunName } from '../core/run-names.ts';
import { LocalNotificationPort } from '../local/notification-port.ts';
import { LOG_FILE, LocalScheduler, runDirectory } from '../local/scheduler.ts';
import { defaultStateDir, lockStateDir, StateDirLocked } from '../local/state-lock.ts';
import { DATABASE_FILE, StateStore } from '../local/state-store.ts';
import { parseGoDuration } from '../schedule/duration.ts';
import { scheduleTable } from './get.ts';
import { readInputs } from './input-files.ts';
import { type OutputFormat, renderObjects } from './output-format.ts';
import { newestFirst, runTable } from './runs.ts';
import { UsageError } from './usage-error.ts';
import type { CommandOutput } from './validate.ts';

export interface LocalOptions {
  stateDir?: string;
  namespace?: string;
}

const NOTIFICATION_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 1000;
const KILL_GRACE_MS = 5000;
const noStdin = (): string => {
  throw new UsageError('run reads files and folders, not stdin (-)');
};

const stateDirOf = (options: LocalOptions): string => options.stateDir ?? defaultStateDir(process.env, homedir());
const namespaceOf = (options: LocalOptions): string => options.namespace ?? 'default';

export interface RunOptions extends LocalOptions {
  all: boolean;
  secretsDir?: string;
  gracePeriod: string;
}

function sourcesOf(paths: readonly string[]): ManifestSource[] {
  // Path by path: a file that was removed (or a folder left empty) defines nothing, the others still count.
  return paths.flatMap((path) => {
    try {
      return readInputs([path], noStdin);
    } catch {
      return [];
    }
  });
}

export async function runLocalScheduler(paths: readonly string[], options: RunOptions): Promise<number> {
  const graceMs = parseGoDuration(options.gracePeriod);
  if (graceMs === undefined)
    throw new UsageError(`--grace-period ${options.gracePeriod}: not a duration; use e.g. 30s or 2m`);
  const namespace = namespaceOf(options);
  // Validation first, as `validate` would: nothing starts from files with errors.
  const sources = readInputs(paths, noStdin);
  const errors = checkManifests(sources, { strict: false, defaultNamespace: namespace }).findings.filter(
    (finding) => finding.severity === 'error',
  );
  if (errors.length > 0) {
    for (const f of errors) {
      process.stderr.write(
        `${f.file}:${f.line}:${f.column}: error: ${f.path === '' ? '' : `${f.path}: `}${f.message} ${f.fix}\n`,
      );
    }
    process.stderr.write(`${errors.length} error(s): fix them (see \`scanschedule validate\`), then run again\n`);
    return 1;
  }
  const stateDir = stateDirOf(options);
  let lock: ReturnType<typeof lockStateDir>;
  try {
    lock = lockStateDir(stateDir);
  } catch (error) {
    if (error instanceof StateDirLocked) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const store = new StateStore(stateDir);
  const abort = new AbortController();
  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  const scheduler = new LocalScheduler({
    store,
    stateDir,
    all: options.all,
    namespace,
    readSources: () => sourcesOf(paths),
    notifications: new LocalNotificationPort({
      secretsDir: options.secretsDir,
      env: process.env,
      timeoutMs: NOTIFICATION_TIMEOUT_MS,
      signal: abort.signal,
    }),
    pollIntervalMs: POLL_INTERVAL_MS,
    killGraceMs: KILL_GRACE_MS,
    log,
    clock: () => new Date(),
  });
  log(`scheduling from ${paths.join(', ')}; state in ${stateDir} (pid ${process.pid})`);
  scheduler.start();
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string): void => {
      log(`${signal}: no new runs; waiting up to ${options.gracePeriod} for ${scheduler.activeScans} running scan(s)`);
      process.removeAllListeners('SIGTERM');
      process.removeAllListeners('SIGINT');
      void scheduler.stop(graceMs).finally(() => {
        abort.abort();
        resolve();
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  store.close();
  lock.release();
  log('stopped');
  return 0;
}

/** The store of an existing state directory, for the views: they never create one. */
function openState(options: LocalOptions): { store: StateStore; stateDir: string } {
  const stateDir = stateDirOf(options);
  if (!existsSync(join(stateDir, DATABASE_FILE))) {
    throw new UsageError(`no local state in ${stateDir}: start \`scanschedule run PATH\` first, or give --state-dir`);
  }
  return { store: new StateStore(stateDir), stateDir };
}

function withStore<T>(options: LocalOptions, read: (store: StateStore, stateDir: string) => T): T {
  const { store, stateDir } = openState(options);
  try {
    return read(store, stateDir);
  } finally {
    store.close();
  }
}

const notFound = (name: string, namespace: string): UsageError =>
  new UsageError(`scanschedule "${name}" not found in the local state (namespace ${namespace})`);

export function runLocalGet(
  name: string | undefined,
  options: LocalOptions & { output: OutputFormat },
  now = new Date(),
): CommandOutput {
  return withStore(options, (store) => {
    const namespace = namespaceOf(options);
    const stored = store.schedules().filter((s) => (name === undefined ? s.defined : s.key === `${namespace}/${name}`));
    if (name !== undefined && stored.length === 0) throw notFound(name, namespace);
    const schedules = stored.map((s) => s.schedule);
    if (options.output === 'yaml' || options.output === 'json') {
      return { stdout: renderObjects(schedules, options.output, name !== undefined), stderr: '', exitCode: 0 };
    }
    if (schedules.length === 0) return { stdout: '', stderr: 'No local schedules found.\n', exitCode: 0 };
    return {
      stdout: scheduleTable(schedules, { allNamespaces: true, output: options.output }, now),
      stderr: '',
      exitCode: 0,
    };
  });
}

function runsOf(store: StateStore, key: string): ScanRun[] {
  return newestFirst(store.runsOf(key).map((stored) => stored.run));
}

export function runLocalRuns(
  name: string,
  options: LocalOptions & { output: OutputFormat },
  now = new Date(),
): CommandOutput {
  return withStore(options, (store) => {
    const namespace = namespaceOf(options);
    const runs = runsOf(store, `${namespace}/${name}`);
    if (options.output === 'yaml' || options.output === 'json') {
      return { stdout: renderObjects(runs, options.output, false), stderr: '', exitCode: 0 };
    }
    if (runs.length === 0) return { stdout: '', stderr: `No local runs of scanschedule "${name}".\n`, exitCode: 0 };
    return { stdout: runTable(runs, now, options.output === 'wide'), stderr: '', exitCode: 0 };
  });
}

const RECENT_RUNS = 10;

export async function runLocalDescribe(name: string, options: LocalOptions, now = new Date()): Promise<CommandOutput> {
  // describe.ts loads the Kubernetes client (for cluster Events): only this view pays for it, never `run`.
  const { renderDescription } = await import('./describe.ts');
  return withStore(options, (store) => {
    const namespace = namespaceOf(options);
    const key = `${namespace}/${name}`;
    const stored = store.schedule(key);
    if (stored === undefined) throw notFound(name, namespace);
    // The store keeps Events as the controller records them; describe renders events.k8s.io shapes.
    const events = store.eventsOf(key).map(
      (event) =>
        ({
          type: event.type,
          reason: event.reason,
          note: event.message,
          eventTime: new Date(event.time),
        }) as unknown as EventsV1Event,
    );
    const file = stored.defined
      ? `File:    ${stored.file}\n`
      : `File:    ${stored.file} (no longer defines it: stopped)\n`;
    return {
      stdout: file + renderDescription(stored.schedule, runsOf(store, key).slice(0, RECENT_RUNS), events, now),
      stderr: '',
      exitCode: 0,
    };
  });
}

/** A run-now request in the store; the running scheduler picks it up within a second. */
export function runLocalTrigger(name: string, options: LocalOptions, now = new Date()): CommandOutput {
  return withStore(options, (store) => {
    const namespace = namespaceOf(options);
    const token = `${now.toISOString()}-${randomBytes(3).toString('hex')}`;
    if (!store.transaction(() => store.requestRunNow(`${namespace}/${name}`, token))) throw notFound(name, namespace);
    return {
      stdout: `scanschedule ${namespace}/${name} triggered: run ${manualRunName(name, token)} will start when the local scheduler picks it up\n`,
      stderr: '',
      exitCode: 0,
    };
  });
}

export function runLocalLogs(runName: string, options: LocalOptions & { tail?: string }): CommandOutput {
  return withStore(options, (store, stateDir) => {
    const namespace = namespaceOf(options);
    const stored = store.run(`${namespace}/${runName}`);
    if (stored === undefined)
      throw new UsageError(`run "${runName}" not found in the local state (namespace ${namespace})`);
    const path = join(runDirectory(stateDir, stored.run), LOG_FILE);
    if (!existsSync(path)) {
      return { stdout: '', stderr: `run ${runName} has no output (it never started)\n`, exitCode: 0 };
    }
    const text = readFileSync(path, 'utf8');
    if (options.tail === undefined) return { stdout: text, stderr: '', exitCode: 0 };
    const lines = Number.parseInt(options.tail, 10);
    if (!Number.isSafeInteger(lines) || lines < 0)
      throw new UsageError(`--tail ${options.tail}: give a number of lines`);
    const kept = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    return { stdout: lines === 0 ? '' : `${kept.slice(-lines).join('\n')}\n`, stderr: '', exitCode: 0 };
  });
}
