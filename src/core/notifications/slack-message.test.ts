import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScanRun, ScanRunStatus, TopFinding } from '../../api/types.ts';
import { escapeAndClamp, SLACK_LIMITS, type SlackBlock, slackMessage } from './slack-message.ts';

function aRun(status: ScanRunStatus, scheduleName = 'nightly'): ScanRun {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: { name: `${scheduleName}-29617440`, namespace: 'security', uid: 'run-uid-1' },
    spec: {
      scheduleRef: { name: scheduleName },
      scheduledTime: '2026-05-19T02:00:00Z',
      trigger: 'schedule',
      jobTemplate: { targets: { repo: '/r' }, options: { fail_on: 'HIGH' } },
    },
    status,
  };
}

const finding = (n: number, title = `finding ${n}`): TopFinding => ({
  id: `CVE-2026-${String(n).padStart(4, '0')}`,
  severity: 'HIGH',
  title,
  location: `pkg/${n}/go.sum`,
  tool: 'trivy',
});

const texts = (blocks: SlackBlock[]): string[] =>
  blocks.flatMap((block) =>
    block.type === 'header'
      ? [block.text.text]
      : 'fields' in block
        ? block.fields.map((f) => f.text)
        : [block.text.text],
  );

describe('slackMessage', () => {
  it('shows status, schedule, namespace, run, result, findings by severity, duration and top findings', () =>
    assert.deepEqual(
      slackMessage(
        aRun({
          phase: 'Failed',
          reason: 'FindingsAboveThreshold',
          message: '1 finding at or above HIGH',
          startTime: '2026-05-19T02:00:03Z',
          completionTime: '2026-05-19T02:04:15Z',
          findings: { critical: 0, high: 1, medium: 2, low: 0, info: 0, total: 3 },
          topFindings: [finding(1, 'openssl: buffer overflow')],
        }),
        'thresholdExceeded',
      ),
      {
        text: 'Findings above threshold: nightly in security: 0 critical · 1 high · 2 medium · 0 low · 0 info (3 total); run nightly-29617440',
        blocks: [
          {
            type: 'header',
            text: { type: 'plain_text', text: ':rotating_light: Findings above threshold: nightly', emoji: true },
          },
          {
            type: 'section',
            fields: [
              { type: 'mrkdwn', text: '*Schedule*\nnightly' },
              { type: 'mrkdwn', text: '*Namespace*\nsecurity' },
              { type: 'mrkdwn', text: '*Run*\nnightly-29617440 (schedule)' },
              { type: 'mrkdwn', text: '*Result*\nFailed · FindingsAboveThreshold' },
              { type: 'mrkdwn', text: '*Findings*\n0 critical · 1 high · 2 medium · 0 low · 0 info (3 total)' },
              { type: 'mrkdwn', text: '*Duration*\n4m 12s' },
              { type: 'mrkdwn', text: '*Threshold*\nfail_on HIGH' },
            ],
          },
          { type: 'section', text: { type: 'mrkdwn', text: '>1 finding at or above HIGH' } },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: '*Top findings*\n• HIGH CVE-2026-0001: openssl: buffer overflow at pkg/1/go.sum (trivy)\n…and 2 more',
            },
          },
        ],
      },
    ));

  const headlines: [string, ScanRunStatus, 'success' | 'failure', string][] = [
    [
      'a success has a check mark',
      { phase: 'Succeeded', reason: 'Completed' },
      'success',
      ':white_check_mark: Scan succeeded: nightly',
    ],
    ['a failure has a cross', { phase: 'Failed', reason: 'ScanFailed' }, 'failure', ':x: Scan failed: nightly'],
  ];
  for (const [name, status, event, header] of headlines) {
    it(name, () =>
      assert.deepEqual(slackMessage(aRun(status), event).blocks[0], {
        type: 'header',
        text: { type: 'plain_text', text: header, emoji: true },
      }),
    );
  }

  it('says findings unknown, never zeros, when the scan failed without results', () => {
    const message = slackMessage(aRun({ phase: 'Failed', reason: 'ScanFailed', message: 'exit code 2' }), 'failure');
    assert.ok(texts(message.blocks).includes('*Findings*\nunknown'));
    assert.match(message.text, /findings unknown/);
    assert.ok(texts(message.blocks).includes('>exit code 2'));
  });

  it('lists at most 5 top findings and counts the rest', () => {
    const top = Array.from({ length: 10 }, (_, i) => finding(i + 1));
    const findings = { critical: 0, high: 40, medium: 0, low: 0, info: 0, total: 40 };
    const last = texts(slackMessage(aRun({ phase: 'Failed', findings, topFindings: top }), 'failure').blocks).at(-1);
    assert.equal(last?.split('\n').filter((line) => line.startsWith('• ')).length, 5);
    assert.match(last ?? '', /…and 35 more$/);
  });

  it('escapes scanner text so that it cannot mention a channel or draw a link', () => {
    const top = [finding(1, '<!channel> see <https://evil.example|here> & more')];
    const last = texts(slackMessage(aRun({ phase: 'Failed', topFindings: top }), 'failure').blocks).at(-1) ?? '';
    assert.match(last, /&lt;!channel&gt; see &lt;https:\/\/evil.example\|here&gt; &amp; more/);
    assert.doesNotMatch(last, /<!channel>/);
  });

  it('keeps every text within Block Kit limits for huge inputs', () => {
    const huge = '<&>'.repeat(5000);
    const top = Array.from({ length: 10 }, (_, i) => ({ ...finding(i), title: huge, location: huge }));
    const longName = 'n'.repeat(250);
    const message = slackMessage(
      aRun({ phase: 'Failed', reason: huge, message: huge, topFindings: top }, longName),
      'failure',
    );
    const [header, ...rest] = message.blocks;
    assert.ok(header?.type === 'header' && header.text.text.length <= SLACK_LIMITS.headerText);
    assert.ok(message.blocks.length <= SLACK_LIMITS.blocks);
    for (const block of rest) {
      if (block.type === 'header') continue;
      if ('fields' in block) {
        assert.ok(block.fields.length <= SLACK_LIMITS.fields);
        for (const field of block.fields)
          assert.ok(field.text.length <= SLACK_LIMITS.fieldText, field.text.slice(0, 40));
      } else {
        assert.ok(block.text.text.length <= SLACK_LIMITS.sectionText);
      }
    }
    assert.ok(message.text.length <= SLACK_LIMITS.sectionText);
  });
});

describe('escapeAndClamp', () => {
  const cases: [string, string, number, string][] = [
    ['leaves short plain text alone', 'abc', 10, 'abc'],
    ['escapes the three control characters', 'a<b>&c', 20, 'a&lt;b&gt;&amp;c'],
    ['cuts with an ellipsis within the limit', 'abcdefghij', 5, 'abcd…'],
    ['never cuts an entity in two', 'ab<<<', 6, 'ab…'],
    ['never splits an emoji', 'ab😀😀', 5, 'ab😀…'],
  ];
  for (const [name, raw, max, expected] of cases) {
    it(name, () => {
      assert.equal(escapeAndClamp(raw, max), expected);
      assert.ok(escapeAndClamp(raw, max).length <= max);
    });
  }
});
