// `scanschedule-summary.json`: what a custom scanner writes when it has no SARIF.
// `{"findings": {"critical": N, "high": N, "medium": N, "low": N, "info": N}, "tool"?: "name",
//   "topFindings"?: [{"id", "severity", "title", "location"?, "tool"?}]}`. A missing count is 0 (the seed's
// termination message contract); an unknown key is refused so that a typo is never read as zero.
import type { Findings, TopFinding } from '../../api/types.ts';
import { checkCounts, checkTopFindings, isRecord, MAX_TOOL_CHARS } from './fields.ts';
import { MAX_TOP_FINDINGS } from './scan-summary.ts';

export const CUSTOM_SUMMARY_FILE = 'scanschedule-summary.json';

export type CustomSummaryReading =
  | { tools: string[]; findings: Findings; topFindings: TopFinding[] }
  | { problem: string };

export function isCustomSummaryPath(path: string): boolean {
  return path === CUSTOM_SUMMARY_FILE || path.endsWith(`/${CUSTOM_SUMMARY_FILE}`);
}

export function readCustomSummary(path: string, value: unknown): CustomSummaryReading {
  if (!isRecord(value)) return { problem: `${path}: expected {"findings": {"critical": N, "high": N, ...}}` };
  const counts = checkCounts(value.findings, `${path}: findings`, true);
  if ('problem' in counts) return counts;
  let tools: string[] = [];
  if (value.tool !== undefined) {
    if (typeof value.tool !== 'string' || value.tool.trim() === '' || value.tool.length > MAX_TOOL_CHARS) {
      return { problem: `${path}: tool is not a name of 1 to ${MAX_TOOL_CHARS} characters` };
    }
    tools = [value.tool];
  }
  let topFindings: TopFinding[] = [];
  if (value.topFindings !== undefined) {
    const checked = checkTopFindings(value.topFindings, `${path}: topFindings`, MAX_TOP_FINDINGS);
    if ('problem' in checked) return checked;
    topFindings = checked.value.map((top) =>
      top.tool === undefined && tools[0] !== undefined ? { ...top, tool: tools[0] } : top,
    );
  }
  return { tools, findings: counts.value, topFindings };
}
