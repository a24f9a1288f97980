// The controller when things go wrong, against a real control plane: the leader replica is SIGKILLed and the
// standby takes over, the controller is down for a while and comes back, kube-apiserver restarts under it.
// Through all of it, one nominal time never gets two runs. Ends by printing run-creation skew, from the
// controller's histogram and from the objects themselves (lines starting with `skew:`).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { LABEL_MANAGED_BY, MANAGED_BY, type ScanRun } from '../../src/api/types.ts';
import type { RunningController } from '../../src/kube/controller.ts';
import { eventsFor } from '../../src/kube/custom-objects.ts';
import { DEFAULT_LEASE_NAME } from '../../src/kube/leader-election.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import { waitUntil } from '../controlplane/wait-until.ts';
import {
  aSchedule,
  type ClusterClients,
  createNamespace,
  createSchedule,
  eventually,
  getSchedule,
  patchScheduleSpec,
  runsOf,
  startClusterForController,
  startTestController,
} from './controller-harness.ts';
import {
  type ControllerProcess,
  isRunning,
  LEASE_NAMESPACE,
  type LogLine,
  logLines,
  logTail,
  portsOf,
  spawnControllerProcess,
} from './controller-process.ts';

// ---- /metrics ----------------------------------------------------------------------------------------------------

async function scrape(port: number | undefined): Promise<string> {
  assert.ok(port !== undefined, 'the controller serves /metrics');
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  assert.equal(response.status, 200, `/metrics on port ${port}`);
  return response.text();
}

interface Sample {
  name: string;
  labels: string;
  value: number;
}

function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    out.push({ name: match[1] ?? '', labels: match[2] ?? '', value: Number(match[3]) });
  }
  return out;
}

/** The sum over all label sets of `name`; undefined when the metric is absent. */
function metricSum(text: string, name: string): number | undefined {
  const found = samples(text).filter((s) => s.name === name);
  return found.length === 0 ? undefined : found.reduce((sum, s) => sum + s.value, 0);
}

interface Histogram {
  /** Cumulative counts by upper bound, ascending, +Inf last. */
  buckets: { le: number; count: number }[];
  count: number;
}

function histogramOf(text: string, name: string): Histogram {
  const buckets = samples(text)
    .filter((s) => s.name === `${name}_bucket`)
    .map((s) => {
      const le = /le="([^"]+)"/.exec(s.labels)?.[1] ?? '';
      return { le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count: s.value };
    })
    .sort((a, b) => a.le - b.le);
  return { buckets, count: metricSum(text, `${name}_count`) ?? 0 };
}

function mergeHistograms(a: Histogram, b: Histogram): Histogram {
  if (a.buckets.length === 0) return b;
  if (b.buckets.length === 0) return a;
  return {
    buckets: a.buckets.map((bucket, i) => ({ le: bucket.le, count: bucket.count + (b.buckets[i]?.count ?? 0) })),
    count: a.count + b.count,
  };
}

/** Prometheus' histogram_quantile: linear interpolation inside the bucket that holds the rank. */
function histogramQuantile(h: Histogram, q: number): number | undefined {
  if (h.count === 0) return undefined;
  const rank = q * h.count;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const { le, count } of h.buckets) {
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return lowerLe;
      return lowerLe + ((le - lowerLe) * (rank - lowerCount)) / Math.max(count - lowerCount, 1);
    }
    lowerLe = le;
    lowerCount = count;
  }
  return lowerLe;
}

/** Nearest-rank percentile of a sorted list. */
function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

// ---- runs --------------------------------------------------------------------------------------------------------

const scheduledMs = (run: ScanRun): number => Date.parse(run.spec.scheduledTime);
const names = (runs: readonly ScanRun[]): string[] => runs.map((r) => r.metadata.name ?? '').sort();
const latestScheduledMs = (runs: readonly ScanRun[]): number => Math.max(...runs.map(scheduledMs));

