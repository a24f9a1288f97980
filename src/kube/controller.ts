// `scanschedule controller`: informers warm on every replica, the reconcile workers run only on the leader.
// Informer events only enqueue schedule keys; a worker reconciles one key at a time (core/reconcile.ts) and
// maps its errors to queue actions through processKey (process-key.ts, STYLE S7). startController wires the
// named steps: make the informers, start the servers, start the informers, run the workers when leading.
import { hostname } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  type KubeConfig,
  type V1Job,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  GROUP,
  LABEL_MANAGED_BY,
  LABEL_SCHEDULE,
  MANAGED_BY,
  SCAN_RUN_PLURAL,
  SCAN_SCHEDULE_PLURAL,
  type ScanRun,
  type ScanSchedule,
  VERSION,
} from '../api/types.ts';
import { type ReconcileDeps, reconcileSchedule } from '../core/reconcile.ts';
import { ownsNamespace, type Shard, WHOLE_CLUSTER } from '../core/shards.ts';
import { type RunningHealthServer, startOptionalHealthServer } from '../observe/health-server.ts';
import type { Logger } from '../observe/logger.ts';
import { ControllerMetrics } from '../observe/metrics.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, makeApiClientWithDeadline } from './api-clients.ts';
import { type ListPage, listCustomObjects, ScanObjects } from './custom-objects.ts';
import { EventRecorder, KubeEventSink } from './event-recorder.ts';
import { JsonWrites } from './json-writes.ts';
import { KubeCluster } from './kube-cluster.ts';
import {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_LEASE_NAME,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  KubeLeaseLock,
  LeaderElector,
} from './leader-election.ts';
import { KubeNotificationPort } from './notification-port.ts';
import { LANE_COUNT, Lane, processKey, workOrderOf } from './process-key.ts';
import { type CachedObject, collectionPath, type ObjectList, ResilientInformer } from './resilient-informer.ts';
import { KubeLeaseLister, ShardCountFence } from './shard-count-fence.ts';
import { StringPool } from './string-pool.ts';
import { ScheduleKeyQueue } from './work-queue.ts';

export interface ControllerSettings {
  kubeConfig: KubeConfig;
  /** Watch one namespace; undefined: all. */
  namespace: string | undefined;
  /**
   * The namespaces this controller reconciles, by hash (core/shards.ts): shard k of S, with a Lease of its own.
   * Default: the whole cluster, one Lease.
   */
  shard?: Shard;
  leaderElect: boolean;
  leaderElectNamespace: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  maxConcurrentReconciles: number;
  scannerImage: string;
  /** Our own image: the scan pod's report step runs `scanschedule report` from it. */
  reportImage: string;
  /** Send notifications to link-local / cloud-metadata addresses (169.254.0.0/16 …): off by default. */
  allowLinkLocalNotificationTargets: boolean;
  log: Logger;
  /** Pod name; unique per replica. */
  identity?: string;
  /** Deadline of each API request. Default 30 s. */
  requestTimeoutMs?: number;
}

/** The settings a controller runs with unless told otherwise: the flags' defaults (controller-runtime's). */
export const CONTROLLER_DEFAULTS = {
  namespace: undefined,
  leaderElect: true,
  leaderElectNamespace: 'default',
  leaseDurationMs: DEFAULT_LEASE_DURATION_MS,
  renewDeadlineMs: DEFAULT_RENEW_DEADLINE_MS,
  retryPeriodMs: DEFAULT_RETRY_PERIOD_MS,
  metricsBindAddress: ':8080',
  healthProbeBindAddress: ':8081',
  maxConcurrentReconciles: 16,
  scannerImage: 'ghcr.io/jimmy058910/jmo-security:latest',
  reportImage: 'ghcr.io/jmo-security/scanschedule:0.1.0',
  allowLinkLocalNotificationTargets: false,
} as const satisfies Omit<ControllerSettings, 'kubeConfig' | 'log'>;

/** For a controller on this machine (npm start, tests, benchmarks): no Lease, ports the OS picks. */
export const LOCAL_CONTROLLER_SETTINGS = {
  ...CONTROLLER_DEFAULTS,
  leaderElect: false,
  metricsBindAddress: '127.0.0.1:0',
  healthProbeBindAddress: '127.0.0.1:0',
} as const satisfies Omit<ControllerSettings, 'kubeConfig' | 'log'>;

