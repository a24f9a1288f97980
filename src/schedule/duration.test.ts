import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration, parseInterval } from './duration.ts';

describe('durations', () => {
  const go: [string, number | undefined][] = [
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2h45m30s', 9_930_000],
    ['500ms', 500],
    ['0', 0],
    ['', undefined],
    ['-1h', undefined],
    ['1d', undefined],
    ['10', undefined],
  ];
  for (const [text, ms] of go) {
    it(`reads Go duration "${text}" as ${ms}`, () => assert.equal(parseGoDuration(text), ms));
  }

  const intervals: [string, number | undefined][] = [
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['90m', 5_400_000],
    ['1h30s', 3_630_000],
    ['1.5h', undefined],
    ['30m1h', undefined],
    ['', undefined],
  ];
  for (const [text, ms] of intervals) {
    it(`reads interval "${text}" as ${ms}`, () => assert.equal(parseInterval(text), ms));
  }
});
