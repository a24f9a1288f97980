import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatInZone, formatUtc, parseTimeMs } from './rfc3339.ts';

describe('RFC 3339 times', () => {
  it('writes UTC at second precision, as metav1.Time does', () => {
    assert.equal(formatUtc(new Date('2026-05-19T10:00:00.987Z')), '2026-05-19T10:00:00Z');
  });

  const zoned = [
    { zone: 'Europe/Berlin', at: '2026-05-19T00:00:00Z', text: '2026-05-19T02:00:00+02:00' },
    { zone: 'Europe/Berlin', at: '2026-01-19T00:00:00Z', text: '2026-01-19T01:00:00+01:00' },
    { zone: 'America/New_York', at: '2026-03-08T07:00:00Z', text: '2026-03-08T03:00:00-04:00' },
    { zone: 'Australia/Lord_Howe', at: '2026-10-03T15:30:00Z', text: '2026-10-04T02:30:00+11:00' },
    { zone: 'Asia/Kolkata', at: '2026-05-19T00:00:00Z', text: '2026-05-19T05:30:00+05:30' },
    { zone: 'UTC', at: '2026-05-19T00:00:00Z', text: '2026-05-19T00:00:00Z' },
    { zone: 'Europe/London', at: '2026-01-19T00:00:00Z', text: '2026-01-19T00:00:00Z' },
  ];
  for (const c of zoned) {
    it(`writes ${c.at} in ${c.zone} as ${c.text} (a zero offset is Z, as Go writes it)`, () => {
      assert.equal(formatInZone(new Date(c.at), c.zone), c.text);
    });
  }

  it('reads times back, and nothing for a missing or broken one', () => {
    assert.equal(parseTimeMs('2026-05-19T02:00:00+02:00'), Date.parse('2026-05-19T00:00:00Z'));
    assert.equal(parseTimeMs(undefined), undefined);
    assert.equal(parseTimeMs('yesterday'), undefined);
  });
});
