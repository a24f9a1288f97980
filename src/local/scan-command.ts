// What a local run executes: the command the Job's `scan` step would run (the JMo default built by
// jmoScanCommand, or backend.config.command/args), its environment, and its time limit. Pure.
import type { KubeObject, ScanRun } from '../api/types.ts';
import { jmoScanCommand } from '../core/jmo-command.ts';

/** Set for every local scan: where the results go (the run's own directory), and which run this is. */
export const RESULTS_DIR_ENV = 'RESULTS_DIR';
export const RUN_ENV = 'SCANSCHEDULE_RUN';

export interface LocalCommand {
  argv: string[];
  /** Added to the scheduler's own environment. */
  env: Record<string, string>;
  /** Kill the process group after this long: activeDeadlineSeconds, else options.timeout. */
  deadlineSeconds: number | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function plainEnv(entries: readonly KubeObject[]): { env: Record<string, string> } | { problem: string } {
  const env: Record<string, string> = {};
  for (const [index, entry] of entries.entries()) {
    const name = isRecord(entry) && typeof entry.name === 'string' ? entry.name : undefined;
    const field = `spec.backend.config.env[${index}]${name === undefined ? '' : ` (${name})`}`;
    if (name === undefined) return { problem: `${field} has no name; give each entry a name and a value` };
    if (entry.valueFrom !== undefined) {
      return {
        problem: `${field} uses valueFrom, which needs a cluster; locally give a plain value, or export the variable in the environment of \`scanschedule run\` (scans inherit it)`,
      };
    }
    env[name] = typeof entry.value === 'string' ? entry.value : '';
  }
  return { env };
}

/** The command of `run`, with its results written to `resultsDir`; a problem names the field and the fix. */
export function localScanCommand(run: ScanRun, resultsDir: string): LocalCommand | { problem: string } {
  const config = run.spec.backend?.config ?? {};
  const template = run.spec.jobTemplate;
  let argv: string[];
  if (config.command !== undefined) {
    argv = [...config.command, ...(config.args ?? [])];
  } else if (config.args !== undefined) {
    return {
      problem:
        'spec.backend.config.args is set without command: in the cluster the image entrypoint runs them, but locally there is no image; set spec.backend.config.command too',
    };
  } else {
    // The JMo default, pointed at this run's own results directory instead of the pod's volume.
    argv = jmoScanCommand({ ...template, results: { ...template.results, dir: resultsDir } });
  }
  if (argv.length === 0 || argv[0] === '') {
    return { problem: 'spec.backend.config.command is empty; give the program to run and its arguments' };
  }
  const plain = plainEnv(Array.isArray(config.env) ? config.env : []);
  if ('problem' in plain) return plain;
  const runName = `${run.metadata.namespace ?? ''}/${run.metadata.name ?? ''}`;
  const deadline = config.activeDeadlineSeconds ?? template.options?.timeout;
  return {
    argv,
    env: { ...plain.env, [RESULTS_DIR_ENV]: resultsDir, [RUN_ENV]: runName },
    deadlineSeconds: typeof deadline === 'number' && deadline > 0 ? deadline : undefined,
  };
}
