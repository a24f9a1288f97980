// SARIF 2.1.0 results (`*.sarif`, `*.sarif.json`), as written by Trivy, Grype, Semgrep, Checkov and CodeQL.
//
// Severity, first match wins (the order of issue 8):
//   1. `result.rank` (0..100, SARIF §3.27.31; -1 or absent means unset), in GitHub's bands on rank/10.
//      None of the checked scanners writes it; a tool that does states the importance of this very result,
//      which is more specific than anything on the rule.
//   2. `security-severity` (a CVSS-like score 0..10 as a string or number) in `result.properties`, then in the
//      rule's `properties`, in GitHub code scanning's bands: >= 9.0 critical, >= 7.0 high, >= 4.0 medium,
//      >= 0.1 low, else info. Trivy and Grype write it on rules (from CVSS), CodeQL on security rules.
//   3. `result.level`: error → high, warning → medium, note → low, none → info. Trivy and Checkov write it.
//   4. The rule's `defaultConfiguration.level`, same mapping. Semgrep writes only this.
//   5. Otherwise medium: SARIF's own default level is `warning`.
// Rules are found through `result.rule.index` (+ `rule.toolComponent.index` into `run.tool.extensions`, as
// CodeQL writes it), `result.ruleIndex`, then `result.ruleId` among the driver's and the extensions' rules.
// Not findings: results of kind `pass`/`notApplicable`, and results with an accepted suppression (SARIF
// §3.27.23: a suppression without a status is accepted). A run whose invocation says
// `executionSuccessful: false` did not finish: a problem, never zeros. `results: null` (what the go-sarif
// library behind Trivy and Grype writes for an empty list) counts as no findings.
import type { Severity } from '../../api/types.ts';
import { isRecord } from './fields.ts';
import { locationText, type NormalizedFinding, normalizedFinding } from './normalized-finding.ts';

export type SarifReading = { tools: string[]; findings: NormalizedFinding[] } | { problem: string };

/** The driver name JMo gives its own SARIF rendering of summaries/findings.json (sarif_reporter.py). */
export const JMO_SARIF_DRIVER = 'jmo-security';

export function isSarifPath(path: string): boolean {
  return /\.sarif(\.json)?$/i.test(path);
}

type Json = Record<string, unknown>;

/** GitHub code scanning's bands for `security-severity`. */
export function severityFromScore(score: number): Severity {
  if (score >= 9.0) return 'CRITICAL';
  if (score >= 7.0) return 'HIGH';
  if (score >= 4.0) return 'MEDIUM';
  if (score >= 0.1) return 'LOW';
  return 'INFO';
}

const LEVELS: Record<string, Severity> = { error: 'HIGH', warning: 'MEDIUM', note: 'LOW', none: 'INFO' };

function score(raw: unknown): number | undefined {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 10 ? value : undefined;
}

function property(holder: unknown, name: string): unknown {
  return isRecord(holder) && isRecord(holder.properties) ? holder.properties[name] : undefined;
}

export function sarifSeverity(result: Json, rule: Json | undefined): Severity {
  const rank = result.rank;
  if (typeof rank === 'number' && rank >= 0 && rank <= 100) return severityFromScore(rank / 10);
  const securitySeverity = score(property(result, 'security-severity')) ?? score(property(rule, 'security-severity'));
  if (securitySeverity !== undefined) return severityFromScore(securitySeverity);
  const level = typeof result.level === 'string' ? LEVELS[result.level] : undefined;
  if (level !== undefined) return level;
  const configuration = rule?.defaultConfiguration;
  const defaultLevel =
    isRecord(configuration) && typeof configuration.level === 'string' ? LEVELS[configuration.level] : undefined;
  return defaultLevel ?? 'MEDIUM';
}

function rulesOf(component: unknown): Json[] {
  return isRecord(component) && Array.isArray(component.rules) ? component.rules.filter(isRecord) : [];
}

