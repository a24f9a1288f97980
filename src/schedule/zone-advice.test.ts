import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentZoneNames, zoneAdvice } from './zone-advice.ts';

describe('zoneAdvice', () => {
  const misleading = [
    { zone: 'EST', use: 'America/New_York' },
    { zone: 'MST', use: 'America/Denver' },
    { zone: 'PST8PDT', use: 'America/Los_Angeles' },
    { zone: 'US/Eastern', use: 'America/New_York' },
    { zone: 'US/Pacific', use: 'America/Los_Angeles' },
    { zone: 'Japan', use: 'Asia/Tokyo' },
    { zone: 'Asia/Calcutta', use: 'Asia/Kolkata' },
    { zone: 'Europe/Kiev', use: 'Europe/Kyiv' },
  ];
  for (const c of misleading) {
    it(`tells ${c.zone} to use ${c.use}`, () => assert.match(zoneAdvice(c.zone)?.fix ?? '', new RegExp(`"${c.use}"`)));
  }
  it('explains the inverted sign of Etc/GMT+5', () => assert.match(zoneAdvice('Etc/GMT+5')?.message ?? '', /UTC−5/));
  for (const zone of [
    'UTC',
    'Etc/UTC',
    'Europe/Berlin',
    'Asia/Kolkata',
    'Europe/Kyiv',
    'America/Argentina/Buenos_Aires',
  ]) {
    it(`has nothing to say about ${zone}`, () => assert.equal(zoneAdvice(zone), undefined));
  }
  it('lists current names for suggestions, not ICU’s old ones', () => {
    const names = currentZoneNames();
    assert.ok(names.includes('Asia/Kolkata') && !names.includes('Asia/Calcutta'));
    assert.ok(names.includes('UTC') && names.includes('Europe/Berlin'));
  });
});
