// The crontab export: its schedule lines parse as cron, CRON_TZ names the zone, Forbid takes a lock, and a
// percent sign (which ends a crontab command) is escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cron } from 'croner';
import { exampleSchedules, GOLDEN_NOW } from '../../../test/golden/export/golden-cases.ts';
import { aSchedule } from './export-test-support.ts';
import { exportSchedule } from './index.ts';

function scheduleLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('CRON_TZ='));
}

describe('export --to crontab', () => {
  for (const { example, schedule } of exampleSchedules()) {
    it(`${example}: every line is five cron fields croner parses, then a command`, () => {
      const { text } = exportSchedule(schedule, 'crontab', { utc: false, now: GOLDEN_NOW });
      for (const line of scheduleLines(text)) {
        const fields = line.split(/\s+/).slice(0, 5).join(' ');
        assert.doesNotThrow(() => new Cron(fields, { legacyMode: true }), line);
        assert.match(line, />> \/var\/log\/scanschedule\/\S+\.log 2>&1$/);
      }
    });
  }
  const cases = [
    { name: 'names the zone in CRON_TZ', spec: { timezone: 'Europe/Berlin' }, expect: /^CRON_TZ=Europe\/Berlin$/m },
    {
      name: 'takes a flock for Forbid',
      spec: { concurrencyPolicy: 'Forbid' },
      expect: / flock -n \/tmp\/scanschedule-s\.lock sh -c /,
    },
    { name: 'takes no lock for Allow', spec: { concurrencyPolicy: 'Allow' }, expect: /^0 2 \* \* \* sh -c /m },
    { name: 'comments out a suspended schedule', spec: { suspend: true }, expect: /^# 0 2 \* \* \* /m },
  ] as const;
  for (const c of cases) {
    it(c.name, () => {
      assert.match(exportSchedule(aSchedule(c.spec), 'crontab', { utc: false, now: GOLDEN_NOW }).text, c.expect);
    });
  }
  it('warns that cron cannot Replace a running scan', () => {
    const result = exportSchedule(aSchedule({ concurrencyPolicy: 'Replace' }), 'crontab', {
      utc: false,
      now: GOLDEN_NOW,
    });
    assert.ok(result.warnings.some((w) => w.startsWith('spec.concurrencyPolicy Replace')));
    assert.match(result.text, /^# WARNING: spec.concurrencyPolicy Replace/m);
  });
  it('escapes % in the command', () => {
    const schedule = aSchedule({ jobTemplate: { targets: { urls: ['https://x.example/a%20b'] } } });
    assert.match(exportSchedule(schedule, 'crontab', { utc: false, now: GOLDEN_NOW }).text, /a\\%20b/);
  });
});
