// The scheduling policies against a real API server and kube-controller-manager: what a due time does while a run
// is still going (Forbid, Allow, Replace), suspend, history limits, how a scan's exit maps to the run's result,
// and manual runs. Each case has its own namespace; the stand-in kubelet keeps scans Running or finishes them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ANNOTATION_RUN_NOW, type Findings, type ScanRun, type ScanSchedule } from '../../src/api/types.ts';
import type { RunningController } from '../../src/kube/controller.ts';
import type { ControlPlane } from '../controlplane/control-plane.ts';
import {
  aSchedule,
  type ClusterClients,
  consistently,
  createNamespace,
  createSchedule,
  deleteSchedule,
  eventsAbout,
  eventually,
  findingsMessage,
  findRun,
  finishScanPod,
  getSchedule,
  jobExists,
  type PodOutcome,
  patchScheduleSpec,
  reportErrorMessage,
  runsOf,
  startClusterForController,
  startScanPod,
  startTestController,
} from './controller-harness.ts';

/** Longer than two periods of the `@every 2s` schedules: a policy that let a due time through would show. */
const OVER_TWO_DUE_TIMES_MS = 5_000;

const NO_FINDINGS = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };

const names = (runs: readonly ScanRun[]): string =>
  runs.map((run) => `${run.metadata.name}(${run.status?.phase ?? 'no status'})`).join(', ') || 'none';

const isActive = (run: ScanRun): boolean => !['Succeeded', 'Failed', 'Cancelled'].includes(run.status?.phase ?? '');

function assertOneRunPerTime(runs: readonly ScanRun[]): void {
  const times = runs.map((run) => run.spec.scheduledTime);
  assert.equal(new Set(times).size, times.length, `two runs for one time: ${times.join(', ')}`);
}

