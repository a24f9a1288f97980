// How long the offline commands take to start, as a ratio to a bare `node -e 0`: the part of the wall-clock
// time a newcomer waits that is ours (module loading), not Node's own start-up. Prints figures; asserts
// nothing (test/cli/offline-startup.test.ts pins that the Kubernetes client stays unloaded).
//
//   node bench/cli-startup.ts [runs]            (npm run bench:cli)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
// The installed command: the Node-version check, then the compile cache, then src/cli/main.ts.
const main = join(root, 'bin', 'scanschedule.js');
const runs = Number(process.argv[2] ?? 15);

interface Case {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

const cases: Case[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'src/cli/main.ts --version (no compile cache)', args: [join(root, 'src', 'cli', 'main.ts'), '--version'] },
  { name: 'scanschedule --version', args: [main, '--version'] },
  { name: 'scanschedule validate examples/nightly.yaml', args: [main, 'validate', 'examples/nightly.yaml'] },
  { name: 'scanschedule next examples/nightly.yaml', args: [main, 'next', 'examples/nightly.yaml', '-c', '3'] },
];
// What an installed package runs: the compiled dist/ (npm run build), with the compile cache bin/ turns on.
const dist = join(root, 'dist', 'cli', 'main.js');
if (existsSync(dist)) {
  const env = { ...process.env, NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache') };
  cases.push(
    { name: 'dist: validate examples/nightly.yaml', args: [dist, 'validate', 'examples/nightly.yaml'], env },
    { name: 'dist: next examples/nightly.yaml', args: [dist, 'next', 'examples/nightly.yaml', '-c', '3'], env },
  );
}

function medianMs(args: string[], env?: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

const [bare, ...rest] = cases.map((c) => ({ ...c, ms: medianMs(c.args, c.env) }));
if (!bare) throw new Error('no cases');
console.log(`median of ${runs} runs, node ${process.version}`);
console.log(`${bare.name.padEnd(48)} ${bare.ms.toFixed(0).padStart(5)} ms`);
for (const c of rest) {
  console.log(`${c.name.padEnd(48)} ${c.ms.toFixed(0).padStart(5)} ms  ${(c.ms / bare.ms).toFixed(1)}× node -e 0`);
}
