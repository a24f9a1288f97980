// planSchedule over 10,000 schedules at one instant, as a controller resync sees them, against a floor:
// the bare croner computations any planner needs for the same schedules (one next and one previous time on
// pre-built Cron objects; plain arithmetic for @every and intervals). Prints figures; asserts nothing.
// Every pass plans at the same instant, as the reconciles between two occurrences of a schedule do, so a
// cron timing's CadenceMemo answers them (schedule/cadence.ts); the first reconcile after an occurrence
// builds one croner Cron (tens of µs more), as every plan did before the memo.
//
//   node bench/core.ts            (npm run bench)
import { Cron } from 'croner';
import type { ScanRun, ScanSchedule } from '../src/api/types.ts';
import { planSchedule } from '../src/core/plan.ts';
import { compileTiming, effectiveSchedule } from '../src/schedule/timing.ts';
import { aRun, aSchedule, aSucceededRun, HOUR, MINUTE } from '../src/testing/builders.ts';

const COUNT = 10_000;
const NOW = new Date('2026-05-19T10:00:30Z');

const patterns = [
  '0 2 * * *',
  '*/15 * * * *',
  'H 2 * * *',
  'H H * * *',
  '30 10,11,12 * * 1-5',
  '0 */6 * * *',
  '0 9 * * MON',
  '@daily',
  '@every 1h',
  'interval:6h',
];
const namedZones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'America/Sao_Paulo'];

interface Case {
  schedule: ScanSchedule;
  runs: ScanRun[];
  named: boolean;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < COUNT; i += 1) {
    const text = patterns[i % patterns.length] ?? '0 2 * * *';
    const named = Math.floor(i / patterns.length) % 5 >= 2; // 60% named zones, 40% UTC, every pattern in both
    const timezone = named ? (namedZones[i % namedZones.length] ?? 'UTC') : 'UTC';
    const timing = text.startsWith('interval:') ? { interval: text.slice(9) } : { schedule: text };
    const name = `scan-${i}`;
    const base = aSchedule({
      metadata: { name, uid: `uid-${i}`, creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 },
      spec: {
        schedule: undefined,
        ...timing,
        timezone,
        suspend: i % 20 === 0,
        concurrencyPolicy: i % 3 === 0 ? 'Allow' : 'Forbid',
        successfulJobsHistoryLimit: 5,
        failedJobsHistoryLimit: 3,
        ...(i % 4 === 0 ? { startingDeadlineSeconds: 300 } : {}),
      },
    });
    // History: the last due time met (steady state) for most; every 10th missed the last 3 hours.
    const { timing: compiled } = compileTiming({ ...timing, timezone }, { namespace: 'security', name });
    const latest = compiled?.kind === 'cron' ? compiled.cadence.latest(NOW.getTime()) : null;
    let lastScheduled = new Date(NOW.getTime() - 30 * MINUTE);
    if (latest !== null) lastScheduled = new Date(i % 10 === 7 ? latest - 3 * HOUR : latest);
    const runs: ScanRun[] = [];
    // Within the history limits (5 succeeded, 3 failed) but for every 10th, whose newest finished run
    // takes one over the limit: the deletion a steady state sees after each completed run.
    for (let k = 1; k <= 4 + (i % 3) + (i % 10 === 5 ? 2 : 0); k += 1) {
      const at = new Date(lastScheduled.getTime() - k * 6 * HOUR);
      runs.push(
        k % 4 === 0
          ? aRun({ owner: base, scheduledAt: at, phase: 'Failed', startTime: at, completionTime: at })
          : aSucceededRun(at, { owner: base }),
      );
    }
    if (i % 10 === 3)
      runs.push(aRun({ owner: base, scheduledAt: lastScheduled, phase: 'Running', startTime: lastScheduled }));
    const first: ScanSchedule = { ...base, status: { lastScheduleTime: lastScheduled.toISOString() } };
    // Steady state: the status is what the previous reconcile wrote (conditions, times, counts).
    const previousPlan = planSchedule({ schedule: first, runs, now: new Date(NOW.getTime() - 20 * 1000) });
    const schedule: ScanSchedule = {
      ...first,
      status: { ...previousPlan.status, lastScheduleTime: lastScheduled.toISOString() },
    };
    cases.push({ schedule, runs, named });
  }
  return cases;
}