export interface RunningController {
  /**
   * Resolves when the controller has stopped, with the reason. 'lost-leadership' resolves the moment the lease is
   * lost: in-flight API calls are aborted and nothing waits for them (the process should exit, as client-go's do).
   */
  readonly done: Promise<'stopped' | 'lost-leadership'>;
  /** Undefined when the address is 0 (disabled). */
  readonly metricsPort: number | undefined;
  readonly healthPort: number | undefined;
  /** Stops taking work, finishes in-flight reconciles, releases the lease. */
  stop(): Promise<void>;
}

/** One notification attempt, from the Secret read to the receiver's status line. */
const NOTIFICATION_TIMEOUT_MS = 10_000;

const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

/** The API clients every request of a leader goes through; aborted when leadership is lost. */
interface ApiClients {
  customObjects: CustomObjectsApi;
  batch: BatchV1Api;
  core: CoreV1Api;
}

/** The four caches a reconcile reads, and whether all of them can be trusted right now. */
interface Informers {
  schedules: ResilientInformer<ScanSchedule>;
  runs: ResilientInformer<ScanRun>;
  jobs: ResilientInformer<V1Job>;
  pods: ResilientInformer<V1Pod>;
  all: readonly Pick<ResilientInformer<CachedObject>, 'start' | 'stop' | 'isFresh' | 'whenFresh'>[];
  /**
   * A cache that is re-listing after a restart may be missing what another replica or a user did meanwhile;
   * deciding from it can cancel, re-create or overwrite. Readiness and every reconcile wait for all to be fresh.
   */
  fresh(): boolean;
  whenFresh(): Promise<void>;
}

/** Builds the informers (not yet started); every change enqueues the key of the schedule it belongs to. */
function makeInformers(
  settings: ControllerSettings,
  clients: ApiClients,
  enqueue: (namespace: string | undefined, name: string | undefined, lane?: number) => void,
  metrics: ControllerMetrics,
): Informers {
  const { kubeConfig, namespace, log } = settings;
  const { customObjects, batch, core } = clients;
  const shard = settings.shard ?? WHOLE_CLUSTER;
  // Another shard's objects are not cached: memory divides by the shard count (the watch traffic does not).
  const keep =
    shard.count === 1
      ? undefined
      : (object: CachedObject): boolean => ownsNamespace(shard, object.metadata?.namespace ?? '');
  // Runs, Jobs and pods carry their schedule's name as a label: their changes reconcile the schedule. In the
  // status lane: what they bring (a run's progress, the echo of a create whose response came after its watch
  // event) must not cut in front of a burst's due runs and Jobs; after the queue's MAX_LANE_WAIT_MS it shares
  // the workers with them.
  const enqueueOwner = (object: { metadata?: { namespace?: string; labels?: Record<string, string> } }): void =>
    enqueue(object.metadata?.namespace, object.metadata?.labels?.[LABEL_SCHEDULE], Lane.Status);
  // One pool for all informers: a run and its Job share their scheduled time, labels and namespace.
  const strings = new StringPool();
  const informer = <T extends CachedObject>(
    resource: string,
    group: string,
    version: string,
    list: (page: ListPage) => Promise<unknown>,
    labelSelector: string | undefined,
    onEvent: (object: T) => void,
  ): ResilientInformer<T> =>
    new ResilientInformer<T>({
      resource,
      kubeConfig,
      path: collectionPath({ group, version, plural: resource, namespace }),
      labelSelector,
      list: async (options) =>
        (await list({
          labelSelector: options.labelSelector,
          limit: options.limit,
          _continue: options.continue,
        })) as ObjectList<T>,
      onEvent: (_type, object) => onEvent(object),
      ...(keep !== undefined && { keep }),
      strings,
      onRestart: () => metrics.informerRestarts.inc({ resource }),
      log,
    });

  const customList = (plural: string) => (page: ListPage) => listCustomObjects(customObjects, plural, namespace, page);
  const schedules = informer<ScanSchedule>(
    SCAN_SCHEDULE_PLURAL,
    GROUP,
    VERSION,
    customList(SCAN_SCHEDULE_PLURAL),
    undefined,
    (s) => enqueue(s.metadata.namespace, s.metadata.name),
  );
  const runs = informer<ScanRun>(
    SCAN_RUN_PLURAL,
    GROUP,
    VERSION,
    customList(SCAN_RUN_PLURAL),
    MANAGED_SELECTOR,
    enqueueOwner,
  );
  const jobs = informer<V1Job>(
    'jobs',
    'batch',
    'v1',
    (page) =>
      namespace === undefined ? batch.listJobForAllNamespaces(page) : batch.listNamespacedJob({ namespace, ...page }),
    MANAGED_SELECTOR,
    enqueueOwner,
  );
  const pods = informer<V1Pod>(
    'pods',
    '',
    'v1',
    (page) =>
      namespace === undefined ? core.listPodForAllNamespaces(page) : core.listNamespacedPod({ namespace, ...page }),
    MANAGED_SELECTOR,
    enqueueOwner,
  );
  const all = [schedules, runs, jobs, pods];
  const fresh = (): boolean => all.every((i) => i.isFresh());
  const whenFresh = async (): Promise<void> => {
    while (!fresh()) await Promise.all(all.map((i) => i.whenFresh()));
  };
  return { schedules, runs, jobs, pods, all, fresh, whenFresh };
}

