// Runs `scanschedule run` as a real process over schedule files in a temporary folder, with the fake scanner
// (test/fixtures/fake-scanner.mjs) as the scan command, and reads its state database directly.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { ScanRun, ScanSchedule } from '../../src/api/types.ts';
import { StateStore, type StoredEvent } from '../../src/local/state-store.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/cli/main.ts');
export const FAKE_SCANNER = join(ROOT, 'test/fixtures/fake-scanner.mjs');

export interface FakeOptions {
  sleepMs?: number;
  exit?: number;
  high?: number;
  format?: 'jmo' | 'sarif' | 'none';
  child?: boolean;
}

export interface ScheduleOptions {
  name: string;
  schedule?: string;
  interval?: string;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  activeDeadlineSeconds?: number;
  failOn?: string;
  fake?: FakeOptions;
}

export class LocalHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'scanschedule-local-'));
  readonly stateDir = join(this.dir, 'state');
  readonly filesDir = join(this.dir, 'schedules');
  readonly markFile = join(this.dir, 'marks.txt');
  stderr = '';
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> = Promise.resolve(null);

  constructor() {
    mkdirSync(this.filesDir, { recursive: true });
    writeFileSync(this.markFile, '');
  }

  scheduleYaml(options: ScheduleOptions): string {
    const fake = options.fake ?? {};
    const env: [string, string][] = [
      ['FAKE_MARK', this.markFile],
      ['FAKE_SLEEP_MS', String(fake.sleepMs ?? 0)],
      ['FAKE_EXIT', String(fake.exit ?? 0)],
      ['FAKE_HIGH', String(fake.high ?? 0)],
      ['FAKE_FORMAT', fake.format ?? 'jmo'],
      ['FAKE_CHILD', fake.child === true ? '1' : '0'],
    ];
    const lines = [
      'apiVersion: jmo.security/v1alpha1',
      'kind: ScanSchedule',
      'metadata:',
      `  name: ${options.name}`,
      'spec:',
      ...(options.schedule === undefined ? [] : [`  schedule: "${options.schedule}"`]),
      ...(options.interval === undefined ? [] : [`  interval: "${options.interval}"`]),
      `  concurrencyPolicy: ${options.concurrencyPolicy ?? 'Forbid'}`,
      `  suspend: ${options.suspend ?? false}`,
      ...(options.successfulJobsHistoryLimit === undefined
        ? []
        : [`  successfulJobsHistoryLimit: ${options.successfulJobsHistoryLimit}`]),
      ...(options.failedJobsHistoryLimit === undefined
        ? []
        : [`  failedJobsHistoryLimit: ${options.failedJobsHistoryLimit}`]),
      '  backend:',
      '    type: local',
      '    config:',
      `      command: ["${process.execPath}", "${FAKE_SCANNER}"]`,
      ...(options.activeDeadlineSeconds === undefined
        ? []
        : [`      activeDeadlineSeconds: ${options.activeDeadlineSeconds}`]),
      '      env:',
      ...env.flatMap(([name, value]) => [`        - name: ${name}`, `          value: "${value}"`]),
      '  jobTemplate:',
      '    targets:',
      '      repo: /tmp',
      ...(options.failOn === undefined ? [] : ['    options:', `      fail_on: ${options.failOn}`]),
      '',
    ];
    return lines.join('\n');
  }

  writeSchedule(file: string, options: ScheduleOptions): void {
    writeFileSync(join(this.filesDir, file), this.scheduleYaml(options));
  }

  writeFile(file: string, text: string): void {
    writeFileSync(join(this.filesDir, file), text);
  }

  removeFile(file: string): void {
    rmSync(join(this.filesDir, file));
  }

  /** Starts the scheduler over the files folder. */
  start(extra: string[] = []): ChildProcess {
    const child = spawn(
      process.execPath,
      [MAIN, 'run', this.filesDir, '--state-dir', this.stateDir, '--grace-period', '2s', ...extra],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    return child;
  }

  get pid(): number {
    return this.#child?.pid ?? -1;
  }

  exited(): Promise<number | null> {
    return this.#exited;
  }

  /** SIGTERM (graceful) or SIGKILL (a crash), and wait for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.#child?.kill(signal);
    return this.#exited;
  }

  /** Runs another CLI command to completion. */
  cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [MAIN, ...args, '--state-dir', this.stateDir], { encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  #read<T>(read: (store: StateStore) => T): T {
    const store = new StateStore(this.stateDir);
    try {
      return read(store);
    } finally {
      store.close();
    }
  }

  runs(name: string): ScanRun[] {
    return this.#read((store) => store.runsOf(`default/${name}`).map((stored) => stored.run));
  }

  schedule(name: string): ScanSchedule | undefined {
    return this.#read((store) => store.schedule(`default/${name}`)?.schedule);
  }

  events(name: string): StoredEvent[] {
    return this.#read((store) => store.eventsOf(`default/${name}`));
  }

  /** The fake scanner's lines: run, what (start|end|child), epoch ms, pid. */
  marks(): { run: string; what: string; ms: number; pid: number }[] {
    return readFileSync(this.markFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [run = '', what = '', ms = '0', pid = '0'] = line.split(' ');
        return { run: run.replace(/^default\//, ''), what, ms: Number(ms), pid: Number(pid) };
      });
  }

  async cleanup(): Promise<void> {
    if (this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null) {
      await this.stop('SIGKILL');
    }
    for (const mark of this.marks()) if (isAlive(mark.pid)) process.kill(mark.pid, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A LocalHarness factory for one test file: every harness it made is cleaned up after the file's tests. */
export function harnessesCleanedUpAfter(): () => LocalHarness {
  const made: LocalHarness[] = [];
  after(async () => {
    for (const h of made) await h.cleanup();
  });
  return () => {
    const h = new LocalHarness();
    made.push(h);
    return h;
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs` (generous: the machine is shared). */
export async function waitFor<T>(what: string, condition: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined | false;
    try {
      value = condition();
    } catch {
      value = undefined;
    }
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const finished = (run: ScanRun): boolean =>
  run.status?.phase === 'Succeeded' || run.status?.phase === 'Failed' || run.status?.phase === 'Cancelled';
