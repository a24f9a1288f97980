// spec.schedule's `pattern` in the CRD: the cron grammar of src/schedule/cron-grammar.ts as one regular
// expression, built from the grammar's own tables (field bounds, steps, names, descriptors), so the API server
// refuses at apply what the controller would refuse later. It is written in the subset RE2 (the API server)
// and ECMAScript (ajv, offline) read alike: no lookaround, no backreferences, no inline flags, so names are
// spelled case-insensitively as [Jj][Aa][Nn].
// What a regular language cannot say stays with the controller, the last line of defence: a range that runs
// backwards ("5-1"), a date that never exists ("0 0 30 2 *"), and the bounds of @every (1s to 8760h).
import { DESCRIPTORS, FIELD_RULES, type FieldRule } from '../schedule/cron-grammar.ts';
import { GO_DURATION } from '../schedule/duration.ts';

/** Alternatives longest first, so a prefix never shadows a longer value in engines that stop at the first. */
function alternatives(values: readonly string[]): string {
  return `(?:${[...values].sort((a, b) => b.length - a.length || a.localeCompare(b)).join('|')})`;
}

function numbers(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, index) => String(from + index));
}

function anyCase(name: string): string {
  return [...name].map((letter) => `[${letter.toUpperCase()}${letter.toLowerCase()}]`).join('');
}

/** A value of the field: a number in [min, max] (leading zeros allowed, as strconv.Atoi does) or a name. */
function valuePattern(rule: FieldRule): string {
  const number = `0*${alternatives(numbers(rule.min, rule.max))}`;
  return rule.names === undefined ? number : alternatives([number, ...rule.names.map(anyCase)]);
}

function stepPattern(rule: FieldRule): string {
  return `/0*${alternatives(numbers(1, rule.maxStep))}`;
}

/** One comma-separated entry: `*`, `?`, N, N-M, each with an optional step, or H forms where allowed. */
function atomPattern(rule: FieldRule): string {
  const value = valuePattern(rule);
  const step = stepPattern(rule);
  const forms = [`\\*(?:${step})?`, `${value}(?:-${value})?(?:${step})?`];
  if (rule.questionMark) forms.push('\\?');
  if (rule.spreadable) {
    const bound = `0*${alternatives(numbers(rule.min, rule.max))}`;
    forms.push(`H(?:\\(${bound}-${bound}\\))?(?:${step})?`);
  }
  return alternatives(forms);
}

function fieldPattern(rule: FieldRule): string {
  const atom = atomPattern(rule);
  return `${atom}(?:,${atom})*`;
}

const SEPARATOR = '[ \\t]+';

function cronFieldsPattern(): string {
  return FIELD_RULES.map(fieldPattern).join(SEPARATOR);
}

function everyPattern(): string {
  return `@every${SEPARATOR}${GO_DURATION.source.replace(/^\^/, '').replace(/\$$/, '').replaceAll('\\d', '[0-9]')}`;
}

function buildSchedulePattern(): string {
  return `^(?:${alternatives([...Object.keys(DESCRIPTORS), everyPattern(), cronFieldsPattern()])})$`;
}

/** The CRD's spec.schedule pattern. No whitespace before or after: the controller trims, the API refuses. */
export const SCHEDULE_PATTERN: string = buildSchedulePattern();
