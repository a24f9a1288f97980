// Every CEL rule in the CRDs has a coded twin, and each twin agrees with what its CEL says on the same inputs.
// (The CEL side is checked against a real API server in test/integration.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CEL_RULES, type CelRuleName, celTwin, durationSeconds } from './cel-rules.ts';
import { type SchemaNode, scanRunSchema, scanScheduleSchema } from './schema.ts';

function* rulesIn(node: SchemaNode): Generator<string> {
  for (const rule of node['x-kubernetes-validations'] ?? []) yield rule.rule;
  for (const child of Object.values(node.properties ?? {})) yield* rulesIn(child);
  if (node.items !== undefined) yield* rulesIn(node.items);
}

const cases: Record<CelRuleName, { valid: unknown[]; invalid: unknown[] }> = {
  scheduleXorInterval: {
    valid: [{ schedule: '0 2 * * *' }, { interval: '15m' }],
    invalid: [{}, { schedule: '0 2 * * *', interval: '15m' }],
  },
  noTimezoneInSchedule: {
    valid: [{ schedule: '0 2 * * *' }, { interval: '1h' }],
    invalid: [{ schedule: 'TZ=UTC 0 2 * * *' }, { schedule: 'CRON_TZ=Europe/Berlin 0 2 * * *' }],
  },
  intervalAtLeastOneMinute: {
    valid: [{ interval: '1m' }, { interval: '60s' }, { interval: '1h30m' }, { schedule: '* * * * *' }],
    invalid: [{ interval: '59s' }, { interval: '0s' }],
  },
  scheduleNameLength: {
    valid: [{ metadata: { name: 'a'.repeat(52) } }],
    invalid: [{ metadata: { name: 'a'.repeat(53) } }],
  },
  channelUrlXorUrlFrom: {
    valid: [
      { type: 'slack', url: 'https://x' },
      { type: 'slack', urlFrom: { secretKeyRef: { name: 'a', key: 'b' } } },
    ],
    invalid: [
      { type: 'slack' },
      { type: 'slack', url: 'https://x', urlFrom: { secretKeyRef: { name: 'a', key: 'b' } } },
    ],
  },
  // Offline validation has no stored object to compare with (a create): the transition rule cannot fail there.
  scanRunSpecImmutable: { valid: [{ scheduleRef: { name: 'nightly' } }], invalid: [] },
};

describe('CEL rules', () => {
  it('every rule in both schemas has a coded twin', () => {
    const rules = [...rulesIn(scanScheduleSchema), ...rulesIn(scanRunSchema)];
    assert.ok(rules.length >= Object.keys(CEL_RULES).length);
    assert.deepEqual(
      rules.filter((rule) => celTwin(rule) === undefined),
      [],
    );
  });

  for (const [name, { valid, invalid }] of Object.entries(cases)) {
    const twin = celTwin(CEL_RULES[name as CelRuleName].rule);
    for (const input of valid) {
      it(`${name} accepts ${JSON.stringify(input).slice(0, 60)}`, () => assert.equal(twin?.(input), true));
    }
    for (const input of invalid) {
      it(`${name} rejects ${JSON.stringify(input).slice(0, 60)}`, () => assert.equal(twin?.(input), false));
    }
  }

  const durations: [string, number][] = [
    ['15m', 900],
    ['1h30m', 5400],
    ['90s', 90],
    ['2h', 7200],
    ['', Number.NaN],
    ['1d', Number.NaN],
    ['m', Number.NaN],
  ];
  for (const [text, seconds] of durations) {
    it(`reads the duration "${text}" as ${seconds} seconds`, () => assert.equal(durationSeconds(text), seconds));
  }
});
