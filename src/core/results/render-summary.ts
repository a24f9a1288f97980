// A ScanSummary as `scanschedule report` prints it for people.

import type { ScanSummary } from './scan-summary.ts';
import { SEVERITY_KEYS } from './severity.ts';

export function renderSummaryText(summary: ScanSummary): string {
  const { findings } = summary;
  const lines = [
    `findings: ${findings.total} total (${SEVERITY_KEYS.map((key) => `${findings[key]} ${key}`).join(', ')})`,
    `tools: ${summary.tools.length === 0 ? '(none named)' : summary.tools.join(', ')}`,
  ];
  if (summary.topFindings.length > 0) {
    lines.push('top findings:');
    for (const top of summary.topFindings) {
      const where = top.location === undefined ? '' : `  ${top.location}`;
      const tool = top.tool === undefined ? '' : `  [${top.tool}]`;
      lines.push(`  ${top.severity.padEnd(8)} ${top.id}  ${top.title}${where}${tool}`);
    }
    const more = findings.total - summary.topFindings.length;
    if (more > 0) lines.push(`  … and ${more} more`);
  }
  if (summary.verdict !== undefined) {
    const { failOn, atOrAbove, passed } = summary.verdict;
    lines.push(
      passed
        ? `verdict: passed: no findings at or above ${failOn}`
        : `verdict: failed: ${atOrAbove} finding${atOrAbove === 1 ? '' : 's'} at or above ${failOn}`,
    );
  }
  if (summary.sources.length > 0) lines.push(`read: ${summary.sources.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
