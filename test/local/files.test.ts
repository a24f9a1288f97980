// The local runtime watches its files: an edit is a new generation (suspend takes effect), a corrupt edit is
// reported while every schedule keeps running, a removed file stops its schedule and keeps its history; and
// `trigger --local` starts a manual run through the state database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { finished, harnessesCleanedUpAfter, waitFor } from './harness.ts';

const harness = harnessesCleanedUpAfter();

describe('local schedule files', { concurrency: true }, () => {
  test('suspend: true edited in stops scheduled runs (a new generation); false resumes them', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', { name: 'edited', schedule: '@every 2s', fake: { sleepMs: 50 } });
    h.start();
    await waitFor('a first run', () => h.runs('edited').some(finished));
    h.writeSchedule('a.yaml', { name: 'edited', schedule: '@every 2s', suspend: true, fake: { sleepMs: 50 } });
    await waitFor('generation 2 observed', () => h.schedule('edited')?.status?.observedGeneration === 2);
    await waitFor('no active run', () => h.runs('edited').every(finished));
    const before = h.runs('edited').length;
    // A negative claim needs time to pass: three due times of @every 2s.
    const until = Date.now() + 6000;
    await waitFor('three due times to pass', () => Date.now() > until);
    assert.equal(h.runs('edited').length, before, 'a run was created while suspended');
    assert.equal(h.schedule('edited')?.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'Suspended');
    h.writeSchedule('a.yaml', { name: 'edited', schedule: '@every 2s', suspend: false, fake: { sleepMs: 50 } });
    await waitFor('a run after resuming', () => h.runs('edited').length > before);
    await h.stop();
  });

  test('a corrupt file edited in is reported; it and the other schedules keep running', async () => {
    const h = harness();
    h.writeSchedule('good.yaml', { name: 'good', schedule: '@every 2s', fake: { sleepMs: 50 } });
    h.writeSchedule('bad.yaml', { name: 'bad', schedule: '@every 2s', fake: { sleepMs: 50 } });
    h.start();
    await waitFor('runs of both', () => h.runs('good').some(finished) && h.runs('bad').some(finished));
    h.writeFile('bad.yaml', 'apiVersion: jmo.security/v1alpha1\nkind: ScanSchedule\nmetadata: {name: bad\nspec: [\n');
    await waitFor('the corrupt file reported', () => /bad\.yaml:\d+:\d+: error: /.test(h.stderr));
    const good = h.runs('good').length;
    const bad = h.runs('bad').length;
    await waitFor(
      'both schedules still running',
      () => h.runs('good').length >= good + 2 && h.runs('bad').length >= bad + 2,
    );
    assert.doesNotMatch(h.stderr, /good\.yaml:\d+/);
    await h.stop();
  });

  test('a removed file stops its schedule and keeps its history', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', { name: 'removed', schedule: '@every 2s', fake: { sleepMs: 50 } });
    h.writeSchedule('b.yaml', { name: 'stays', schedule: '@every 2s', fake: { sleepMs: 50 } });
    h.start();
    await waitFor('a run', () => h.runs('removed').some(finished));
    h.removeFile('a.yaml');
    await waitFor('the removal noticed', () => /default\/removed: its file no longer defines it/.test(h.stderr));
    await waitFor('no active run', () => h.runs('removed').every(finished));
    const kept = h.runs('removed').length;
    const stays = h.runs('stays').length;
    await waitFor('two more runs of the other schedule', () => h.runs('stays').length >= stays + 2);
    assert.equal(h.runs('removed').length, kept, 'history kept, no new run');
    assert.ok(kept > 0);
    await h.stop();
  });

  test('trigger --local asks the running scheduler for a manual run', async () => {
    const h = harness();
    h.writeSchedule('a.yaml', { name: 'manual', schedule: '0 0 1 1 *', fake: { sleepMs: 50, high: 1 } });
    h.start();
    await waitFor('the schedule stored', () => h.schedule('manual')?.status?.observedGeneration === 1);
    const triggered = h.cli(['trigger', 'manual', '--local']);
    assert.equal(triggered.status, 0, triggered.stderr);
    const name = /run (\S+) will start/.exec(triggered.stdout)?.[1];
    assert.ok(name !== undefined, triggered.stdout);
    const run = await waitFor('the manual run to finish', () =>
      h.runs('manual').find((r) => r.metadata.name === name && finished(r)),
    );
    assert.equal(run.spec.trigger, 'manual');
    assert.equal(run.status?.findings?.high, 1);
    const logs = h.cli(['logs', name, '--local']);
    assert.match(logs.stdout, /fake scanner default\/\S+ done/);
    const runs = h.cli(['runs', 'manual', '--local']);
    assert.match(runs.stdout, new RegExp(`${name}\\s+manual\\s+Succeeded`));
    await h.stop();
  });
});
