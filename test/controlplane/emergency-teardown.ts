// Makes sure no etcd / kube-apiserver outlives the process that started it, and no temp dir stays behind,
// however that process ends:
//   - stop() in an after() hook: the normal path, graceful (control-plane.ts);
//   - process.exit, an uncaught error, or a test file that never called stop(): the 'exit' hook below kills the
//     process groups synchronously (only synchronous work runs in 'exit');
//   - SIGINT / SIGTERM with nobody else listening: the same, then the signal is raised again so the exit status
//     still says "killed by SIGINT";
//   - SIGKILL, or the test runner killing a hung file: no code of ours runs, so a guard shell started next to the
//     control plane waits for its stdin pipe from this process to close, then kills the groups listed in the
//     temp dir's `pgids` file and removes the dir.
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { signalGroup } from './supervised-process.ts';

export interface TeardownTarget {
  /** The temp dir of one control plane; it holds the `pgids` file the guard reads. */
  readonly dir: string;
  /** Keep the dir (logs, certificates) for debugging instead of removing it. */
  readonly keepDir: boolean;
  /** Process groups alive right now. */
  processGroups(): readonly number[];
}

export interface TeardownRegistration {
  /** Call whenever the set of process groups changes, so the guard kills the right ones. */
  processGroupsChanged(): void;
  /** The control plane was stopped normally: forget it and end its guard. */
  release(): void;
}

const live = new Map<TeardownTarget, { stopGuard: () => void }>();
let hooksInstalled = false;

// `kill -KILL -<pgid>` without `--`: dash (sh on Debian) reads `--` as a pid and kills nothing.
const GUARD_SCRIPT = `
cat >/dev/null
if [ -f "$1/pgids" ]; then
  for g in $(cat "$1/pgids"); do kill -KILL "-$g" 2>/dev/null; done
fi
[ "$2" = keep ] || rm -rf "$1"
`;

export function registerForEmergencyTeardown(target: TeardownTarget): TeardownRegistration {
  installHooks();
  const pgidsFile = join(target.dir, 'pgids');
  const writePgids = (): void => writeFileSync(pgidsFile, `${target.processGroups().join('\n')}\n`);
  writePgids();

  const guard = spawn(
    'sh',
    ['-c', GUARD_SCRIPT, 'controlplane-guard', target.dir, target.keepDir ? 'keep' : 'remove'],
    {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  guard.on('error', () => {
    // Without sh there is no guard; the in-process hooks still cover everything but SIGKILL.
  });
  guard.unref();
  if (guard.stdin instanceof Socket) guard.stdin.unref();
  guard.stdin?.on('error', () => {}); // EPIPE when the guard is already gone
  const stopGuard = (): void => {
    if (guard.pid !== undefined) signalGroup(guard.pid, 'SIGKILL');
  };
  live.set(target, { stopGuard });

  return {
    processGroupsChanged: writePgids,
    release() {
      live.delete(target);
      stopGuard();
    },
  };
}

function killEverything(): void {
  for (const [target, { stopGuard }] of live) {
    for (const pgid of target.processGroups()) signalGroup(pgid, 'SIGKILL');
    stopGuard();
    if (!target.keepDir) rmSync(target.dir, { recursive: true, force: true });
  }
  live.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killEverything);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Another listener (cluster.ts, the test runner) owns the shutdown; it ends in process exit, which the
      // 'exit' hook covers. Only when we are alone do we act, because listening disabled Node's default exit.
      if (process.listenerCount(signal) > 1) return;
      killEverything();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