function ruleOf(tool: Json, result: Json): Json | undefined {
  const driver = tool.driver;
  const extensions = Array.isArray(tool.extensions) ? tool.extensions : [];
  const reference = isRecord(result.rule) ? result.rule : undefined;
  const componentIndex = isRecord(reference?.toolComponent) ? reference.toolComponent.index : undefined;
  const component = typeof componentIndex === 'number' ? extensions[componentIndex] : driver;
  const index = typeof reference?.index === 'number' ? reference.index : result.ruleIndex;
  if (typeof index === 'number' && index >= 0) {
    const byIndex = rulesOf(component)[index];
    if (byIndex !== undefined) return byIndex;
  }
  const id = typeof result.ruleId === 'string' ? result.ruleId : reference?.id;
  if (typeof id !== 'string') return undefined;
  return [driver, ...extensions].flatMap(rulesOf).find((rule) => rule.id === id);
}

function text(holder: unknown): string | undefined {
  return isRecord(holder) && typeof holder.text === 'string' && holder.text.trim() !== '' ? holder.text : undefined;
}

function locationOf(result: Json): string | undefined {
  const first = Array.isArray(result.locations) ? result.locations[0] : undefined;
  const physical = isRecord(first) ? first.physicalLocation : undefined;
  if (!isRecord(physical)) return undefined;
  const artifact = physical.artifactLocation;
  const uri =
    isRecord(artifact) && typeof artifact.uri === 'string' ? artifact.uri.replace(/^file:\/\//, '') : undefined;
  const region = physical.region;
  return locationText(uri, isRecord(region) && typeof region.startLine === 'number' ? region.startLine : undefined);
}

function isSuppressed(result: Json): boolean {
  if (!Array.isArray(result.suppressions)) return false;
  return result.suppressions.some((s) => isRecord(s) && (s.status === undefined || s.status === 'accepted'));
}

/** What tells apart two results of one rule at one location (e.g. two OS packages Trivy places at line 1). */
function distinguisher(result: Json): string {
  const fingerprints = isRecord(result.partialFingerprints)
    ? result.partialFingerprints
    : isRecord(result.fingerprints)
      ? result.fingerprints
      : undefined;
  if (fingerprints !== undefined) return JSON.stringify(fingerprints);
  return text(result.message) ?? '';
}

export function readSarif(path: string, value: unknown): SarifReading {
  if (!isRecord(value) || !Array.isArray(value.runs)) {
    return { problem: `${path}: not SARIF: expected {"version": "2.1.0", "runs": [...]}` };
  }
  if (value.version !== undefined && value.version !== '2.1.0') {
    return {
      problem: `${path}: SARIF version ${JSON.stringify(value.version)}: only 2.1.0 is read; write SARIF 2.1.0`,
    };
  }
  const tools: string[] = [];
  const findings: NormalizedFinding[] = [];
  for (const [runIndex, run] of value.runs.entries()) {
    const where = `${path}: runs[${runIndex}]`;
    if (!isRecord(run) || !isRecord(run.tool) || !isRecord(run.tool.driver))
      return { problem: `${where} has no tool.driver` };
    const tool = run.tool.driver.name;
    if (typeof tool !== 'string' || tool.trim() === '') return { problem: `${where}.tool.driver.name is missing` };
    const failed = Array.isArray(run.invocations)
      ? run.invocations.find((inv) => isRecord(inv) && inv.executionSuccessful === false)
      : undefined;
    if (failed !== undefined) {
      return {
        problem: `${where}: ${tool} reports that it did not finish (invocations[].executionSuccessful is false)`,
      };
    }
    if (run.results !== undefined && run.results !== null && !Array.isArray(run.results)) {
      return { problem: `${where}.results is not an array` };
    }
    tools.push(tool);
    for (const [resultIndex, result] of (run.results ?? []).entries()) {
      if (!isRecord(result)) return { problem: `${where}.results[${resultIndex}] is not an object` };
      if (result.kind === 'pass' || result.kind === 'notApplicable' || isSuppressed(result)) continue;
      const rule = ruleOf(run.tool, result);
      const id =
        typeof result.ruleId === 'string' ? result.ruleId : typeof rule?.id === 'string' ? rule.id : '(no rule)';
      const title = text(rule?.shortDescription) ?? text(result.message) ?? id;
      findings.push(
        normalizedFinding(
          { id, severity: sarifSeverity(result, rule), title, location: locationOf(result), tool },
          distinguisher(result),
        ),
      );
    }
  }
  return { tools, findings };
}
