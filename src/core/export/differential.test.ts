// The exported cron lines and zone fire at the same instants as `scanschedule next` for every example, and a
// timing warning is printed exactly for the exports whose instants differ (interval, @every, --utc over DST).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cron } from 'croner';
import { exampleSchedules } from '../../../test/golden/export/golden-cases.ts';
import { previewSchedule } from '../preview.ts';
import type { ExportTarget } from './index.ts';
import { exportSchedule } from './index.ts';

const COUNT = 20;
// Before and across the 2027 transitions of Europe (Mar 28, Oct 31) and the US (Mar 14, Nov 7), and two quiet
// dates; 7 minutes past the hour, because an interval counts from an arbitrary instant, not from the clock.
const FROMS = [
  '2027-01-04T00:07:00Z',
  '2027-03-12T00:07:00Z',
  '2027-03-26T00:07:00Z',
  '2027-07-01T00:07:00Z',
  '2027-10-29T00:07:00Z',
  '2027-11-05T00:07:00Z',
];
const NOW = new Date('2026-12-01T00:00:00Z');
const TIMING = /^spec\.(schedule|interval|timezone)\b/;

/** The first `count` instants after `from` of the union of the cron lines in the zone. */
function croneTimes(patterns: readonly string[], timezone: string, from: Date, count: number): string[] {
  const all = patterns.flatMap((pattern) =>
    new Cron(pattern, { timezone, legacyMode: true }).nextRuns(count, from).map((d) => d.toISOString()),
  );
  return [...new Set(all)].sort().slice(0, count);
}

describe('export: the exported schedule fires when the controller would', () => {
  for (const target of ['github-actions', 'gitlab-ci'] as ExportTarget[]) {
    for (const utc of [false, true]) {
      for (const { example, schedule } of exampleSchedules()) {
        it(`${target}${utc ? ' --utc' : ''}: ${example}`, () => {
          const result = exportSchedule(schedule, target, { utc, now: NOW });
          const timingWarnings = result.warnings.filter(
            (w) => TIMING.test(w) && !w.includes('at most every 5 minutes'),
          );
          if (schedule.spec.suspend === true) {
            assert.equal(result.fires, undefined, 'a suspended schedule must not fire');
            return;
          }
          const fires = result.fires;
          let differs = fires === undefined;
          for (const from of FROMS) {
            if (fires === undefined) break;
            const controller = previewSchedule(schedule, { from: new Date(from), count: COUNT }).runs.map((r) =>
              r.at.toISOString(),
            );
            const exported = croneTimes(fires.patterns, fires.timezone, new Date(from), COUNT);
            if (JSON.stringify(controller) !== JSON.stringify(exported)) differs = true;
          }
          if (differs)
            assert.ok(
              timingWarnings.length > 0,
              `the times differ but no timing warning: ${result.warnings.join(' | ')}`,
            );
          else assert.deepEqual(timingWarnings, [], 'the times agree, so there must be no timing warning');
        });
      }
    }
  }
  it('an --utc export of a zone with daylight saving differs and warns (the test can fail)', () => {
    const weekly = exampleSchedules().find((e) => e.example === 'weekly-monday-berlin');
    assert.ok(weekly);
    const result = exportSchedule(weekly.schedule, 'github-actions', { utc: true, now: NOW });
    assert.deepEqual(result.fires, { patterns: ['0 1 * * 1'], timezone: 'UTC' });
    assert.ok(result.warnings.some((w) => w.startsWith('spec.timezone')));
  });
});
