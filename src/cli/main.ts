#!/usr/bin/env node
// The scanschedule command: composes the layers, holds no logic of its own. Each command's module is imported
// inside its action, so --help, --version and the offline commands (validate, next, report, export) never load
// the Kubernetes client, which alone takes about a second; test/cli/offline-startup.test.ts pins that.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import type { ClusterContext, ClusterOptions } from './cluster-context.ts';
import { EXIT } from './exit-codes.ts';
import type { OutputFormat } from './output-format.ts';
import { reportFailure } from './report-failure.ts';
import type { CommandOutput } from './validate.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const readStdin = (): string => readFileSync(0, 'utf8');
// `scanschedule ... | head` closes the pipe early: stop quietly, as kubectl and every Unix tool do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

function emit(output: CommandOutput): void {
  process.stdout.write(output.stdout);
  process.stderr.write(output.stderr);
  process.exitCode = output.exitCode;
}

// Run as kubectl-scanschedule, kubectl finds it as a plugin and users type `kubectl scanschedule ...`.
const asKubectlPlugin = basename(process.argv[1] ?? '').startsWith('kubectl-');

const program = new Command(asKubectlPlugin ? 'kubectl scanschedule' : 'scanschedule')
  .description('Kubernetes-native scheduler for security scans: validate, preview and run ScanSchedules.')
  .version(packageJson.version)
  .showHelpAfterError()
  // Commander would exit 1 on a usage mistake, the code of invalid input; report-failure maps it to 2.
  .exitOverride()
  .addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 invalid input / findings at or above --fail-on / not found, 2 usage error,
