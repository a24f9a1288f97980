import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScheduleText } from '../schedule/cron-grammar.ts';
import { SCHEDULE_PATTERN } from './schedule-pattern.ts';
import { scanScheduleSchema } from './schema.ts';

const pattern = new RegExp(SCHEDULE_PATTERN, 'u');
const grammarAccepts = (text: string): boolean => !('problem' in parseScheduleText(text));

// Texts both the pattern and the controller's grammar accept.
const accepted = [
  '0 2 * * *',
  '*/5 * * * *',
  '0 9-17 * * MON-FRI',
  '0 9-17/2 * * mon-fri',
  '0,15,30,45 * * * *',
  '0 0 1 JAN,jul *',
  '0 2 ? * ?',
  '0 2 * * 7/2',
  '05 02 * * 0',
  '0\t2 * * *',
  '0  2 * * *',
  'H H(0-5) * * *',
  'H/15 H * * *',
  'H(10-20)/5 3 * * *',
  '59 23 31 12 7',
  '@daily',
  '@midnight',
  '@every 1h30m',
  '@every 90s',
  '@every 1.5h',
];

// Texts both refuse: the pattern at apply, the grammar in the controller.
const refused = [
  '',
  '0 2 * *',
  '0 0 2 * * *',
  '60 * * * *',
  '0 24 * * *',
  '0 2 0 * *',
  '0 2 * 13 *',
  '0 2 * * 8',
  '*/0 * * * *',
  '*/61 * * * *',
  '0 2 L * *',
  '0 2 * * 1#2',
  '0 2 * * FRIDAY',
  'H 2 H * *',
  '0 2 * * ?/2',
  '? 2 * * *',
  '0 2 * * +1',
  '0 2 1,,2 * *',
  '@DAILY',
  '@reboot',
  '@every',
  '@every 5 m',
  'TZ=UTC 0 2 * * *',
  '14:30',
  '2026-05-19',
];

// The grammar trims; the API server does not, so whitespace around the text is refused at apply.
const whitespace = [' 0 2 * * *', '0 2 * * * ', '0 2 * * *\n', '@daily '];

// What a regular expression cannot see, left to the controller (schedule-pattern.ts says why).
const controllerOnly = ['0 2 5-1 * *', '0 0 30 2 *', 'H(20-10) * * * *', '@every 9000h', '@every 500ms'];

describe('the CRD pattern of spec.schedule', () => {
  it('is the pattern schema.ts puts on spec.schedule', () => {
    assert.equal(scanScheduleSchema.properties?.spec?.properties?.schedule?.pattern, SCHEDULE_PATTERN);
  });

  for (const text of accepted) {
    it(`accepts ${JSON.stringify(text)}, as the controller does`, () => {
      assert.equal(grammarAccepts(text), true, 'the grammar must accept it');
      assert.equal(pattern.test(text), true);
    });
  }

  for (const text of refused) {
    it(`refuses ${JSON.stringify(text)}, as the controller does`, () => {
      assert.equal(grammarAccepts(text), false, 'the grammar must refuse it');
      assert.equal(pattern.test(text), false);
    });
  }

  for (const text of whitespace) {
    it(`refuses ${JSON.stringify(text)} with whitespace around it`, () => {
      assert.equal(pattern.test(text), false);
    });
  }

  for (const text of controllerOnly) {
    it(`leaves ${JSON.stringify(text)} to the controller, which refuses it`, () => {
      assert.equal(pattern.test(text), true);
      assert.equal(grammarAccepts(text), false);
    });
  }

  it('uses no syntax RE2 (the API server) reads differently from ECMAScript', () => {
    assert.doesNotMatch(SCHEDULE_PATTERN, /\(\?[=!<]|\\[1-9]|\(\?i/);
  });
});
