// One scheduler per state directory: two would both start every due time. The lock is a file holding the PID,
// created exclusively; a lock whose PID no longer runs (kill -9, a reboot) is stale and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'scheduler.lock';

export class StateDirLocked extends Error {}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user holds that PID, so it runs.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface StateLock {
  release(): void;
}

/** Takes the lock of `stateDir` for this process, or throws StateDirLocked naming the holder. */
export function lockStateDir(stateDir: string): StateLock {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(path);
      if (holder !== undefined && holder !== process.pid && isRunning(holder)) {
        throw new StateDirLocked(
          `another scanschedule run (pid ${holder}) is using the state directory ${stateDir}; stop it first, or give this one another --state-dir`,
        );
      }
      // Stale (its process is gone) or half-written: remove it and try once more.
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return {
      release: () => {
        if (holderOf(path) === process.pid) rmSync(path, { force: true });
      },
    };
  }
  throw new StateDirLocked(
    `could not take the lock ${path}: another scheduler is starting on the same state directory; try again`,
  );
}

/** The default state directory: $XDG_STATE_HOME/scanschedule, else ~/.local/state/scanschedule. */
export function defaultStateDir(env: NodeJS.ProcessEnv, home: string): string {
  const base =
    env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  return join(base, 'scanschedule');
}
