// The report step's termination message: a ScanSummary (or why there is none) in at most 4 KiB, the most the
// kubelet keeps. The report container writes it; the controller reads it as untrusted input (any container
// in the pod, or a custom command, could have written it), so decoding checks every field.
//
// Format (compact JSON):
//   {"version":1,"findings":{"critical":N,"high":N,"medium":N,"low":N,"info":N,"total":N},"tools":["…"],
//    "topFindings":[{"id","severity","title","location"?,"tool"?}],"verdict"?:{"failOn","atOrAbove","passed"},
//    "topFindingsDropped"?:N}
//   {"version":1,"error":"why the results could not be read"}
// The seed's `{"findings":{...}}` (no version) is still read, with a missing count as 0.
import type { Findings, TopFinding } from '../../api/types.ts';
import { checkCounts, checkTopFindings, isCount, isRecord, MAX_TOOL_CHARS, oneLine } from './fields.ts';
import { MAX_TOP_FINDINGS, type ScanSummary } from './scan-summary.ts';
import { countAtOrAbove, parseSeverity } from './severity.ts';

/** The kubelet keeps at most this much of a termination message. */
export const MAX_TERMINATION_MESSAGE_BYTES = 4096;
export const MAX_TOOLS = 20;

export type DecodedTerminationMessage = { summary: ScanSummary } | { error: string } | { problem: string };

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

interface Wire {
  version: 1;
  findings: Findings;
  tools: string[];
  topFindings: TopFinding[];
  verdict?: ScanSummary['verdict'];
  topFindingsDropped?: number;
}

function wire(summary: ScanSummary, top: TopFinding[], tools: string[]): string {
  const dropped = (summary.topFindingsDropped ?? 0) + summary.topFindings.length - top.length;
  const message: Wire = { version: 1, findings: summary.findings, tools, topFindings: top };
  if (summary.verdict !== undefined) message.verdict = summary.verdict;
  if (dropped > 0) message.topFindingsDropped = dropped;
  return JSON.stringify(message);
}

function shortened(top: TopFinding, max: number): TopFinding {
  const out: TopFinding = { ...top, title: oneLine(top.title, max) };
  if (top.location !== undefined) out.location = oneLine(top.location, max);
  return out;
}

function encodeSummary(summary: ScanSummary): string {
  const tools = summary.tools.slice(0, MAX_TOOLS).map((tool) => oneLine(tool, MAX_TOOL_CHARS));
  let top = summary.topFindings.slice(0, MAX_TOP_FINDINGS);
  let text = wire(summary, top, tools);
  // Least severe first out: topFindings is sorted most severe first.
  while (bytes(text) > MAX_TERMINATION_MESSAGE_BYTES && top.length > 1) {
    top = top.slice(0, -1);
    text = wire(summary, top, tools);
  }
  for (const max of [80, 40]) {
    if (bytes(text) <= MAX_TERMINATION_MESSAGE_BYTES) break;
    top = top.map((t) => shortened(t, max));
    text = wire(summary, top, tools);
  }
  if (bytes(text) > MAX_TERMINATION_MESSAGE_BYTES) text = wire(summary, [], tools);
  for (let keep = tools.length - 1; bytes(text) > MAX_TERMINATION_MESSAGE_BYTES && keep >= 0; keep--) {
    text = wire(summary, [], tools.slice(0, keep));
  }
  return text;
}

function encodeError(error: string): string {
  let reason = error.trim() === '' ? 'the results could not be read' : error;
  let text = JSON.stringify({ version: 1, error: reason });
  while (bytes(text) > MAX_TERMINATION_MESSAGE_BYTES) {
    reason = `${reason.slice(0, Math.floor(reason.length * 0.9))}…`;
    text = JSON.stringify({ version: 1, error: reason });
  }
  return text;
}

/** At most 4096 UTF-8 bytes; top findings are trimmed (and counted in topFindingsDropped) to fit. */
export function encodeTerminationMessage(input: ScanSummary | { error: string }): string {
  return 'error' in input ? encodeError(input.error) : encodeSummary(input);
}

