// One finding as every reader hands it to summarizeResults: its top-finding form plus the key that
// recognises the same finding reported twice.
import type { TopFinding } from '../../api/types.ts';
import { MAX_ID_CHARS, MAX_LOCATION_CHARS, MAX_TITLE_CHARS, MAX_TOOL_CHARS, oneLine } from './fields.ts';

export interface NormalizedFinding {
  /** Same key, same finding: tool + id + location (+ what tells two packages on one line apart, for SARIF). */
  key: string;
  top: TopFinding;
}

export function normalizedFinding(
  top: { id: string; severity: TopFinding['severity']; title: string; location?: string; tool: string },
  distinguisher = '',
): NormalizedFinding {
  const bounded: TopFinding = {
    id: oneLine(top.id, MAX_ID_CHARS) || '(no id)',
    severity: top.severity,
    title: oneLine(top.title, MAX_TITLE_CHARS) || oneLine(top.id, MAX_TITLE_CHARS) || '(no title)',
    tool: oneLine(top.tool, MAX_TOOL_CHARS) || 'unknown',
  };
  if (top.location !== undefined && top.location !== '') bounded.location = oneLine(top.location, MAX_LOCATION_CHARS);
  return {
    key: JSON.stringify([top.tool, top.id, top.location ?? '', distinguisher]),
    top: bounded,
  };
}

export function locationText(path: string | undefined, line: number | undefined): string | undefined {
  if (path === undefined || path === '') return undefined;
  return line !== undefined && Number.isSafeInteger(line) && line > 0 ? `${path}:${line}` : path;
}