/** The metrics and health servers that are enabled (an address of 0 disables one). */
async function startServers(
  settings: ControllerSettings,
  metrics: ControllerMetrics,
  probes: { workersAlive: () => boolean; informersFresh: () => boolean },
): Promise<{ metricsServer: RunningHealthServer | undefined; healthServer: RunningHealthServer | undefined }> {
  const metricsServer = await startOptionalHealthServer({ address: settings.metricsBindAddress, metrics });
  const healthServer = await startOptionalHealthServer({
    address: settings.healthProbeBindAddress,
    liveness: { ping: () => true, workers: probes.workersAlive },
    readiness: { informers: probes.informersFresh },
  });
  return { metricsServer, healthServer };
}

/**
 * The Lease that fences one shard: the whole cluster keeps the name it always had, so an unsharded upgrade changes
 * nothing, and each shard of S has its own. Leases of two counts do not fence each other; ShardCountFence does.
 */
export function leaseName(shard: Shard): string {
  return shard.count === 1 ? DEFAULT_LEASE_NAME : `${DEFAULT_LEASE_NAME}-shard-${shard.index}-of-${shard.count}`;
}

/**
 * Calls `onStartedLeading` once this replica holds the Lease (at once without leader election) and
 * `onStoppedLeading` when it loses it; returns the elector to stop, if any. With leader election, no Lease is
 * sought while a controller of another shard count holds one, and `onYield` is called instead of
 * `onStartedLeading` when one turns out to have been taken in the same instant (shard-count-fence.ts).
 */
function runWhenLeading(
  settings: ControllerSettings,
  identity: string,
  metrics: ControllerMetrics,
  handlers: {
    onStartedLeading: () => void;
    onStoppedLeading: () => void;
    onYield: (leases: readonly string[]) => void;
    stopping: () => boolean;
  },
): LeaderElector | undefined {
  const { kubeConfig, log } = settings;
  if (!settings.leaderElect) {
    metrics.setLeading(true);
    handlers.onStartedLeading();
    return undefined;
  }
  const shard = settings.shard ?? WHOLE_CLUSTER;
  // A renewal that hangs past the renew deadline is a failed renewal anyway.
  const coordination = makeApiClientWithDeadline(kubeConfig, CoordinationV1Api, {
    timeoutMs: settings.renewDeadlineMs,
  });
  const fence = new ShardCountFence({
    lister: new KubeLeaseLister(coordination, settings.leaderElectNamespace),
    shardCount: shard.count,
    retryPeriodMs: settings.retryPeriodMs,
    log,
  });
  const elector: LeaderElector = new LeaderElector({
    identity,
    lock: new KubeLeaseLock(coordination, settings.leaderElectNamespace, leaseName(shard)),
    leaseDurationMs: settings.leaseDurationMs,
    renewDeadlineMs: settings.renewDeadlineMs,
    retryPeriodMs: settings.retryPeriodMs,
    onStartedLeading: () => {
      void (async () => {
        const others = await fence.othersLiveAfterAcquiring(() => handlers.stopping() || !elector.isLeader());
        if (handlers.stopping() || !elector.isLeader()) return;
        if (others.length > 0) {
          handlers.onYield(others);
          return;
        }
        metrics.setLeading(true);
        log.info({ identity }, 'became leader');
        handlers.onStartedLeading();
      })();
    },
    onStoppedLeading: () => {
      metrics.setLeading(false);
      handlers.onStoppedLeading();
    },
    onNewLeader: (leader) => log.info({ leader }, 'observed leader'),
    log,
  });
  // run() after stop() returns at once, so a stop during the wait needs nothing more.
  void fence.waitUntilAlone(handlers.stopping).then(() => elector.run());
  return elector;
}

