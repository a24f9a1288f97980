// Two duration grammars, because two fields take durations and each follows a different reference:
// `@every <d>` follows Kubernetes, which reads d with Go's time.ParseDuration (1h30m, 90s, 1.5h, 500ms);
// spec.interval follows our CRD schema, which allows only whole hours, minutes and seconds (1h30m, 15m).

const GO_UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export const GO_DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const GO_DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Milliseconds in a Go duration such as 1h30m, 90s or 1.5h; undefined when it is not one (or negative). */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!GO_DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(GO_DURATION_PART)) {
    ms += Number(amount) * (GO_UNIT_MS[unit ?? ''] ?? Number.NaN);
  }
  // Fractions like 0.1h are not exact in binary; a schedule never needs sub-millisecond precision.
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** The text has the shape of a Go duration, whatever its size (parseGoDuration gives up on infinite ones). */
export function isGoDurationSyntax(text: string): boolean {
  return GO_DURATION.test(text);
}

/** The shape spec.interval must have, the same pattern as the CRD schema. */
export const INTERVAL_PATTERN = /^([0-9]+h)?([0-9]+m)?([0-9]+s)?$/;

/** Milliseconds in an interval such as 15m or 1h30m; undefined when it does not match INTERVAL_PATTERN. */
export function parseInterval(text: string): number | undefined {
  const match = INTERVAL_PATTERN.exec(text);
  if (match === null || text === '') return undefined;
  const [, h = '0h', m = '0m', s = '0s'] = match;
  return (Number.parseInt(h, 10) * 3600 + Number.parseInt(m, 10) * 60 + Number.parseInt(s, 10)) * 1000;
}
