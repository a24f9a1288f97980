import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, nearest, withSuggestion } from './did-you-mean.ts';

describe('did you mean', () => {
  it('measures edits, ignoring case', () => {
    assert.equal(editDistance('timeZone', 'timezone'), 0);
    assert.equal(editDistance('Berlim', 'Berlin'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });
  it('picks the nearest only when it is near', () => {
    assert.equal(nearest('schedul', ['schedule', 'interval']), 'schedule');
    assert.equal(nearest('bananas', ['schedule', 'interval']), undefined);
  });
  const cases = [
    {
      message: 'unknown field "timeZone"',
      fix: 'Remove it; known fields here: schedule, timezone.',
      want: 'Did you mean "timezone"? Remove it; known fields here: schedule, timezone.',
    },
    {
      message: '"forbid" is not allowed',
      fix: 'Use one of: Allow, Forbid, Replace.',
      want: 'Did you mean "Forbid"? Use one of: Allow, Forbid, Replace.',
    },
    {
      message: 'unknown time zone "Europe/Berlim"',
      fix: 'Use an IANA name.',
      want: 'Did you mean "Europe/Berlin"? Use an IANA name.',
    },
    { message: 'unknown time zone "Nowhere/At_All_Really"', fix: 'Use an IANA name.', want: 'Use an IANA name.' },
    { message: 'must be an integer', fix: 'Write a number.', want: 'Write a number.' },
  ];
  for (const c of cases) {
    it(`fix for ${c.message}`, () => assert.equal(withSuggestion(c.message, c.fix), c.want));
  }
});
