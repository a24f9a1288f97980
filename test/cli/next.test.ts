// `scanschedule next`: upcoming run times in the schedule's zone and in UTC, with DST moves marked.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runNext } from '../../src/cli/next.ts';

const root = join(import.meta.dirname, '..', '..');
const example = (name: string): string => join(root, 'examples', name);
const now = new Date('2026-11-21T12:00:00Z');
const noStdin = (): string => '';

function schedule(schedule: string, timezone: string): string {
  return `apiVersion: jmo.security/v1alpha1
kind: ScanSchedule
metadata: {name: preview}
spec:
  schedule: "${schedule}"
  timezone: ${timezone}
  jobTemplate: {targets: {repo: /r}}
`;
}

function utcTimes(stdout: string): string[] {
  // Run lines only (indented), not the "from" line.
  return [...stdout.matchAll(/^ {4}.* (\d{4}-\d\d-\d\dT[\d:]+Z)/gm)].map((m) => m[1] ?? '');
}

describe('next', () => {
  const cases = [
    {
      name: 'moves a time in the New York spring-forward gap to the end of the gap, and marks it',
      text: schedule('30 2 * * *', 'America/New_York'),
      from: '2026-03-07T12:00:00Z',
      utc: ['2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z'],
      contains: ['Sun 2026-03-08 03:00 EDT', 'moved: its wall-clock time does not exist that day'],
    },
    {
      name: 'runs a repeated Berlin fall-back time once',
      text: schedule('30 2 * * *', 'Europe/Berlin'),
      from: '2026-10-24T12:00:00Z',
      utc: ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'],
      contains: ['At 02:30'],
    },
    {
      name: 'describes the expression in words',
      text: schedule('0 9-17 * * 1-5', 'UTC'),
      from: '2026-11-20T16:30:00Z',
      utc: ['2026-11-20T17:00:00Z', '2026-11-23T09:00:00Z'],
      contains: ['Every hour, between 09:00 and 17:00, Monday through Friday'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = runNext('-', { count: String(c.utc.length), from: c.from, output: 'text' }, () => c.text, now);
      assert.equal(out.exitCode, 0, out.stderr);
      assert.deepEqual(utcTimes(out.stdout), c.utc);
      for (const text of c.contains) assert.ok(out.stdout.includes(text), `missing "${text}" in\n${out.stdout}`);
    });
  }

  it('shows the H-expanded pattern it will use', () => {
    const out = runNext(example('spread-with-h.yaml'), { count: '1', output: 'text' }, noStdin, now);
    assert.match(out.stdout, /schedule {2}H 2 \* \* \* \(effective: \d{1,2} 2 \* \* \*\) in Asia\/Tokyo/);
  });

  it('counts an interval from now and says so', () => {
    const out = runNext(example('interval-15m.yaml'), { count: '2', output: 'text' }, noStdin, now);
    assert.deepEqual(utcTimes(out.stdout), ['2026-11-21T12:15:00Z', '2026-11-21T12:30:00Z']);
    assert.match(out.stdout, /the times assume runs take no time/);
  });

  it('prints JSON with both clocks', () => {
    const out = runNext(
      example('weekly-monday-berlin.yaml'),
      { count: '1', output: 'json', from: '2027-03-23T00:00:00Z' },
      noStdin,
      now,
    );
    const [preview] = JSON.parse(out.stdout) as { runs: { time: string; local: string; movedByGap: boolean }[] }[];
    assert.deepEqual(preview?.runs, [
      { time: '2027-03-29T00:00:00.000Z', local: 'Mon 2027-03-29 02:00 GMT+2', movedByGap: false },
    ]);
  });

  it('refuses an invalid schedule with the validate findings and exit 1', () => {
    const out = runNext('-', { count: '3', output: 'text' }, () => schedule('0 0 30 2 *', 'UTC'), now);
    assert.equal(out.exitCode, 1);
    assert.match(out.stderr, /<stdin>:5:\d+ {2}spec\.schedule {2}"0 0 30 2 \*" never matches/);
  });

  it('previews several files, each schedule in turn', () => {
    const out = runNext(
      [example('nightly.yaml'), example('weekly-monday-berlin.yaml')],
      { count: '1', output: 'text' },
      noStdin,
      now,
    );
    assert.equal(out.exitCode, 0, out.stderr);
    assert.equal(out.stdout.match(/^ScanSchedule /gm)?.length, 2, out.stdout);
  });

  const fromCases = [
    { from: '2026-03-07T12:00', shown: 'from 2026-03-07T12:00:00Z (UTC; --from 2026-03-07T12:00)' },
    { from: '2026-03-07T13:00:00+01:00', shown: 'from 2026-03-07T12:00:00Z (UTC; --from 2026-03-07T13:00:00+01:00)' },
    { from: '2026-03-07', shown: 'from 2026-03-07T00:00:00Z (UTC; --from 2026-03-07)' },
  ];
  for (const c of fromCases) {
    it(`reads --from ${c.from} as UTC unless it has an offset, and says which instant it used`, () => {
      const out = runNext('-', { count: '1', output: 'text', from: c.from }, () => schedule('0 2 * * *', 'UTC'), now);
      assert.equal(out.stdout.split('\n')[0], c.shown);
    });
  }

  const zoneWarnings = [
    { zone: 'EST', says: 'Use "America/New_York"' },
    { zone: 'US/Eastern', says: 'Use "America/New_York"' },
    { zone: 'Asia/Calcutta', says: 'Use "Asia/Kolkata"' },
    { zone: 'Etc/GMT+5', says: 'fixed offset of UTC−5' },
  ];
  for (const c of zoneWarnings) {
    it(`warns on stderr that ${c.zone} misleads, and still previews it`, () => {
      const out = runNext('-', { count: '1', output: 'text' }, () => schedule('0 2 * * *', c.zone), now);
      assert.equal(out.exitCode, 0, out.stderr);
      assert.match(out.stderr, /spec\.timezone {2}warning: /);
      assert.ok(out.stderr.includes(c.says), out.stderr);
      assert.equal(utcTimes(out.stdout).length, 1);
    });
  }

  it('does not warn about current region names', () => {
    for (const zone of ['Europe/Berlin', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires', 'UTC', 'Etc/UTC']) {
      const out = runNext('-', { count: '1', output: 'text' }, () => schedule('0 2 * * *', zone), now);
      assert.equal(out.stderr, '', zone);
    }
  });
});