describe('controller: scheduling policies', () => {
  let controlPlane: ControlPlane;
  let clients: ClusterClients;
  let controller: RunningController;

  before(async () => {
    ({ controlPlane, clients } = await startClusterForController());
    controller = await startTestController(clients);
  });
  after(async () => {
    await controller?.stop();
    await controlPlane?.stop();
  });

  /** Creates the namespace and the schedule; returns the schedule as stored (with its uid). */
  async function setUp(schedule: ScanSchedule): Promise<ScanSchedule> {
    await createNamespace(clients, schedule.metadata.namespace ?? '');
    return createSchedule(clients, schedule);
  }

  /** Waits for a run of `schedule` whose name is not in `seen`, and adds it there. The earliest such run. */
  async function newRun(namespace: string, schedule: string, seen: Set<string>): Promise<ScanRun> {
    const run = await eventually(`a new run of ${namespace}/${schedule} (seen: ${[...seen].join(', ')})`, async () => {
      const fresh = (await runsOf(clients, namespace, schedule)).filter((r) => !seen.has(r.metadata.name ?? ''));
      return fresh.sort((a, b) => Date.parse(a.spec.scheduledTime) - Date.parse(b.spec.scheduledTime))[0];
    });
    seen.add(run.metadata.name ?? '');
    return run;
  }

  function runInPhase(namespace: string, name: string, phase: string): Promise<ScanRun> {
    return eventually(`run ${namespace}/${name} in phase ${phase}`, async () => {
      const run = await findRun(clients, namespace, name);
      return run?.status?.phase === phase ? run : undefined;
    });
  }

  describe('a due time while a long run is active', () => {
    it('Forbid holds every new run while one is running, says so in an Event, and starts the next once it ends', async () => {
      const ns = 'forbid';
      const schedule = await setUp(aSchedule(ns, 'nightly', { schedule: '@every 2s', concurrencyPolicy: 'Forbid' }));
      const first = await newRun(ns, 'nightly', new Set());
      const firstName = first.metadata.name ?? '';
      await startScanPod(clients, ns, firstName);
      await runInPhase(ns, firstName, 'Running');

      await consistently('only the running run', OVER_TWO_DUE_TIMES_MS, async () => {
        const runs = await runsOf(clients, ns, 'nightly');
        return runs.length === 1 && runs[0]?.metadata.name === firstName ? undefined : `runs: ${names(runs)}`;
      });
      const held = await eventually('a RunAlreadyActive Event about the schedule', async () =>
        (await eventsAbout(clients, ns, schedule.metadata.uid ?? '')).find((e) => e.reason === 'RunAlreadyActive'),
      );
      assert.equal(held.type, 'Normal');
      assert.match(held.note ?? '', new RegExp(`${firstName} is still active and concurrencyPolicy is Forbid`));
      assert.equal(held.regarding?.kind, 'ScanSchedule');
      assert.equal(held.regarding?.name, 'nightly');

      await finishScanPod(clients, ns, firstName, { exitCode: 0, message: findingsMessage(NO_FINDINGS) });
      const next = await newRun(ns, 'nightly', new Set([firstName]));
      assert.equal((await findRun(clients, ns, firstName))?.status?.phase, 'Succeeded');
      assert.ok(
        Date.parse(next.spec.scheduledTime) > Date.parse(first.spec.scheduledTime),
        `the next run (${next.spec.scheduledTime}) is for a later time than the first (${first.spec.scheduledTime})`,
      );
      assertOneRunPerTime(await runsOf(clients, ns, 'nightly'));
      await deleteSchedule(clients, ns, 'nightly');
    });

    it('Allow starts each due run beside the running one, one run per scheduled time', async () => {
      const ns = 'allow';
      await setUp(aSchedule(ns, 'nightly', { schedule: '@every 2s', concurrencyPolicy: 'Allow' }));
      const first = await newRun(ns, 'nightly', new Set());
      const firstName = first.metadata.name ?? '';
      await startScanPod(clients, ns, firstName);
      await runInPhase(ns, firstName, 'Running');

      const runs = await eventually('three runs active at once', async () => {
        const all = await runsOf(clients, ns, 'nightly');
        return all.filter(isActive).length >= 3 ? all : undefined;
      });
      assert.equal(runs.find((r) => r.metadata.name === firstName)?.status?.phase, 'Running', names(runs));
      assertOneRunPerTime(runs);
      const status = await eventually('status to count the active runs', async () => {
        const s = await getSchedule(clients, ns, 'nightly');
        return (s.status?.active ?? 0) >= 2 ? s.status : undefined;
      });
      assert.ok(status.activeRuns?.includes(firstName), `activeRuns ${status.activeRuns?.join(', ')}`);
      await deleteSchedule(clients, ns, 'nightly');
    });

    it('Replace cancels the running run with reason Replaced, deletes its Job and starts the due run', async () => {
      const ns = 'replace';
      const schedule = await setUp(aSchedule(ns, 'nightly', { schedule: '@every 3s', concurrencyPolicy: 'Replace' }));
      const first = await newRun(ns, 'nightly', new Set());
      const firstName = first.metadata.name ?? '';
      await startScanPod(clients, ns, firstName);
      await runInPhase(ns, firstName, 'Running');

      const cancelled = await runInPhase(ns, firstName, 'Cancelled');
      assert.equal(cancelled.status?.reason, 'Replaced');
      assert.ok(cancelled.status?.completionTime !== undefined, 'a cancelled run has a completion time');
      await eventually(`Job ${firstName} to be deleted`, async () =>
        (await jobExists(clients, ns, firstName)) ? undefined : true,
      );
      // Deleted by the cancel itself, not collected with its run (the history limit removes old cancelled runs).
      assert.equal((await findRun(clients, ns, firstName))?.status?.phase, 'Cancelled', 'the cancelled run is kept');
      const runs = await runsOf(clients, ns, 'nightly');
      const replacement = runs.find((r) => Date.parse(r.spec.scheduledTime) > Date.parse(first.spec.scheduledTime));
      assert.ok(replacement !== undefined, `a run after the cancelled one: ${names(runs)}`);
      assertOneRunPerTime(runs);
      const replaced = await eventually('a RunReplaced Event', async () =>
        (await eventsAbout(clients, ns, schedule.metadata.uid ?? '')).find((e) => e.reason === 'RunReplaced'),
      );
      assert.match(replaced.note ?? '', new RegExp(`Cancelling ${firstName} `));
      await deleteSchedule(clients, ns, 'nightly');
    });
  });

  it('creates no runs while suspended but keeps showing the next time, and resumes when unsuspended', async () => {
    const ns = 'suspend';
    await setUp(aSchedule(ns, 'nightly', { schedule: '@every 2s', suspend: true }));
    await eventually('the Suspended condition', async () => {
      const s = await getSchedule(clients, ns, 'nightly');
      return s.status?.conditions?.find((c) => c.type === 'Suspended')?.status === 'True' ? s : undefined;
    });

    await consistently('no runs, Suspended=True and a next schedule time', OVER_TWO_DUE_TIMES_MS, async () => {
      const runs = await runsOf(clients, ns, 'nightly');
      if (runs.length > 0) return `runs: ${names(runs)}`;
      const status = (await getSchedule(clients, ns, 'nightly')).status;
      const suspended = status?.conditions?.find((c) => c.type === 'Suspended');
      if (suspended?.status !== 'True') return `Suspended is ${JSON.stringify(suspended)}`;
      if (status?.nextScheduleTime === undefined) return 'status.nextScheduleTime is not set';
      return undefined;
    });
    const ready = (await getSchedule(clients, ns, 'nightly')).status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'Suspended');

    await patchScheduleSpec(clients, ns, 'nightly', { suspend: false });
    await newRun(ns, 'nightly', new Set());
    const resumed = await eventually('Suspended=False', async () => {
      const s = await getSchedule(clients, ns, 'nightly');
      return s.status?.conditions?.find((c) => c.type === 'Suspended')?.status === 'False' ? s : undefined;
    });
    assert.equal(resumed.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'Scheduled');
    await deleteSchedule(clients, ns, 'nightly');
  });

  it('keeps only the newest finished runs within successfulJobsHistoryLimit and failedJobsHistoryLimit', async () => {
    const ns = 'history';
    await setUp(
      aSchedule(ns, 'nightly', {
        schedule: '@every 2s',
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
      }),
    );
    const ok: PodOutcome = { exitCode: 0, message: findingsMessage(NO_FINDINGS) };
    const crash: PodOutcome = { exitCode: 1 };
    const seen = new Set<string>();
    const finished: { name: string; phase: 'Succeeded' | 'Failed' }[] = [];
    for (const outcome of [ok, crash, ok, crash, ok]) {
      const name = (await newRun(ns, 'nightly', seen)).metadata.name ?? '';
      await finishScanPod(clients, ns, name, outcome);
      const phase = outcome.exitCode === 0 ? 'Succeeded' : 'Failed';
      await runInPhase(ns, name, phase);
      finished.push({ name, phase });
    }
    const newest = (phase: string): string | undefined => finished.findLast((f) => f.phase === phase)?.name;

    const kept = await eventually('the history to be cut to one run of each', async () => {
      const done = (await runsOf(clients, ns, 'nightly')).filter((r) => !isActive(r));
      return done.length === 2 ? done : undefined;
    });
    assert.deepEqual(
      kept.map((r) => `${r.metadata.name} ${r.status?.phase}`).sort(),
      [`${newest('Failed')} Failed`, `${newest('Succeeded')} Succeeded`].sort(),
    );
    const status = await eventually('status to count the kept runs', async () => {
      const s = (await getSchedule(clients, ns, 'nightly')).status;
      return s?.succeeded === 1 && s.failed === 1 ? s : undefined;
    });
    assert.equal(status.lastRun?.name, newest('Succeeded'));
    await deleteSchedule(clients, ns, 'nightly');
  });

  describe("a finished scan's result", () => {
    interface OutcomeCase {
      name: string;
      failOn?: 'CRITICAL' | 'HIGH';
      outcome: PodOutcome;
      reason: string;
      /** undefined: the run's status and status.lastRun must have no findings at all. */
      findings: Findings | undefined;
    }
    const cases: OutcomeCase[] = [
      {
        name: 'fails with FindingsAboveThreshold when the report step summarises findings at fail_on',
        failOn: 'HIGH',
        outcome: { exitCode: 0, message: findingsMessage({ ...NO_FINDINGS, high: 1, low: 2 }) },
        reason: 'FindingsAboveThreshold',
        findings: { critical: 0, high: 1, medium: 0, low: 2, info: 0, total: 3 },
      },
      {
        name: 'fails with ScanFailed and no findings (not zeros) when the scanner exits non-zero',
        failOn: 'CRITICAL',
        outcome: { exitCode: 1 },
        reason: 'ScanFailed',
        findings: undefined,
      },
      {
        name: 'fails with NoResults and no findings when the report step could not read the results',
        outcome: { exitCode: 0, reportExitCode: 2, message: reportErrorMessage('no result files in /results') },
        reason: 'NoResults',
        findings: undefined,
      },
    ];
    for (const [index, c] of cases.entries()) {
      it(c.name, async () => {
        const ns = `outcome-${index}`;
        const options = c.failOn === undefined ? {} : { options: { fail_on: c.failOn } };
        await setUp(aSchedule(ns, 'nightly', { jobTemplate: { targets: { repo: '/repos/app' }, ...options } }));
        const name = (await newRun(ns, 'nightly', new Set())).metadata.name ?? '';
        await finishScanPod(clients, ns, name, c.outcome);

        const run = await runInPhase(ns, name, 'Failed');
        assert.equal(run.status?.reason, c.reason, run.status?.message);
        assert.deepEqual(run.status?.findings, c.findings);
        assert.equal(run.status !== undefined && 'findings' in run.status, c.findings !== undefined);

        const status = await eventually('status.lastRun to show the run', async () => {
          const s = (await getSchedule(clients, ns, 'nightly')).status;
          return s?.lastRun?.name === name ? s : undefined;
        });
        assert.equal(status.lastRun?.phase, 'Failed');
        assert.equal(status.lastRun?.reason, c.reason);
        assert.deepEqual(status.lastRun?.findings, c.findings);
        assert.equal(status.lastRun !== undefined && 'findings' in status.lastRun, c.findings !== undefined);
        const lastRunSucceeded = status.conditions?.find((cond) => cond.type === 'LastRunSucceeded');
        assert.equal(lastRunSucceeded?.status, 'False');
        assert.equal(lastRunSucceeded?.reason, c.reason);
        await deleteSchedule(clients, ns, 'nightly');
      });
    }
  });

  it('starts one manual run per new jmo.security/run-now token, and none for a token seen before', async () => {
    const ns = 'manual';
    // 1 January: no scheduled run comes in the way.
    const schedule = await setUp(aSchedule(ns, 'yearly', { schedule: '0 0 1 1 *' }));
    await eventually('the schedule to be Ready', async () => {
      const s = await getSchedule(clients, ns, 'yearly');
      return s.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? s : undefined;
    });
    const runNow = async (token: string, poke: string): Promise<void> => {
      // The extra annotation makes a repeated token a real update, so the controller does see it again.
      await clients.objects.annotateSchedule(ns, 'yearly', ANNOTATION_RUN_NOW, token);
      await clients.objects.annotateSchedule(ns, 'yearly', 'test.jmo.security/poke', poke);
    };

    await runNow('token-1', '1');
    const [manual] = await eventually('a manual run', async () => {
      const runs = await runsOf(clients, ns, 'yearly');
      return runs.length > 0 ? runs : undefined;
    });
    assert.equal(manual?.spec.trigger, 'manual');
    assert.match(manual?.metadata.name ?? '', /^yearly-manual-[a-z0-9]{5}$/);
    await eventually('status.lastHandledRunNow to be token-1', async () =>
      (await getSchedule(clients, ns, 'yearly')).status?.lastHandledRunNow === 'token-1' ? true : undefined,
    );

    await runNow('token-1', '2');
    await consistently('still one run after the same token again', 3_000, async () => {
      const runs = await runsOf(clients, ns, 'yearly');
      return runs.length === 1 ? undefined : `runs: ${names(runs)}`;
    });

    await runNow('token-2', '3');
    const runs = await eventually('a second manual run', async () => {
      const all = await runsOf(clients, ns, 'yearly');
      return all.length >= 2 ? all : undefined;
    });
    await consistently('exactly two runs', 2_000, async () => {
      const all = await runsOf(clients, ns, 'yearly');
      return all.length === 2 ? undefined : `runs: ${names(all)}`;
    });
    assert.deepEqual(
      runs.map((r) => r.spec.trigger),
      ['manual', 'manual'],
    );
    const created = await eventually('a ManualRunCreated Event per token', async () => {
      const events = await eventsAbout(clients, ns, schedule.metadata.uid ?? '');
      const manualRuns = events.filter((e) => e.reason === 'ManualRunCreated');
      return manualRuns.length >= 2 ? manualRuns : undefined;
    });
    assert.equal(created.length, 2, created.map((e) => e.note).join(' | '));
    await deleteSchedule(clients, ns, 'yearly');
  });
});