type Floor = () => void;

/** The bare computations: next and previous time on a pre-built Cron, or the arithmetic of a period. */
function buildFloor(c: Case): Floor {
  const { spec, metadata } = c.schedule;
  const nowMs = NOW.getTime();
  if (spec.interval !== undefined || spec.schedule?.startsWith('@every')) {
    const periodMs = HOUR;
    const anchor = Date.parse(c.schedule.status?.lastScheduleTime ?? '');
    return () => {
      const k = Math.floor((nowMs - anchor) / periodMs);
      sink += anchor + (k + 1) * periodMs + anchor + k * periodMs;
    };
  }
  const pattern = effectiveSchedule(spec, { namespace: metadata.namespace, name: metadata.name });
  const timezone = spec.timezone ?? 'UTC';
  const zone = timezone === 'UTC' ? { utcOffset: 0 } : { timezone };
  const cron = new Cron(pattern, { ...zone, mode: '5-part', fixedTimeRule: 'no-wildcard' });
  return () => {
    sink += cron.nextRun(NOW)?.getTime() ?? 0;
    sink += cron.previousRuns(1, NOW)[0]?.getTime() ?? 0;
  };
}

let sink = 0;

/**
 * The fastest of several passes of each workload, alternating between them: on a shared machine the
 * minimum is the figure least disturbed by other processes, and alternating exposes both to the same load.
 */
function fastestMs(workloads: readonly (() => void)[], repeats = 9): number[] {
  const best = workloads.map(() => Number.POSITIVE_INFINITY);
  for (let r = 0; r < repeats; r += 1) {
    workloads.forEach((work, index) => {
      const start = process.hrtime.bigint();
      work();
      best[index] = Math.min(best[index] ?? Number.POSITIVE_INFINITY, Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  return best;
}

const cases = buildCases();
const floors = cases.map(buildFloor);
const groups = {
  all: cases.map((_, i) => i),
  utc: cases.flatMap((c, i) => (c.named ? [] : [i])),
  named: cases.flatMap((c, i) => (c.named ? [i] : [])),
};

// Warm up: JIT, compiled timings and their cadence memos, Intl formatters.
for (let round = 0; round < 4; round += 1) {
  for (const c of cases) planSchedule({ schedule: c.schedule, runs: c.runs, now: NOW });
  for (const floor of floors) floor();
}

let created = 0;
let deleted = 0;
for (const c of cases) {
  const plan = planSchedule({ schedule: c.schedule, runs: c.runs, now: NOW });
  created += plan.create.length;
  deleted += plan.delete.length;
}

console.log(
  `planSchedule bench: ${COUNT} schedules at ${NOW.toISOString()} (${created} runs created, ${deleted} deleted per pass)`,
);
console.log(`node ${process.version}, ${groups.named.length} in named zones, ${groups.utc.length} in UTC`);
for (const [name, indexes] of Object.entries(groups)) {
  const [planMs = 0, floorMs = 0] = fastestMs([
    () => {
      for (const i of indexes) {
        const c = cases[i] as Case;
        planSchedule({ schedule: c.schedule, runs: c.runs, now: NOW });
      }
    },
    () => {
      for (const i of indexes) (floors[i] as Floor)();
    },
  ]);
  const perSchedule = (planMs * 1000) / indexes.length;
  const floorPer = (floorMs * 1000) / indexes.length;
  console.log(
    `${name.padEnd(6)} planSchedule ${planMs.toFixed(1).padStart(7)} ms = ${perSchedule.toFixed(1).padStart(5)} µs/schedule;` +
      ` floor ${floorMs.toFixed(1).padStart(7)} ms = ${floorPer.toFixed(1).padStart(5)} µs/schedule; ratio ${(planMs / floorMs).toFixed(2)}`,
  );
}
if (sink === 42) console.log('');
