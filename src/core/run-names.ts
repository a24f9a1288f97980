import { fnv1a32 } from '../schedule/stable-hash.ts';

// A run's name is its Job's name and a label value: at most 63 characters. Schedule names are at most 52
// (a CEL rule), so that a scheduled run's name always fits.
const MAX_NAME_LENGTH = 63;

// Names are built so that sorting them as strings (what `kubectl get scanruns` does) sorts a schedule's runs
// in time order: every time is written as unix seconds, 10 digits from 2001-09-09 to 2286-11-20, so all
// names of one schedule have the same width and compare digit by digit.

/**
 * The name of a scheduled run: `<schedule>-<unix seconds of its nominal time>` (52 + 1 + 10 = 63).
 * It comes from the nominal time, not from `now`: after a crash between "create run" and "write status", or
 * with a second replica, the retry gets AlreadyExists instead of a second scan.
 */
export function scheduledRunName(scheduleName: string, scheduledMs: number): string {
  return `${scheduleName}-${Math.floor(scheduledMs / 1000)}`;
}

/**
 * The name releases before the seconds-only scheme gave a scheduled run: unix minutes (8 digits) on the whole
 * minute, unix seconds otherwise. For recognising runs created before the upgrade only (plan.ts), so that a
 * run under the old name for a time still meets that time and vouches for it; never used to create a run.
 */
export function legacyScheduledRunName(scheduleName: string, scheduledMs: number): string {
  const seconds = Math.floor(scheduledMs / 1000);
  return `${scheduleName}-${seconds % 60 === 0 ? seconds / 60 : seconds}`;
}

// Kubernetes' suffix alphabet (no vowels, no look-alikes such as 0/o, 1/l), so a suffix never spells a word.
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

// Manual run suffixes are derived from the token (docs/design.md §3), not random: a crash between "create
// run" and "write status.lastHandledRunNow" then retries with the same name and gets AlreadyExists, where a
// random suffix would start a second manual scan. The cost: reusing an old token whose run is still in
// history does not start a new run (the CLI's trigger writes a fresh timestamp token, so it never does).
function tokenSuffix(token: string, length: number): string {
  let hash = fnv1a32(token);
  let suffix = '';
  for (let i = 0; i < length; i += 1) {
    suffix += SUFFIX_ALPHABET[hash % SUFFIX_ALPHABET.length];
    hash = Math.floor(hash / SUFFIX_ALPHABET.length);
  }
  return suffix;
}

// What `scanschedule trigger` writes: `${now.toISOString()}-${6 hex}`. Any RFC 3339 time at the start counts
// (fraction and offset optional parts of it); read field by field rather than with Date.parse, whose answer for
// anything but its own format is implementation-defined, so the CLI and the controller always agree on the name.
const RFC3339_PREFIX = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))/;

/** Unix seconds of the RFC 3339 time the token starts with, when it has one and it is 10 digits long. */
function tokenSeconds(token: string): number | undefined {
  const match = RFC3339_PREFIX.exec(token);
  if (match === null) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  const dayMs = Date.UTC(y, mo - 1, d);
  if (new Date(dayMs).getUTCDate() !== d) return undefined; // 30 February
  const [, , , , , , , sign, offsetH, offsetM] = match;
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetH) * 60 + Number(offsetM));
  const seconds = dayMs / 1000 + h * 3600 + (mi - offsetMinutes) * 60 + s;
  return seconds >= 1e9 && seconds < 1e10 ? seconds : undefined;
}

const TIMED_MANUAL_SCHEDULE_LENGTH = MAX_NAME_LENGTH - '-1234567890mxx'.length;
const LEGACY_MANUAL_SCHEDULE_LENGTH = MAX_NAME_LENGTH - '-manual-xxxxx'.length;

/**
 * The name of a manual run for a jmo.security/run-now token.
 *
 * A token that starts with an RFC 3339 time (every token `scanschedule trigger` writes) names the run after
 * that second: `<schedule, cut to 49>-<unix seconds>m<2 characters from the token>` (49 + 1 + 10 + 1 + 2 = 63).
 * It sorts right after the scheduled run of the same second (whose name is the start of this one) and before
 * the next second's; the 2 characters (729 values) tell apart two triggers in the same second.
 *
 * Any other token (a hand-written `kubectl annotate`) keeps the earlier form,
 * `<schedule, cut to 50>-manual-<5 characters from the token>`, which names no time.
 *
 * The schedule part is shortened only for names over 49 (or 50) characters, to stay within 63; the
 * jmo.security/schedule label still names the schedule in full.
 */
export function manualRunName(scheduleName: string, token: string): string {
  const [first = legacyManualRunName(scheduleName, token)] = manualRunNames(scheduleName, token);
  return first;
}

/**
 * Every name a manual run for `token` may have, preferred first: the timed name (when the token starts with a
 * time), then the `-manual-` form. The planner takes the second when another token's run holds the first (two
 * triggers in one second whose 2 characters collide), and a run under either name with this token (or the
 * `-manual-` name from before the timed names, which carries no token) means the token was already handled.
 */
export function manualRunNames(scheduleName: string, token: string): string[] {
  const seconds = tokenSeconds(token);
  const legacy = legacyManualRunName(scheduleName, token);
  if (seconds === undefined) return [legacy];
  return [`${scheduleName.slice(0, TIMED_MANUAL_SCHEDULE_LENGTH)}-${seconds}m${tokenSuffix(token, 2)}`, legacy];
}

function legacyManualRunName(scheduleName: string, token: string): string {
  return `${scheduleName.slice(0, LEGACY_MANUAL_SCHEDULE_LENGTH)}-manual-${tokenSuffix(token, 5)}`;
}
