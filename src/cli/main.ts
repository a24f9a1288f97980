#!/usr/bin/env node
// The scanschedule command: composes the layers, holds no logic of its own.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { runNext } from './next.ts';
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
