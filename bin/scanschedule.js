#!/usr/bin/env node
// The installed command. Plain JavaScript that any Node parses, so that on a Node too old for scanschedule
// (and for its Kubernetes client and commander) the user gets one line saying what to run, not a stack trace.
import { existsSync } from 'node:fs';
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `scanschedule needs Node.js 22.19 or newer; this is ${process.version}. In the repository run \`bash scripts/with-node.sh npx scanschedule ...\` (it fetches Node 24), or install Node 24 from https://nodejs.org.\n`,
  );
  process.exit(2);
}
// Node keeps the compiled (and type-stripped) modules on disk: later starts skip most of the parsing.
module.enableCompileCache?.();
// A checkout runs the TypeScript sources (Node strips the types); an installed package its compiled dist/.
const source = new URL('../src/cli/main.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/cli/main.js', import.meta.url).href);
