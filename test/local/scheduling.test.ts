// The local runtime schedules like the controller: one run per due time, the concurrency policies, interval
// after completion, history limits and the deadline kill. Real processes and real time (@every 2s).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { finished, harnessesCleanedUpAfter, isAlive, waitFor } from './harness.ts';

const harness = harnessesCleanedUpAfter();

describe('local scheduling', { concurrency: true }, () => {
  test('each due time gets exactly one run, named after its time, and the findings are read', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', { name: 'every', schedule: '@every 2s', fake: { sleepMs: 100, high: 2 } });
    h.start();
    const runs = await waitFor('3 finished runs', () => {
      const done = h.runs('every').filter(finished);
      return done.length >= 3 ? done : undefined;
    });
    await h.stop();
    const times = runs.map((run) => Date.parse(run.spec.scheduledTime)).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i += 1) assert.equal((times[i] ?? 0) - (times[i - 1] ?? 0), 2000);
    for (const run of runs) {
      assert.equal(run.metadata.name, `every-${Date.parse(run.spec.scheduledTime) / 1000}`);
      assert.equal(run.status?.phase, 'Succeeded');
      assert.equal(run.status?.findings?.high, 2);
      assert.deepEqual(run.status?.tools, ['fake']);
    }
    const starts = h.marks().filter((mark) => mark.what === 'start');
    assert.equal(new Set(starts.map((mark) => mark.run)).size, starts.length, 'no run started twice');
  });

  test('Forbid: a due time waits while a run is active, so runs never overlap', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', {
      name: 'forbid',
      schedule: '@every 2s',
      concurrencyPolicy: 'Forbid',
      fake: { sleepMs: 3000 },
    });
    h.start();
    await waitFor('2 finished runs', () => h.runs('forbid').filter(finished).length >= 2, 40_000);
    await h.stop();
    const marks = h.marks();
    const spans = [...new Set(marks.map((m) => m.run))].map((run) => ({
      start: marks.find((m) => m.run === run && m.what === 'start')?.ms ?? 0,
      end: marks.find((m) => m.run === run && m.what === 'end')?.ms ?? Number.POSITIVE_INFINITY,
    }));
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i += 1) {
      assert.ok((spans[i]?.start ?? 0) >= (spans[i - 1]?.end ?? 0), 'a run started while another was active');
    }
    assert.ok(h.events('forbid').some((event) => event.reason === 'RunAlreadyActive'));
  });

  test('Replace: the active run is cancelled and its process group stopped', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', {
      name: 'replace',
      schedule: '@every 2s',
      concurrencyPolicy: 'Replace',
      fake: { sleepMs: 30_000, child: true },
    });
    h.start();
    const cancelled = await waitFor('a cancelled run', () =>
      h.runs('replace').find((run) => run.status?.phase === 'Cancelled'),
    );
    assert.equal(cancelled.status?.reason, 'Replaced');
    const pids = h.marks().filter((m) => m.run === cancelled.metadata.name && m.what !== 'end');
    assert.equal(pids.length, 2, 'the scanner and its child were marked');
    await waitFor('the cancelled scan and its child to be gone', () => pids.every((m) => !isAlive(m.pid)));
    await h.stop();
  });

  test('Allow: runs overlap', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', {
      name: 'allow',
      schedule: '@every 2s',
      concurrencyPolicy: 'Allow',
      fake: { sleepMs: 5000 },
    });
    h.start();
    await waitFor(
      'two runs active at once',
      () => h.runs('allow').filter((run) => run.status?.phase === 'Running').length >= 2,
    );
    await h.stop();
  });

  test('history limits prune runs and their directories', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', {
      name: 'pruned',
      schedule: '@every 2s',
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 1,
      fake: { sleepMs: 50 },
    });
    h.start();
    await waitFor('3 runs started', () => new Set(h.marks().map((m) => m.run)).size >= 3);
    await waitFor('pruned to 1 succeeded run', () => {
      const runs = h.runs('pruned');
      return runs.length === 1 && finished(runs[0] as never) ? true : undefined;
    });
    await h.stop();
    const kept = h.runs('pruned').map((run) => run.metadata.name);
    for (const run of new Set(h.marks().map((m) => m.run))) {
      assert.equal(existsSync(join(h.stateDir, 'runs', 'default', run)), kept.includes(run), run);
    }
  });

  test('activeDeadlineSeconds kills the whole process group: DeadlineExceeded', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', {
      name: 'deadline',
      schedule: '@every 2s',
      activeDeadlineSeconds: 1,
      fake: { sleepMs: 30_000, child: true },
    });
    h.start();
    const run = await waitFor('a run past its deadline', () => h.runs('deadline').find(finished));
    await h.stop();
    assert.equal(run.status?.phase, 'Failed');
    assert.equal(run.status?.reason, 'DeadlineExceeded');
    assert.equal(run.status?.findings, undefined);
    const pids = h.marks().filter((m) => m.run === run.metadata.name);
    assert.equal(pids.length, 2);
    await waitFor('the scan and its child to be gone', () => pids.every((m) => !isAlive(m.pid)));
  });
});
