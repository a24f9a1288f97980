// The Slack incoming-webhook message for a finished run: `text` (what notifications and old clients show)
// and Block Kit `blocks`. Slack rejects a message whose blocks break its limits (invalid_blocks), so every
// text is clamped to the limit of the place it goes, and text from scanners is escaped so that a finding
// title cannot mention @channel or draw a link.
import type { Findings, NotificationEvent, ScanRun, TopFinding } from '../../api/types.ts';
import { findingCounts } from '../results/severity.ts';
import { durationSeconds, formatDuration } from './run-facts.ts';

/** Block Kit limits (docs.slack.dev/reference/block-kit/blocks): header text, section text, section fields. */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  blocks: 50,
} as const;

/** Top findings listed in the message; the rest are counted. */
export const SLACK_TOP_FINDINGS = 5;
/** One finding's line; a scanner's title can be a paragraph. */
const FINDING_LINE_LENGTH = 300;
/** The message quoted from status (why a run failed). */
const RUN_MESSAGE_LENGTH = 1000;

export type SlackText = { type: 'plain_text'; text: string; emoji: boolean } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text: SlackText }
  | { type: 'section'; fields: SlackText[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const HEADLINES: Record<NotificationEvent, { emoji: string; words: string }> = {
  success: { emoji: ':white_check_mark:', words: 'Scan succeeded' },
  failure: { emoji: ':x:', words: 'Scan failed' },
  thresholdExceeded: { emoji: ':rotating_light:', words: 'Findings above threshold' },
};

export function slackMessage(run: ScanRun, event: NotificationEvent): SlackMessage {
  const status = run.status ?? {};
  const schedule = run.spec.scheduleRef.name;
  const namespace = run.metadata.namespace ?? 'default';
  const headline = HEADLINES[event];
  const seconds = durationSeconds(run);
  const failOn = run.spec.jobTemplate.options?.fail_on;

  const fields: [string, string][] = [
    ['Schedule', schedule],
    ['Namespace', namespace],
    ['Run', `${run.metadata.name ?? 'unknown'} (${run.spec.trigger})`],
    ['Result', [status.phase ?? 'unknown', status.reason].filter((part) => part !== undefined).join(' · ')],
    ['Findings', status.findings === undefined ? 'unknown' : findingsText(status.findings)],
    ['Duration', seconds === null ? 'unknown' : formatDuration(seconds)],
  ];
  if (failOn !== undefined) fields.push(['Threshold', `fail_on ${failOn}`]);

  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clamp(`${headline.emoji} ${headline.words}: ${schedule}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    {
      type: 'section',
      fields: fields.slice(0, SLACK_LIMITS.fields).map(([name, value]) => ({
        type: 'mrkdwn',
        text: `*${name}*\n${escapeAndClamp(value, SLACK_LIMITS.fieldText - name.length - 3)}`,
      })),
    },
  ];
  if (status.message !== undefined && status.message !== '' && event !== 'success') {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `>${escapeAndClamp(status.message, RUN_MESSAGE_LENGTH)}` },
    });
  }
  const top = topFindingsText(status.topFindings ?? [], status.findings);
  if (top !== undefined) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: top } });

  const findings = status.findings === undefined ? 'findings unknown' : findingsText(status.findings);
  const text = `${headline.words}: ${schedule} in ${namespace}: ${findings}; run ${run.metadata.name ?? 'unknown'}`;
  return { text: escapeAndClamp(text, SLACK_LIMITS.sectionText), blocks };
}

/** `1 critical · 2 high · 0 medium · 3 low · 0 info (6 total)` */
export function findingsText(findings: Findings): string {
  return `${findingCounts(findings).join(' · ')} (${findings.total} total)`;
}

function topFindingsText(top: readonly TopFinding[], findings: Findings | undefined): string | undefined {
  if (top.length === 0) return undefined;
  const shown = top.slice(0, SLACK_TOP_FINDINGS);
  const lines = shown.map((finding) => {
    const where = [finding.location, finding.tool && `(${finding.tool})`].filter(Boolean).join(' ');
    const line = `${finding.severity} ${finding.id}: ${finding.title}${where === '' ? '' : ` at ${where}`}`;
    return `• ${escapeAndClamp(line, FINDING_LINE_LENGTH)}`;
  });
  const more = Math.max((findings?.total ?? top.length) - shown.length, 0);
  if (more > 0) lines.push(`…and ${more} more`);
  return `*Top findings*\n${lines.join('\n')}`;
}

/** Slack's three control characters in mrkdwn (docs.slack.dev "Escaping text"). */
function escapeChar(char: string): string {
  return char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : char;
}

/** Escaped, and at most `max` characters counted after escaping, never cutting an entity in two. */
export function escapeAndClamp(raw: string, max: number): string {
  const whole = Array.from(raw, escapeChar).join('');
  if (whole.length <= max) return whole;
  let out = '';
  for (const char of raw) {
    const escaped = escapeChar(char);
    if (out.length + escaped.length > max - 1) break;
    out += escaped;
  }
  return `${out}…`;
}

function clamp(text: string, max: number): string {
  if (text.length <= max) return text;
  // Cut by code points so that an emoji's surrogate pair is not split; stay within max UTF-16 units.
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out}…`;
}
