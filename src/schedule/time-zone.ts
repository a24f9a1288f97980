import { BoundedCache } from './bounded-cache.ts';

/** Why a zone name cannot be used, and what to write instead. */
export interface TimeZoneProblem {
  message: string;
  fix: string;
}

// Kubernetes' rule for CronJob.spec.timeZone (pkg/apis/batch/validation): every "/"-separated segment is
// 1-14 characters of [A-Za-z.-_0-9+], not "." or "..", not starting with "-"; "Local" is refused; then Go's
// time.LoadLocation must find the name in the tz database, which is case-sensitive. We cannot ask Go's
// database, so we ask ICU (Intl) and add two checks for names ICU accepts but Go does not find:
//   - ICU ignores case ("europe/berlin"): a name that differs from ICU's canonical spelling only by case is
//     refused, and so is a segment starting with a lower-case letter (no tz database name does);
//   - ICU accepts UTC offsets ("+02:00"): the charset rule refuses ":" and a segment must start with a letter.
// Links of the tz database such as US/Eastern or Asia/Calcutta are real tz database names that Kubernetes
// accepts, so they are accepted here too. The residue we cannot catch without shipping the tz database is
// a link with wrong case inside a segment ("US/EASTERN"); Kubernetes refuses it, we accept it.
const SEGMENT = /^[A-Za-z.\-_0-9+]{1,14}$/;
const STARTS_WITH_CAPITAL = /^[A-Z]/;

const EXAMPLE_FIX = 'Use an IANA time zone name such as "Europe/Berlin" or "America/New_York", or "UTC".';

// Both answers ask ICU through a new Intl.DateTimeFormat (~40 µs each): at 10,000 schedules in a handful of
// zones, that was a third of a restart's reconcile CPU. Zones are few; answers never change.
const problems = new BoundedCache<string, TimeZoneProblem | undefined>(1024);
const canonicalZones = new BoundedCache<string, string>(1024);

/** Why `zone` is not a usable IANA time zone name (Kubernetes' rule, see above); undefined when it is. */
export function timeZoneProblem(zone: string): TimeZoneProblem | undefined {
  return problems.getOrCompute(zone, findTimeZoneProblem);
}

function findTimeZoneProblem(zone: string): TimeZoneProblem | undefined {
  if (zone === 'UTC') return undefined;
  if (zone === '') {
    return { message: 'spec.timezone is empty', fix: 'Remove spec.timezone for UTC, or set an IANA name.' };
  }
  if (zone.toLowerCase() === 'local') {
    return {
      message: '"Local" depends on the machine the controller runs on',
      fix: 'Name the zone explicitly, e.g. "Europe/Berlin".',
    };
  }
  if (/^(UTC|GMT)?[+-]\d/i.test(zone) || zone.includes(':')) {
    return {
      message: `"${zone}" is a UTC offset, not a time zone name: an offset does not follow daylight saving time`,
      fix: EXAMPLE_FIX,
    };
  }
  for (const segment of zone.split('/')) {
    if (segment === '.' || segment === '..' || segment.startsWith('-') || !SEGMENT.test(segment)) {
      return { message: `"${zone}" is not a valid time zone name`, fix: EXAMPLE_FIX };
    }
  }
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return { message: `unknown time zone "${zone}"`, fix: EXAMPLE_FIX };
  }
  if (canonical.toLowerCase() === zone.toLowerCase() && canonical !== zone) {
    return { message: `unknown time zone "${zone}": time zone names are case-sensitive`, fix: `Write "${canonical}".` };
  }
  if (!zone.split('/').every((segment) => STARTS_WITH_CAPITAL.test(segment))) {
    return {
      message: `unknown time zone "${zone}": time zone names are case-sensitive`,
      fix: `Write it as the tz database does, e.g. "${canonical}".`,
    };
  }
  return undefined;
}

/** ICU's canonical name for a valid zone (US/Eastern → America/New_York, Etc/UTC → UTC). */
export function canonicalTimeZone(zone: string): string {
  return canonicalZones.getOrCompute(
    zone,
    (name) => new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone,
  );
}
