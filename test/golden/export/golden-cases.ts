// The golden export files: every ScanSchedule in examples/ through every target, at a fixed clock so that
// --utc conversions and their warnings do not depend on the day the files were written.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SCAN_SCHEDULE_KIND, type ScanSchedule } from '../../../src/api/types.ts';
import { parseYamlDocuments } from '../../../src/api/yaml-documents.ts';
import {
  EXPORT_EXTENSIONS,
  EXPORT_TARGETS,
  ExportError,
  type ExportTarget,
  exportSchedule,
} from '../../../src/core/export/index.ts';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const GOLDEN_DIR = join(ROOT, 'test', 'golden', 'export');
export const GOLDEN_NOW = new Date('2026-12-01T00:00:00Z');

export interface GoldenCase {
  example: string;
  target: ExportTarget;
  schedule: ScanSchedule;
  file: string;
}

export function exampleSchedules(): { example: string; schedule: ScanSchedule }[] {
  const dir = join(ROOT, 'examples');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .flatMap((name) =>
      parseYamlDocuments(readFileSync(join(dir, name), 'utf8'))
        .map((doc) => doc.value as ScanSchedule | null)
        .filter((value): value is ScanSchedule => value?.kind === SCAN_SCHEDULE_KIND)
        .map((schedule) => ({ example: basename(name, '.yaml'), schedule })),
    );
}

export function goldenCases(): GoldenCase[] {
  return exampleSchedules().flatMap(({ example, schedule }) =>
    EXPORT_TARGETS.map((target) => ({
      example,
      target,
      schedule,
      file: join(GOLDEN_DIR, target, `${example}.${EXPORT_EXTENSIONS[target]}`),
    })),
  );
}

/** The golden text: the export, or the error a user sees when the target cannot hold the schedule. */
export function goldenText(c: GoldenCase): string {
  try {
    return exportSchedule(c.schedule, c.target, { utc: false, now: GOLDEN_NOW }).text;
  } catch (error) {
    if (error instanceof ExportError) return `# error: ${error.message}\n`;
    throw error;
  }
}
