// Status in a manifest: the API server drops it unchecked on create and apply (the status subresource owns it),
// so offline validation ignores it too and says so in a note.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkManifests } from './check-manifests.ts';

const SEED = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'valid', 'seed-scanschedule.yaml');
const options = { strict: false, defaultNamespace: 'default' };

const schedule = (extra: string): string =>
  [
    'apiVersion: jmo.security/v1alpha1',
    'kind: ScanSchedule',
    'metadata:',
    '  name: nightly',
    'spec:',
    '  schedule: "0 2 * * *"',
    '  jobTemplate:',
    '    targets:',
    '      repo: /repos/app',
    extra,
  ].join('\n');

const run = (extra: string): string =>
  [
    'apiVersion: jmo.security/v1alpha1',
    'kind: ScanRun',
    'metadata:',
    '  name: nightly-29650920',
    'spec:',
    '  scheduleRef: {name: nightly}',
    '  scheduledTime: "2026-05-19T02:00:00Z"',
    '  trigger: schedule',
    '  jobTemplate:',
    '    targets:',
    '      repo: /repos/app',
    extra,
  ].join('\n');

interface Case {
  name: string;
  text: string;
  /** `severity path` of each finding, in order. */
  findings: string[];
}

const cases: Case[] = [
  {
    name: 'accepts the seed document’s ScanSchedule, whose status has lastScheduleTime: null',
    text: readFileSync(SEED, 'utf8'),
    // Valid: its inline Slack URL is a warning (put it in a Secret), not an error.
    findings: ['warning spec.jobTemplate.notifications.channels[0].url', 'note status'],
  },
  {
    name: 'ignores a status that breaks the schema in every way',
    text: schedule('status:\n  active: -1\n  nextScheduleTime: tomorrow\n  made-up: true'),
    findings: ['note status'],
  },
  {
    name: 'ignores a ScanRun’s status too',
    text: run('status:\n  phase: Whatever\n  startTime: null'),
    findings: ['note status'],
  },
  { name: 'says nothing about status when there is none', text: schedule(''), findings: [] },
  {
    name: 'still reports the spec of an object that has a status',
    text: schedule('  timezone: 7\nstatus:\n  lastScheduleTime: null'),
    findings: ['error spec.timezone', 'note status'],
  },
];

describe('checkManifests: status', () => {
  for (const { name, text, findings } of cases) {
    it(name, () => {
      const result = checkManifests([{ file: 'x.yaml', text }], options);
      assert.deepEqual(
        result.findings.map((f) => `${f.severity} ${f.path}`),
        findings,
        JSON.stringify(result.findings, null, 2),
      );
    });
  }

  it('points the note at the status line and says status is ignored on apply', () => {
    const text = readFileSync(SEED, 'utf8');
    const note = checkManifests([{ file: 'seed.yaml', text }], options).findings.find((f) => f.severity === 'note');
    assert.equal(note?.line, text.split('\n').indexOf('status:') + 1);
    assert.match(note?.message ?? '', /status is ignored on apply/);
  });
});

describe('checkManifests: notification URLs', () => {
  const withChannel = (channel: string): string =>
    schedule(['    notifications:', '      enabled: true', '      channels:', `        - ${channel}`].join('\n'));
  const cases: { name: string; channel: string; warnings: string[] }[] = [
    {
      name: 'warns about an inline url, at its line, with the urlFrom fix',
      channel: '{type: slack, url: "https://hooks.slack.com/services/T/B/x"}',
      warnings: ['spec.jobTemplate.notifications.channels[0].url'],
    },
    {
      name: 'says nothing about a url read from a Secret',
      channel: '{type: webhook, urlFrom: {secretKeyRef: {name: hooks, key: url}}}',
      warnings: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = checkManifests([{ file: 'a.yaml', text: withChannel(c.channel) }], options);
      const warnings = result.findings.filter((f) => f.severity === 'warning');
      assert.deepEqual(
        warnings.map((w) => w.path),
        c.warnings,
      );
      for (const warning of warnings) {
        assert.equal(warning.line, 13);
        assert.match(warning.fix, /urlFrom\.secretKeyRef/);
        assert.doesNotMatch(`${warning.message} ${warning.fix}`, /hooks\.slack\.com/);
      }
      assert.equal(result.findings.filter((f) => f.severity === 'error').length, 0, JSON.stringify(result.findings));
    });
  }
});
