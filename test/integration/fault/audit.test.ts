// The audit must be able to fail: each check fires on a hand-made violation and stays at zero on a clean history.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventsV1Event, V1Job } from '@kubernetes/client-node';
import type { RunPhase, ScanRun, ScanSchedule, ScanScheduleSpec } from '../../../src/api/types.ts';
import { type AuditInput, audit, CHECKS, type Check } from './audit.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString().replace('.000Z', 'Z');
const NS = 'ns';

function schedule(spec: Partial<ScanScheduleSpec> = {}, lastMissed?: number): ScanSchedule {
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanSchedule',
    metadata: { name: 's', namespace: NS, uid: 'schedule-uid', creationTimestamp: at(0) },
    spec: { schedule: '@every 10s', concurrencyPolicy: 'Forbid', jobTemplate: { targets: { repo: '/r' } }, ...spec },
    ...(lastMissed !== undefined && { status: { lastMissedTime: at(lastMissed) } }),
  };
}

/** A run of schedule `s` for T0 + `time` s, active over [time + 1, time + 4] unless said otherwise. */
function run(time: number, extra: { name?: string; phase?: RunPhase; start?: number; end?: number } = {}): ScanRun {
  const name = extra.name ?? `s-${time}`;
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanRun',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      creationTimestamp: at(time),
      labels: { 'jmo.security/schedule': 's' },
    },
    spec: { scheduleRef: { name: 's' }, scheduledTime: at(time), trigger: 'schedule', jobTemplate: { targets: {} } },
    status: {
      phase: extra.phase ?? 'Succeeded',
      jobName: name,
      startTime: at(extra.start ?? time + 1),
      completionTime: at(extra.end ?? time + 4),
    },
  } as ScanRun;
}

function jobOf(r: ScanRun, extra: { ownerUid?: string; created?: number } = {}): V1Job {
  return {
    metadata: {
      name: r.metadata.name,
      namespace: NS,
      uid: `job-${r.metadata.name}`,
      creationTimestamp: new Date(Date.parse(r.metadata.creationTimestamp ?? '') + (extra.created ?? 0) * 1000),
      labels: { 'app.kubernetes.io/managed-by': 'scanschedule' },
      ownerReferences: [
        {
          apiVersion: 'jmo.security/v1alpha1',
          kind: 'ScanRun',
          name: r.metadata.name ?? '',
          uid: extra.ownerUid ?? r.metadata.uid ?? '',
          controller: true,
        },
      ],
    },
  };
}

/** An Event at T0, or a series whose last repeat was observed at T0 + `lastObserved` s. */
const event = (reason: string, note: string, lastObserved?: number): EventsV1Event => ({
  eventTime: new Date(T0),
  reason,
  note,
  regarding: { uid: 'schedule-uid' },
  ...(lastObserved !== undefined && { series: { count: 2, lastObservedTime: new Date(T0 + lastObserved * 1000) } }),
});

interface Case {
  name: string;
  schedule?: ScanSchedule;
  runs: ScanRun[];
  jobs?: V1Job[];
  events?: EventsV1Event[];
  jobUids?: [string, string[]][];
  end?: number;
  expected: Partial<Record<Check, number>>;
}

