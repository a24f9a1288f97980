// Which ScanSchedules the watched files define, validated first with checkManifests (the rules of `validate`).
// A file with an error keeps the last good version of its schedules running and is reported: one bad edit must
// not stop the schedule it broke, nor any other. A file that no longer exists defines nothing. Pure.
import { API_VERSION, SCAN_SCHEDULE_KIND, type ScanSchedule } from '../api/types.ts';
import { parseYamlDocuments } from '../api/yaml-documents.ts';
import { checkManifests, type Finding, type ManifestSource } from '../core/check-manifests.ts';

export interface Definitions {
  /** The schedules each file defines (the last good version of a file with errors). */
  byFile: Map<string, ScanSchedule[]>;
  /** Error findings of files that changed; each file's errors are reported once per edit. */
  errors: Finding[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function schedulesIn(text: string, namespace: string): ScanSchedule[] {
  const schedules: ScanSchedule[] = [];
  for (const doc of parseYamlDocuments(text)) {
    if (!isRecord(doc.value)) continue;
    const items =
      typeof doc.value.kind === 'string' && doc.value.kind.endsWith('List') && Array.isArray(doc.value.items)
        ? doc.value.items
        : [doc.value];
    for (const item of items) {
      if (!isRecord(item) || item.kind !== SCAN_SCHEDULE_KIND || item.apiVersion !== API_VERSION) continue;
      const schedule = structuredClone(item) as unknown as ScanSchedule;
      schedule.metadata = { ...schedule.metadata, namespace: schedule.metadata.namespace ?? namespace };
      // Status in a file is ignored, as on apply: only the runtime writes it.
      delete schedule.status;
      schedules.push(schedule);
    }
  }
  return schedules;
}

/**
 * The definitions after reading `sources`. `previous` holds each file's last text and good schedules;
 * only files whose text changed are reported.
 */
export function readDefinitions(
  sources: readonly ManifestSource[],
  previous: { texts: ReadonlyMap<string, string>; byFile: ReadonlyMap<string, ScanSchedule[]> },
  namespace: string,
): Definitions {
  const result = checkManifests(sources, { strict: false, defaultNamespace: namespace });
  const errorsByFile = new Map<string, Finding[]>();
  for (const finding of result.findings) {
    if (finding.severity !== 'error') continue;
    errorsByFile.set(finding.file, [...(errorsByFile.get(finding.file) ?? []), finding]);
  }
  const byFile = new Map<string, ScanSchedule[]>();
  const errors: Finding[] = [];
  for (const source of sources) {
    const fileErrors = errorsByFile.get(source.file);
    if (fileErrors === undefined) {
      byFile.set(source.file, schedulesIn(source.text, namespace));
      continue;
    }
    const kept = previous.byFile.get(source.file);
    if (kept !== undefined) byFile.set(source.file, kept);
    if (previous.texts.get(source.file) !== source.text) errors.push(...fileErrors);
  }
  return { byFile, errors };
}
