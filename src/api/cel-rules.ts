// Cross-field rules. The API server runs them as CEL (x-kubernetes-validations in the CRDs); ajv cannot run
// CEL, so each rule carries a coded twin that validate.ts runs on the same node. The twin lives beside its
// rule so the two are read and changed together; cel-rules.test.ts checks each pair on the same inputs, and
// the control-plane tests check the CEL side against a real API server.
import { MAX_SCHEDULE_NAME_LENGTH } from './types.ts';

/** A CRD validation rule, exactly as it is written into the CRD. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** The coded twin: true when `self` (the node the rule is attached to) satisfies the rule. */
export type CelTwin = (self: unknown) => boolean;

interface RuleWithTwin extends CelRule {
  twin: CelTwin;
  /** Where offline validation reports a failure, below the rule's node, when the CRD cannot say it (fieldPath). */
  reportAt?: string[];
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const has = (value: unknown, key: string): boolean => record(value)[key] !== undefined;

/** Seconds in a Go/CEL duration such as 1h30m or 90s; NaN when it is not one. */
export function durationSeconds(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (match === null || text === '') return Number.NaN;
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

const rules = {
  scheduleXorInterval: {
    rule: 'has(self.schedule) != has(self.interval)',
    message: 'set exactly one of spec.schedule or spec.interval',
    reason: 'FieldValueInvalid',
    twin: (self) => has(self, 'schedule') !== has(self, 'interval'),
  },
  noTimezoneInSchedule: {
    rule: "!has(self.schedule) || !self.schedule.matches('(CRON_)?TZ=')",
    message: 'spec.schedule must not contain TZ= or CRON_TZ=; set spec.timezone instead',
    fieldPath: '.schedule',
    reason: 'FieldValueInvalid',
    twin: (self) => {
      const schedule = record(self).schedule;
      return typeof schedule !== 'string' || !/(CRON_)?TZ=/.test(schedule);
    },
  },
  intervalAtLeastOneMinute: {
    rule: "!has(self.interval) || duration(self.interval) >= duration('60s')",
    message: 'spec.interval must be at least 1m',
    fieldPath: '.interval',
    reason: 'FieldValueInvalid',
    twin: (self) => {
      const interval = record(self).interval;
      if (typeof interval !== 'string') return true;
      const seconds = durationSeconds(interval);
      // A malformed duration is the pattern's error, reported by the schema; CEL would report it too.
      return Number.isNaN(seconds) || seconds >= 60;
    },
  },
  scheduleNameLength: {
    rule: `size(self.metadata.name) <= ${MAX_SCHEDULE_NAME_LENGTH}`,
    message: `metadata.name must be at most ${MAX_SCHEDULE_NAME_LENGTH} characters: run and Job names append a timestamp`,
    reportAt: ['metadata', 'name'],
    reason: 'FieldValueInvalid',
    twin: (self) => {
      const name = record(record(self).metadata).name;
      return typeof name !== 'string' || name.length <= MAX_SCHEDULE_NAME_LENGTH;
    },
  },
  channelUrlXorUrlFrom: {
    rule: 'has(self.url) != has(self.urlFrom)',
    message: 'set exactly one of url or urlFrom in a notification channel',
    reason: 'FieldValueInvalid',
    twin: (self) => has(self, 'url') !== has(self, 'urlFrom'),
  },
  // A transition rule: the API server runs it only on updates, comparing with the stored object. A file has no
  // stored object, so offline validation is a create, where the API server does not run it either: the twin
  // accepts. test/integration/admission-policy.test.ts checks the CEL side.
  scanRunSpecImmutable: {
    rule: 'self == oldSelf',
    message:
      'spec of a ScanRun is immutable: a run is frozen when the controller creates it; to scan again, annotate the ScanSchedule with jmo.security/run-now',
    reason: 'FieldValueForbidden',
    twin: () => true,
  },
} satisfies Record<string, RuleWithTwin>;

export type CelRuleName = keyof typeof rules;

/** The rules as they go into the CRDs (no twin). */
export const CEL_RULES = Object.fromEntries(
  Object.entries(rules).map(([name, rule]) => [name, crdRule(rule)]),
) as Record<CelRuleName, CelRule>;

function crdRule(rule: RuleWithTwin): CelRule {
  const { twin: _twin, reportAt: _reportAt, ...crd } = rule;
  return crd;
}

const byRuleText = new Map<string, RuleWithTwin>(Object.values(rules).map((r) => [r.rule, r]));

/** Path segments below the rule's node where a failure is reported offline. */
export function celRuleReportPath(rule: CelRule): string[] {
  const full = byRuleText.get(rule.rule);
  return full?.reportAt ?? rule.fieldPath?.slice(1).split('.') ?? [];
}

const twinsByRule = new Map<string, CelTwin>(Object.values(rules).map((r) => [r.rule, r.twin]));

/** The coded twin of a CEL rule, found by its exact text; undefined for a rule that has none (a bug). */
export function celTwin(rule: string): CelTwin | undefined {
  return twinsByRule.get(rule);
}