3 cluster unreachable or unauthorised. Docs: docs/operations.md, docs/troubleshooting.md.`,
  );

const textOrJson = (): Option =>
  new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');

program
  .command('validate')
  .description(
    'Check ScanSchedule manifests offline with the rules of the API server and the controller. Exits 1 on any error.',
  )
  .argument(
    '<paths...>',
    'files, folders (searched recursively for .yaml/.yml/.json, skipping node_modules, vendor and dot folders) or - for stdin',
  )
  .option('--strict', 'treat documents of other kinds as errors instead of skipping them', false)
  .addOption(textOrJson())
  .option('-n, --namespace <namespace>', 'namespace of objects that do not set one', 'default')
  .action(async (paths: string[], options: { strict: boolean; output: 'text' | 'json'; namespace: string }) => {
    const { runValidate } = await import('./validate.ts');
    emit(runValidate(paths, options, readStdin));
  });

program
  .command('next')
  .description(
    'Show the next run times of each ScanSchedule in the files, in its time zone and in UTC. Warns about fixed-offset and legacy zones.',
  )
  .argument('<files...>', 'manifest files or folders, or - for stdin')
  .option('-c, --count <n>', 'how many run times to show per schedule', '10')
  // -n meant --count here and namespace everywhere else; it keeps working for 0.x with a deprecation note.
  .addOption(new Option('-n <n>', 'deprecated: use -c/--count').hideHelp())
  .option(
    '--from <time>',
    'start from this time instead of now: RFC 3339 (2026-03-28T00:00:00Z, or +01:00); without an offset it is read as UTC',
  )
  .addOption(textOrJson())
  .action(async (files: string[], options: { count: string; n?: string; from?: string; output: 'text' | 'json' }) => {
    const { runNext } = await import('./next.ts');
    const deprecation =
      options.n === undefined ? '' : 'warning: -n for next is deprecated and will mean --namespace; use -c/--count\n';
    const output = runNext(files, { ...options, count: options.n ?? options.count }, readStdin, new Date());
    emit({ ...output, stderr: `${deprecation}${output.stderr}` });
  });

program
  .command('report')
  .description(
    'Summarise a results directory (JMo summaries/findings.json, *.sarif, scanschedule-summary.json). Exits 0 below --fail-on, 1 at or above it, 2 when the results cannot be read.',
  )
  .argument('<dir>', 'the results directory, searched recursively')
  .option('--fail-on <severity>', 'CRITICAL, HIGH, MEDIUM, LOW or INFO: exit 1 when a finding is at or above it')
  .addOption(textOrJson())
  .option('--termination-log <path>', 'also write the summary (at most 4 KiB) here, e.g. /dev/termination-log')
  .action(async (dir: string, options: { failOn?: string; output: 'text' | 'json'; terminationLog?: string }) => {
    const { runReport } = await import('./report.ts');
    emit(runReport(dir, options));
  });

program
  .command('completion')
  .description('Print a shell completion script: source <(scanschedule completion bash)')
  .argument('<shell>', 'bash, zsh or fish')
  .action(async (shell: string) => {
    const { runCompletion } = await import('./completion.ts');
    emit(runCompletion(shell, program));
  });

/** The flags every command that talks to a cluster takes, named as kubectl names them. */
function clusterCommand(name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <namespace>', "namespace (default: the context's)");
}
/** --local: the same view of the local runtime's state (`scanschedule run`, docs/local.md), no cluster. */
type Local = { local: boolean; stateDir?: string };
const withLocal = (command: Command): Command =>
  command
    .option('--local', 'read the state of the local runtime (scanschedule run) instead of a cluster', false)
    .option('--state-dir <dir>', 'with --local: its state directory (default: $XDG_STATE_HOME/scanschedule)');
const outputOption = (): Option =>
  new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'yaml', 'json']).default('table');

/** Connects, runs, and turns API and network failures into kubectl's words (exit 3). */
async function withCluster(
  options: ClusterOptions,
  run: (cluster: ClusterContext) => Promise<CommandOutput | undefined>,
): Promise<void> {
  const [{ connect }, { explainClusterFailure }] = await Promise.all([
    import('./cluster-context.ts'),
    import('./cluster-failure.ts'),
  ]);
  const cluster = await connect(options);
  try {
    const output = await run(cluster);
    if (output !== undefined) emit(output);
  } catch (error) {
    throw explainClusterFailure(error, cluster.server);
  }
}

withLocal(clusterCommand('get', 'List ScanSchedules with their status, like kubectl get scanschedules.'))
  .argument('[name]', 'one schedule')
  .option('-l, --selector <selector>', 'label selector, e.g. team=security')
  .option('-A, --all-namespaces', 'list across all namespaces', false)
  .option('-w, --watch', 'after listing, print a row each time a schedule changes (Ctrl-C stops)', false)
  .addOption(outputOption())
  .action(
    async (
      name: string | undefined,
      options: ClusterOptions &
        Local & { selector?: string; allNamespaces: boolean; watch: boolean; output: OutputFormat },
    ) => {
      if (options.local) return emit((await import('./run.ts')).runLocalGet(name, options));
      await withCluster(options, async (cluster) => {
        const { runGet } = await import('./get.ts');
        if (!options.watch) return runGet(name, options, cluster);
        const { watchSchedules } = await import('./get-watch.ts');
        await watchSchedules(name, options, cluster, (text) => process.stdout.write(text));
        return undefined;
      });
    },
  );

withLocal(
  clusterCommand('describe', 'Show one ScanSchedule: timing in words, status, conditions, recent runs and Events.'),
)
  .argument('<name>', 'the schedule')
  .action(async (name: string, options: ClusterOptions & Local) => {
    if (options.local) return emit(await (await import('./run.ts')).runLocalDescribe(name, options));
    await withCluster(options, async (cluster) => (await import('./describe.ts')).runDescribe(name, cluster));
  });

withLocal(clusterCommand('runs', 'List the ScanRuns of one schedule, newest first.'))
  .argument('<name>', 'the schedule')
  .addOption(outputOption())
  .action(async (name: string, options: ClusterOptions & Local & { output: OutputFormat }) => {
    if (options.local) return emit((await import('./run.ts')).runLocalRuns(name, options));
    await withCluster(options, async (cluster) => (await import('./runs.ts')).runRuns(name, options.output, cluster));
  });

withLocal(clusterCommand('trigger', 'Start a manual run now (sets the jmo.security/run-now annotation).'))
  .argument('<name>', 'the schedule')
  .action(async (name: string, options: ClusterOptions & Local) => {
    if (options.local) return emit((await import('./run.ts')).runLocalTrigger(name, options));
    await withCluster(options, async (cluster) => (await import('./trigger.ts')).runTrigger(name, cluster));
  });

for (const [verb, suspend] of [
  ['suspend', true],
  ['resume', false],
] as const) {
  clusterCommand(
    verb,
    suspend
      ? 'Stop new runs of a schedule (spec.suspend: true); a running scan finishes. Like kubectl patch, so a GitOps tool may revert it.'
      : 'Let a suspended schedule run again (spec.suspend: false).',
  )
    .argument('<names...>', 'the schedules')
    .action(async (names: string[], options: ClusterOptions) => {
      await withCluster(options, async (cluster) =>
        (await import('./suspend.ts')).runSetSuspend(names, suspend, cluster),
      );
    });
}

clusterCommand('delete', 'Delete schedules, with their runs and Jobs (owned by the schedule), like kubectl delete.')
  .argument('<names...>', 'the schedules')
  .option('--ignore-not-found', 'exit 0 when a schedule does not exist', false)
  .action(async (names: string[], options: ClusterOptions & { ignoreNotFound: boolean }) => {
    await withCluster(options, async (cluster) =>
      (await import('./delete.ts')).runDelete(names, options.ignoreNotFound, cluster),
    );
  });

withLocal(clusterCommand('logs', "Print a run's scan pod logs: the scan (init container) and then the report step."))
  .argument('<run>', 'the ScanRun (scanschedule runs NAME lists them)')
  .option('--tail <lines>', 'only the last lines of each container')
  .action(async (run: string, options: ClusterOptions & Local & { tail?: string }) => {
    if (options.local) return emit((await import('./run.ts')).runLocalLogs(run, options));
    await withCluster(options, async (cluster) => (await import('./logs.ts')).runLogs(run, options.tail, cluster));
  });

program
  .command('run')
  .description(
    'Run ScanSchedules on this machine without a cluster (docs/local.md): scans as child processes, runs in a SQLite state directory. Runs schedules with backend.type local, or all with --all; files are watched.',
  )
  .argument('<paths...>', 'files or folders (searched recursively for .yaml/.yml/.json)')
  .option('--state-dir <dir>', 'where runs, logs and results are kept (default: $XDG_STATE_HOME/scanschedule)')
  .option('--all', 'run every schedule here, whatever its backend.type', false)
  .option('--secrets-dir <dir>', 'notification Secrets as files: DIR/<secret name>/<key>')
  .option('--grace-period <duration>', 'on SIGTERM, how long running scans may still finish', '30s')
  .option('-n, --namespace <namespace>', 'namespace of schedules that set none', 'default')
  .action(async (paths: string[], options: import('./run.ts').RunOptions) => {
    process.exitCode = await (await import('./run.ts')).runLocalScheduler(paths, options);
  });

clusterCommand(
  'export',
  'Write one ScanSchedule as a GitHub Actions workflow, GitLab CI jobs, a crontab or a CronJob. Warnings on stderr. Exits 1 on invalid input.',
)
  .argument('<input>', 'a manifest file, - for stdin, or the name of a schedule in the cluster')
  .requiredOption('--to <target>', 'github-actions, gitlab-ci, crontab or cronjob')
  .option('-o, --output <path>', 'write to this file instead of stdout')
  .option('--utc', 'write the cron line in UTC instead of naming the zone (warns about daylight saving)', false)
  .action(async (input: string, options: import('./export.ts').ExportCommandOptions) => {
    const { runExport } = await import('./export.ts');
    emit(await runExport(input, options, readStdin, new Date()));
  });

program
  .command('controller')
  .description('Run the controller: reconcile ScanSchedules into ScanRuns and Jobs in the current cluster.')
  .helpOption(false)
  .allowUnknownOption()
  .allowExcessArguments()
  .argument('[flags...]')
  .action(async (flags: string[]) => {
    // Its flags' defaults live with the controller, which loads the Kubernetes client: parsed only when it runs.
    const { controllerCommand } = await import('./controller.ts');
    await controllerCommand().exitOverride().parseAsync(flags, { from: 'user' });
  });

try {
  await program.parseAsync();
} catch (error) {
  const failure = reportFailure(error, process.env.SCANSCHEDULE_DEBUG !== undefined);
  process.stderr.write(failure.stderr);
  process.exitCode = failure.exitCode;
}
if (process.exitCode === undefined) process.exitCode = EXIT.ok;
