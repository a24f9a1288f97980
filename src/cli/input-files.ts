// Reads the inputs of validate/next: files, folders (recursively, *.yaml *.yml *.json), and "-" for stdin.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { ManifestSource } from '../core/check-manifests.ts';
import { UsageError } from './usage-error.ts';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
// Dependencies, never manifests of this repository; dot folders (.git, .github) are skipped too.
const SKIPPED_FOLDERS = new Set(['node_modules', 'vendor']);

export function readInputs(paths: readonly string[], stdin: () => string): ManifestSource[] {
  const sources: ManifestSource[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ file: '<stdin>', text: stdin() });
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (cause) {
      throw new UsageError(`${path}: no such file or folder`, { cause });
    }
    if (!isDirectory) {
      sources.push({ file: path, text: readFileSync(path, 'utf8') });
      continue;
    }
    const found = manifestFilesUnder(path);
    if (found.length === 0) throw new UsageError(`${path}: the folder holds no .yaml, .yml or .json files`);
    for (const file of found) sources.push({ file, text: readFileSync(file, 'utf8') });
  }
  return sources;
}

function manifestFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || (entry.isDirectory() && SKIPPED_FOLDERS.has(entry.name))) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...manifestFilesUnder(full));
    else if (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name))) out.push(full);
  }
  return out;
}
