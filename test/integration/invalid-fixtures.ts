// Reads the invalid-manifest fixtures in test/fixtures/invalid/. Each starts with comment lines that say what is
// wrong and how each checker reports it:
//   # mistake: <what the manifest gets wrong>
//   # validate: <substring of the offline validator's message>
//   # apiserver: <substring of kube-apiserver's rejection>   (only when the API server can catch it)
// Fixtures without `# apiserver:` hold mistakes only the offline validator sees (cron grammar, time zones).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface InvalidFixture {
  file: string;
  path: string;
  mistake: string | undefined;
  validate: string | undefined;
  apiserver: string | undefined;
}

function header(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const match = new RegExp(`^#\\s*${key}:\\s*(.*?)\\s*$`).exec(line);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

export function readInvalidFixtures(directory: string): InvalidFixture[] {
  let files: string[];
  try {
    files = readdirSync(directory);
  } catch {
    return [];
  }
  return files
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => {
      const path = join(directory, file);
      const text = readFileSync(path, 'utf8');
      return {
        file,
        path,
        mistake: header(text, 'mistake'),
        validate: header(text, 'validate'),
        apiserver: header(text, 'apiserver'),
      };
    });
}
