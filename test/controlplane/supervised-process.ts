// One control-plane binary running in its own process group, with its output in a log file.
// The own group (detached) matters twice: Ctrl-C in a terminal reaches only the node process, which then stops
// kube-apiserver before etcd instead of both dying at once, and killing the group also kills anything the
// binary started itself.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the binary could not be started at all (e.g. ENOENT). */
  error?: Error;
}

export interface SupervisedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Settles when the process has ended, for whatever reason. */
  readonly exited: Promise<ExitInfo>;
  /** How it ended, or undefined while it runs. */
  exitInfo(): ExitInfo | undefined;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SupervisedProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  logPath: string;
  env?: NodeJS.ProcessEnv;
}

export function startSupervisedProcess(options: SupervisedProcessOptions): SupervisedProcess {
  const { name, command, args, logPath } = options;
  const logFd = openSync(logPath, 'a');
  let info: ExitInfo | undefined;
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(command, args, { detached: true, stdio: ['ignore', logFd, logFd], env: options.env ?? process.env });
  } finally {
    closeSync(logFd); // the child holds its own copy
  }
  // A test file that forgets stop() must still be able to exit; the teardown hooks then kill the group.
  child.unref();
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      info = { code, signal };
      resolve(info);
    });
    child.once('error', (error) => {
      info = { code: null, signal: null, error };
      resolve(info);
    });
  });
  const pid = child.pid ?? -1;

  return {
    name,
    pid,
    logPath,
    exited,
    exitInfo: () => info,
    async stop(graceMs = 10_000) {
      if (info !== undefined || pid < 0) return;
      signalGroup(pid, 'SIGTERM');
      // The grace timer keeps the process alive while it waits (the child itself is unref'd) and is cancelled
      // as soon as the child exits, so it never holds a finished test file open for the rest of the period.
      const grace = new AbortController();
      const ended = await Promise.race([
        exited.then(() => true),
        sleep(graceMs, false, { signal: grace.signal }).catch(() => true),
      ]);
      grace.abort();
      if (!ended) {
        signalGroup(pid, 'SIGKILL');
        await exited;
      }
      // The leader is gone; anything it left in its group goes too.
      signalGroup(pid, 'SIGKILL');
    },
  };
}

/** Signals a whole process group; a group that no longer exists is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export function describeExit(info: ExitInfo): string {
  if (info.error !== undefined) return `could not start: ${info.error.message}`;
  return info.signal !== null ? `killed by ${info.signal}` : `exited with code ${info.code}`;
}

/** The last `lines` lines of a log file, for error messages; empty when it cannot be read. */
export function logTail(logPath: string, lines = 40): string {
  try {
    const text = readFileSync(logPath, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
