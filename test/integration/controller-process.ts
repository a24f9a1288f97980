// `scanschedule controller` replicas as child processes, as a Deployment with leader election would run them:
// what tests need to SIGKILL a leader (a real crash: no lease release, no drain) and to read what a replica logged.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitUntil } from '../controlplane/wait-until.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const LEASE_NAMESPACE = 'default';

export interface LogLine {
  msg?: string;
  metricsPort?: number;
  healthPort?: number;
}

export interface ControllerProcess {
  readonly identity: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** Resolves when the process has exited, with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

export const isRunning = (p: ControllerProcess): boolean => p.child.exitCode === null && p.child.signalCode === null;

/** `scanschedule controller` as a replica would run it, with a 4 s lease so a takeover fits in a test. */
export function spawnControllerProcess(identity: string, kubeconfigPath: string, logDir: string): ControllerProcess {
  const logPath = join(logDir, `controller-${identity}.log`);
  // Appended, so a replica restarted under the same identity keeps the log of its previous life.
  const fd = openSync(logPath, 'a');
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'src', 'cli', 'main.ts'),
      'controller',
      `--kubeconfig=${kubeconfigPath}`,
      '--leader-elect=true',
      `--leader-elect-namespace=${LEASE_NAMESPACE}`,
      '--leader-elect-lease-duration=4s',
      '--leader-elect-renew-deadline=3s',
      '--leader-elect-retry-period=1s',
      '--metrics-bind-address=127.0.0.1:0',
      '--health-probe-bind-address=127.0.0.1:0',
      '--log-level=debug',
    ],
    { cwd: REPO_ROOT, env: { ...process.env, POD_NAME: identity }, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { identity, child, logPath, exited };
}

export async function logLines(path: string): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (const text of (await readFile(path, 'utf8')).split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      // The last line may be half written.
    }
  }
  return lines;
}

export async function logTail(path: string, count = 15): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** The ports the replica logged in its 'controller started' line. */
export async function portsOf(p: ControllerProcess): Promise<{ metricsPort: number; healthPort: number }> {
  return waitUntil(
    `${p.identity} to log 'controller started'`,
    async () => {
      const line = (await logLines(p.logPath)).find((l) => l.msg === 'controller started');
      if (line?.metricsPort === undefined || line.healthPort === undefined) return undefined;
      return { metricsPort: line.metricsPort, healthPort: line.healthPort };
    },
    {
      timeoutMs: 60_000,
      abortIf: () => (isRunning(p) ? undefined : `${p.identity} exited:\n${p.logPath}`),
    },
  );
}
