// The fault-injection suite (issue 9): a storm on the real control plane, then an audit of what it left.
//
// Three controller replicas (child processes, leader election with a 4 s lease) run six schedules across three
// namespaces (`@every 10s` / `@every 15s`; Forbid, Allow, Replace; some with startingDeadlineSeconds) while a
// stand-in kubelet starts and finishes their scan pods after short random times (one in four fails, one in four
// outlasts a period). For FAULT_WINDOW_MS the leader is SIGKILLed again and again (the killed replica comes back),
// kube-apiserver is restarted twice and etcd is SIGKILLed and restarted once, at seeded random times
// (FAULT_SEED=<n> replays a plan; the seed is printed). Then the faults stop, the kubelet runs only short scans,
// every schedule is suspended, the runs drain, and the audit reads everything back from the API server.
//
// What the audit counts (all must be zero; each is printed):
//   (a) duplicateRuns       two scheduled runs of one schedule with the same spec.scheduledTime.
//   (b) duplicateJobs       a Job name (= its run's name) seen as two different objects (UIDs) by the kubelet's
//                           polling of Jobs and of their pods' controller-uid label; a Job whose controller owner
//                           UID is not the UID of the run with its name; a Job created after its run finished
//                           (creationTimestamp later than the run's status.completionTime).
//   (c) forbidOverlaps      for a Forbid schedule, two runs whose [status.startTime (else creation),
//                           status.completionTime (else now)] intervals overlap; or two of its scans that the
//                           kubelet had running at the same time.
//   (d) cancelledJobsAlive  a Cancelled run whose Job still exists without a deletionTimestamp, or whose Job still
//                           has a Pending/Running pod that is not being deleted.
//   Due times. For `@every P` Kubernetes counts from the last scheduled time, else from creation: the due times
//   are anchor + k·P (k ≥ 1) with the anchor moving to each run's scheduledTime (the project's periodicCadence,
//   src/schedule/cadence.ts; a cron schedule would use its compiled cadence). Walking from the schedule's
//   creationTimestamp through its scheduled runs in order, every due time strictly between two runs, and every due
//   time after the last run up to the schedule's audit end (its suspension minus 3 s), must have a run or be
//   accounted for by a trace:
//     - status.lastMissedTime equal to it, or
//     - an Event about the schedule whose reason contains Missed or Skipped (MissedSchedule, TooManyMissedTimes)
//       whose note names it, or names a range of times that includes it, or names a latest time L and a count N
//       with L − (N − 1)·P ≤ it ≤ L, or
//     - a RunAlreadyActive Event naming it, or naming a run that was active at it or that the controller still
//       saw active then (the Event repeated at or after it: a Job's completion reaches the controller after its
//       completionTime) (Forbid skips a time while a run is active: the Event is the trace of that skip).
//   (e) lostDueTimes        untraced due times with no later run: the schedule went quiet without saying why.
//   (f) untracedSkips       untraced due times followed by a later run: skipped silently on catch-up.
//   (g) offCadenceRuns      a scheduled run whose time is not a due time of the cadence above.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, type EventsV1Event } from '@kubernetes/client-node';
import { FINISHED_PHASES, LABEL_MANAGED_BY, MANAGED_BY, type ScanScheduleSpec } from '../../src/api/types.ts';
import { DEFAULT_LEASE_NAME } from '../../src/kube/leader-election.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import {
  aSchedule,
  type ClusterClients,
  createNamespace,
  createSchedule,
  eventually,
  patchScheduleSpec,
  runsOf,
  startClusterForController,
} from './controller-harness.ts';
import {
  type ControllerProcess,
  isRunning,
  LEASE_NAMESPACE,
  portsOf,
  spawnControllerProcess,
} from './controller-process.ts';
import { type AuditReport, audit, CHECKS } from './fault/audit.ts';
import { type FaultKind, planFaults } from './fault/fault-plan.ts';
import { seededRandom } from './fault/seeded-random.ts';
import { type StandInKubelet, startStandInKubelet } from './fault/stand-in-kubelet.ts';

const SEED = process.env.FAULT_SEED !== undefined ? Number(process.env.FAULT_SEED) : Date.now() % 1_000_000_007;
const FAULT_WINDOW_MS = 180_000;
const WARM_UP_MS = 10_000;
const SETTLE_MS = 20_000;
const REPLICAS = ['replica-a', 'replica-b', 'replica-c'];

