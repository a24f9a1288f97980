import type { Cron } from 'croner';
import { DEFAULT_TIMEZONE } from '../api/defaults.ts';
import type { Problem } from '../api/problem.ts';
import { BoundedCache } from './bounded-cache.ts';
import { type Cadence, cronCadence } from './cadence.ts';
import { cronerPattern, zonedCron } from './cron.ts';
import { type ParsedScheduleText, parseScheduleText } from './cron-grammar.ts';
import { parseInterval } from './duration.ts';
import { resolveSpread, type ScheduleKey, spreadKey } from './spread.ts';
import { canonicalTimeZone, timeZoneProblem } from './time-zone.ts';
import { zonedCadence } from './zoned-cadence.ts';

/** The fields of a ScanSchedule spec that decide when it runs. */
export interface TimingSpec {
  schedule?: string;
  interval?: string;
  timezone?: string;
}

/** When a schedule runs, compiled from a valid spec. */
export type Timing =
  /** `cron` is croner with the zone (for match); `cadence` gives the same times, faster (zoned-cadence.ts). */
  | { kind: 'cron'; effective: string; timezone: string; cron: Cron; cadence: Cadence }
  /** `@every <d>`: every periodMs from the last scheduled time, else from creation (as Kubernetes). */
  | { kind: 'every'; effective: string; timezone: string; periodMs: number }
  /** spec.interval: periodMs after the previous run completed, else after creation. */
  | { kind: 'interval'; effective: string; timezone: string; periodMs: number };

export type CompiledTiming = { timing: Timing; problems: [] } | { timing: undefined; problems: Problem[] };

const MIN_INTERVAL_MS = 60_000;

const parsedTexts = new BoundedCache<string, ReturnType<typeof parseScheduleText>>(4096);

const isAbsent = (value: unknown): value is undefined | null => value === undefined || value === null;

const compiledTimings = new BoundedCache<string, CompiledTiming>(16_384);

const isTextOrAbsent = (value: unknown): value is string | undefined =>
  value === undefined || typeof value === 'string';
// An absent field and an empty one compile differently, so they must not share a cache key.
const keyPart = (value: string | undefined): string => (value === undefined ? '\u0001' : `\u0002${value}`);

/** Compiles the timing of a spec for the schedule `key` (H values depend on it), or says what is wrong. */
export function compileTiming(spec: TimingSpec, key: ScheduleKey = {}): CompiledTiming {
  const { schedule, interval, timezone } = spec;
  if (isTextOrAbsent(schedule) && isTextOrAbsent(interval) && isTextOrAbsent(timezone)) {
    // Every reconcile compiles its spec; the key leaves out namespace/name unless an H depends on them.
    const parsed = typeof schedule === 'string' ? parsedTexts.getOrCompute(schedule, parseScheduleText) : undefined;
    const spread = parsed !== undefined && 'kind' in parsed && parsed.kind === 'cron' && parsed.syntax.hasSpread;
    const cacheKey = [schedule, interval, timezone, spread ? spreadKey(key) : undefined].map(keyPart).join('');
    const compiled = compiledTimings.getOrCompute(cacheKey, () => compileUncached(spec, key));
    // Fresh arrays: a caller that adds to its problems must not change the cached ones.
    return compiled.timing === undefined
      ? { timing: undefined, problems: [...compiled.problems] }
      : { timing: compiled.timing, problems: [] };
  }
  return compileUncached(spec, key);
}

function compileUncached(spec: TimingSpec, key: ScheduleKey): CompiledTiming {
  const problems: Problem[] = [];
  const { schedule, interval } = spec;
  const timezone = spec.timezone ?? DEFAULT_TIMEZONE;

  if (!isAbsent(schedule) && !isAbsent(interval)) {
    problems.push({
      path: 'spec.interval',
      message: 'spec.schedule and spec.interval are both set; a schedule uses exactly one of them',
      fix: 'Remove spec.interval to run on the cron schedule, or remove spec.schedule to run at an interval.',
    });
  } else if (isAbsent(schedule) && isAbsent(interval)) {
    problems.push({
      path: 'spec.schedule',
      message: 'neither spec.schedule nor spec.interval is set',
      fix: 'Set spec.schedule (e.g. "0 2 * * *") or spec.interval (e.g. "6h").',
    });
  }

  if (typeof timezone !== 'string') {
    problems.push({ path: 'spec.timezone', message: 'spec.timezone must be a string', fix: 'Write e.g. "UTC".' });
  } else {
    const zoneProblem = timeZoneProblem(timezone);
    if (zoneProblem !== undefined) problems.push({ path: 'spec.timezone', ...zoneProblem });
  }

  let parsed: ParsedScheduleText | undefined;
  if (!isAbsent(schedule)) {
    if (typeof schedule !== 'string') {
      problems.push({ path: 'spec.schedule', message: 'spec.schedule must be a string', fix: 'Quote it in YAML.' });
    } else {
      const result = parsedTexts.getOrCompute(schedule, parseScheduleText);
      if ('problem' in result) problems.push({ path: 'spec.schedule', ...result.problem });
      else parsed = result;
    }
  }

  let intervalMs: number | undefined;
  if (!isAbsent(interval)) {
    intervalMs = typeof interval === 'string' ? parseInterval(interval) : undefined;
    if (intervalMs === undefined) {
      problems.push({
        path: 'spec.interval',
        message: `"${String(interval)}" is not an interval such as 15m or 1h30m`,
        fix: 'Write whole hours, minutes and seconds in that order, e.g. "90m" or "1h30m".',
      });
    } else if (intervalMs < MIN_INTERVAL_MS) {
      problems.push({
        path: 'spec.interval',
        message: `spec.interval "${interval}" is shorter than the minimum of 1m`,
        fix: 'Use an interval of at least 1m.',
      });
    }
  }

  if (problems.length > 0) return { timing: undefined, problems };

  if (intervalMs !== undefined) {
    return { timing: { kind: 'interval', effective: String(interval), timezone, periodMs: intervalMs }, problems: [] };
  }
  const text = String(schedule).trim();
  if (parsed?.kind === 'every') {
    return { timing: { kind: 'every', effective: text, timezone, periodMs: parsed.periodMs }, problems: [] };
  }
  if (parsed?.kind !== 'cron') throw new Error('unreachable: a valid spec has a schedule or an interval');
  const spread = resolveSpread(parsed.syntax, key);
  const effective = text.startsWith('@') ? text : spread.text;
  try {
    const pattern = cronerPattern(spread.fields);
    const cron = zonedCron(pattern, timezone);
    const cadence = canonicalTimeZone(timezone) === 'UTC' ? cronCadence(cron) : zonedCadence(pattern, timezone, cron);
    return { timing: { kind: 'cron', effective, timezone, cron, cadence }, problems: [] };
  } catch (error) {
    // Our grammar is stricter than croner's, so this means the two disagree: report, never crash.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      timing: undefined,
      problems: [{ path: 'spec.schedule', message: `"${text}" cannot be scheduled: ${reason}`, fix: '' }],
    };
  }
}

/**
 * The schedule as it is actually used (status.effectiveSchedule): H tokens replaced by their values for
 * this schedule; descriptors, `@every` and intervals as written. For an invalid spec, the text as written.
 */
export function effectiveSchedule(spec: TimingSpec, key: ScheduleKey): string {
  const { timing } = compileTiming(spec, key);
  return timing?.effective ?? String(spec.schedule ?? spec.interval ?? '');
}
