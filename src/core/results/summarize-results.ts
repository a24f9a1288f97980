// Result files → one ScanSummary. Pure: the shell reads the directory and passes the contents.
//
// Recognised by name (anything else in the directory is ignored: JMo also leaves raw tool output, HTML,
// CSV and Markdown there): JMo's `summaries/findings.json`, `*.sarif` / `*.sarif.json`, and
// `scanschedule-summary.json`. A recognised file that cannot be read is a problem for the whole summary:
// partial counts would pass a threshold the unread file might fail.
import type { Findings, Severity, TopFinding } from '../../api/types.ts';
import { isCustomSummaryPath, readCustomSummary } from './custom-summary.ts';
import { isJmoFindingsPath, readJmoFindings } from './jmo-findings.ts';
import type { NormalizedFinding } from './normalized-finding.ts';
import { isSarifPath, JMO_SARIF_DRIVER, readSarif } from './sarif.ts';
import { MAX_TOP_FINDINGS, type ResultFile, type ScanSummary } from './scan-summary.ts';
import { SEVERITY_KEYS, severityKey, severityRank, verdictOf, zeroFindings } from './severity.ts';

export interface SummarizeOptions {
  failOn?: Severity;
  /** Named in the "no result files" problem. */
  dir?: string;
}

export type SummaryResult = { summary: ScanSummary } | { problem: string };

type Kind = 'jmo' | 'sarif' | 'custom';

function kindOf(path: string): Kind | undefined {
  if (isJmoFindingsPath(path)) return 'jmo';
  if (isSarifPath(path)) return 'sarif';
  if (isCustomSummaryPath(path)) return 'custom';
  return undefined;
}

function parse(file: ResultFile): { value: unknown } | { problem: string } {
  if (file.text.trim() === '') return { problem: `${file.path}: the file is empty` };
  try {
    return { value: JSON.parse(file.text.replace(/^\uFEFF/, '')) };
  } catch (error) {
    const why = error instanceof SyntaxError ? error.message : 'invalid JSON';
    return { problem: `${file.path}: not valid JSON (${why}); the scanner may have been cut off while writing it` };
  }
}

export function compareTopFindings(a: TopFinding, b: TopFinding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    (a.tool ?? '').localeCompare(b.tool ?? '') ||
    a.id.localeCompare(b.id) ||
    (a.location ?? '').localeCompare(b.location ?? '')
  );
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function summarizeResults(files: readonly ResultFile[], options: SummarizeOptions = {}): SummaryResult {
  const recognised = files
    .map((file) => ({ file, kind: kindOf(file.path) }))
    .filter((entry): entry is { file: ResultFile; kind: Kind } => entry.kind !== undefined)
    .sort((a, b) => a.file.path.localeCompare(b.file.path));
  if (recognised.length === 0) {
    return {
      problem: `no result files in ${options.dir ?? 'the results directory'}: expected summaries/findings.json, *.sarif or scanschedule-summary.json`,
    };
  }
  const jmoDirs = new Set(recognised.filter((entry) => entry.kind === 'jmo').map((entry) => dirOf(entry.file.path)));

  const problems: string[] = [];
  const tools = new Set<string>();
  const sources: string[] = [];
  const byKey = new Map<string, NormalizedFinding>();
  const counted: Findings = zeroFindings();
  const extraTop: TopFinding[] = [];

  for (const { file, kind } of recognised) {
    const parsed = parse(file);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    if (kind === 'custom') {
      const reading = readCustomSummary(file.path, parsed.value);
      if ('problem' in reading) {
        problems.push(reading.problem);
        continue;
      }
      for (const key of SEVERITY_KEYS) counted[key] += reading.findings[key];
      counted.total += reading.findings.total;
      for (const tool of reading.tools) tools.add(tool);
      extraTop.push(...reading.topFindings);
      sources.push(file.path);
      continue;
    }
    const reading = kind === 'jmo' ? readJmoFindings(file.path, parsed.value) : readSarif(file.path, parsed.value);
    if ('problem' in reading) {
      problems.push(reading.problem);
      continue;
    }
    // JMo renders the same findings as summaries/findings.sarif next to findings.json: reading both would
    // count every finding twice.
    if (kind === 'sarif' && jmoDirs.has(dirOf(file.path)) && reading.tools.every((t) => t === JMO_SARIF_DRIVER)) {
      continue;
    }
    for (const tool of reading.tools) tools.add(tool);
    for (const finding of reading.findings) if (!byKey.has(finding.key)) byKey.set(finding.key, finding);
    sources.push(file.path);
  }
  if (problems.length > 0) return { problem: problems.join('\n') };

  const findings: Findings = { ...counted };
  for (const { top } of byKey.values()) {
    findings[severityKey(top.severity)] += 1;
    findings.total += 1;
  }
  const topFindings = [...[...byKey.values()].map((f) => f.top), ...extraTop]
    .sort(compareTopFindings)
    .slice(0, MAX_TOP_FINDINGS);
  const summary: ScanSummary = { version: 1, findings, tools: [...tools].sort(), topFindings, sources };
  if (options.failOn !== undefined) summary.verdict = verdictOf(findings, options.failOn);
  return { summary };
}

/** Whether summarizeResults reads a file of this name: the directory reader loads only these. */
export function isResultFilePath(path: string): boolean {
  return kindOf(path) !== undefined;
}
