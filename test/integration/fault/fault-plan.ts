// When the storm strikes: a seeded, sorted list of faults over a window. Pure, so a seed replays the same plan.
import { seededRandom } from './seeded-random.ts';

export type FaultKind = 'kill-leader' | 'restart-apiserver' | 'restart-etcd';

export interface PlannedFault {
  /** Milliseconds after the start of the window. */
  atMs: number;
  kind: FaultKind;
  /** How long the component stays down (apiserver, etcd) or the killed replica stays away. */
  downMs: number;
}

export interface FaultPlanSettings {
  windowMs: number;
  /** Gap between leader kills, drawn uniformly from this range. */
  killGapMs: readonly [number, number];
  apiServerRestarts: number;
  etcdRestarts: number;
}

/**
 * Leader kills at random gaps through the window; the apiserver and etcd restarts each at a random time in their
 * own slice of the window (slices spread them out, so a run always sees several kinds of trouble).
 */
export function planFaults(seed: number, settings: FaultPlanSettings): PlannedFault[] {
  const random = seededRandom(seed);
  const { windowMs, killGapMs, apiServerRestarts, etcdRestarts } = settings;
  const faults: PlannedFault[] = [];
  for (let at = random.int(killGapMs[0], killGapMs[1]); at < windowMs; at += random.int(killGapMs[0], killGapMs[1])) {
    faults.push({ atMs: at, kind: 'kill-leader', downMs: random.int(500, 4_000) });
  }
  const storage: FaultKind[] = [
    ...Array.from({ length: apiServerRestarts }, (): FaultKind => 'restart-apiserver'),
    ...Array.from({ length: etcdRestarts }, (): FaultKind => 'restart-etcd'),
  ];
  // Shuffled, so which storage fault comes first is part of the seed too.
  for (let i = storage.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [storage[i], storage[j]] = [storage[j] as FaultKind, storage[i] as FaultKind];
  }
  const slice = windowMs / Math.max(1, storage.length);
  storage.forEach((kind, i) => {
    // Not at the very edges of a slice, so two storage faults are never back to back.
    const at = Math.floor(i * slice + slice * (0.15 + 0.7 * random.next()));
    faults.push({ atMs: at, kind, downMs: random.int(1_000, 5_000) });
  });
  return faults.sort((a, b) => a.atMs - b.atMs);
}
