// The schedule grammar of docs/design.md §4.1, checked by our own tokenizer before croner ever sees a pattern:
// croner accepts more than Kubernetes does (L, W, #, "+", 6/7 fields, dates with ":", "?" meaning "now"),
// and what it accepts would silently run at times the user did not mean. The tokenizer keeps every value,
// so the messages can say exactly which part is wrong and how to write it.
import { isGoDurationSyntax, parseGoDuration } from './duration.ts';

export type CronFieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

export interface FieldRule {
  name: CronFieldName;
  min: number;
  max: number;
  /** Largest step croner accepts: the number of distinct values in the field. */
  maxStep: number;
  /**
   * Where "N/S" ends: robfig/cron (Kubernetes) reads it as N-end/S, and its day-of-week ends at 6, so
   * "1/2" is Mon, Wed, Fri and never reaches 7 (Sunday again).
   */
  stepEnd: number;
  /** Upper-case names, the first meaning `min`. */
  names?: readonly string[];
  /** `H` spreading is allowed (minute and hour, docs/design.md §4.4). */
  spreadable: boolean;
  /** `?` is allowed, meaning `*` (the day fields). */
  questionMark: boolean;
  valueHint: string;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

export const FIELD_RULES: readonly FieldRule[] = [
  {
    name: 'minute',
    min: 0,
    max: 59,
    maxStep: 60,
    stepEnd: 59,
    spreadable: true,
    questionMark: false,
    valueHint: '0-59',
  },
  { name: 'hour', min: 0, max: 23, maxStep: 24, stepEnd: 23, spreadable: true, questionMark: false, valueHint: '0-23' },
  {
    name: 'day-of-month',
    min: 1,
    max: 31,
    maxStep: 31,
    stepEnd: 31,
    spreadable: false,
    questionMark: true,
    valueHint: '1-31',
  },
  {
    name: 'month',
    min: 1,
    max: 12,
    maxStep: 12,
    stepEnd: 12,
    names: MONTH_NAMES,
    spreadable: false,
    questionMark: false,
    valueHint: '1-12 or JAN-DEC',
  },
  {
    name: 'day-of-week',
    min: 0,
    max: 7,
    maxStep: 7,
    stepEnd: 6,
    names: DAY_NAMES,
    spreadable: false,
    questionMark: true,
    valueHint: '0-7 (0 and 7 are Sunday) or SUN-SAT',
  },
];

export const FIELD_NAMES: readonly CronFieldName[] = FIELD_RULES.map((rule) => rule.name);

/** One comma-separated part of a field. A single value N is the range N-N with step 1. */
export type CronAtom =
  | { kind: 'star'; step: number; text: string }
  | { kind: 'range'; from: number; to: number; step: number; text: string }
  /** `H`, `H(a-b)`, `H/s`, `H(a-b)/s`: a value in [from, to] (the start of the steps when `step` is set). */
  | { kind: 'spread'; from: number; to: number; step: number | undefined; text: string };

/** A parsed 5-field pattern: one list of atoms per field, in FIELD_NAMES order. */
export interface CronSyntax {
  fields: readonly (readonly CronAtom[])[];
  hasSpread: boolean;
}

export type ParsedScheduleText =
  | { kind: 'cron'; syntax: CronSyntax }
  /** `@every <d>`: every `periodMs`, counted from the last scheduled time (else creation). */
  | { kind: 'every'; periodMs: number };

/** What is wrong with a schedule text, and how to write it instead. */
export interface GrammarProblem {
  problem: { message: string; fix: string };
}

export const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DESCRIPTOR_FIX = 'Use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually or @every <duration>.';
const FIELDS_HINT = '(minute hour day-of-month month day-of-week)';

class GrammarError extends Error {
  readonly fix: string;
  constructor(message: string, fix: string) {
    super(message);
    this.fix = fix;
  }
}

/** Parses a schedule text: a 5-field pattern, a descriptor or `@every <duration>`. */
export function parseScheduleText(text: string): ParsedScheduleText | GrammarProblem {
  try {
    return parseOrThrow(text.trim());
  } catch (error) {
    if (error instanceof GrammarError) return { problem: { message: error.message, fix: error.fix } };
    throw error;
  }
}

function parseOrThrow(text: string): ParsedScheduleText {
  if (text === '') throw new GrammarError('spec.schedule is empty', 'Write a cron expression such as "0 2 * * *".');
  if (/(CRON_)?TZ=/.test(text)) {
    throw new GrammarError(
      `"${text}" sets a time zone inside the schedule; TZ= and CRON_TZ= are not supported`,
      'Remove the prefix and set spec.timezone, e.g. timezone: "Europe/Berlin".',
    );
  }
  if (text.startsWith('@')) return parseDescriptor(text);
  if (text.includes(':') || /\d{4}-\d{1,2}-\d{1,2}/.test(text)) {
    throw new GrammarError(
      `"${text}" looks like a date or a time; spec.schedule takes a cron expression`,
      'Write the time as cron fields, e.g. "30 14 * * *" for 14:30 every day.',
    );
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw fieldCountError(text, fields.length);
  const atoms = fields.map((field, index) => parseField(field, FIELD_RULES[index] as FieldRule));
  const syntax: CronSyntax = { fields: atoms, hasSpread: atoms.some((list) => list.some((a) => a.kind === 'spread')) };
  checkDateExists(text, syntax);
  return { kind: 'cron', syntax };
}

function fieldCountError(text: string, count: number): GrammarError {
  const message = `"${text}" has ${count} field${count === 1 ? '' : 's'}; a schedule has exactly 5 ${FIELDS_HINT}`;
  if (count === 6) return new GrammarError(message, 'Remove the seconds field.');
  if (count === 7) return new GrammarError(message, 'Remove the seconds and year fields.');
  if (count < 5) return new GrammarError(message, 'Add the missing fields, e.g. "0 2 * * *" runs daily at 02:00.');
  return new GrammarError(message, 'Write one value per field, separated by spaces.');
}

/** The longest period of `@every` and spec.interval: longer ones are typos, and overflow the date maths. */
export const MAX_PERIOD_MS = 365 * 86_400_000;
export const MAX_PERIOD_TEXT = '1 year (8760h)';

function parseDescriptor(text: string): ParsedScheduleText {
  const [descriptor = '', ...rest] = text.split(/\s+/);
  const lower = descriptor.toLowerCase();
  // robfig/cron matches descriptors case-sensitively, so Kubernetes rejects "@DAILY" and "@Every 5s".
  if (lower !== descriptor && (lower === '@every' || lower === '@reboot' || DESCRIPTORS[lower] !== undefined)) {
    throw new GrammarError(
      `"${text}": descriptors are lower case ("${lower}"), as in Kubernetes`,
      `Write "${[lower, ...rest].join(' ')}".`,
    );
  }
  if (descriptor === '@every') {
    const durationText = rest.join('');
    const periodMs = rest.length === 1 ? parseGoDuration(durationText) : undefined;
    if (periodMs === undefined && rest.length === 1 && isGoDurationSyntax(durationText)) {
      throw tooLongError(text);
    }
    if (periodMs === undefined) {
      throw new GrammarError(
        `"${text}" needs one duration after @every`,
        'Write a duration such as "@every 90s", "@every 15m" or "@every 1h30m".',
      );
    }
    if (periodMs < 1000) {
      throw new GrammarError(`"${text}" is shorter than the smallest period, 1s`, 'Use a period of at least 1s.');
    }
    if (periodMs % 1000 !== 0) {
      throw new GrammarError(`"${text}" is not a whole number of seconds`, 'Round the period to whole seconds.');
    }
    if (periodMs > MAX_PERIOD_MS) throw tooLongError(text);
    return { kind: 'every', periodMs };
  }
  if (descriptor === '@reboot') {
    throw new GrammarError(
      '"@reboot" is not supported: a scan schedule has no boot to run at',
      'Use a cron expression, or set spec.interval to run repeatedly.',
    );
  }
  const fields = DESCRIPTORS[descriptor];
  if (fields === undefined || rest.length > 0) {
    throw new GrammarError(`"${text}" is not a known descriptor`, DESCRIPTOR_FIX);
  }
  return parseOrThrow(fields);
}

function tooLongError(text: string): GrammarError {
  return new GrammarError(
    `"${text}" is longer than the longest period, ${MAX_PERIOD_TEXT}`,
    'Use a period of at most 8760h, or a cron expression such as "@yearly" for yearly runs.',
  );
}

const SPREAD = /^H(?:\((\d+)-(\d+)\))?(?:\/(\d+))?$/;

function parseField(field: string, rule: FieldRule): CronAtom[] {
  return field.split(',').map((element) => parseAtom(element, field, rule));
}

function parseAtom(element: string, field: string, rule: FieldRule): CronAtom {
  if (element === '') {
    throw new GrammarError(`the ${rule.name} field "${field}" has an empty list entry`, 'Remove the extra comma.');
  }
  const spread = SPREAD.exec(element);
  if (spread !== null) return parseSpread(element, spread, rule);
  const parts = element.split('/');
  if (parts.length > 2) {
    throw new GrammarError(`"${element}" in the ${rule.name} field has more than one "/"`, 'Write */S or N-M/S.');
  }
  const [base = '', stepText] = parts;
  const step = stepText === undefined ? 1 : parseStep(stepText, element, rule);
  if (base === '*' || base === '?') {
    if (base === '?' && !rule.questionMark) {
      throw new GrammarError(
        `"?" is only allowed in the day-of-month and day-of-week fields, not in the ${rule.name} field`,
        'Use "*" instead.',
      );
    }
    if (base === '?' && stepText !== undefined) {
      throw new GrammarError(`"${element}" puts a step on "?"`, 'Use "*/S" for a step.');
    }
    return { kind: 'star', step, text: element };
  }
  const bounds = base.split('-');
  if (bounds.length === 2) {
    const from = parseValue(bounds[0] ?? '', element, rule);
    const to = parseValue(bounds[1] ?? '', element, rule);
    if (from > to) {
      throw new GrammarError(
        `the range "${base}" in the ${rule.name} field runs backwards`,
        'Write the smaller value first, or list the values, e.g. "22,23,0,1".',
      );
    }
    return { kind: 'range', from, to, step, text: element };
  }
  if (bounds.length > 2) throw invalidValue(base, element, rule);
  const value = parseValue(base, element, rule);
  // "N/S" means "from N to the end of the field, every S", as in Kubernetes (robfig/cron): "7/2" in
  // day-of-week is Sunday alone.
  return {
    kind: 'range',
    from: value,
    to: stepText === undefined ? value : Math.max(value, rule.stepEnd),
    step,
    text: element,
  };
}

function parseSpread(element: string, match: RegExpExecArray, rule: FieldRule): CronAtom {
  if (!rule.spreadable) {
    throw new GrammarError(
      `"${element}": H is only supported in the minute and hour fields, not in the ${rule.name} field`,
      'Use a fixed value in this field.',
    );
  }
  const [, fromText, toText, stepText] = match;
  const from = fromText === undefined ? rule.min : checkRange(Number.parseInt(fromText, 10), element, rule);
  const to = toText === undefined ? rule.max : checkRange(Number.parseInt(toText, 10), element, rule);
  if (from > to) {
    throw new GrammarError(`the range in "${element}" runs backwards`, 'Write the smaller value first.');
  }
  const step = stepText === undefined ? undefined : parseStep(stepText, element, rule);
  return { kind: 'spread', from, to, step, text: element };
}

function parseStep(text: string, element: string, rule: FieldRule): number {
  if (!/^\d+$/.test(text)) throw invalidValue(text, element, rule);
  const step = Number.parseInt(text, 10);
  if (step === 0) throw new GrammarError(`"${element}" has step 0`, 'Use a step of at least 1.');
  if (step > rule.maxStep) {
    throw new GrammarError(
      `"${element}" has step ${step}, larger than the ${rule.name} field (${rule.valueHint})`,
      `Use a step of at most ${rule.maxStep}.`,
    );
  }
  return step;
}

function parseValue(token: string, element: string, rule: FieldRule): number {
  if (/^\d+$/.test(token)) return checkRange(Number.parseInt(token, 10), element, rule);
  // ASCII letters only: toUpperCase maps "ſ" (long s) to "S" and "ﬀ" to "FF", which Kubernetes rejects.
  const nameIndex = /^[A-Za-z]+$/.test(token) ? (rule.names?.indexOf(token.toUpperCase()) ?? -1) : -1;
  if (nameIndex >= 0) return rule.min + nameIndex;
  throw invalidValue(token, element, rule);
}

function checkRange(value: number, element: string, rule: FieldRule): number {
  if (value < rule.min || value > rule.max) {
    const where = element === String(value) ? '' : ` in "${element}"`;
    throw new GrammarError(
      `${rule.name} ${value}${where} is out of range (${rule.valueHint})`,
      `Use a value in ${rule.valueHint}.`,
    );
  }
  return value;
}

function invalidValue(token: string, element: string, rule: FieldRule): GrammarError {
  if (element.includes('#')) {
    return new GrammarError(
      `"${element}": "#" (the nth weekday of the month) is not supported`,
      'List the days of the month instead, e.g. "1-7" with a check in the scan, or use a weekday.',
    );
  }
  if (/^\d*[LW]+\d*$/i.test(token) || /^L$/i.test(token)) {
    return new GrammarError(
      `"${element}": "L" and "W" (last day, nearest weekday) are not supported`,
      'Use explicit days of the month, e.g. "28-31".',
    );
  }
  if (token.startsWith('+') || element.startsWith('+')) {
    return new GrammarError(`"${element}": a "+" prefix is not supported`, 'Remove the "+".');
  }
  return new GrammarError(
    `"${token}" is not a valid ${rule.name} value in "${element}"`,
    `Use ${rule.valueHint}, a range (N-M), a list (N,M), or a step (*/S, N-M/S).`,
  );
}

/**
 * robfig/cron's "star bit": a field with a bare `*` or `?` anywhere in its list (`*`, `?`, `*\/1`, `*,15`,
 * `MON,?`) is unrestricted, and only then does the other day field decide alone. Every other spelling,
 * even one that selects every value (`1-31`, `*\/2`), is restricted; when both day fields are restricted,
 * a day matches if either does (Vixie OR). Kubernetes judges by this bit, so we do too.
 */
export function isUnrestricted(atoms: readonly CronAtom[]): boolean {
  return atoms.some((atom) => atom.kind === 'star' && atom.step === 1);
}

/** The values a field selects, in [min, max]; `undefined` when it is unrestricted (isUnrestricted). */
function selectedValues(atoms: readonly CronAtom[], rule: FieldRule): Set<number> | undefined {
  if (isUnrestricted(atoms)) return undefined;
  const values = new Set<number>();
  for (const atom of atoms) {
    const from = atom.kind === 'star' ? rule.min : atom.from;
    const to = atom.kind === 'star' ? rule.max : atom.to;
    for (let value = from; value <= to; value += atom.step ?? 1) values.add(value);
  }
  return values;
}

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const MONTH_LONG_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

function ordinal(n: number): string {
  const suffix =
    n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function joinWords(words: readonly string[], conjunction: 'and' | 'or'): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

/**
 * Rejects a pattern that can never run, such as "0 0 30 2 *": croner returns no next time for it, which
 * would leave a schedule silently idle forever. Only the day fields can make a pattern impossible, and
 * only while day-of-week is unrestricted (`*`, or `*,1`: isUnrestricted): a restricted day-of-week always
 * matches some day (Vixie OR semantics).
 */
function checkDateExists(text: string, syntax: CronSyntax): void {
  const [, , domAtoms = [], monthAtoms = [], dowAtoms = []] = syntax.fields;
  const [, , domRule, monthRule, dowRule] = FIELD_RULES as [FieldRule, FieldRule, FieldRule, FieldRule, FieldRule];
  if (selectedValues(dowAtoms, dowRule) !== undefined) return;
  const days = selectedValues(domAtoms, domRule);
  if (days === undefined) return;
  const months = selectedValues(monthAtoms, monthRule) ?? new Set(MONTH_DAYS.map((_, index) => index + 1));
  const firstDay = Math.min(...days);
  if ([...months].some((month) => firstDay <= (MONTH_DAYS[month - 1] ?? 0))) return;
  const monthNames = [...months].sort((a, b) => a - b).map((month) => MONTH_LONG_NAMES[month - 1] ?? String(month));
  const dayWords = [...days].sort((a, b) => a - b).map(ordinal);
  throw new GrammarError(
    `"${text}" never matches: ${joinWords(monthNames, 'and')} ${monthNames.length === 1 ? 'has' : 'have'} no ${joinWords(dayWords, 'or')}`,
    'Use a day of the month that exists in the chosen months (February has at most 29 days).',
  );
}
