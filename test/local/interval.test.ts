// `interval` counts from the completion of the previous run. Intervals are at least 1m, so this test runs the
// scheduler in-process with a clock 60 times faster than real time (1m of schedule time = 1 s), over real scan
// processes that each take 1 s of real time (1m of schedule time).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LocalNotificationPort } from '../../src/local/notification-port.ts';
import { LocalScheduler } from '../../src/local/scheduler.ts';
import { StateStore } from '../../src/local/state-store.ts';
import { finished, LocalHarness, waitFor } from './harness.ts';

const SCALE = 60;
const h = new LocalHarness();
after(() => h.cleanup());

test('an interval schedule starts the next run one interval after the previous one completed', async () => {
  h.writeFile('a.yaml', h.scheduleYaml({ name: 'interval', interval: '1m', fake: { sleepMs: 1000 } }));
  const file = join(h.filesDir, 'a.yaml');
  const store = new StateStore(h.stateDir);
  const realStart = Date.now();
  const scheduler = new LocalScheduler({
    store,
    stateDir: h.stateDir,
    all: false,
    namespace: 'default',
    readSources: () => [{ file, text: readFileSync(file, 'utf8') }],
    notifications: new LocalNotificationPort({ secretsDir: undefined, env: {}, timeoutMs: 1000 }),
    pollIntervalMs: 200,
    killGraceMs: 1000,
    log: () => undefined,
    clock: () => new Date(realStart + (Date.now() - realStart) * SCALE),
    timeScale: SCALE,
  });
  scheduler.start();
  try {
    await waitFor('3 finished runs', () => h.runs('interval').filter(finished).length >= 3, 40_000);
  } finally {
    await scheduler.stop(2000);
    store.close();
  }
  const marks = h.marks();
  const runs = [...new Set(marks.map((m) => m.run))];
  const at = (run: string, what: string): number => marks.find((m) => m.run === run && m.what === what)?.ms ?? 0;
  runs.sort((a, b) => at(a, 'start') - at(b, 'start'));
  assert.ok(runs.length >= 3);
  for (let i = 1; i < runs.length; i += 1) {
    const gapMs = (at(runs[i] ?? '', 'start') - at(runs[i - 1] ?? '', 'end')) * SCALE;
    // The anchor is the completion time in whole seconds, as in the cluster: 59 s to 60 s (+ start-up) after.
    assert.ok(gapMs >= 58_000, `${runs[i]} started ${gapMs / 1000} s (schedule time) after ${runs[i - 1]} ended`);
  }
});
