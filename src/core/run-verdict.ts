// The verdict of a scan that left a readable summary: Succeeded, or Failed above the run's frozen fail_on. One
// rule for every runner: the cluster (run-status.ts, from the report step's termination message) and the local
// runtime (src/local/, from the results directory) judge the same counts the same way.
import type { Findings, ScanRun, ScanRunStatus } from '../api/types.ts';
import { countAtOrAbove, findingCounts } from './results/severity.ts';
import { RunReason } from './run-reasons.ts';

export function describeFindings(findings: Findings): string {
  const parts = findingCounts(findings, { onlyFound: true });
  return parts.length === 0 ? 'no findings' : `${findings.total} findings (${parts.join(', ')})`;
}

/** Drops undefined fields: status is compared with isDeepStrictEqual, where {a: undefined} differs from {}. */
export function compact(status: ScanRunStatus): ScanRunStatus {
  return Object.fromEntries(Object.entries(status).filter(([, value]) => value !== undefined)) as ScanRunStatus;
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
