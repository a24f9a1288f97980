import { fnv1a32 } from '../schedule/stable-hash.ts';

// The name of a scheduled run comes from its nominal minute, not from `now`: after a crash between
// "create run" and "write status", or with a second replica, the retry gets AlreadyExists instead of a
// second scan. The same name as Kubernetes gives a CronJob's Job (<name>-<unix minutes>).
// Times off the whole minute (`@every 20s`, `interval: 90s`) would share a minute's name, and the second run
// of a minute would be taken for the first: they are named by unix seconds instead. The two never collide: a
// time in seconds has 10 digits where minutes have 8 (until the year 2160).
export function scheduledRunName(scheduleName: string, scheduledMs: number): string {
  const seconds = Math.floor(scheduledMs / 1000);
  return `${scheduleName}-${seconds % 60 === 0 ? seconds / 60 : seconds}`;
}

// Kubernetes' suffix alphabet (no vowels, no look-alikes such as 0/o, 1/l), so a suffix never spells a word.
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

// Manual run suffixes are 5 characters derived from the token (docs/design.md §3), not random: a crash between
// "create run" and "write status.lastHandledRunNow" then retries with the same name and gets AlreadyExists,
// where a random suffix would start a second manual scan. The cost: reusing an old token whose run is still
// in history does not start a new run (the CLI's trigger writes a fresh timestamp token, so it never does).
// Job names stop at 63 characters: a 52-character schedule name plus "-manual-xxxxx" would not fit, so the
// schedule part is shortened (the jmo.security/schedule label still names the schedule in full).
const MAX_NAME_LENGTH = 63;
const MANUAL_SUFFIX_LENGTH = '-manual-xxxxx'.length;

export function manualRunName(scheduleName: string, token: string): string {
  let hash = fnv1a32(token);
  let suffix = '';
  for (let i = 0; i < 5; i += 1) {
    suffix += SUFFIX_ALPHABET[hash % SUFFIX_ALPHABET.length];
    hash = Math.floor(hash / SUFFIX_ALPHABET.length);
  }
  return `${scheduleName.slice(0, MAX_NAME_LENGTH - MANUAL_SUFFIX_LENGTH)}-manual-${suffix}`;
}