const clean = [run(10), run(20), run(30)];
const cases: Case[] = [
  { name: 'a clean history counts nothing', runs: clean, jobs: clean.map((r) => jobOf(r)), expected: {} },
  {
    name: 'two runs for one scheduled time',
    runs: [...clean, run(20, { name: 's-20-again', start: 25, end: 26 })],
    expected: { duplicateRuns: 1, forbidOverlaps: 0 },
  },
  {
    name: 'one Job name seen as two objects',
    runs: clean,
    jobUids: [['ns/s-20', ['a', 'b']]],
    expected: { duplicateJobs: 1 },
  },
  {
    name: 'a Job its run does not control',
    runs: clean,
    jobs: [jobOf(run(20), { ownerUid: 'someone-else' })],
    expected: { duplicateJobs: 1 },
  },
  {
    name: 'a Job created after its run ended',
    runs: clean,
    jobs: [jobOf(run(20), { created: 9 })],
    expected: { duplicateJobs: 1 },
  },
  {
    name: 'a Forbid run started while another was active',
    runs: [run(10, { end: 22 }), run(20), run(30)],
    expected: { forbidOverlaps: 1 },
  },
  {
    name: 'Allow runs may overlap',
    schedule: schedule({ concurrencyPolicy: 'Allow' }),
    runs: [run(10, { end: 22 }), run(20), run(30)],
    expected: {},
  },
  {
    name: 'a cancelled run whose Job lives on',
    schedule: schedule({ concurrencyPolicy: 'Replace' }),
    runs: [run(10), run(20, { phase: 'Cancelled' }), run(30)],
    jobs: [jobOf(run(20, { phase: 'Cancelled' }))],
    expected: { cancelledJobsAlive: 1 },
  },
  {
    name: 'times skipped on catch-up without a trace',
    runs: [run(10), run(40)],
    end: 45,
    expected: { untracedSkips: 2 },
  },
  {
    name: 'skipped times named as a range by a MissedSchedule Event',
    runs: [run(10), run(40)],
    end: 45,
    events: [
      event('MissedSchedule', `Skipped 2 scheduled times from ${at(20)} to ${at(30)}: the controller was not running`),
    ],
    expected: {},
  },
  {
    name: 'skipped times named by their latest and a count',
    runs: [run(10), run(40)],
    end: 45,
    events: [event('MissedSchedule', `Missed the run scheduled for ${at(30)} (2 scheduled times missed in all)`)],
    expected: {},
  },
  {
    name: 'a Forbid skip accounted for by RunAlreadyActive naming the blocking run',
    runs: [run(10, { end: 25 }), run(30)],
    events: [
      event('RunAlreadyActive', 'Not starting the due run: s-10 is still active and concurrencyPolicy is Forbid'),
    ],
    expected: {},
  },
  {
    name: 'a Forbid skip while the controller still saw the run active after its Job completed: the Event repeated after the due time accounts for it',
    runs: [run(10, { end: 19 })],
    events: [event('RunAlreadyActive', 'Scheduled runs wait: s-10 is still active', 21)],
    end: 22,
    expected: {},
  },
  {
    name: 'a RunAlreadyActive Event last observed before the due time, after the run ended, does not account for it',
    runs: [run(10, { end: 19 })],
    events: [event('RunAlreadyActive', 'Scheduled runs wait: s-10 is still active', 18)],
    end: 22,
    expected: { lostDueTimes: 1 },
  },
  { name: 'due times after the last run are lost', runs: [run(10)], end: 35, expected: { lostDueTimes: 2 } },
  {
    name: 'status.lastMissedTime accounts for one time',
    schedule: schedule({}, 30),
    runs: [run(10)],
    end: 35,
    expected: { lostDueTimes: 1 },
  },
  {
    name: 'a run off the cadence',
    runs: [run(10), run(25)],
    end: 34,
    expected: { offCadenceRuns: 1, untracedSkips: 1 },
  },
];

describe('fault-injection audit', () => {
  for (const c of cases) {
    it(c.name, () => {
      const input: AuditInput = {
        schedules: [c.schedule ?? schedule()],
        runs: c.runs,
        jobs: c.jobs ?? [],
        pods: [],
        eventsByUid: new Map([['schedule-uid', c.events ?? []]]),
        kubelet: { jobUidsByName: new Map((c.jobUids ?? []).map(([k, v]) => [k, new Set(v)])), executions: [] },
        auditEndMs: new Map([['ns/s', T0 + (c.end ?? 35) * 1000]]),
        nowMs: T0 + 100_000,
      };
      const report = audit(input);
      const expected = Object.fromEntries(CHECKS.map((check) => [check, c.expected[check] ?? 0]));
      assert.deepEqual(report.counts, expected, report.findings.join('\n'));
    });
  }
});
