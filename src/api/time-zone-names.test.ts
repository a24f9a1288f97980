import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeZoneProblem } from '../schedule/time-zone.ts';
import { scanScheduleSchema } from './schema.ts';
import { timeZoneNames } from './time-zone-names.ts';

const names = timeZoneNames();
const enumInSchema = scanScheduleSchema.properties?.spec?.properties?.timezone?.enum;

describe('the CRD enum of spec.timezone', () => {
  it('is every zone this runtime lists, plus UTC (crds/ drift: npm run gen after a Node update)', () => {
    const listed = Intl.supportedValuesOf('timeZone').filter((zone) => timeZoneProblem(zone) === undefined);
    assert.deepEqual(
      listed.filter((zone) => !names.includes(zone)),
      [],
    );
    assert.ok(names.includes('UTC'));
    assert.deepEqual(enumInSchema, names);
  });

  it('holds only names the controller accepts', () => {
    assert.deepEqual(
      names.filter((zone) => timeZoneProblem(zone) !== undefined),
      [],
    );
  });

  for (const zone of ['US/Eastern', 'Asia/Calcutta', 'Asia/Kolkata', 'Europe/Kyiv', 'Etc/UTC', 'GB']) {
    it(`admits the tz database name ${zone}, which Kubernetes and the controller accept`, () => {
      assert.equal(timeZoneProblem(zone), undefined);
      assert.ok(names.includes(zone));
    });
  }

  for (const zone of ['Europe/Berlin ', 'Europe/Berlim', 'europe/berlin', 'GMT+0', '+02:00', 'Local', '']) {
    it(`refuses ${JSON.stringify(zone)}`, () => {
      assert.equal(names.includes(zone), false);
    });
  }
});
