// One scan as a child process in its own process group (detached), so that a deadline, a Replace or a shutdown
// stops the scanner and everything it started, not only the first process. Output goes to a log file that is
// kept with the run.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ScanExit {
  code: number | null;
  signal: string | null;
  /** The program could not be started at all (e.g. not installed). */
  spawnError?: string;
}

export interface ScanProcess {
  pid: number | undefined;
  exited: Promise<ScanExit>;
}

/** Sends `signal` to the whole process group led by `pid`; a group already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function startScan(
  argv: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logPath: string },
): ScanProcess {
  const log = openSync(options.logPath, 'a', 0o600);
  try {
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    const exited = new Promise<ScanExit>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        // 'exit' may or may not follow a spawn failure; the first of the two settles the promise.
        resolve({ code: null, signal: null, spawnError: `${argv[0]}: ${error.code ?? error.message}` });
      });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    return { pid: child.pid, exited };
  } finally {
    closeSync(log);
  }
}

/**
 * Whether `pid` still runs the scan of `runKey`: after a crash, a PID may have been reused by an unrelated
 * process, which must never be killed. Linux tells by the process environment; elsewhere, unknown is "no".
 */
export function isScanOfRun(pid: number, runEnv: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(runEnv);
  } catch {
    return false;
  }
}