const HISTORY = { successfulJobsHistoryLimit: 1000, failedJobsHistoryLimit: 1000 } as const;
const SCHEDULES: { namespace: string; name: string; spec: Partial<ScanScheduleSpec> }[] = [
  { namespace: 'storm-a', name: 'forbid-10s', spec: { schedule: '@every 10s', concurrencyPolicy: 'Forbid' } },
  { namespace: 'storm-a', name: 'replace-15s', spec: { schedule: '@every 15s', concurrencyPolicy: 'Replace' } },
  { namespace: 'storm-b', name: 'allow-10s', spec: { schedule: '@every 10s', concurrencyPolicy: 'Allow' } },
  {
    namespace: 'storm-b',
    name: 'forbid-deadline-15s',
    spec: { schedule: '@every 15s', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 5 },
  },
  {
    namespace: 'storm-c',
    name: 'replace-deadline-10s',
    spec: { schedule: '@every 10s', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 8 },
  },
  {
    namespace: 'storm-c',
    name: 'allow-deadline-15s',
    spec: { schedule: '@every 15s', concurrencyPolicy: 'Allow', startingDeadlineSeconds: 20 },
  },
];

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

describe(`fault injection (seed ${SEED})`, () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  let kubelet: StandInKubelet | undefined;
  const replicas = new Map<string, ControllerProcess>();
  const killAll = (): void => {
    for (const p of replicas.values()) if (isRunning(p)) p.child.kill('SIGKILL');
  };
  const injected: Record<FaultKind, number> = { 'kill-leader': 0, 'restart-apiserver': 0, 'restart-etcd': 0 };
  let report: AuditReport | undefined;
  let supervising = true;
  const selfExits: string[] = [];

  before(async () => {
    console.log(`fault injection: seed ${SEED} (replay with FAULT_SEED=${SEED})`);
    ({ controlPlane, clients } = await startClusterForController());
    process.once('exit', killAll);
  });
  after(async () => {
    supervising = false;
    await kubelet?.stop();
    killAll();
    await Promise.all([...replicas.values()].map((p) => p.exited));
    await controlPlane?.stop();
  });

  it('survives a storm of leader kills, kube-apiserver and etcd restarts; the audit finds no duplicate and no silent loss', {
    timeout: 420_000,
  }, async () => {
    const startedAt = Date.now();
    for (const namespace of new Set(SCHEDULES.map((s) => s.namespace))) await createNamespace(clients, namespace);
    // Plays the Deployment: a replica that exits, killed or by itself (e.g. on lost leadership), is restarted
    // under the same identity (a container restart keeps the pod name) after a pause.
    const restartDelayMs = new Map<ControllerProcess, number>();
    const spawnReplica = (identity: string): ControllerProcess => {
      const replica = spawnControllerProcess(identity, controlPlane.kubeconfigPath, controlPlane.dir);
      replicas.set(identity, replica);
      void replica.exited.then(async (code) => {
        if (!supervising) return;
        const delay = restartDelayMs.get(replica);
        if (delay === undefined)
          selfExits.push(`${identity} exited (code ${code}) at ${seconds(Date.now() - startedAt)}`);
        await sleep(delay ?? 1_000);
        if (supervising) spawnReplica(identity);
      });
      return replica;
    };
    await Promise.all(REPLICAS.map((identity) => portsOf(spawnReplica(identity))));
    kubelet = startStandInKubelet(clients, seededRandom(SEED ^ 0x5eed));
    for (const s of SCHEDULES) {
      await createSchedule(clients, aSchedule(s.namespace, s.name, { ...HISTORY, ...s.spec }));
    }
    await eventually('a first run of every schedule', async () => {
      for (const s of SCHEDULES) if ((await runsOf(clients, s.namespace, s.name)).length === 0) return undefined;
      return true;
    });
    await sleep(WARM_UP_MS);

    // ---- the storm ----
    const coordination = clients.config.makeApiClient(CoordinationV1Api);
    const plan = planFaults(SEED, {
      windowMs: FAULT_WINDOW_MS,
      killGapMs: [8_000, 20_000],
      apiServerRestarts: 2,
      etcdRestarts: 1,
    });
    console.log(`fault injection: plan ${plan.map((f) => `${f.kind}@${seconds(f.atMs)}`).join(', ')}`);
    const stormStart = Date.now();
    const log: string[] = [];
    for (const fault of plan) {
      const wait = stormStart + fault.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      const at = seconds(Date.now() - stormStart);
      if (fault.kind === 'restart-apiserver') {
        await controlPlane.stopApiServer();
        await sleep(fault.downMs);
        await controlPlane.startApiServer();
        injected['restart-apiserver'] += 1;
        log.push(`${at} kube-apiserver down ${seconds(fault.downMs)}, back at ${seconds(Date.now() - stormStart)}`);
      } else if (fault.kind === 'restart-etcd') {
        await controlPlane.restartEtcd(fault.downMs);
        injected['restart-etcd'] += 1;
        log.push(`${at} etcd SIGKILLed, down ${seconds(fault.downMs)}, back at ${seconds(Date.now() - stormStart)}`);
      } else {
        const holder = await coordination
          .readNamespacedLease({ name: DEFAULT_LEASE_NAME, namespace: LEASE_NAMESPACE })
          .then((lease) => lease.spec?.holderIdentity ?? '')
          .catch(() => '');
        const leader = replicas.get(holder);
        if (leader === undefined || !isRunning(leader)) {
          log.push(`${at} no live leader to kill (Lease holder '${holder}')`);
          continue;
        }
        restartDelayMs.set(leader, fault.downMs);
        leader.child.kill('SIGKILL');
        await leader.exited;
        injected['kill-leader'] += 1;
        log.push(`${at} SIGKILL leader ${holder}`);
      }
    }
    await sleep(Math.max(0, stormStart + FAULT_WINDOW_MS - Date.now()));
    const stormMs = Date.now() - stormStart;
    for (const line of log) console.log(`fault: ${line}`);
    for (const line of selfExits) console.log(`replica: ${line}`);

    // ---- settle: short scans, then suspend, then drain ----
    kubelet.setMode('settle');
    await sleep(SETTLE_MS);
    const auditEndMs = new Map<string, number>();
    for (const s of SCHEDULES) {
      auditEndMs.set(`${s.namespace}/${s.name}`, Date.now() - 3_000);
      await patchScheduleSpec(clients, s.namespace, s.name, { suspend: true });
    }
    const drained = await eventually(
      'every run finished after suspension',
      async () => {
        const runs = await clients.objects.listRuns(undefined, `${LABEL_MANAGED_BY}=${MANAGED_BY}`);
        return runs.every((r) => FINISHED_PHASES.includes(r.status?.phase ?? 'Pending')) ? true : undefined;
      },
      45_000,
    ).catch((error: unknown) => String(error));
    // Cancelled runs' Jobs and their pods get a moment to go.
    await sleep(5_000);

    // ---- audit, from the API server ----
    const schedules = await clients.objects.listSchedules(undefined);
    const runs = await clients.objects.listRuns(undefined, `${LABEL_MANAGED_BY}=${MANAGED_BY}`);
    const jobs = (await clients.batch.listJobForAllNamespaces({})).items;
    const pods = (await clients.core.listPodForAllNamespaces({})).items;
    const eventsByUid = new Map<string, EventsV1Event[]>();
    for (const event of (await clients.events.listEventForAllNamespaces({})).items) {
      const uid = event.regarding?.uid ?? '';
      eventsByUid.set(uid, [...(eventsByUid.get(uid) ?? []), event]);
    }
    await kubelet.stop();
    supervising = false;
    report = audit({
      schedules: schedules.filter((s) => SCHEDULES.some((x) => x.namespace === s.metadata.namespace)),
      runs,
      jobs,
      pods,
      eventsByUid,
      kubelet: kubelet.observations,
      auditEndMs,
      nowMs: Date.now(),
    });

    const faults = Object.values(injected).reduce((a, b) => a + b, 0);
    const { writes, writeErrors } = kubelet.observations;
    const phases = new Map<string, number>();
    for (const run of runs) phases.set(run.status?.phase ?? 'none', (phases.get(run.status?.phase ?? 'none') ?? 0) + 1);
    console.log(
      `fault injection: ${faults} faults in ${seconds(stormMs)} (${injected['kill-leader']} leader SIGKILLs, ` +
        `${injected['restart-apiserver']} kube-apiserver restarts, ${injected['restart-etcd']} etcd kill+restarts); ` +
        `seed ${SEED}`,
    );
    console.log(
      `fault injection: ${runs.length} runs (${[...phases].map(([p, n]) => `${p} ${n}`).join(', ')}), ${jobs.length} Jobs, ` +
        `${kubelet.observations.executions.length} scan pods; kubelet wrote ${writes} pod statuses (${writeErrors} failed)`,
    );
    console.log(
      `fault injection: ${report.dueTimes} due times, ${report.dueTimesWithRun} with a run, ${report.dueTimesTraced} accounted for by a trace`,
    );
    for (const check of CHECKS) console.log(`audit: ${check} ${report.counts[check]}`);
    for (const finding of report.findings.slice(0, 40)) console.log(`audit finding: ${finding}`);
    console.log(`fault injection: whole test ${seconds(Date.now() - startedAt)}`);

    assert.equal(drained, true, 'the runs drained after the schedules were suspended');
    assert.equal(injected['restart-apiserver'], 2, 'two kube-apiserver restarts');
    assert.equal(injected['restart-etcd'], 1, 'one etcd kill and restart');
    assert.ok(injected['kill-leader'] >= 5, `at least five leader SIGKILLs, got ${injected['kill-leader']}`);
    assert.ok(report.dueTimesWithRun >= SCHEDULES.length * 10, 'the schedules ran through the storm');
  });

  for (const check of CHECKS) {
    it(`audit: ${check} is 0`, () => {
      assert.ok(report !== undefined, 'the storm ran and was audited');
      const findings = report.findings.filter((f) => f.startsWith(`${check}:`));
      assert.equal(report.counts[check], 0, `${check} (seed ${SEED}):\n${findings.slice(0, 20).join('\n')}`);
    });
  }
});