const WIRE_KEYS = new Set(['version', 'findings', 'tools', 'topFindings', 'verdict', 'topFindingsDropped']);

function decodeVersioned(value: Record<string, unknown>): DecodedTerminationMessage {
  if (value.version !== 1)
    return { problem: `the termination message has version ${JSON.stringify(value.version)}, not 1` };
  if (value.error !== undefined) {
    if (typeof value.error !== 'string' || value.error.trim() === '') {
      return { problem: 'error in the termination message is not a non-empty string' };
    }
    return { error: value.error };
  }
  const unknown = Object.keys(value).find((key) => !WIRE_KEYS.has(key));
  if (unknown !== undefined) return { problem: `the termination message has an unknown field "${unknown}"` };
  const findings = checkCounts(value.findings, 'findings', false);
  if ('problem' in findings) return findings;
  const tools = value.tools;
  if (
    !Array.isArray(tools) ||
    tools.length > MAX_TOOLS ||
    !tools.every((t) => typeof t === 'string' && t !== '' && t.length <= MAX_TOOL_CHARS)
  ) {
    return { problem: `tools in the termination message is not a list of at most ${MAX_TOOLS} names` };
  }
  const top = checkTopFindings(value.topFindings, 'topFindings', MAX_TOP_FINDINGS);
  if ('problem' in top) return top;
  const summary: ScanSummary = {
    version: 1,
    findings: findings.value,
    tools: tools as string[],
    topFindings: top.value,
    sources: [],
  };
  if (value.verdict !== undefined) {
    const verdict = value.verdict;
    const failOn = isRecord(verdict) ? parseSeverity(verdict.failOn) : undefined;
    if (!isRecord(verdict) || failOn === undefined || verdict.failOn !== failOn) {
      return { problem: 'verdict.failOn in the termination message is not a severity' };
    }
    const atOrAbove = countAtOrAbove(findings.value, failOn);
    // Recomputed, not believed: a message that says "passed" over a critical finding is refused.
    if (verdict.atOrAbove !== atOrAbove || verdict.passed !== (atOrAbove === 0)) {
      return { problem: 'verdict in the termination message does not match its findings' };
    }
    summary.verdict = { failOn, atOrAbove, passed: atOrAbove === 0 };
  }
  if (value.topFindingsDropped !== undefined) {
    if (!isCount(value.topFindingsDropped) || value.topFindingsDropped > findings.value.total) {
      return { problem: 'topFindingsDropped in the termination message is not a count within total' };
    }
    summary.topFindingsDropped = value.topFindingsDropped;
  }
  return { summary };
}

export function decodeTerminationMessage(text: string | undefined): DecodedTerminationMessage {
  if (text === undefined || text.trim() === '') return { problem: 'the scan wrote no termination message' };
  if (bytes(text) > MAX_TERMINATION_MESSAGE_BYTES) return { problem: 'the termination message is longer than 4 KiB' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'the termination message is not JSON' };
  }
  if (!isRecord(value)) return { problem: 'the termination message has no "findings" object' };
  if (value.version !== undefined) return decodeVersioned(value);
  // The seed's plain {"findings":{...}}, as custom scanners may still write it.
  if (!isRecord(value.findings)) return { problem: 'the termination message has no "findings" object' };
  const findings = checkCounts(value.findings, 'findings', true);
  if ('problem' in findings) return { problem: `${findings.problem} in the termination message` };
  return { summary: { version: 1, findings: findings.value, tools: [], topFindings: [], sources: [] } };
}

/** Drop-in for run-status.ts's findingsFromTerminationMessage: counts, or why they are unknown. */
export function findingsFromTerminationMessage(text: string | undefined): { findings: Findings } | { problem: string } {
  const decoded = decodeTerminationMessage(text);
  if ('summary' in decoded) return { findings: decoded.summary.findings };
  if ('error' in decoded) return { problem: `the report step could not read the results: ${decoded.error}` };
  return decoded;
}
