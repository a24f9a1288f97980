import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeZoneProblem } from './time-zone.ts';

// Kubernetes' verdict (apis/batch/validation + Go's tz database) is the reference for every row.
const cases: { zone: string; valid: boolean; why: string }[] = [
  { zone: 'UTC', valid: true, why: 'the default' },
  { zone: 'Europe/Berlin', valid: true, why: 'a canonical IANA name' },
  { zone: 'America/Argentina/Buenos_Aires', valid: true, why: 'three segments' },
  { zone: 'America/Port-au-Prince', valid: true, why: 'lower case inside a segment is the tz spelling' },
  { zone: 'US/Eastern', valid: true, why: 'a tz database link: Go loads it' },
  { zone: 'Asia/Calcutta', valid: true, why: 'an old name kept as a link' },
  { zone: 'Etc/GMT+2', valid: true, why: 'a tz database zone name, even though it reads like an offset' },
  { zone: 'Etc/UTC', valid: true, why: 'UTC by another name' },
  { zone: 'GMT', valid: true, why: 'a tz database link' },
  { zone: 'europe/berlin', valid: false, why: 'wrong case: Intl accepts it, Go does not find the file' },
  { zone: 'Europe/berlin', valid: false, why: 'wrong case in one segment' },
  { zone: 'us/eastern', valid: false, why: 'a link with wrong case' },
  { zone: 'utc', valid: false, why: 'wrong case' },
  { zone: 'Local', valid: false, why: 'depends on the controller machine; Kubernetes refuses it' },
  { zone: '+02:00', valid: false, why: 'an offset; Intl accepts it' },
  { zone: 'UTC+2', valid: false, why: 'an offset' },
  { zone: 'Mars/Olympus_Mons', valid: false, why: 'unknown' },
  { zone: 'Europe/../Berlin', valid: false, why: 'a path segment' },
  { zone: 'America/Very_Long_Segment_Name', valid: false, why: 'a segment over 14 characters' },
  { zone: '', valid: false, why: 'empty' },
];

describe('timeZoneProblem', () => {
  for (const c of cases) {
    it(`${c.valid ? 'accepts' : 'rejects'} "${c.zone}" (${c.why})`, () => {
      assert.equal(timeZoneProblem(c.zone) === undefined, c.valid, JSON.stringify(timeZoneProblem(c.zone)));
    });
  }

  it('names the canonical spelling when only the case is wrong', () => {
    assert.deepEqual(timeZoneProblem('europe/berlin'), {
      message: 'unknown time zone "europe/berlin": time zone names are case-sensitive',
      fix: 'Write "Europe/Berlin".',
    });
  });

  it('explains why an offset is not enough', () => {
    assert.match(timeZoneProblem('+02:00')?.message ?? '', /does not follow daylight saving time/);
  });
});
