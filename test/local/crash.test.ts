// Crash safety and shutdown of the local runtime: kill -9 mid-run then restart never runs a due time twice and
// records the interrupted run; a second scheduler on the same state directory refuses to start; SIGTERM lets a
// scan finish within the grace period and records the rest as Interrupted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { finished, harnessesCleanedUpAfter, isAlive, waitFor } from './harness.ts';

const harness = harnessesCleanedUpAfter();

describe('local crash safety', { concurrency: true }, () => {
  test('kill -9 mid-run, then restart: the run is Interrupted with its output, and no due time runs twice', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', { name: 'crash', schedule: '@every 2s', fake: { sleepMs: 60_000, child: true } });
    h.start();
    const started = await waitFor('a scan running', () => h.marks().find((m) => m.what === 'start'));
    assert.equal(await h.stop('SIGKILL'), null);
    // The orphaned scan still runs until the next scheduler finds it.
    assert.ok(isAlive(started.pid));
    h.writeSchedule('a.yaml', { name: 'crash', schedule: '@every 2s', fake: { sleepMs: 50 } });
    h.start();
    const interrupted = await waitFor('the run recorded as interrupted', () =>
      h.runs('crash').find((run) => run.metadata.name === started.run && finished(run)),
    );
    assert.equal(interrupted.status?.phase, 'Failed');
    assert.equal(interrupted.status?.reason, 'Interrupted');
    await waitFor('the orphaned scan and its child stopped', () =>
      h
        .marks()
        .filter((m) => m.run === started.run)
        .every((m) => !isAlive(m.pid)),
    );
    const log = readFileSync(join(h.stateDir, 'runs', 'default', started.run, 'output.log'), 'utf8');
    assert.match(log, /starting/, 'the partial output is kept');
    await waitFor(
      'a later run finished',
      () => h.runs('crash').filter((run) => run.status?.phase === 'Succeeded').length >= 1,
    );
    await h.stop();
    const starts = h
      .marks()
      .filter((m) => m.what === 'start')
      .map((m) => m.run);
    assert.equal(new Set(starts).size, starts.length, `a run started twice: ${starts.join(', ')}`);
  });

  test('a second scheduler on the same state directory refuses to start', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', { name: 'locked', schedule: '0 0 1 1 *' });
    const first = h.start();
    await waitFor('the first scheduler up', () => /scheduling from/.test(h.stderr));
    const second = h.cli(['run', h.filesDir]);
    assert.equal(second.status, 1);
    assert.match(
      second.stderr,
      new RegExp(`another scanschedule run \\(pid ${first.pid}\\) is using the state directory`),
    );
    await h.stop();
    // A lock left by a process that died is stale and taken over.
    h.start();
    await waitFor('a restart after a clean stop', () => h.stderr.split('scheduling from').length === 3);
    await h.stop('SIGKILL');
    h.start();
    await waitFor('a restart after kill -9', () => h.stderr.split('scheduling from').length === 4);
    await h.stop();
  });

  test('SIGTERM: a scan within the grace period finishes; one beyond it is recorded Interrupted', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', { name: 'quick', schedule: '@every 2s', fake: { sleepMs: 1000 } });
    h.writeSchedule('b.yaml', { name: 'slow', schedule: '@every 2s', fake: { sleepMs: 60_000 } });
    h.start(); // --grace-period 2s
    await waitFor('both running', () => {
      const starts = h.marks().filter((m) => m.what === 'start');
      return starts.some((m) => m.run.startsWith('quick-')) && starts.some((m) => m.run.startsWith('slow-'));
    });
    assert.equal(await h.stop('SIGTERM'), 0);
    const slow = h.runs('slow').find((run) => run.status?.startTime !== undefined);
    assert.equal(slow?.status?.reason, 'Interrupted');
    const quick = h.runs('quick').filter((run) => run.status?.startTime !== undefined);
    assert.ok(quick.every(finished), 'a quick run was left unfinished');
    assert.ok(quick.some((run) => run.status?.phase === 'Succeeded'));
    const slowPid = h.marks().find((m) => m.run === slow?.metadata.name)?.pid ?? -1;
    assert.equal(isAlive(slowPid), false);
  });
});