function assertOneRunPerTime(runs: readonly ScanRun[]): void {
  const times = runs.map((r) => r.spec.scheduledTime).sort();
  assert.equal(new Set(times).size, times.length, `two runs for one scheduled time: ${times.join(', ')}`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// ---- the tests ---------------------------------------------------------------------------------------------------

describe('controller resilience', () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  let coordination: CoordinationV1Api;
  /** The in-process controller of the later tests; tests 3 and 4 reuse the one test 2 restarted. */
  let controller: RunningController | undefined;
  /** Skew observed by in-process controllers that have since stopped (their registries went with them). */
  let stoppedSkew: Histogram = { buckets: [], count: 0 };
  const processes: ControllerProcess[] = [];
  const killAll = (): void => {
    for (const p of processes) if (isRunning(p)) p.child.kill('SIGKILL');
  };

  before(async () => {
    ({ controlPlane, clients } = await startClusterForController());
    coordination = clients.config.makeApiClient(CoordinationV1Api);
    // A test process that dies without running after() must not leave replicas behind.
    process.once('exit', killAll);
    for (const ns of ['ha', 'restart', 'apiserver']) await createNamespace(clients, ns);
  });
  after(async () => {
    killAll();
    await Promise.all(processes.map((p) => p.exited));
    await controller?.stop();
    await controlPlane?.stop();
  });

  const readLease = (): Promise<V1Lease> =>
    coordination.readNamespacedLease({ name: DEFAULT_LEASE_NAME, namespace: LEASE_NAMESPACE });
  const leaderGauge = async (metricsPort: number): Promise<number | undefined> =>
    metricSum(await scrape(metricsPort), 'scanschedule_leader');

  it('hands over to the standby replica within 20 s when the leader is SIGKILLed, without a duplicate run', {
    timeout: 150_000,
  }, async () => {
    const ns = 'ha';
    await createSchedule(clients, aSchedule(ns, 'ha', { schedule: '@every 3s', concurrencyPolicy: 'Allow' }));
    const replicas = ['replica-a', 'replica-b'].map((id) =>
      spawnControllerProcess(id, controlPlane.kubeconfigPath, controlPlane.dir),
    );
    processes.push(...replicas);
    const ports = new Map<string, { metricsPort: number; healthPort: number }>();
    for (const replica of replicas) ports.set(replica.identity, await portsOf(replica));

    const lease = await eventually('a replica to hold the Lease', async () => {
      const current = await readLease();
      return replicas.some((r) => r.identity === current.spec?.holderIdentity) ? current : undefined;
    });
    assert.equal(lease.spec?.leaseDurationSeconds, 4, '--leader-elect-lease-duration=4s');
    const leader = replicas.find((r) => r.identity === lease.spec?.holderIdentity);
    const standby = replicas.find((r) => r.identity !== lease.spec?.holderIdentity);
    assert.ok(leader !== undefined && standby !== undefined);
    const leaderPorts = ports.get(leader.identity);
    const standbyPorts = ports.get(standby.identity);
    assert.ok(leaderPorts !== undefined && standbyPorts !== undefined);

    await eventually('scanschedule_leader 1 on the leader', async () =>
      (await leaderGauge(leaderPorts.metricsPort)) === 1 ? true : undefined,
    );
    await eventually('two runs from the leader', async () => {
      const runs = await runsOf(clients, ns, 'ha');
      return runs.length >= 2 ? runs : undefined;
    });

    // The standby keeps warm caches (ready) but reconciles nothing; the same checks find the leader's work.
    const readyz = await fetch(`http://127.0.0.1:${standbyPorts.healthPort}/readyz`);
    assert.equal(readyz.status, 200, 'the standby replica is ready: its caches synced');
    assert.equal(await leaderGauge(standbyPorts.metricsPort), 0, 'scanschedule_leader on the standby');
    const reconcileLines = (lines: LogLine[]): LogLine[] =>
      lines.filter(
        (l) => l.msg === 'reconciled' || l.msg === 'caches synced, reconciling' || l.msg === 'became leader',
      );
    assert.deepEqual(
      reconcileLines(await logLines(standby.logPath)),
      [],
      `the standby reconciled:\n${await logTail(standby.logPath)}`,
    );
    assert.ok(
      reconcileLines(await logLines(leader.logPath)).some((l) => l.msg === 'reconciled'),
      'the leader logs its reconciles',
    );

    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    assert.equal(await leader.exited, null, 'killed by the signal');
    const takeoverMs = await waitUntil(
      `${standby.identity} to take over`,
      async () => ((await leaderGauge(standbyPorts.metricsPort)) === 1 ? Date.now() - killedAt : undefined),
      { timeoutMs: 30_000, intervalMs: 100, abortIf: () => (isRunning(standby) ? undefined : 'the standby exited') },
    );
    assert.equal((await readLease()).spec?.holderIdentity, standby.identity, 'the Lease names the new leader');
    console.log(
      `takeover: ${standby.identity} led ${(takeoverMs / 1000).toFixed(1)} s after SIGKILL of ${leader.identity} (lease 4 s, renew deadline 3 s, retry 1 s)`,
    );
    assert.ok(takeoverMs < 20_000, `takeover took ${takeoverMs} ms`);

    const runs = await eventually(
      'runs scheduled after the kill',
      async () => {
        const all = await runsOf(clients, ns, 'ha');
        return all.filter((r) => scheduledMs(r) > killedAt).length >= 2 ? all : undefined;
      },
      60_000,
    );
    const firstAfter = Math.min(...runs.filter((r) => scheduledMs(r) > killedAt).map(scheduledMs));
    console.log(`takeover: first run after the kill scheduled for +${((firstAfter - killedAt) / 1000).toFixed(1)} s`);
    assertOneRunPerTime(runs);

    // Quiet the namespace for the next tests; SIGTERM stops the new leader cleanly and hands the Lease back.
    await patchScheduleSpec(clients, ns, 'ha', { suspend: true });
    standby.child.kill('SIGTERM');
    const code = await Promise.race([standby.exited, sleep(30_000, 'still running' as const)]);
    assert.equal(code, 0, `exit after SIGTERM:\n${await logTail(standby.logPath)}`);
    assert.equal((await readLease()).spec?.holderIdentity, '', 'the Lease is released on SIGTERM');
  });

  it('after a restart runs only the most recent unmet time, and reports times past startingDeadlineSeconds', {
    timeout: 150_000,
  }, async () => {
    const ns = 'restart';
    const every = { schedule: '@every 2s', concurrencyPolicy: 'Allow' } as const;
    await createSchedule(clients, aSchedule(ns, 'catch-up', { ...every, startingDeadlineSeconds: 3600 }));
    const deadline = await createSchedule(clients, aSchedule(ns, 'deadline', { ...every, startingDeadlineSeconds: 1 }));
    const running = await startTestController(clients);
    controller = running;
    for (const name of ['catch-up', 'deadline']) {
      await eventually(`two runs of ${name}`, async () =>
        (await runsOf(clients, ns, name)).length >= 2 ? true : undefined,
      );
    }

    stoppedSkew = mergeHistograms(
      stoppedSkew,
      histogramOf(await scrape(running.metricsPort), 'scanschedule_run_creation_skew_seconds'),
    );
    await running.stop();
    controller = undefined;
    const stoppedAt = Date.now();
    // Read after stop(): it finished the in-flight reconciles, so nothing changes these any more.
    const catchUpBefore = await runsOf(clients, ns, 'catch-up');
    const deadlineBefore = await runsOf(clients, ns, 'deadline');
    const missedBefore = (await getSchedule(clients, ns, 'deadline')).status?.lastMissedTime;

    await sleep(Math.max(0, 6_000 - (Date.now() - stoppedAt)));
    assert.deepEqual(names(await runsOf(clients, ns, 'catch-up')), names(catchUpBefore), 'no runs while stopped');
    assert.deepEqual(names(await runsOf(clients, ns, 'deadline')), names(deadlineBefore), 'no runs while stopped');
    const restartedAt = Date.now();
    controller = await startTestController(clients);

    // No deadline: of the three or more times missed while stopped only the most recent runs, once.
    const lastBefore = latestScheduledMs(catchUpBefore);
    const caughtUp = await eventually('a catch-up run after the restart', async () => {
      const runs = await runsOf(clients, ns, 'catch-up');
      return runs.some((r) => scheduledMs(r) > lastBefore) ? runs : undefined;
    });
    const firstAfter = Math.min(...caughtUp.filter((r) => scheduledMs(r) > lastBefore).map(scheduledMs));
    assert.ok(
      firstAfter > restartedAt - 2_000,
      `the first run after the restart (${iso(firstAfter)}) is not for the most recent due time at the restart ` +
        `(${iso(restartedAt)}); the last run before the stop was for ${iso(lastBefore)}`,
    );
    assert.ok(firstAfter - lastBefore >= 6_000, 'at least two due times were skipped, not back-filled');
    assertOneRunPerTime(caughtUp);
    // Without a deadline the skipped times are not run, but they leave a trace: status.lastMissedTime lies
    // between the last run before the stop and the catch-up run.
    const skipped = await eventually('status.lastMissedTime of catch-up', async () => {
      const time = (await getSchedule(clients, ns, 'catch-up')).status?.lastMissedTime;
      return time === undefined ? undefined : Date.parse(time);
    });
    assert.ok(
      skipped > lastBefore && skipped < firstAfter,
      `lastMissedTime ${iso(skipped)} lies between ${iso(lastBefore)} and ${iso(firstAfter)}`,
    );

    // startingDeadlineSeconds: 1: the times that passed while stopped are misses: status and a Warning Event.
    const lastBeforeDeadline = latestScheduledMs(deadlineBefore);
    const missed = await eventually('status.lastMissedTime from the restarted controller', async () => {
      const schedule = await getSchedule(clients, ns, 'deadline');
      const time = schedule.status?.lastMissedTime;
      return time !== undefined && time !== missedBefore ? time : undefined;
    });
    const missedMs = Date.parse(missed);
    assert.ok(
      missedMs >= lastBeforeDeadline + 4_000 && missedMs <= Date.now(),
      `lastMissedTime ${missed}: the last run before the stop was for ${iso(lastBeforeDeadline)}`,
    );
    const event = await eventually('a MissedSchedule Warning Event', async () => {
      const events = await eventsFor(clients.events, ns, deadline.metadata.uid ?? '');
      return events.find((e) => e.reason === 'MissedSchedule' && e.type === 'Warning' && e.note?.includes(missed));
    });
    assert.equal(event.reportingController, 'scanschedule');
    const resumed = await eventually('a run of the deadline schedule after the missed time', async () => {
      const runs = await runsOf(clients, ns, 'deadline');
      return runs.some((r) => scheduledMs(r) > missedMs) ? runs : undefined;
    });
    assert.deepEqual(
      resumed
        .filter((r) => scheduledMs(r) > lastBeforeDeadline && scheduledMs(r) <= missedMs)
        .map((r) => r.metadata.name),
      [],
      'a missed time got a run',
    );
    assertOneRunPerTime(resumed);
    const missedTotal = metricSum(await scrape(controller.metricsPort), 'scanschedule_missed_schedules_total');
    assert.ok((missedTotal ?? 0) >= 1, `scanschedule_missed_schedules_total ${missedTotal}`);

    for (const name of ['catch-up', 'deadline']) await patchScheduleSpec(clients, ns, name, { suspend: true });
  });

  it('keeps scheduling through a kube-apiserver restart: the informers reconnect', { timeout: 150_000 }, async () => {
    const ns = 'apiserver';
    controller ??= await startTestController(clients);
    const running = controller;
    await createSchedule(clients, aSchedule(ns, 'steady', { schedule: '@every 3s', concurrencyPolicy: 'Allow' }));
    await eventually('a run before the restart', async () =>
      (await runsOf(clients, ns, 'steady')).length >= 1 ? true : undefined,
    );
    const restartsBefore = metricSum(await scrape(running.metricsPort), 'scanschedule_informer_restarts_total') ?? 0;

    await controlPlane.stopApiServer();
    await sleep(3_000);
    await controlPlane.startApiServer();
    const upAt = Date.now();

    const runs = await eventually(
      'a run scheduled after kube-apiserver came back',
      async () => {
        const all = await runsOf(clients, ns, 'steady');
        return all.some((r) => scheduledMs(r) > upAt) ? all : undefined;
      },
      90_000,
    );
    const recovered = runs.filter((r) => scheduledMs(r) > upAt).sort((a, b) => scheduledMs(a) - scheduledMs(b))[0];
    const createdMs = Date.parse(recovered?.metadata.creationTimestamp ?? '');
    console.log(
      `apiserver restart: first run scheduled after the restart created ${((createdMs - upAt) / 1000).toFixed(0)} s after /readyz`,
    );
    assertOneRunPerTime(runs);
    const restartsAfter = metricSum(await scrape(running.metricsPort), 'scanschedule_informer_restarts_total') ?? 0;
    console.log(`apiserver restart: scanschedule_informer_restarts_total ${restartsBefore} → ${restartsAfter}`);
    assert.ok(restartsAfter > restartsBefore, 'the informers restarted after losing their watches');
    const state = await Promise.race([running.done, sleep(0, 'running' as const)]);
    assert.equal(state, 'running', 'the controller kept running');

    await patchScheduleSpec(clients, ns, 'steady', { suspend: true });
  });

  it('creates runs close to their scheduled times (skew printed, sanity-checked)', { timeout: 60_000 }, async () => {
    controller ??= await startTestController(clients);
    const histogram = mergeHistograms(
      stoppedSkew,
      histogramOf(await scrape(controller.metricsPort), 'scanschedule_run_creation_skew_seconds'),
    );
    assert.ok(histogram.count > 0, 'the in-process controllers observed run creations');
    const p50 = histogramQuantile(histogram, 0.5) ?? Number.NaN;
    const p99 = histogramQuantile(histogram, 0.99) ?? Number.NaN;
    console.log(
      `skew: scanschedule_run_creation_skew_seconds (in-process controllers, ${histogram.count} runs): p50 ≈ ${p50.toFixed(2)} s, p99 ≈ ${p99.toFixed(2)} s`,
    );

    const runs = await clients.objects.listRuns(undefined, `${LABEL_MANAGED_BY}=${MANAGED_BY}`);
    const skews = runs
      .filter((r) => r.spec.trigger === 'schedule')
      .map((r) => (Date.parse(r.metadata.creationTimestamp ?? '') - scheduledMs(r)) / 1000)
      .sort((a, b) => a - b);
    assert.ok(skews.length > 0, 'runs were created');
    assert.ok(
      skews.every((s) => Number.isFinite(s)),
      'every run has a creationTimestamp and a scheduledTime',
    );
    const max = skews.at(-1) ?? Number.NaN;
    console.log(
      `skew: creationTimestamp − spec.scheduledTime (${skews.length} runs, whole seconds): p50 ${percentile(skews, 0.5)} s, p99 ${percentile(skews, 0.99)} s, max ${max} s`,
    );
    assert.ok(skews[0] !== undefined && skews[0] >= 0, `a run was created before its time: ${skews[0]} s`);
    assert.ok(max < 10, `a run was created ${max} s after its time`);
    assert.ok(p99 < 10, `histogram p99 ${p99} s`);
  });
});
