import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Severity } from '../../api/types.ts';
import { sarifSeverity, severityFromScore } from './sarif.ts';

describe('sarifSeverity: the fallback chain', () => {
  const cases: { name: string; result: Record<string, unknown>; rule?: Record<string, unknown>; expected: Severity }[] =
    [
      {
        name: 'rank wins over everything',
        result: { rank: 95, level: 'note' },
        rule: { properties: { 'security-severity': '2.0' } },
        expected: 'CRITICAL',
      },
      { name: 'rank 70 is high', result: { rank: 70 }, expected: 'HIGH' },
      { name: 'rank -1 means unset', result: { rank: -1, level: 'note' }, expected: 'LOW' },
      {
        name: 'security-severity on the result before the rule',
        result: { properties: { 'security-severity': '9.0' } },
        rule: { properties: { 'security-severity': '4.0' } },
        expected: 'CRITICAL',
      },
      {
        name: 'security-severity on the rule (Trivy, Grype, CodeQL)',
        result: { level: 'note' },
        rule: { properties: { 'security-severity': '7.5' } },
        expected: 'HIGH',
      },
      {
        name: 'security-severity as a number',
        result: {},
        rule: { properties: { 'security-severity': 4 } },
        expected: 'MEDIUM',
      },
      {
        name: 'security-severity 0.0 is info',
        result: {},
        rule: { properties: { 'security-severity': '0.0' } },
        expected: 'INFO',
      },
      {
        name: 'an unreadable security-severity falls through to the level',
        result: { level: 'error' },
        rule: { properties: { 'security-severity': 'high' } },
        expected: 'HIGH',
      },
      { name: 'level error (Checkov)', result: { level: 'error' }, expected: 'HIGH' },
      { name: 'level warning', result: { level: 'warning' }, expected: 'MEDIUM' },
      { name: 'level note', result: { level: 'note' }, expected: 'LOW' },
      { name: 'level none', result: { level: 'none' }, expected: 'INFO' },
      {
        name: 'the rule’s defaultConfiguration.level (Semgrep)',
        result: {},
        rule: { defaultConfiguration: { level: 'note' } },
        expected: 'LOW',
      },
      { name: 'nothing at all: medium, SARIF’s default warning', result: {}, expected: 'MEDIUM' },
    ];
  for (const c of cases) it(c.name, () => assert.equal(sarifSeverity(c.result, c.rule), c.expected));
});

describe('severityFromScore: GitHub code scanning bands', () => {
  const cases: [number, Severity][] = [
    [10, 'CRITICAL'],
    [9.0, 'CRITICAL'],
    [8.9, 'HIGH'],
    [7.0, 'HIGH'],
    [6.9, 'MEDIUM'],
    [4.0, 'MEDIUM'],
    [3.9, 'LOW'],
    [0.1, 'LOW'],
    [0.05, 'INFO'],
    [0, 'INFO'],
  ];
  for (const [score, expected] of cases)
    it(`${score} is ${expected}`, () => assert.equal(severityFromScore(score), expected));
});
