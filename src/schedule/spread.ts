// `H` spreading (docs/design.md §4.4, after Jenkins): 1,000 schedules written "H 2 * * *" should not all hit the
// API server at 02:00:00. Each H takes a value from a stable hash of namespace/name, so a schedule keeps its
// minute across restarts, replicas and Node versions, and status.effectiveSchedule can show it.
import type { CronAtom, CronSyntax } from './cron-grammar.ts';
import { FIELD_NAMES } from './cron-grammar.ts';
import { fnv1a32 } from './stable-hash.ts';

/** Which schedule a spread value belongs to. */
export interface ScheduleKey {
  namespace?: string;
  name?: string;
}

/** An atom with every `H` replaced by the value it stands for. */
export type ConcreteAtom = Exclude<CronAtom, { kind: 'spread' }>;

export interface SpreadPattern {
  fields: readonly (readonly ConcreteAtom[])[];
  /** The pattern as written, with each H token replaced by its value: status.effectiveSchedule. */
  text: string;
}

/** The text hashed for a schedule: `namespace/name`, with "default" for a missing namespace. */
export function spreadKey(key: ScheduleKey): string {
  return `${key.namespace ?? 'default'}/${key.name ?? ''}`;
}

// The field name salts the hash so that "H H * * *" does not tie the hour to the minute.
function spreadHash(key: ScheduleKey, field: string): number {
  return fnv1a32(`${spreadKey(key)}#${field}`);
}

function resolveAtom(atom: CronAtom, hash: number): ConcreteAtom {
  if (atom.kind !== 'spread') return atom;
  const width = atom.to - atom.from + 1;
  if (atom.step === undefined) {
    const value = atom.from + (hash % width);
    return { kind: 'range', from: value, to: value, step: 1, text: String(value) };
  }
  // H/s starts somewhere in the first step, so the runs keep their spacing: H/15 may become 7-59/15.
  const start = atom.from + (hash % Math.min(atom.step, width));
  const text = atom.step === 1 ? `${start}-${atom.to}` : `${start}-${atom.to}/${atom.step}`;
  return { kind: 'range', from: start, to: atom.to, step: atom.step, text };
}

/** The pattern with every H resolved for `key`. */
export function resolveSpread(syntax: CronSyntax, key: ScheduleKey): SpreadPattern {
  const fields = syntax.fields.map((atoms, index) => {
    const hash = syntax.hasSpread ? spreadHash(key, FIELD_NAMES[index] ?? String(index)) : 0;
    return atoms.map((atom) => resolveAtom(atom, hash));
  });
  return { fields, text: fields.map((atoms) => atoms.map((atom) => atom.text).join(',')).join(' ') };
}