export async function startController(settings: ControllerSettings): Promise<RunningController> {
  const { kubeConfig, namespace, log } = settings;
  const identity = settings.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const metrics = new ControllerMetrics({ processMetrics: true, shard: settings.shard ?? WHOLE_CLUSTER });
  const queue = new ScheduleKeyQueue({ observer: metrics.workqueueObserver(), lanes: LANE_COUNT });
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Aborted when leadership is lost: a write still in flight then must not land after another leader started.
  const leadership = new AbortController();
  const clients: ApiClients = {
    customObjects: makeApiClientWithDeadline(kubeConfig, CustomObjectsApi, { timeoutMs, signal: leadership.signal }),
    batch: makeApiClientWithDeadline(kubeConfig, BatchV1Api, { timeoutMs, signal: leadership.signal }),
    core: makeApiClientWithDeadline(kubeConfig, CoreV1Api, { timeoutMs, signal: leadership.signal }),
  };

  const enqueue = (namespace: string | undefined, name: string | undefined, lane: number = Lane.Runs): void => {
    if (namespace !== undefined && name !== undefined) queue.add(`${namespace}/${name}`, lane);
  };
  const informers = makeInformers(settings, clients, enqueue, metrics);
  const { schedules, runs, jobs, pods, fresh, whenFresh } = informers;

  const events = new EventRecorder({
    sink: new KubeEventSink(makeApiClientWithDeadline(kubeConfig, EventsV1Api, { timeoutMs })),
    reportingInstance: identity,
    log,
  });
  const writes = new JsonWrites(kubeConfig, { timeoutMs, signal: leadership.signal });
  const deps: ReconcileDeps = {
    cluster: new KubeCluster({
      schedules,
      runs,
      jobs,
      pods,
      objects: new ScanObjects(clients.customObjects, writes),
      batch: clients.batch,
      writes,
      events,
    }),
    clock: () => new Date(),
    scannerImage: settings.scannerImage,
    reportImage: settings.reportImage,
    notifications: new KubeNotificationPort({
      core: clients.core,
      timeoutMs: NOTIFICATION_TIMEOUT_MS,
      allowLinkLocal: settings.allowLinkLocalNotificationTargets,
    }),
    observer: {
      runCreated: (_run, skewSeconds) => metrics.runCreationSkew.observe(Math.max(0, skewSeconds)),
      missedSchedule: (_schedule, count) => metrics.missedSchedules.inc(count),
      runFinished: (schedule, run) => metrics.lastRunFinished(schedule, run),
      notification: (type, result) => metrics.notifications.inc({ type, result }),
    },
  };

  let reconcileCount = 0;
  const worker = async (key: string): Promise<void> => {
    // A reconcile that only reads the caches never waits on I/O; were a key ever requeued with no delay, the
    // workers would starve watches, timers and the health server. One turn of the event loop per key prevents it.
    await yieldToEventLoop();
    if (!fresh()) {
      // A cache went stale after this key was taken: back to its lane, whose workers wait for freshness.
      queue.add(key, queue.takenFrom(key) ?? Lane.Runs);
      return;
    }
    const [ns = '', name = ''] = key.split('/');
    const started = performance.now();
    const reconcileLog = log.child({ scanschedule: key, reconcileId: ++reconcileCount });
    const order = workOrderOf(queue.takenFrom(key) ?? Lane.Runs, queue);
    const result = await processKey(
      key,
      () => reconcileSchedule({ namespace: ns, name }, deps, order),
      queue,
      reconcileLog,
    );
    metrics.reconciled(result, (performance.now() - started) / 1000);
  };
  metrics.sampleOnScrape(() => {
    metrics.setRunsByPhase(runsByPhase(runs.list()));
    metrics.setScheduleReadiness(schedules.list());
  });

  let stopping = false;
  let workersStarted = false;
  const workersAlive = (): boolean =>
    stopping || !workersStarted || queue.runningWorkers >= Math.max(1, settings.maxConcurrentReconciles);
  const { metricsServer, healthServer } = await startServers(settings, metrics, {
    workersAlive,
    informersFresh: fresh,
  });
  const servers = [metricsServer, healthServer].filter((server) => server !== undefined);

  for (const i of informers.all) i.start();
  const shard = settings.shard ?? WHOLE_CLUSTER;
  log.info(
    { namespace: namespace ?? '(all)', identity, shard: `${shard.index} of ${shard.count}` },
    'informers started',
  );

  let workers: Promise<void> | undefined;
  const startWorkers = (): void => {
    if (workers !== undefined || stopping) return;
    workers = (async () => {
      await whenFresh();
      if (stopping) return;
      log.info({ concurrency: settings.maxConcurrentReconciles }, 'caches fresh, reconciling');
      // Every schedule once at start: a run due while no leader was reconciling must not wait for an event.
      for (const s of schedules.list()) enqueue(s.metadata.namespace, s.metadata.name);
      workersStarted = true;
      // Keys stay queued while a cache is stale.
      await queue.run(worker, settings.maxConcurrentReconciles, { beforeTake: whenFresh });
      if (!stopping) throw new Error('the worker loops ended without a shutdown');
    })().catch((error: unknown) => {
      // /healthz fails from here on (workersAlive), so the kubelet restarts the process.
      if (!stopping) log.error({ err: error }, 'workers stopped');
    });
  };

  let resolveDone: (reason: 'stopped' | 'lost-leadership') => void = () => {};
  const done = new Promise<'stopped' | 'lost-leadership'>((resolve) => {
    resolveDone = resolve;
  });

  const elector = runWhenLeading(settings, identity, metrics, {
    onStartedLeading: startWorkers,
    onStoppedLeading: () => {
      if (stopping) return;
      // Another replica may already be reconciling: stop at once rather than race it (like client-go users).
      log.error({ identity }, 'lost leadership, exiting');
      loseLeadership();
    },
    onYield: (leases) => {
      log.error(
        { identity, leases },
        'a controller of another shard count took its Lease in the same instant; yielding: exiting, the pod campaigns again',
      );
      loseLeadership();
      // Hands our Lease back at once, so the other count need not wait for it to expire.
      void elector?.stop();
    },
    stopping: () => stopping,
  });

  async function release(): Promise<void> {
    await Promise.all(informers.all.map((i) => i.stop()));
    await events.close();
    await Promise.all(servers.map((s) => s.close()));
  }

  /** No draining: every write in flight is aborted and done resolves now; the rest is let go in the background. */
  function loseLeadership(): void {
    stopping = true;
    leadership.abort(new Error('lost leadership'));
    void queue.shutdown();
    resolveDone('lost-leadership');
    release().catch((error: unknown) => log.warn({ err: error }, 'cleaning up after lost leadership failed'));
  }

  async function stop(): Promise<void> {
    if (stopping) return done.then(() => undefined);
    stopping = true;
    log.info({}, 'stopping: finishing in-flight reconciles');
    await queue.shutdown();
    await workers;
    await elector?.stop();
    await release();
    resolveDone('stopped');
  }

  return {
    done,
    metricsPort: metricsServer?.port,
    healthPort: healthServer?.port,
    stop,
  };
}

function runsByPhase(runs: readonly ScanRun[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const run of runs) {
    const phase = run.status?.phase ?? 'Pending';
    counts[phase] = (counts[phase] ?? 0) + 1;
  }
  return counts;
}
