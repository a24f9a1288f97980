// Severity order, counting and the verdict against a threshold: shared by every reader and the codec.
import { type Findings, SEVERITIES, type Severity } from '../../api/types.ts';

export type SeverityKey = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITY_KEYS: readonly SeverityKey[] = ['critical', 'high', 'medium', 'low', 'info'];

/** `["1 critical", "2 high", …]`, most severe first; with onlyFound, the severities with no finding are left out. */
export function findingCounts(findings: Findings, options: { onlyFound?: boolean } = {}): string[] {
  const keys = options.onlyFound === true ? SEVERITY_KEYS.filter((key) => findings[key] > 0) : SEVERITY_KEYS;
  return keys.map((key) => `${findings[key]} ${key}`);
}

export function severityKey(severity: Severity): SeverityKey {
  return severity.toLowerCase() as SeverityKey;
}

/** 0 for CRITICAL … 4 for INFO: sorts most severe first. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Reads `high`, `High` or `HIGH`; anything else is not a severity. */
export function parseSeverity(value: unknown): Severity | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.trim().toUpperCase();
  return isSeverity(upper) ? upper : undefined;
}

export function zeroFindings(): Findings {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 };
}

export interface Verdict {
  failOn: Severity;
  /** Findings at or above failOn. */
  atOrAbove: number;
  /** No finding at or above failOn. */
  passed: boolean;
}

/** Number of findings at or above `threshold` (CRITICAL is the highest). */
export function countAtOrAbove(findings: Findings, threshold: Severity): number {
  return SEVERITIES.slice(0, severityRank(threshold) + 1).reduce(
    (sum, severity) => sum + findings[severityKey(severity)],
    0,
  );
}

export function verdictOf(findings: Findings, failOn: Severity): Verdict {
  const atOrAbove = countAtOrAbove(findings, failOn);
  return { failOn, atOrAbove, passed: atOrAbove === 0 };
}
