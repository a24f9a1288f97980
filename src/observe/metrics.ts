// The controller's Prometheus metrics (docs/design.md §5), in a registry of their own so tests and several
// controllers in one process never collide on prom-client's global registry.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** How often the event-loop-delay histogram (nodejs_eventloop_lag_*) samples. */
export const EVENT_LOOP_SAMPLE_MS = 100;

/** Outcome label of scanschedule_reconcile_total, named as controller-runtime names it. */
export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after' | 'deferred';
export const RECONCILE_RESULTS: readonly ReconcileResult[] = [
  'success',
  'error',
  'requeue',
  'requeue_after',
  'deferred',
];

export const METRIC_NAMES = {
  reconcileTotal: 'scanschedule_reconcile_total',
  reconcileDuration: 'scanschedule_reconcile_duration_seconds',
  workqueueDepth: 'scanschedule_workqueue_depth',
  workqueueAdds: 'scanschedule_workqueue_adds_total',
  workqueueRetries: 'scanschedule_workqueue_retries_total',
  leader: 'scanschedule_leader',
  shardCount: 'scanschedule_shard_count',
  informerRestarts: 'scanschedule_informer_restarts_total',
  runCreationSkew: 'scanschedule_run_creation_skew_seconds',
  runs: 'scanschedule_runs',
  missedSchedules: 'scanschedule_missed_schedules_total',
  notifications: 'scanschedule_notifications_total',
  lastRunFindings: 'scanschedule_last_run_findings',
  lastRunSuccess: 'scanschedule_last_run_success',
  scheduleReady: 'scanschedule_schedule_ready',
} as const;

/** What metrics need of a finished run; structural, so observe/ imports nothing of the domain. */
export interface FinishedRunFacts {
  metadata: { namespace?: string; name?: string };
  status?: { phase?: string; findings?: Readonly<Record<'critical' | 'high' | 'medium' | 'low' | 'info', number>> };
}
export interface ScheduleFacts {
  metadata: { namespace?: string; name?: string };
}
/** What the readiness gauge needs of a schedule: its Ready condition. */
export interface ScheduleReadinessFacts extends ScheduleFacts {
  status?: { conditions?: readonly { type: string; status: string }[] };
}

const FINDING_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export interface MetricsSettings {
  /** Also export Node's process metrics (heap, event loop lag, CPU): useful in a cluster, noise in unit tests. */
  processMetrics?: boolean;
  /** The controller's shard (--shard-index, --shard-count); default 0 of 1. Structural: observe/ imports no domain. */
  shard?: { index: number; count: number };
}

export class ControllerMetrics {
  readonly registry = new Registry();

  readonly reconcileTotal = new Counter({
    name: METRIC_NAMES.reconcileTotal,
    help: 'Reconciles of ScanSchedules by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly reconcileDuration = new Histogram({
    name: METRIC_NAMES.reconcileDuration,
    help: 'Time to reconcile one ScanSchedule, API calls included.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly workqueueDepth = new Gauge({
    name: METRIC_NAMES.workqueueDepth,
    help: 'ScanSchedule keys waiting for a worker.',
    registers: [this.registry],
  });

  readonly workqueueAdds = new Counter({
    name: METRIC_NAMES.workqueueAdds,
    help: 'Keys added to the work queue (de-duplicated adds do not count).',
    registers: [this.registry],
  });

  readonly workqueueRetries = new Counter({
    name: METRIC_NAMES.workqueueRetries,
    help: 'Keys re-queued with backoff after a failed reconcile.',
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: METRIC_NAMES.leader,
    help: '1 while this replica holds the Lease of its shard and runs reconcilers, else 0 (shard "0" when not sharded).',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });

  readonly shardCount = new Gauge({
    name: METRIC_NAMES.shardCount,
    help: 'How many shards the namespaces are split into (--shard-count): each needs one leader.',
    registers: [this.registry],
  });

  readonly #shard: { shard: string };

