// Runs the scanschedule command as a user does, in a child process, and returns what they would see.
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
export const mainScript = join(root, 'src', 'cli', 'main.ts');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  options: {
    input?: string;
    env?: NodeJS.ProcessEnv;
    nodeArgs?: readonly string[];
    script?: string;
    node?: string;
  } = {},
): CliResult {
  const result = spawnSync(
    options.node ?? process.execPath,
    [...(options.nodeArgs ?? []), options.script ?? mainScript, ...args],
    { cwd: root, input: options.input, encoding: 'utf8', env: options.env ?? process.env, timeout: 60_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** As runCli, without blocking the event loop: for tests whose control plane runs in this process. */
export function runCliAsync(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [mainScript, ...args], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}
