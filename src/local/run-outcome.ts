// A local run's final status, from how its process ended and what it left in its results directory. The
// counterpart of core's runStatusFromJob for a child process: the same reasons, the same summary (through the
// same 4 KiB termination-message encoding the report step uses, so findings, topFindings and tools come out
// exactly as in the cluster), and the same verdict rule (verdictStatus). Pure.
import type { ScanRun, ScanRunStatus } from '../api/types.ts';
import type { ResultFile } from '../core/results/scan-summary.ts';
import { summarizeResults } from '../core/results/summarize-results.ts';
import { decodeTerminationMessage, encodeTerminationMessage } from '../core/results/termination-message.ts';
import { RunReason } from '../core/run-reasons.ts';
import { compact, verdictStatus } from '../core/run-verdict.ts';
import { formatUtc } from '../schedule/rfc3339.ts';

export type ScanEnd =
  | { kind: 'exited'; code: number | null; signal: string | null }
  | { kind: 'deadline'; seconds: number }
  | { kind: 'interrupted'; why: string }
  | { kind: 'not-started'; problem: string };

/** What was read from the results directory after a clean exit. */
export type ResultsReading = { files: ResultFile[]; problems: string[] } | { problem: string };

export function localRunStatus(
  run: ScanRun,
  end: ScanEnd,
  results: ResultsReading | undefined,
  resultsDir: string,
  now: Date,
): ScanRunStatus {
  const { findings: _f, topFindings: _t, tools: _tools, ...base } = run.status ?? {};
  const completionTime = formatUtc(now.getTime());
  const logs = `see \`scanschedule logs ${run.metadata.name ?? ''} --local\``;
  const failed = (reason: RunReason, message: string): ScanRunStatus =>
    compact({ ...base, phase: 'Failed', reason, message, completionTime });

  switch (end.kind) {
    case 'not-started':
      return failed(RunReason.ScanFailed, `the scan could not start: ${end.problem}; findings unknown`);
    case 'interrupted':
      return failed(RunReason.Interrupted, `${end.why}; the partial output is kept (${logs}); findings unknown`);
    case 'deadline':
      return failed(
        RunReason.DeadlineExceeded,
        `the scan ran longer than activeDeadlineSeconds (${end.seconds} s) and was stopped; findings unknown`,
      );
    case 'exited': {
      if (end.code !== 0) {
        const how = end.code === null ? `was killed by ${end.signal ?? 'a signal'}` : `exited with code ${end.code}`;
        return failed(RunReason.ScanFailed, `the scan ${how} (${logs}); findings unknown`);
      }
      const why = noResultsReason(results, resultsDir);
      if (why !== undefined) return failed(RunReason.NoResults, `${why}; findings unknown`);
      const read = results as { files: ResultFile[] };
      const summarized = summarizeResults(read.files, { dir: resultsDir });
      if ('problem' in summarized) return failed(RunReason.NoResults, `${summarized.problem}; findings unknown`);
      const decoded = decodeTerminationMessage(encodeTerminationMessage(summarized.summary));
      if (!('summary' in decoded)) {
        const problem = 'error' in decoded ? decoded.error : decoded.problem;
        return failed(RunReason.NoResults, `${problem}; findings unknown`);
      }
      const { findings, topFindings, tools } = decoded.summary;
      return verdictStatus(run, base, { findings, topFindings, tools }, completionTime);
    }
  }
}

function noResultsReason(results: ResultsReading | undefined, resultsDir: string): string | undefined {
  if (results === undefined) return `the scan left no results directory ${resultsDir}`;
  if ('problem' in results) return results.problem;
  if (results.problems.length > 0) return results.problems.join('\n');
  return undefined;
}
