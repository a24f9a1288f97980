// Reads a results directory for summarizeResults: only the files it recognises, at any depth. Shared by the
// report command (the scan pod's report step) and any runner on a machine, hence outside cli/.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ResultFile } from '../core/results/scan-summary.ts';
import { isResultFilePath } from '../core/results/summarize-results.ts';

/** Larger result files are refused: the report step runs with little memory, and no real report is that big. */
export const MAX_RESULT_FILE_BYTES = 64 * 1024 * 1024;

export type ResultsDirReading = { files: ResultFile[]; problems: string[] } | { problem: string };

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
}

export function readResultsDir(dir: string): ResultsDirReading {
  let root: string;
  try {
    if (!statSync(dir).isDirectory())
      return { problem: `${dir} is not a directory: give the scanner's results directory` };
    root = realpathSync(dir);
  } catch {
    return { problem: `${dir}: no such directory: give the scanner's results directory` };
  }
  const files: ResultFile[] = [];
  const problems: string[] = [];
  const walk = (current: string): void => {
    const entries = readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(current, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      if (!isResultFilePath(rel)) continue;
      let target = full;
      if (entry.isSymbolicLink()) {
        // A link may point at anything the report step can read; only targets inside the directory count.
        try {
          target = realpathSync(full);
        } catch {
          problems.push(`${rel}: a broken symbolic link; write the result file itself`);
          continue;
        }
        if (!inside(root, target) || !lstatSync(target).isFile()) {
          problems.push(`${rel}: a symbolic link to outside the results directory; write the result file itself`);
          continue;
        }
      } else if (!entry.isFile()) {
        continue;
      }
      const size = statSync(target).size;
      if (size > MAX_RESULT_FILE_BYTES) {
        problems.push(
          `${rel}: ${size} bytes, more than the 64 MiB a result file may have; split the scan or trim its output`,
        );
        continue;
      }
      files.push({ path: rel, text: readFileSync(target, 'utf8') });
    }
  };
  try {
    walk(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { problem: `${dir}: cannot read the directory (${code}); check the volume mount and its permissions` };
  }
  return { files, problems };
}
