// The verdict of a scan that left a readable summary: Succeeded, or Failed above the run's frozen fail_on. One
// rule for every runner: the cluster (run-status.ts, from the report step's termination message) and the local
// runtime (src/local/, from the results directory) judge the same counts the same way.
import type { Findings, ScanRun, ScanRunStatus } from '../api/types.ts';
import { parseTimeMs } from '../schedule/rfc3339.ts';
import { humanDuration } from './human-duration.ts';
import { countAtOrAbove, findingCounts } from './results/severity.ts';
import { RunReason } from './run-reasons.ts';

export function describeFindings(findings: Findings): string {
  const parts = findingCounts(findings, { onlyFound: true });
  return parts.length === 0 ? 'no findings' : `${findings.total} findings (${parts.join(', ')})`;
}

/**
 * kubectl's Job DURATION for a run: completionTime - startTime as kubectl prints it ("45s", "4m12s", "63m").
 * A printer column is a JSONPath and cannot subtract two times, so the controller writes it. Undefined while
 * the run has not finished, and when the times are out of order (a clock that went back): no duration rather
 * than a made-up one.
 */
function runDuration(startTime: string | undefined, completionTime: string | undefined): string | undefined {
  const start = parseTimeMs(startTime);
  const end = parseTimeMs(completionTime);
  return start === undefined || end === undefined || end < start ? undefined : humanDuration(end - start);
}

/**
 * The stored form of a run status: undefined fields dropped (status is compared with isDeepStrictEqual, where
 * {a: undefined} differs from {}), and `duration` derived from startTime and completionTime. Every status that
 * judges a run (here, runStatusFromJob, the local runtime's localRunStatus) passes through it, so duration is
 * set in the same write as completionTime, never by a write of its own.
 */
export function compact(status: ScanRunStatus): ScanRunStatus {
  const withDuration = { ...status, duration: runDuration(status.startTime, status.completionTime) };
  return Object.fromEntries(Object.entries(withDuration).filter(([, value]) => value !== undefined)) as ScanRunStatus;
}

/** Succeeded, or Failed above the run's fail_on: judged here from the counts, whatever the scanner said. */
export function verdictStatus(
  run: ScanRun,
  base: ScanRunStatus,
  summary: Pick<ScanRunStatus, 'findings' | 'topFindings' | 'tools'>,
  completionTime: string,
): ScanRunStatus {
  const findings = summary.findings;
  const failOn = run.spec.jobTemplate.options?.fail_on;
  const above = findings === undefined || failOn === undefined ? 0 : countAtOrAbove(findings, failOn);
  const counts = findings === undefined ? 'findings unknown' : describeFindings(findings);
  return compact({
    ...base,
    ...summary,
    phase: above > 0 ? 'Failed' : 'Succeeded',
    reason: above > 0 ? RunReason.FindingsAboveThreshold : RunReason.Completed,
    message: above > 0 ? `${above} findings at or above ${failOn}: ${counts}` : `scan completed: ${counts}`,
    completionTime,
  });
}
