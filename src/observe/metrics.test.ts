import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControllerMetrics, METRIC_NAMES } from './metrics.ts';

describe('ControllerMetrics', () => {
  it('exposes every metric docs/design.md §5 names, before anything happened', async () => {
    const text = await new ControllerMetrics().exposition();
    for (const name of Object.values(METRIC_NAMES)) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} missing`);
    }
    assert.match(text, /^scanschedule_leader\{shard="0"\} 0$/m);
    assert.match(text, /^scanschedule_shard_count 1$/m);
    assert.match(text, /^scanschedule_reconcile_total\{result="error"\} 0$/m);
  });

  it('labels leadership with the shard, and says how many shards need a leader', async () => {
    const metrics = new ControllerMetrics({ shard: { index: 2, count: 3 } });
    metrics.setLeading(true);
    const text = await metrics.exposition();
    assert.match(text, /^scanschedule_leader\{shard="2"\} 1$/m);
    assert.match(text, /^scanschedule_shard_count 3$/m);
  });

  it('samples the cache-wide gauges at each scrape, not on a timer', async () => {
    const metrics = new ControllerMetrics();
    let running = 2;
    let samples = 0;
    metrics.sampleOnScrape(() => {
      samples += 1;
      metrics.setRunsByPhase({ Running: running });
    });
    assert.equal(samples, 0, 'nothing runs until someone scrapes');
    assert.match(await metrics.exposition(), /^scanschedule_runs\{phase="Running"\} 2$/m);
    running = 5;
    assert.match(await metrics.exposition(), /^scanschedule_runs\{phase="Running"\} 5$/m);
    assert.equal(samples, 2);
  });

  it('keeps two instances apart (no global registry)', async () => {
    const a = new ControllerMetrics();
    const b = new ControllerMetrics();
    a.missedSchedules.inc();
    assert.match(await a.exposition(), /^scanschedule_missed_schedules_total 1$/m);
    assert.match(await b.exposition(), /^scanschedule_missed_schedules_total 0$/m);
  });

  it('records a reconcile as a count by result and a duration', async () => {
    const metrics = new ControllerMetrics();
    metrics.reconciled('requeue_after', 0.3);
    const text = await metrics.exposition();
    assert.match(text, /^scanschedule_reconcile_total\{result="requeue_after"\} 1$/m);
    assert.match(text, /^scanschedule_reconcile_duration_seconds_bucket\{le="0.5"\} 1$/m);
    assert.match(text, /^scanschedule_reconcile_duration_seconds_bucket\{le="0.25"\} 0$/m);
  });

  it('drops a phase to 0 when it is no longer reported', async () => {
    const metrics = new ControllerMetrics();
    metrics.setRunsByPhase({ Running: 2, Succeeded: 5 });
    metrics.setRunsByPhase({ Succeeded: 6 });
    const text = await metrics.exposition();
    assert.match(text, /^scanschedule_runs\{phase="Running"\} 0$/m);
    assert.match(text, /^scanschedule_runs\{phase="Succeeded"\} 6$/m);
  });

  it('feeds work-queue adds, retries and depth through the observer', async () => {
    const metrics = new ControllerMetrics();
    const observer = metrics.workqueueObserver();
    observer.added();
    observer.added();
    observer.retried();
    observer.depthChanged(7);
    const text = await metrics.exposition();
    assert.match(text, /^scanschedule_workqueue_adds_total 2$/m);
    assert.match(text, /^scanschedule_workqueue_retries_total 1$/m);
    assert.match(text, /^scanschedule_workqueue_depth 7$/m);
  });

  it('reports each cached schedule’s Ready condition as 1 or 0, and forgets a deleted schedule', async () => {
    const metrics = new ControllerMetrics();
    const schedule = (name: string, ready?: string) => ({
      metadata: { namespace: 'team-a', name },
      status: ready === undefined ? {} : { conditions: [{ type: 'Ready', status: ready }] },
    });
    metrics.setScheduleReadiness([schedule('ready', 'True'), schedule('stalled', 'False'), schedule('new')]);
    let text = await metrics.exposition();
    assert.match(text, /^scanschedule_schedule_ready\{namespace="team-a",schedule="ready"\} 1$/m);
    assert.match(text, /^scanschedule_schedule_ready\{namespace="team-a",schedule="stalled"\} 0$/m);
    assert.match(text, /^scanschedule_schedule_ready\{namespace="team-a",schedule="new"\} 0$/m);
    metrics.setScheduleReadiness([schedule('ready', 'True')]);
    text = await metrics.exposition();
    assert.doesNotMatch(text, /schedule="stalled"/);
  });

  it('adds Node process metrics only when asked', async () => {
    assert.doesNotMatch(await new ControllerMetrics().exposition(), /process_cpu/);
    assert.match(await new ControllerMetrics({ processMetrics: true }).exposition(), /process_cpu/);
  });
});
