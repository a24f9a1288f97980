// Zone names Kubernetes accepts but that mislead: fixed offsets that ignore daylight saving (EST is UTC−5 all
// year: wrong all summer for New York) and legacy tz database links (US/Eastern). A warning with the name to use.
import { canonicalTimeZone } from './time-zone.ts';

export interface ZoneAdvice {
  message: string;
  fix: string;
}

const FIXED_OR_POSIX: Readonly<Record<string, string>> = {
  EST: 'America/New_York',
  MST: 'America/Denver',
  HST: 'Pacific/Honolulu',
  EST5EDT: 'America/New_York',
  CST6CDT: 'America/Chicago',
  MST7MDT: 'America/Denver',
  PST8PDT: 'America/Los_Angeles',
};

// ICU still calls these by their old names; the tz database's current names are on the right.
const RENAMED: Readonly<Record<string, string>> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Europe/Kiev': 'Europe/Kyiv',
  'America/Godthab': 'America/Nuuk',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Pacific/Enderbury': 'Pacific/Kanton',
};

const REGIONS = /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)\//;

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'UCT', 'Etc/UCT', 'Zulu', 'Etc/Zulu', 'Universal']);

/** Advice for a zone name that is valid but misleading; undefined for a current, region-based name. */
export function zoneAdvice(zone: string): ZoneAdvice | undefined {
  if (UTC_NAMES.has(zone)) return undefined;
  const instead = FIXED_OR_POSIX[zone];
  if (instead !== undefined)
    return {
      message: `"${zone}" is a legacy ${/\d/.test(zone) ? 'POSIX-style' : 'fixed-offset'} zone, not the place's time: it does not follow the place's daylight-saving rules`,
      fix: `Use "${instead}" (the region's own zone).`,
    };
  const offset = /^Etc\/GMT([+-])(\d+)$/.exec(zone);
  if (offset !== undefined && offset !== null)
    return {
      message: `"${zone}" is a fixed offset of UTC${offset[1] === '+' ? '−' : '+'}${offset[2]} (Etc signs are inverted) with no daylight saving`,
      fix: 'Name the place, e.g. "America/New_York", unless a fixed offset is what you mean.',
    };
  const renamed = RENAMED[zone];
  if (renamed !== undefined) return { message: `"${zone}" is an old name`, fix: `Use "${renamed}".` };
  // Region-based names are current unless listed above: ICU's canonical names for them are often the older ones.
  if (REGIONS.test(zone)) return undefined;
  let canonical: string;
  try {
    canonical = canonicalTimeZone(zone);
  } catch {
    return undefined;
  }
  const current = RENAMED[canonical] ?? canonical;
  if (current === zone || UTC_NAMES.has(current)) return undefined;
  return { message: `"${zone}" is a deprecated link in the tz database`, fix: `Use "${current}".` };
}

let zoneNames: readonly string[] | undefined;

/** The region-based zone names ICU knows, by their current tz database names, and UTC: for "did you mean". */
export function currentZoneNames(): readonly string[] {
  zoneNames ??= ['UTC', ...Intl.supportedValuesOf('timeZone').map((zone) => RENAMED[zone] ?? zone)];
  return zoneNames;
}
