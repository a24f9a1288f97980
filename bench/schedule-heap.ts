// What 10,000 schedules' compiled timings cost the heap, and what compiling and asking them costs in time:
// every schedule compiles its timing (H spreading makes most patterns distinct), then asks next and latest
// once, as one resync does. Prints heapUsed after a full GC before and after; asserts nothing.
//
//   node --expose-gc bench/schedule-heap.ts
import { compileTiming, type Timing } from '../src/schedule/timing.ts';

const COUNT = 10_000;
const NOW_MS = Date.parse('2026-05-19T10:00:30Z');
const patterns = [
  'H 2 * * *',
  'H H * * *',
  'H H * * 1-5',
  'H/15 * * * *',
  '0 2 * * *',
  '30 1 * * *',
  '@daily',
  'H 4 * * 0',
];
const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const heapMiB = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const before = heapMiB();
const start = process.hrtime.bigint();
const held: Timing[] = [];
let sink = 0;
for (let i = 0; i < COUNT; i += 1) {
  const spec = {
    schedule: patterns[i % patterns.length],
    timezone: zones[Math.floor(i / patterns.length) % zones.length],
  };
  const { timing } = compileTiming(spec, { namespace: `ns-${i % 5}`, name: `scan-${i}` });
  if (timing?.kind !== 'cron') throw new Error(`not a cron timing: ${JSON.stringify(spec)}`);
  const { cadence } = timing;
  sink += (cadence.next(NOW_MS) ?? 0) + (cadence.latest(NOW_MS) ?? 0);
  held.push(timing);
}
const firstPassMs = Number(process.hrtime.bigint() - start) / 1e6;
const after = heapMiB();
const again = process.hrtime.bigint();
for (let i = 0; i < COUNT; i += 1) {
  const spec = {
    schedule: patterns[i % patterns.length],
    timezone: zones[Math.floor(i / patterns.length) % zones.length],
  };
  const { timing } = compileTiming(spec, { namespace: `ns-${i % 5}`, name: `scan-${i}` });
  if (timing?.kind === 'cron') sink += timing.cadence.next(NOW_MS) ?? 0;
}
const secondPassMs = Number(process.hrtime.bigint() - again) / 1e6;
const distinct = new Set(held.map((t) => `${t.timezone} ${t.effective}`)).size;
console.log(`schedule heap bench: ${COUNT} schedules, ${distinct} distinct (pattern, zone), node ${process.version}`);
console.log(
  `heapUsed after GC: before ${before.toFixed(1)} MiB, after ${after.toFixed(1)} MiB, cost ${(after - before).toFixed(1)} MiB`,
);
console.log(
  `first pass (compile + next + latest) ${firstPassMs.toFixed(0)} ms; second pass (cached + next) ${secondPassMs.toFixed(0)} ms`,
);
if (sink === 42 || held.length === 0) console.log('');
