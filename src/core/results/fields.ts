// Field checks shared by the readers of untrusted JSON: the custom summary file and the termination message.
// Each returns the value or a problem that names the field, never a silently defaulted zero.
import type { Findings, TopFinding } from '../../api/types.ts';
import { parseSeverity, SEVERITY_KEYS } from './severity.ts';

export type Checked<T> = { value: T } | { problem: string };

/** Longest strings a top finding may carry: enough to recognise a finding, short enough for 4 KiB. */
export const MAX_ID_CHARS = 200;
export const MAX_TITLE_CHARS = 200;
export const MAX_LOCATION_CHARS = 300;
export const MAX_TOOL_CHARS = 100;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** First line, whitespace collapsed, at most `max` characters (an ellipsis marks a cut). */
export function oneLine(text: string, max: number): string {
  const first = (text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '').replace(/\s+/g, ' ').trim();
  return first.length <= max ? first : `${first.slice(0, max - 1)}…`;
}

/**
 * Counts by severity. `missingIsZero` keeps the seed's lenient `{"findings":{"high":2}}`; a key that is not a
 * severity is always refused, because a typo (`"crtical"`) would otherwise read as zero.
 */
export function checkCounts(raw: unknown, where: string, missingIsZero: boolean): Checked<Findings> {
  if (!isRecord(raw)) return { problem: `${where} is not an object of counts by severity` };
  for (const key of Object.keys(raw)) {
    if (key !== 'total' && !(SEVERITY_KEYS as readonly string[]).includes(key)) {
      return { problem: `${where}.${key} is not a severity: use critical, high, medium, low, info and total` };
    }
  }
  const findings: Findings = { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 };
  let sum = 0;
  for (const key of SEVERITY_KEYS) {
    const value = raw[key];
    if (value === undefined && missingIsZero) continue;
    if (!isCount(value)) return { problem: `${where}.${key} is not a non-negative integer` };
    findings[key] = value;
    sum += value;
  }
  if (raw.total === undefined) return { value: { ...findings, total: sum } };
  if (!isCount(raw.total)) return { problem: `${where}.total is not a non-negative integer` };
  // A total above the sum is possible (findings of a severity the scanner could not name); below it is not.
  if (raw.total < sum) return { problem: `${where}.total is ${raw.total}, less than the sum of the counts (${sum})` };
  return { value: { ...findings, total: raw.total } };
}

function boundedString(raw: unknown, where: string, max: number, required: boolean): Checked<string | undefined> {
  if (raw === undefined && !required) return { value: undefined };
  if (typeof raw !== 'string' || raw.trim() === '') return { problem: `${where} is not a non-empty string` };
  if (raw.length > max) return { problem: `${where} is longer than ${max} characters` };
  return { value: raw };
}

export function checkTopFinding(raw: unknown, where: string): Checked<TopFinding> {
  if (!isRecord(raw)) return { problem: `${where} is not an object` };
  const severity = parseSeverity(raw.severity);
  if (severity === undefined || raw.severity !== severity) {
    return { problem: `${where}.severity is not one of CRITICAL, HIGH, MEDIUM, LOW, INFO` };
  }
  const id = boundedString(raw.id, `${where}.id`, MAX_ID_CHARS, true);
  if ('problem' in id) return id;
  const title = boundedString(raw.title, `${where}.title`, MAX_TITLE_CHARS, true);
  if ('problem' in title) return title;
  const location = boundedString(raw.location, `${where}.location`, MAX_LOCATION_CHARS, false);
  if ('problem' in location) return location;
  const tool = boundedString(raw.tool, `${where}.tool`, MAX_TOOL_CHARS, false);
  if ('problem' in tool) return tool;
  const top: TopFinding = { id: id.value as string, severity, title: title.value as string };
  if (location.value !== undefined) top.location = location.value;
  if (tool.value !== undefined) top.tool = tool.value;
  return { value: top };
}

export function checkTopFindings(raw: unknown, where: string, max: number): Checked<TopFinding[]> {
  if (!Array.isArray(raw)) return { problem: `${where} is not an array` };
  if (raw.length > max) return { problem: `${where} has ${raw.length} entries, more than ${max}` };
  const out: TopFinding[] = [];
  for (const [index, item] of raw.entries()) {
    const checked = checkTopFinding(item, `${where}[${index}]`);
    if ('problem' in checked) return checked;
    out.push(checked.value);
  }
  return { value: out };
}
