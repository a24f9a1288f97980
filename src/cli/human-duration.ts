import { humanDuration } from '../core/human-duration.ts';

/** AGE of a timestamp, or <none> when it is absent, as kubectl prints it. */
export function age(timestamp: string | undefined, now: Date): string {
  if (timestamp === undefined) return '<none>';
  return humanDuration(now.getTime() - Date.parse(timestamp));
}
