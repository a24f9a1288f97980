// scanschedule report DIR: a scanner's result files → one summary, a verdict and an exit code. The scan pod's
// report step runs it as `scanschedule report /results --termination-log /dev/termination-log`.
import { writeFileSync } from 'node:fs';
import type { Severity } from '../api/types.ts';
import { renderSummaryText } from '../core/results/render-summary.ts';
import { parseSeverity } from '../core/results/severity.ts';
import { summarizeResults } from '../core/results/summarize-results.ts';
import { encodeTerminationMessage } from '../core/results/termination-message.ts';
import { readResultsDir } from '../files/read-results-dir.ts';
import { UsageError } from './usage-error.ts';
import type { CommandOutput } from './validate.ts';

export interface ReportOptions {
  failOn?: string;
  output: 'text' | 'json';
  terminationLog?: string;
}

/** Exit codes: below the threshold, at or above it, results unreadable (as for a usage error). */
export const REPORT_EXIT = { passed: 0, failed: 1, unreadable: 2 } as const;

function failOnOf(value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  const severity = parseSeverity(value);
  if (severity === undefined) {
    throw new UsageError(`--fail-on ${value}: not a severity; use CRITICAL, HIGH, MEDIUM, LOW or INFO`);
  }
  return severity;
}

function writeTerminationLog(path: string, message: string): string {
  try {
    writeFileSync(path, message);
    return '';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return `error: cannot write the termination message to ${path} (${code})\n`;
  }
}

export function runReport(dir: string, options: ReportOptions): CommandOutput {
  const failOn = failOnOf(options.failOn);
  const read = readResultsDir(dir);
  const result =
    'problem' in read
      ? read
      : read.problems.length > 0
        ? { problem: read.problems.join('\n') }
        : summarizeResults(read.files, { dir, ...(failOn === undefined ? {} : { failOn }) });

  if ('problem' in result) {
    const logError =
      options.terminationLog === undefined
        ? ''
        : writeTerminationLog(options.terminationLog, encodeTerminationMessage({ error: result.problem }));
    const stdout = options.output === 'json' ? `${JSON.stringify({ error: result.problem }, null, 2)}\n` : '';
    const stderr = `${result.problem
      .split('\n')
      .map((line) => `error: ${line}`)
      .join('\n')}\n${logError}`;
    return { stdout, stderr, exitCode: REPORT_EXIT.unreadable };
  }

  const { summary } = result;
  const logError =
    options.terminationLog === undefined
      ? ''
      : writeTerminationLog(options.terminationLog, encodeTerminationMessage(summary));
  const stdout = options.output === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : renderSummaryText(summary);
  // Without the termination message the controller would know nothing: that is a failure of the step.
  if (logError !== '') return { stdout, stderr: logError, exitCode: REPORT_EXIT.unreadable };
  const exitCode = summary.verdict?.passed === false ? REPORT_EXIT.failed : REPORT_EXIT.passed;
  return { stdout, stderr: '', exitCode };
}
