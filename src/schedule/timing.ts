import { DEFAULT_TIMEZONE } from '../api/defaults.ts';
import type { Problem } from '../api/problem.ts';
import { BoundedCache } from './bounded-cache.ts';
import { type Cadence, CadenceMemo, cronCadence, rememberedCadence } from './cadence.ts';
import { cronerPattern, newCron, type ZonedCron, zonedCron } from './cron.ts';
import { MAX_PERIOD_MS, MAX_PERIOD_TEXT, type ParsedScheduleText, parseScheduleText } from './cron-grammar.ts';
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
  /**
   * `cron` is the pattern in the zone (for match). Each read of `cadence` gives a new Cadence of its
   * occurrences that answers what this Timing's earlier answers settle (a CadenceMemo, a few numbers) and
   * otherwise builds croner's Cron on first use and lets it go with itself: read it once per computation
   * (a Cron holds an 80 KB year table, cron.ts).
   */
  | { kind: 'cron'; effective: string; timezone: string; cron: ZonedCron; cadence: Cadence }
  /** `@every <d>`: every periodMs from the last scheduled time, else from creation (as Kubernetes). */
  | { kind: 'every'; effective: string; timezone: string; periodMs: number }
  /** spec.interval: periodMs after the previous run completed, else after creation. */
  | { kind: 'interval'; effective: string; timezone: string; periodMs: number };

export type CompiledTiming = { timing: Timing; problems: [] } | { timing: undefined; problems: Problem[] };

const MIN_INTERVAL_MS = 60_000;

const isAbsent = (value: unknown): value is undefined | null => value === undefined || value === null;

// The memo every reconcile hits first: each one compiles its schedule's spec, and compiling parses the text,
// checks the zone with Intl and has croner check the pattern (tens of µs). Keyed by the spec's timing
// fields and, when the text has an H token, the schedule's spread key. Holds no Cron (cron.ts); a cron
// timing holds the CadenceMemo that spares most reconciles building one.
const compiledTimings = new BoundedCache<string, CompiledTiming>(16_384);

/** An element starting with H (a spread, or an error): only then do the H values, so the key, matter. */
const MAY_SPREAD = /(?:^|[\s,])H(?![A-Za-z])/;

const isTextOrAbsent = (value: unknown): value is string | undefined =>
  value === undefined || typeof value === 'string';
// An absent field and an empty one compile differently, so they must not share a cache key.
const keyPart = (value: string | undefined): string => (value === undefined ? '\u0001' : `\u0002${value}`);

/** Compiles the timing of a spec for the schedule `key` (H values depend on it), or says what is wrong. */
export function compileTiming(spec: TimingSpec, key: ScheduleKey = {}): CompiledTiming {
  // The spec comes from the API server as JSON: anything may be there, and nothing may throw from here.
  if (typeof spec !== 'object' || spec === null) {
    return {
      timing: undefined,
      problems: [{ path: 'spec', message: 'spec must be an object', fix: 'Set spec.schedule or spec.interval.' }],
    };
  }
  const { schedule, interval, timezone } = spec;
  if (isTextOrAbsent(schedule) && isTextOrAbsent(interval) && isTextOrAbsent(timezone)) {
    // The key leaves out namespace/name unless an H depends on them.
    const spread = typeof schedule === 'string' && MAY_SPREAD.test(schedule);
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
      const result = parseScheduleText(schedule);
      if ('problem' in result) problems.push({ path: 'spec.schedule', ...result.problem });
      else parsed = result;
    }
  }

  let intervalMs: number | undefined;
  if (!isAbsent(interval)) {
    intervalMs = typeof interval === 'string' ? parseInterval(interval) : undefined;
    if (typeof interval === 'object' || typeof interval === 'function') {
      // An object's own toString may throw or lie: never call it.
      problems.push({ path: 'spec.interval', message: 'spec.interval must be a string', fix: 'Write e.g. "15m".' });
    } else if (intervalMs === undefined) {
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
    } else if (intervalMs > MAX_PERIOD_MS) {
      problems.push({
        path: 'spec.interval',
        message: `spec.interval "${interval}" is longer than the longest period, ${MAX_PERIOD_TEXT}`,
        fix: 'Use an interval of at most 8760h, or spec.schedule "@yearly" for yearly runs.',
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
    const utc = canonicalTimeZone(timezone) === 'UTC';
    const cron = zonedCron(pattern, timezone, utc);
    const memo = new CadenceMemo();
    const build = (): Cadence => (utc ? cronCadence(newCron(pattern, 0)) : zonedCadence(pattern, timezone));
    const timing: Timing = {
      kind: 'cron',
      effective,
      timezone,
      cron,
      get cadence() {
        return rememberedCadence(memo, build);
      },
    };
    return { timing, problems: [] };
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
  if (timing !== undefined) return timing.effective;
  const written = spec?.schedule ?? spec?.interval;
  return typeof written === 'string' ? written : '';
}
