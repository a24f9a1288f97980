// helm and promtool for the chart and alert-rule tests: built once per machine by build-tools.sh (npm test's
// pretest runs it, so a cold build never runs inside a test's timeout) and found here through the same script.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';

const BUILD_SCRIPT = join(import.meta.dirname, 'build-tools.sh');

let directory: string | undefined;

/** The directory holding helm and promtool; builds them if missing. */
export function toolsDirectory(): string {
  // SCANSCHEDULE_TOOLS_DIR: a directory that already holds helm and promtool (another build, a CI cache).
  directory ??=
    process.env.SCANSCHEDULE_TOOLS_DIR ||
    execFileSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return directory;
}

export interface ToolResult {
  args: readonly string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs helm or promtool; never rejects on a non-zero exit, so a test can show the output. */
export function runTool(
  tool: 'helm' | 'promtool',
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      join(toolsDirectory(), tool),
      args,
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 32 << 20, timeout: 300_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ args: [tool, ...args], code, stdout, stderr });
      },
    );
  });
}

export function describeTool(result: ToolResult): string {
  return [
    `$ ${result.args.join(' ')}`,
    `exit code: ${result.code ?? 'killed'}`,
    `stdout:\n${result.stdout.trimEnd() || '(empty)'}`,
    `stderr:\n${result.stderr.trimEnd() || '(empty)'}`,
  ].join('\n');
}
