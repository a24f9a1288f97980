// A schedule's timing in words. cronstrue reads cron expressions; intervals and @every are words already.
import cronstrue from 'cronstrue';

export function describeTiming(effectiveSchedule: string, kind: 'cron' | 'interval'): string {
  if (kind === 'interval') return `${effectiveSchedule} after the previous run completed`;
  if (effectiveSchedule.startsWith('@every ')) return `every ${effectiveSchedule.slice('@every '.length)}`;
  try {
    return cronstrue.toString(effectiveSchedule, { use24HourTimeFormat: true });
  } catch {
    // cronstrue knows fewer descriptors than we do; the expression itself is then the best description.
    return effectiveSchedule;
  }
}
