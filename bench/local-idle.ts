// What 1,000 local schedules cost `scanschedule run` at idle: 1,000 schedule files (daily, weekly and monthly
// crons; none due while this runs) in a temporary folder, the scheduler as a real process over them. Prints the
// time until all are stored and planned, then the scheduler's RSS and its CPU use over an idle window (from
// /proc: Linux only). Asserts nothing.
//
//   node bench/local-idle.ts [idle seconds, default 30] [schedules, default 1000]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StateStore } from '../src/local/state-store.ts';

const COUNT = Number(process.argv[3] ?? 1_000);
const IDLE_SECONDS = Number(process.argv[2] ?? 30);
const CRONS = ['0 3 * * *', 'H 4 * * *', '30 1 * * SUN', '0 2 1 * *', '@weekly'];
const CLOCK_TICKS = 100; // USER_HZ on Linux

const dir = mkdtempSync(join(tmpdir(), 'local-idle-'));
const files = join(dir, 'schedules');
const stateDir = join(dir, 'state');
mkdirSync(files);
for (let i = 0; i < COUNT; i += 1) {
  writeFileSync(
    join(files, `s${i}.yaml`),
    `apiVersion: jmo.security/v1alpha1
kind: ScanSchedule
metadata:
  name: scan-${i}
spec:
  schedule: "${CRONS[i % CRONS.length]}"
  timezone: ${i % 2 === 0 ? 'UTC' : 'Europe/Berlin'}
  backend:
    type: local
    config:
      command: ["true"]
  jobTemplate:
    targets:
      repo: /src/repo-${i}
`,
  );
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(line?.[1] ?? 0) / 1024;
}
function planned(): number {
  const store = new StateStore(stateDir);
  try {
    return store.schedules().filter((s) => s.schedule.status?.observedGeneration === 1).length;
  } finally {
    store.close();
  }
}

const main = new URL('../src/cli/main.ts', import.meta.url).pathname;
const started = Date.now();
const child = spawn(process.execPath, [main, 'run', files, '--state-dir', stateDir], { stdio: 'ignore' });
const pid = child.pid ?? 0;
try {
  for (;;) {
    await sleep(500);
    let done = 0;
    try {
      done = planned();
    } catch {
      // The database is not there yet.
    }
    if (done === COUNT) break;
    if (Date.now() - started > 300_000) throw new Error(`only ${done} of ${COUNT} schedules planned after 5 min`);
  }
  const readyMs = Date.now() - started;
  await sleep(5000); // let start-up garbage settle before the window
  const rssBefore = rssMiB(pid);
  const ticksBefore = cpuTicks(pid);
  await sleep(IDLE_SECONDS * 1000);
  const cpuSeconds = (cpuTicks(pid) - ticksBefore) / CLOCK_TICKS;
  const rssAfter = rssMiB(pid);
  console.log(`local runtime, ${COUNT} schedules in ${COUNT} files (node ${process.version}):`);
  console.log(`  all stored and planned after ${(readyMs / 1000).toFixed(1)} s`);
  console.log(`  RSS at idle: ${rssBefore.toFixed(1)} MiB, after ${IDLE_SECONDS} s: ${rssAfter.toFixed(1)} MiB`);
  console.log(
    `  CPU at idle: ${cpuSeconds.toFixed(2)} s over ${IDLE_SECONDS} s = ${((cpuSeconds / IDLE_SECONDS) * 100).toFixed(1)} % of one core`,
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
