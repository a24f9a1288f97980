// scanschedule get -w: the table once, then a row each time a schedule changes, as kubectl get -w prints it.
// Polls the list (every 2 s) instead of a watch stream: one code path, and the rows are the same as `get`'s.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScanSchedule } from '../api/types.ts';
import type { ClusterContext } from './cluster-context.ts';
import { type GetOptions, scheduleTable } from './get.ts';

const POLL_MS = 2_000;

/** The schedules whose resourceVersion is new since `seen`; updates `seen`. */
export function changedSince(seen: Map<string, string>, schedules: readonly ScanSchedule[]): ScanSchedule[] {
  const changed: ScanSchedule[] = [];
  for (const s of schedules) {
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    const version = s.metadata.resourceVersion ?? '';
    if (seen.get(key) !== version) changed.push(s);
    seen.set(key, version);
  }
  return changed;
}

export async function watchSchedules(
  name: string | undefined,
  options: GetOptions,
  cluster: ClusterContext,
  write: (text: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const seen = new Map<string, string>();
  let first = true;
  while (signal?.aborted !== true) {
    const all = await cluster.objects.listSchedules(
      options.allNamespaces ? undefined : cluster.namespace,
      options.selector,
    );
    const schedules = name === undefined ? all : all.filter((s) => s.metadata.name === name);
    const changed = changedSince(seen, schedules);
    if (changed.length > 0) {
      const table = scheduleTable(changed, options, new Date()).split('\n');
      // The header once, at the top, as kubectl does.
      write(`${(first ? table : table.slice(1)).filter((line) => line !== '').join('\n')}\n`);
      first = false;
    }
    await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}
