// JMo's aggregated results, `<results-dir>/summaries/findings.json`.
//
// Shape, from jimmy058910/jmo-security-repo (read at commit 82c8cd1):
// - scripts/core/reporters/basic_reporter.py `write_json`: `{"meta": {...}, "findings": [...]}` since output
//   v1.0.0 (meta: output_version, jmo_version, schema_version, tools[], finding_count, ...); older releases
//   wrote the bare array, which is still accepted.
// - scripts/core/common_finding_schema.json (CommonFinding v1.2.0): required `schemaVersion`, `id` (a
//   deterministic fingerprint), `ruleId`, `severity` (CRITICAL|HIGH|MEDIUM|LOW|INFO), `tool` (an object
//   `{name, version}`), `location` (`{path, startLine?, endLine?}`) and `message`; optional `title`.
// `scripts/cli/jmo.py` cmd_scan runs the report phase itself, so `jmo scan` leaves this file behind.
import { isRecord } from './fields.ts';
import { locationText, type NormalizedFinding, normalizedFinding } from './normalized-finding.ts';
import { parseSeverity } from './severity.ts';

export type JmoReading = { tools: string[]; findings: NormalizedFinding[] } | { problem: string };

/** `summaries/findings.json`, at any depth (JMo writes it under its --results-dir). */
export function isJmoFindingsPath(path: string): boolean {
  return /(^|\/)summaries\/findings\.json$/.test(path);
}

function toolName(raw: unknown): string | undefined {
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  if (isRecord(raw) && typeof raw.name === 'string' && raw.name.trim() !== '') return raw.name;
  return undefined;
}

export function readJmoFindings(path: string, value: unknown): JmoReading {
  const list = Array.isArray(value) ? value : isRecord(value) ? value.findings : undefined;
  if (!Array.isArray(list)) {
    return { problem: `${path}: not JMo findings: expected {"meta": {...}, "findings": [...]}` };
  }
  const tools = new Set<string>();
  const metaTools = isRecord(value) && isRecord(value.meta) ? value.meta.tools : undefined;
  if (Array.isArray(metaTools))
    for (const tool of metaTools) if (typeof tool === 'string' && tool !== '') tools.add(tool);

  const findings: NormalizedFinding[] = [];
  for (const [index, raw] of list.entries()) {
    const where = `${path}: findings[${index}]`;
    if (!isRecord(raw)) return { problem: `${where} is not an object` };
    const severity = parseSeverity(raw.severity);
    if (severity === undefined) {
      return {
        problem: `${where}.severity is ${JSON.stringify(raw.severity)}: expected CRITICAL, HIGH, MEDIUM, LOW or INFO`,
      };
    }
    if (typeof raw.ruleId !== 'string' || raw.ruleId === '') return { problem: `${where}.ruleId is missing` };
    if (typeof raw.id !== 'string' || raw.id === '') return { problem: `${where}.id is missing` };
    const tool = toolName(raw.tool);
    if (tool === undefined) return { problem: `${where}.tool has no name` };
    tools.add(tool);
    const location = isRecord(raw.location)
      ? locationText(
          typeof raw.location.path === 'string' ? raw.location.path : undefined,
          typeof raw.location.startLine === 'number' ? raw.location.startLine : undefined,
        )
      : undefined;
    const title =
      typeof raw.title === 'string' && raw.title.trim() !== ''
        ? raw.title
        : typeof raw.message === 'string'
          ? raw.message
          : raw.ruleId;
    // JMo's `id` is a fingerprint (unique, unreadable); people recognise the rule (CVE-…, CWE-…, a check id).
    const finding = normalizedFinding({ id: raw.ruleId, severity, title, location, tool }, raw.id);
    findings.push(finding);
  }
  return { tools: [...tools], findings };
}