  readonly informerRestarts = new Counter({
    name: METRIC_NAMES.informerRestarts,
    help: 'Informer restarts after a watch error or a stalled watch, by resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  // Seconds, not milliseconds: a run created at 02:00:07 for 02:00:00 shows as 7 in the 10 bucket.
  readonly runCreationSkew = new Histogram({
    name: METRIC_NAMES.runCreationSkew,
    help: 'Delay between a run’s nominal scheduled time and the creation of its ScanRun.',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  readonly runs = new Gauge({
    name: METRIC_NAMES.runs,
    help: 'ScanRuns known to the controller, by phase.',
    labelNames: ['phase'] as const,
    registers: [this.registry],
  });

  readonly missedSchedules = new Counter({
    name: METRIC_NAMES.missedSchedules,
    help: 'Scheduled times not run: older than startingDeadlineSeconds, or skipped for a later time (controller down or behind, Forbid).',
    registers: [this.registry],
  });

  readonly notifications = new Counter({
    name: METRIC_NAMES.notifications,
    help: 'Notification attempts by channel type and result (sent, retry, failed).',
    labelNames: ['type', 'result'] as const,
    registers: [this.registry],
  });

  // Per schedule: bounded by the number of schedules, which is what an operator alerts on.
  readonly lastRunFindings = new Gauge({
    name: METRIC_NAMES.lastRunFindings,
    help: 'Findings of the last finished run of each schedule, by severity (absent when unknown).',
    labelNames: ['namespace', 'schedule', 'severity'] as const,
    registers: [this.registry],
  });

  readonly lastRunSuccess = new Gauge({
    name: METRIC_NAMES.lastRunSuccess,
    help: '1 when the last finished run of the schedule succeeded, 0 when it failed or was cancelled.',
    labelNames: ['namespace', 'schedule'] as const,
    registers: [this.registry],
  });

  // Per schedule, like the last-run gauges: what the ScanScheduleNotReady alert watches.
  readonly scheduleReady = new Gauge({
    name: METRIC_NAMES.scheduleReady,
    help: '1 while the schedule’s Ready condition is True, 0 otherwise (stalled, invalid, not reconciled yet).',
    labelNames: ['namespace', 'schedule'] as const,
    registers: [this.registry],
  });

  /** Replaces the readiness gauge with the schedules in the cache; a deleted schedule's series goes. */
  setScheduleReadiness(schedules: readonly ScheduleReadinessFacts[]): void {
    this.scheduleReady.reset();
    for (const schedule of schedules) {
      const ready = schedule.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
      const labels = { namespace: schedule.metadata.namespace ?? '', schedule: schedule.metadata.name ?? '' };
      this.scheduleReady.set(labels, ready ? 1 : 0);
    }
  }

  /** Records the outcome of a run that just finished. */
  lastRunFinished(schedule: ScheduleFacts, run: FinishedRunFacts): void {
    const labels = { namespace: schedule.metadata.namespace ?? '', schedule: schedule.metadata.name ?? '' };
    this.lastRunSuccess.set(labels, run.status?.phase === 'Succeeded' ? 1 : 0);
    const findings = run.status?.findings;
    for (const severity of FINDING_SEVERITIES) {
      if (findings === undefined) this.lastRunFindings.remove({ ...labels, severity });
      else this.lastRunFindings.set({ ...labels, severity }, findings[severity]);
    }
  }

  /** Whether this replica leads its shard now. */
  setLeading(leading: boolean): void {
    this.leader.set(this.#shard, leading ? 1 : 0);
  }

  constructor(settings: MetricsSettings = {}) {
    this.#shard = { shard: String(settings.shard?.index ?? 0) };
    this.setLeading(false);
    this.shardCount.set(settings.shard?.count ?? 1);
    this.workqueueDepth.set(0);
    // Zero-valued series exist from the start, so rate() and alerts work before the first reconcile.
    for (const result of RECONCILE_RESULTS) this.reconcileTotal.inc({ result }, 0);
    // The event-loop-delay histogram samples every 10 ms by default: 100 wakeups a second were all of an idle
    // controller's CPU (0.33 CPU s/min). Every 100 ms still records any stall longer than that.
    if (settings.processMetrics) {
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    }
  }

  /** Records one reconcile. */
  reconciled(result: ReconcileResult, seconds: number): void {
    this.reconcileTotal.inc({ result });
    this.reconcileDuration.observe(seconds);
  }

  readonly #reportedPhases = new Set<string>();

  /** Replaces the runs-by-phase gauge; a phase reported before and missing from `counts` drops to 0. */
  setRunsByPhase(counts: Readonly<Record<string, number>>): void {
    for (const phase of Object.keys(counts)) this.#reportedPhases.add(phase);
    for (const phase of this.#reportedPhases) this.runs.set({ phase }, counts[phase] ?? 0);
  }

  /** Shape of ScheduleKeyQueue's observer, wired by the caller so observe/ imports nothing of kube/. */
  workqueueObserver(): { added(): void; retried(): void; depthChanged(depth: number): void } {
    return {
      added: () => this.workqueueAdds.inc(),
      retried: () => this.workqueueRetries.inc(),
      depthChanged: (depth) => this.workqueueDepth.set(depth),
    };
  }

  #beforeScrape: (() => void) | undefined;

  /**
   * `sample` runs at each scrape, before the text is written: gauges read from whole caches (runs by phase,
   * schedule readiness) cost O(schedules) per scrape instead of per timer tick, and nothing while no one scrapes.
   */
  sampleOnScrape(sample: () => void): void {
    this.#beforeScrape = sample;
  }

  /** Text exposition format for /metrics. */
  exposition(): Promise<string> {
    this.#beforeScrape?.();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
