#!/usr/bin/env node
// The scanschedule command: composes the layers, holds no logic of its own.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { type ClusterOptions, connect } from './cluster-context.ts';
import { addControllerCommand } from './controller.ts';
import { runDescribe } from './describe.ts';
import { runGet } from './get.ts';
import { runNext } from './next.ts';
import { OUTPUT_FORMATS, type OutputFormat } from './output-format.ts';
import { runRuns } from './runs.ts';
import { runTrigger } from './trigger.ts';
import { UsageError } from './usage-error.ts';
import { type CommandOutput, runValidate } from './validate.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const readStdin = (): string => readFileSync(0, 'utf8');

function emit(output: CommandOutput): void {
  process.stdout.write(output.stdout);
  process.stderr.write(output.stderr);
  process.exitCode = output.exitCode;
}

const program = new Command('scanschedule')
  .description('Kubernetes-native scheduler for security scans: validate, preview and run ScanSchedules.')
  .version(packageJson.version)
  .showHelpAfterError();

program
  .command('validate')
  .description(
    'Check ScanSchedule manifests offline with the rules of the API server and the controller. Exits 1 on any error.',
  )
  .argument('<paths...>', 'files, folders (searched recursively for .yaml/.yml/.json) or - for stdin')
  .option('--strict', 'treat documents of other kinds as errors instead of skipping them', false)
  .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
  .option('--namespace <namespace>', 'namespace of objects that do not set one', 'default')
  .action((paths: string[], options: { strict: boolean; output: 'text' | 'json'; namespace: string }) => {
    emit(runValidate(paths, options, readStdin));
  });

program
  .command('next')
  .description('Show the next run times of each ScanSchedule in a file, in its time zone and in UTC.')
  .argument('<file>', 'a manifest file, or - for stdin')
  .option('-n, --count <n>', 'how many run times to show per schedule', '10')
  .option('--from <time>', 'start from this RFC 3339 time instead of now')
  .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
  .action((file: string, options: { count: string; from?: string; output: 'text' | 'json' }) => {
    emit(runNext(file, options, readStdin, new Date()));
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
const outputOption = (): Option =>
  new Option('-o, --output <format>', 'output format').choices([...OUTPUT_FORMATS]).default('table');

clusterCommand('get', 'List ScanSchedules with their status, like kubectl get scanschedules.')
  .argument('[name]', 'one schedule')
  .option('-l, --selector <selector>', 'label selector, e.g. team=security')
  .option('-A, --all-namespaces', 'list across all namespaces', false)
  .addOption(outputOption())
  .action(
    async (
      name: string | undefined,
      options: ClusterOptions & { selector?: string; allNamespaces: boolean; output: OutputFormat },
    ) => {
      emit(await runGet(name, options, connect(options)));
    },
  );

clusterCommand('describe', 'Show one ScanSchedule: timing in words, status, conditions, recent runs and Events.')
  .argument('<name>', 'the schedule')
  .action(async (name: string, options: ClusterOptions) => {
    emit(await runDescribe(name, connect(options)));
  });

clusterCommand('runs', 'List the ScanRuns of one schedule, newest first.')
  .argument('<name>', 'the schedule')
  .addOption(outputOption())
  .action(async (name: string, options: ClusterOptions & { output: OutputFormat }) => {
    emit(await runRuns(name, options.output, connect(options)));
  });

clusterCommand('trigger', 'Start a manual run now (sets the jmo.security/run-now annotation).')
  .argument('<name>', 'the schedule')
  .action(async (name: string, options: ClusterOptions) => {
    emit(await runTrigger(name, connect(options)));
  });

addControllerCommand(program);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
