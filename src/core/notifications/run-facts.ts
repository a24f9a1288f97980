// Facts about a finished run that both message shapes state: how long it took, in numbers and in words.
import type { ScanRun } from '../../api/types.ts';
import { parseTimeMs } from '../../schedule/rfc3339.ts';

/** Whole seconds from startTime to completionTime; null when either is unknown or they are out of order. */
export function durationSeconds(run: ScanRun): number | null {
  const start = parseTimeMs(run.status?.startTime);
  const end = parseTimeMs(run.status?.completionTime);
  if (start === undefined || end === undefined || end < start) return null;
  return Math.round((end - start) / 1000);
}

/** `45s`, `4m 12s`, `2h 05m`: precise enough for a message, short enough for a field. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
