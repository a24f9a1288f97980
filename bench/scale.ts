// Issue 10: N schedules due at the same instant, measured against the two things that bound it, on one real
// control plane per N (etcd + kube-apiserver on this machine):
//   (a) the raw-create bound: N ScanRuns and their N Jobs created by a bare keep-alive HTTPS client, at the best
//       of a few concurrencies;
//   (b) ours: N ScanSchedules (Allow) in 10 namespaces, the controller in its own process and memory cgroup
//       (the chart's limit, bench/memory-cgroup.ts), started with the
//       Node.js flags of the image's ENTRYPOINT (RSS and CPU are its own): startup until every
//       schedule has status.nextScheduleTime (seen through a watch), beside its own raw bound (the same N status
//       patches by a bare client), idle CPU and RSS; then all due at one minute boundary (see
//       cronDueOnlyAt): time until the last ScanRun's Job exists, run-creation skew, RSS during the burst,
//       CPU, API-server writes and reads per run by type, Events by reason;
//   (c) kube-controller-manager's CronJob controller alone (--controllers=cronjob-controller, qps/burst 1000) on
//       N CronJobs due at one minute boundary in 10 other namespaces: the same figures per Job;
//   (d) with --shards S, after (b): the same burst again with S controller processes, shard k of S each
//       (`--shard-count S --shard-index k`): does splitting the controller help on this machine?
// Prints one table per N and a summary with the ratios the issue asks for. Asserts nothing (not part of npm test).
//
//   node bench/scale.ts [--n 1000,5000,10000] [--idle-seconds 30] [--shards 2] [--ours-only]
//   (npm run bench:scale)
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import {
  API_VERSION,
  LABEL_MANAGED_BY,
  MANAGED_BY,
  SCAN_SCHEDULE_KIND,
  type ScanRun,
  type ScanSchedule,
} from '../src/api/types.ts';
import { jobForRun } from '../src/core/job-for-run.ts';
import { newRun } from '../src/core/new-run.ts';
import { scheduledRunName } from '../src/core/run-names.ts';
import { shardOfNamespace } from '../src/core/shards.ts';
import { LOCAL_CONTROLLER_SETTINGS } from '../src/kube/controller.ts';
import { type ControlPlane, startControlPlane } from '../test/controlplane/control-plane.ts';
import {
  CONTROLLER_NODE_FLAGS,
  type ControllerProcess,
  memoryLimitNote,
  peakRssSampler,
  procCpuSeconds,
  rssOfPid,
  startControllerProcess,
  untilReconciled,
} from './controller-process.ts';

const NAMESPACES = 10;
const OURS_NS = (i: number): string => `bench-${i}`;
const KCM_NS = (i: number): string => `kcm-${i}`;
const RAW_CONCURRENCIES = [16, 48];
const SETUP_CONCURRENCY = 32;
const SKEW_BUCKETS = [0, 1, 2, 3, 5, 10, 20, 30, 60];
const CRON_IDLE = '0 0 1 1 *';
const CRON_EVERY_MINUTE = '* * * * *';
/**
 * `* * * * *` makes every schedule due at every minute; the burst measured is one of those minutes. Due only at
 * that minute (a daily cron on its hour and minute), the schedules are due at exactly the same instant but the
 * minutes before it create nothing while the bench sets up, and the one after it nothing while it measures.
 */
function cronDueOnlyAt(boundaryMs: number): string {
  const at = new Date(boundaryMs);
  return `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}
/**
 * How long after the boundary a burst is followed. The schedules are due only at that one minute (cronDueOnlyAt),
 * so a burst may run past it without the next minute adding runs: long enough for every run of a large N.
 */
function burstWindowMs(n: number): number {
  return Math.max(58_000, n * 30);
}
const KCM_SCHEDULED_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const MiB = 1024 * 1024;

// ---- a bare HTTPS client with the admin certificate (what the raw bound and the bench's own setup use)

interface Response {
  status: number;
  body: string;
}

interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; namespace?: string; resourceVersion?: string } };
}

interface BareClient {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<Response>;
  /** Streams a watch, opened again where it left off if the server ends it; returns a stop function. */
  watch(path: string, onEvent: (event: WatchEvent) => void): () => void;
  close(): void;
}

function bareClient(kubeconfigPath: string, maxSockets: number): BareClient {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const cluster = config.getCurrentCluster();
  const user = config.getCurrentUser();
  if (cluster?.caData === undefined || user?.certData === undefined || user.keyData === undefined) {
    throw new Error(`${kubeconfigPath}: expected inlined certificate-authority-data, client-certificate-data and key`);
  }
  const tls = {
    ca: Buffer.from(cluster.caData, 'base64'),
    cert: Buffer.from(user.certData, 'base64'),
    key: Buffer.from(user.keyData, 'base64'),
  };
  const agent = new Agent({ keepAlive: true, maxSockets, ...tls });
  const server = new URL(cluster.server);
  const call = (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const outgoing = request(
        {
          host: server.hostname,
          port: server.port,
          path,
          method,
          agent,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined && { 'content-type': contentType }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  // The API server closes a watch whose reader falls behind (a saturated box starves this process too): it is
  // opened again from the last resourceVersion seen, so no event is lost and a burst is never under-counted.
  const watch = (path: string, onEvent: (event: WatchEvent) => void): (() => void) => {
    let stopped = false;
    let resourceVersion: string | undefined;
    let outgoing: ReturnType<typeof request> | undefined;
    const open = (): void => {
      let ended = false;
      // 'close' and 'error' may both come: one reopen per connection.
      const reopen = (): void => {
        if (ended || stopped) return;
        ended = true;
        console.warn(`bench: the API server ended a watch (${path}); reopened from resourceVersion ${resourceVersion}`);
        setTimeout(() => {
          if (!stopped) open();
        }, 100);
      };
      const from = resourceVersion === undefined ? '' : `&resourceVersion=${resourceVersion}`;
      outgoing = request({ host: server.hostname, port: server.port, path: `${path}${from}`, agent: false, ...tls });
      outgoing.on('response', (response) => {
        let rest = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) {
            if (line === '') continue;
            const event = JSON.parse(line) as WatchEvent;
            // 410 Gone: that version is compacted away; the next watch starts from the current state.
            if (event.type === 'ERROR') resourceVersion = undefined;
            else resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
            onEvent(event);
          }
        });
        response.on('error', () => {});
        response.on('close', reopen);
      });
      outgoing.on('error', reopen);
      outgoing.end();
    };
    open();
    return () => {
      stopped = true;
      outgoing?.destroy();
    };
  };
  return { call, watch, close: () => agent.destroy() };
}

async function must(client: BareClient, method: string, path: string, body?: unknown, type?: string): Promise<string> {
  const response = await client.call(method, path, body, type);
  if (response.status >= 300)
    throw new Error(`${method} ${path}: HTTP ${response.status} ${response.body.slice(0, 300)}`);
  return response.body;
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

// ---- API-server metrics: writes by verb and resource, and its own CPU

interface ServerCounters {
  writes: Map<string, number>;
  reads: Map<string, number>;
  cpuSeconds: number;
}

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION']);

async function serverCounters(client: BareClient): Promise<ServerCounters> {
  const text = await must(client, 'GET', '/metrics');
  const writes = new Map<string, number>();
  const reads = new Map<string, number>();
  let cpuSeconds = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('process_cpu_seconds_total ')) cpuSeconds = Number(line.split(' ')[1]);
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const verb = labels.verb ?? '';
    if (verb === 'WATCH') continue;
    const counts = WRITE_VERBS.has(verb) ? writes : reads;
    const key = `${verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return { writes, reads, cpuSeconds };
}

function countsBetween(
  before: ServerCounters,
  after: ServerCounters,
  kind: 'writes' | 'reads' = 'writes',
): Map<string, number> {
  const diff = new Map<string, number>();
  for (const [key, value] of after[kind]) {
    const delta = value - (before[kind].get(key) ?? 0);
    if (delta > 0) diff.set(key, delta);
  }
  return diff;
}

const total = (writes: Map<string, number>): number => [...writes.values()].reduce((a, b) => a + b, 0);

// ---- figures

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

interface Skew {
  p50: number;
  p99: number;
  max: number;
  histogram: string;
}

function skewOf(seconds: number[]): Skew {
  const sorted = [...seconds].sort((a, b) => a - b);
  const counts = SKEW_BUCKETS.map((le) => sorted.filter((s) => s <= le).length);
  const histogram = SKEW_BUCKETS.map((le, i) => `≤${le}s:${(counts[i] ?? 0) - (counts[i - 1] ?? 0)}`)
    .concat(`>60s:${sorted.length - (counts.at(-1) ?? 0)}`)
    .filter((cell) => !cell.endsWith(':0'))
    .join(' ');
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN, histogram };
}

const s1 = (ms: number): string => (ms / 1000).toFixed(1);
const mib = (bytes: number): string => (bytes / MiB).toFixed(0);

/** kube-controller-manager of this control plane: the one whose command line names its kubeconfig. */
function kcmPid(controlPlane: ControlPlane): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('kube-controller-manager') && cmdline.includes(controlPlane.kubeconfigPath)) {
        return Number(entry);
      }
    } catch {}
  }
  return undefined;
}

/** The next minute boundary at least `marginMs` from now. */
function nextBoundary(marginMs: number): number {
  return Math.ceil((Date.now() + marginMs) / 60_000) * 60_000;
}

function warnIfLate(boundary: number): void {
  if (Date.now() > boundary - 5_000) {
    console.error('warning: setup ran into the measured minute; its writes count against the burst');
  }
}

async function sleepUntil(ms: number): Promise<void> {
  const wait = ms - Date.now();
  if (wait > 0) await sleep(wait);
}

/** Watches Jobs; resolves with the arrival time (ms) of the `count`-th new one, or undefined after `deadlineMs`. */
function jobsArrive(
  client: BareClient,
  path: string,
  accept: (namespace: string) => boolean,
  count: number,
  deadlineMs: number,
): { arrived: Promise<{ lastMs: number | undefined; seen: number }>; stop: () => void } {
  const seen = new Set<string>();
  let lastMs: number | undefined;
  let resolveArrived: (value: { lastMs: number | undefined; seen: number }) => void = () => {};
  const arrived = new Promise<{ lastMs: number | undefined; seen: number }>((resolve) => {
    resolveArrived = resolve;
  });
  const stopWatch = client.watch(path, (event) => {
    const namespace = event.object.metadata?.namespace ?? '';
    if (event.type !== 'ADDED' || !accept(namespace)) return;
    seen.add(`${namespace}/${event.object.metadata?.name}`);
    lastMs = Date.now();
    if (seen.size >= count) resolveArrived({ lastMs, seen: seen.size });
  });
  const timer = setTimeout(() => resolveArrived({ lastMs, seen: seen.size }), Math.max(0, deadlineMs - Date.now()));
  return {
    arrived,
    stop: () => {
      clearTimeout(timer);
      stopWatch();
    },
  };
}

/**
 * Resolves with the time (performance.now()) the `count`-th schedule got status.nextScheduleTime, seen through one
 * watch. Polling full lists instead cost the API server a 10,000-object serialisation every poll: at 10,000 that
 * took as much of the 2 cores as the start-up being measured.
 */
function everyScheduleHasNext(client: BareClient, count: number, deadlineMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const withNext = new Set<string>();
    const timer = setTimeout(
      () => {
        stop();
        reject(new Error(`${withNext.size} of ${count} schedules had status.nextScheduleTime by the deadline`));
      },
      Math.max(0, deadlineMs - Date.now()),
    );
    const stop = client.watch(`${SCANRUNS}/scanschedules?watch=1&allowWatchBookmarks=false`, (watched) => {
      if (watched.type === 'ERROR') return;
      const event = watched as unknown as { type: string; object: ScanSchedule };
      const key = `${event.object.metadata.namespace}/${event.object.metadata.name}`;
      if (event.type === 'DELETED' || event.object.status?.nextScheduleTime === undefined) withNext.delete(key);
      else withNext.add(key);
      if (withNext.size < count) return;
      clearTimeout(timer);
      stop();
      resolve(performance.now());
    });
  });
}

/**
 * The physical bound of a fresh start: the same status (as the controller wrote it) merge-patched onto every
 * schedule by a bare HTTPS client at its best concurrency, with no controller running. Each patch moves
 * nextScheduleTime, so none is a no-op the API server could skip.
 */
async function rawStatusBound(
  kubeconfigPath: string,
  schedules: readonly ScanSchedule[],
  status: Record<string, unknown>,
): Promise<RawResult> {
  const results: { concurrency: number; ms: number }[] = [];
  for (const [round, concurrency] of RAW_CONCURRENCIES.entries()) {
    const client = bareClient(kubeconfigPath, concurrency);
    const nextScheduleTime = new Date(Date.UTC(2100, 0, 1 + round)).toISOString();
    const started = performance.now();
    await inParallel(schedules, concurrency, async (s) => {
      await must(
        client,
        'PATCH',
        `${SCANRUNS}/namespaces/${s.metadata.namespace}/scanschedules/${s.metadata.name}/status`,
        { status: { ...status, nextScheduleTime } },
        'application/merge-patch+json',
      );
    });
    results.push({ concurrency, ms: performance.now() - started });
    client.close();
  }
  return fastestOf(results);
}

/** Waits until the API server's write counters stop moving for `quietMs` (or `untilMs`). */
async function writesSettle(client: BareClient, quietMs: number, untilMs: number): Promise<void> {
  let last = total((await serverCounters(client)).writes);
  let quietSince = Date.now();
  while (Date.now() < untilMs && Date.now() - quietSince < quietMs) {
    await sleep(1_000);
    const now = total((await serverCounters(client)).writes);
    if (now !== last) quietSince = Date.now();
    last = now;
  }
}

interface Listed<T> {
  items: T[];
}

interface Meta {
  metadata: { name: string; namespace: string; creationTimestamp: string; annotations?: Record<string, string> };
}

async function listAll<T>(client: BareClient, path: string): Promise<T[]> {
  return (JSON.parse(await must(client, 'GET', path)) as Listed<T>).items;
}

async function deleteAll(
  client: BareClient,
  namespaces: readonly string[],
  collections: readonly string[],
): Promise<void> {
  for (const namespace of namespaces) {
    for (const collection of collections) {
      const [group, plural] = collection.split('|') as [string, string];
      await must(client, 'DELETE', `${group}/namespaces/${namespace}/${plural}?propagationPolicy=Background`);
    }
  }
}

const SCANRUNS = '/apis/jmo.security/v1alpha1';
const BATCH = '/apis/batch/v1';

// ---- the three measurements

interface RawResult {
  ms: number;
  concurrency: number;
  perConcurrency: string;
}

function scheduleBody(i: number, cron: string): ScanSchedule {
  return {
    apiVersion: API_VERSION,
    kind: SCAN_SCHEDULE_KIND,
    metadata: { name: `scan-${String(i).padStart(5, '0')}`, namespace: OURS_NS(i % NAMESPACES) },
    spec: {
      schedule: cron,
      timezone: 'UTC',
      concurrencyPolicy: 'Allow',
      jobTemplate: { profile: 'fast', targets: { repos_dir: '/repos' } },
      backend: { type: 'kubernetes', config: { image: 'ghcr.io/jimmy058910/jmo-security:latest' } },
    },
  };
}

async function rawBound(kubeconfigPath: string, n: number): Promise<RawResult> {
  const cleanup = bareClient(kubeconfigPath, 4);
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => OURS_NS(i));
  const scheduledMs = nextBoundary(0);
  const results: { concurrency: number; ms: number }[] = [];
  for (const concurrency of RAW_CONCURRENCIES) {
    const client = bareClient(kubeconfigPath, concurrency);
    const items = Array.from({ length: n }, (_, i) => {
      const schedule = scheduleBody(i, CRON_EVERY_MINUTE);
      schedule.metadata.uid = '00000000-0000-0000-0000-000000000000';
      return newRun(schedule, {
        name: scheduledRunName(schedule.metadata.name ?? '', scheduledMs),
        scheduledMs,
        trigger: 'schedule',
        timezone: 'UTC',
      });
    });
    const started = performance.now();
    await inParallel(items, concurrency, async (run) => {
      const namespace = run.metadata.namespace ?? '';
      const created = JSON.parse(await must(client, 'POST', `${SCANRUNS}/namespaces/${namespace}/scanruns`, run));
      const job = jobForRun(created as ScanRun, {
        scannerImage: LOCAL_CONTROLLER_SETTINGS.scannerImage,
        reportImage: LOCAL_CONTROLLER_SETTINGS.reportImage,
      });
      await must(client, 'POST', `${BATCH}/namespaces/${namespace}/jobs`, job);
    });
    results.push({ concurrency, ms: performance.now() - started });
    client.close();
    await deleteAll(cleanup, namespaces, [`${SCANRUNS}|scanruns`, `${BATCH}|jobs`]);
  }
  cleanup.close();
  return fastestOf(results);
}

/** The fastest of the timings at each concurrency tried, with all of them for the printout. */
function fastestOf(results: readonly { concurrency: number; ms: number }[]): RawResult {
  const best = results.reduce((a, b) => (b.ms < a.ms ? b : a));
  return { ...best, perConcurrency: results.map((r) => `c=${r.concurrency}: ${s1(r.ms)} s`).join(', ') };
}

interface BurstFigures {
  burstRss: number;
  /** The peak of the anonymous part of the controllers' RSS (ControllerProcess.rssAnonymous). */
  burstRssAnonymous: number;
  /** The controllers' V8 heap, used and total, summed, right after the burst (one scrape each). */
  heapAfterBurst: { used: number; total: number };
  /** Minute boundary until the N-th Job was seen (ms); undefined when not all arrived. */
  lastJobMs: number | undefined;
  jobsSeen: number;
  created: number;
  skew: Skew;
  writes: Map<string, number>;
  serverCpuMsPerRun: number;
  /** Events written in the burst, by reason: which of the writes per run are Events, and which kinds. */
  eventReasons: Map<string, number>;
  reads: Map<string, number>;
  /** The controller processes' CPU from the boundary to the end of the burst. */
  controllerCpuMsPerRun: number;
  /** Creation of each run's Job − nominal time: the scan's start, which may trail its run (the queue's lanes). */
  jobSkew: Skew;
}

/** The same burst with one controller process per shard (--shard-count, --shard-index). */
interface ShardedResult extends BurstFigures {
  processes: number;
  /** Schedules each shard owns, by shard index. */
  schedulesPerShard: number[];
}

interface BurstResult extends BurstFigures {
  startupMs: number;
  /** API writes from the controller's start until every schedule had its first status, settled. */
  startupWrites: Map<string, number>;
  /** The same N status writes by a bare client: the bound of a fresh start. */
  rawStatus: RawResult;
  /** A second controller started over the same, already reconciled schedules: until it has reconciled all. */
  restartMs: number;
  /** Status writes that restart made (the goal: none, the status is already right). */
  restartStatusWrites: number;
  idleCpuSecondsPerMin: number;
  idleRss: number;
  idleRssAnonymous: number;
  sharded: ShardedResult | undefined;
}

async function eventReasonsSince(client: BareClient, prefix: string, sinceMs: number): Promise<Map<string, number>> {
  const events = await listAll<{ metadata: { namespace: string }; reason?: string; eventTime?: string }>(
    client,
    '/apis/events.k8s.io/v1/events',
  );
  const reasons = new Map<string, number>();
  for (const event of events) {
    if (!event.metadata.namespace.startsWith(prefix) || Date.parse(event.eventTime ?? '') < sinceMs - 3_000) continue;
    const reason = event.reason ?? '(none)';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return reasons;
}

async function ours(
  controlPlane: ControlPlane,
  n: number,
  idleSeconds: number,
  shardCount: number,
): Promise<BurstResult> {
  const client = bareClient(controlPlane.kubeconfigPath, SETUP_CONCURRENCY);
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => OURS_NS(i));
  const schedules = Array.from({ length: n }, (_, i) => scheduleBody(i, CRON_IDLE));
  await inParallel(schedules, SETUP_CONCURRENCY, async (s) => {
    await must(client, 'POST', `${SCANRUNS}/namespaces/${s.metadata.namespace}/scanschedules`, s);
  });
  await writesSettle(client, 3_000, Date.now() + 60_000);
  const beforeStartup = await serverCounters(client);
  const started = performance.now();
  const allHaveNext = everyScheduleHasNext(client, n, Date.now() + 10 * 60_000);
  allHaveNext.catch(() => {}); // awaited below; this only keeps an early failure from being unhandled
  let controller: ControllerProcess | undefined = await startControllerProcess(controlPlane.kubeconfigPath, {
    nodeOptions: CONTROLLER_NODE_FLAGS,
  });
  let shards: ControllerProcess[] = [];
  try {
    const startupMs = (await allHaveNext) - started;
    await writesSettle(client, 3_000, Date.now() + 120_000);
    const startupWrites = countsBetween(beforeStartup, await serverCounters(client));
    const [firstSchedule] = await listAll<ScanSchedule>(client, `${SCANRUNS}/scanschedules?limit=1`);
    const freshStatus = { ...(firstSchedule?.status ?? {}) } as Record<string, unknown>;

    const cpuBefore = controller.cpuSeconds();
    await sleep(idleSeconds * 1000);
    const idleCpuSecondsPerMin = (controller.cpuSeconds() - cpuBefore) * (60 / idleSeconds);
    const idleRss = controller.rss();
    const idleRssAnonymous = controller.rssAnonymous();

    // A restart (a new leader, a rollout): every status is already right, so it should cost reads only.
    await controller.stop();
    const beforeRestart = await serverCounters(client);
    const restartStarted = performance.now();
    controller = await startControllerProcess(controlPlane.kubeconfigPath, { nodeOptions: CONTROLLER_NODE_FLAGS });
    await untilReconciled(controller, n);
    const restartMs = performance.now() - restartStarted;
    await writesSettle(client, 3_000, Date.now() + 60_000);
    const restartWrites = countsBetween(beforeRestart, await serverCounters(client));
    const restartStatusWrites = [...restartWrites].reduce(
      (sum, [key, count]) => sum + (key.endsWith('/status') ? count : 0),
      0,
    );

    const burst = await burstOfOurs(client, [controller], schedules);
    await controller.stop();
    controller = undefined;
    const rawStatus = await rawStatusBound(controlPlane.kubeconfigPath, schedules, freshStatus);
    let sharded: ShardedResult | undefined;
    if (shardCount > 1) {
      await deleteAll(client, namespaces, [`${SCANRUNS}|scanruns`, `${BATCH}|jobs`]);
      await writesSettle(client, 3_000, Date.now() + 120_000);
      shards = await Promise.all(
        Array.from({ length: shardCount }, (_, index) =>
          startControllerProcess(controlPlane.kubeconfigPath, {
            nodeOptions: CONTROLLER_NODE_FLAGS,
            shard: { index, count: shardCount },
            label: `shard ${index}`,
          }),
        ),
      );
      const schedulesPerShard = Array.from({ length: shardCount }, () => 0);
      for (const s of schedules) schedulesPerShard[shardOfNamespace(s.metadata.namespace ?? '', shardCount)]! += 1;
      const shardBurst = await burstOfOurs(client, shards, schedules);
      sharded = { processes: shards.length, schedulesPerShard, ...shardBurst };
    }
    await deleteAll(client, namespaces, [`${SCANRUNS}|scanschedules`, `${SCANRUNS}|scanruns`, `${BATCH}|jobs`]);
    return {
      startupMs,
      startupWrites,
      rawStatus,
      restartMs,
      restartStatusWrites,
      idleCpuSecondsPerMin,
      idleRss,
      idleRssAnonymous,
      ...burst,
      sharded,
    };
  } finally {
    await controller?.stop();
    await Promise.all(shards.map((shard) => shard.stop()));
    client.close();
  }
}

/**
 * One burst: every schedule patched to be due at the next boundary that leaves room for setup, then measured
 * from the boundary until the N-th Job exists and the writes settle. `controllers` (one, or one per shard)
 * are running; their CPU and RSS are summed.
 */
async function burstOfOurs(
  client: BareClient,
  controllers: readonly ControllerProcess[],
  schedules: readonly ScanSchedule[],
): Promise<BurstFigures> {
  const n = schedules.length;
  // Their status writes (nextScheduleTime) must be over before the boundary: the margin covers patching N
  // schedules and N status writes on a busy machine.
  const boundary = nextBoundary(20_000 + n * 20);
  await inParallel(schedules, SETUP_CONCURRENCY, async (s) => {
    await must(
      client,
      'PATCH',
      `${SCANRUNS}/namespaces/${s.metadata.namespace}/scanschedules/${s.metadata.name}`,
      { spec: { schedule: cronDueOnlyAt(boundary) } },
      'application/merge-patch+json',
    );
  });
  await writesSettle(client, 3_000, boundary - 5_000);
  warnIfLate(boundary);
  await sleepUntil(boundary - 3_000);
  const cpuSeconds = (): number => controllers.reduce((sum, c) => sum + c.cpuSeconds(), 0);
  const before = await serverCounters(client);
  const cpuAtBoundary = cpuSeconds();
  const jobs = jobsArrive(
    client,
    `${BATCH}/jobs?watch=1&labelSelector=${encodeURIComponent(`${LABEL_MANAGED_BY}=${MANAGED_BY}`)}`,
    (namespace) => namespace.startsWith('bench-'),
    n,
    boundary + burstWindowMs(n),
  );
  const peakRss = peakRssSampler(() => controllers.reduce((sum, c) => sum + c.rss(), 0));
  const peakRssAnonymous = peakRssSampler(() => controllers.reduce((sum, c) => sum + c.rssAnonymous(), 0));
  const { lastMs, seen } = await jobs.arrived;
  jobs.stop();
  await writesSettle(client, 3_000, boundary + burstWindowMs(n));
  const burstCpuSeconds = cpuSeconds() - cpuAtBoundary;
  const burstRss = peakRss();
  const burstRssAnonymous = peakRssAnonymous();
  const after = await serverCounters(client);
  const heaps = await Promise.all(
    controllers.map((c) => c.scrapeAll(['nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes'])),
  );
  const heapAfterBurst = {
    used: heaps.reduce((sum, [used = 0]) => sum + used, 0),
    total: heaps.reduce((sum, [, total = 0]) => sum + total, 0),
  };

  const runs = await listAll<Meta & { spec: { scheduledTime: string } }>(client, `${SCANRUNS}/scanruns`);
  const skews = runs
    .filter((r) => Date.parse(r.spec.scheduledTime) === boundary)
    .map((r) => (Date.parse(r.metadata.creationTimestamp) - Date.parse(r.spec.scheduledTime)) / 1000);
  const writes = countsBetween(before, after);
  const created = writes.get('POST scanruns') ?? 0;
  const jobSkews = (await listAll<Meta>(client, `${BATCH}/jobs`))
    .filter((j) => j.metadata.namespace.startsWith('bench-'))
    .map((j) => (Date.parse(j.metadata.creationTimestamp) - boundary) / 1000);
  return {
    jobSkew: skewOf(jobSkews),
    eventReasons: await eventReasonsSince(client, 'bench-', boundary),
    controllerCpuMsPerRun: (burstCpuSeconds * 1000) / Math.max(1, created),
    burstRss,
    burstRssAnonymous,
    heapAfterBurst,
    ...burstCounts({ n, boundary, lastMs, seen, created, skews, before, after }),
  };
}

/** The figures both sides of a burst report, from what was watched and the API server's counters. */
function burstCounts(burst: {
  n: number;
  boundary: number;
  lastMs: number | undefined;
  seen: number;
  created: number;
  skews: number[];
  before: ServerCounters;
  after: ServerCounters;
}): Omit<
  BurstFigures,
  'eventReasons' | 'controllerCpuMsPerRun' | 'burstRss' | 'burstRssAnonymous' | 'heapAfterBurst' | 'jobSkew'
> {
  const { n, boundary, lastMs, seen, created, before, after } = burst;
  return {
    lastJobMs: seen >= n && lastMs !== undefined ? lastMs - boundary : undefined,
    jobsSeen: seen,
    created,
    skew: skewOf(burst.skews),
    writes: countsBetween(before, after),
    reads: countsBetween(before, after, 'reads'),
    serverCpuMsPerRun: ((after.cpuSeconds - before.cpuSeconds) * 1000) / Math.max(1, created),
  };
}

type KcmResult = Omit<
  BurstFigures,
  'eventReasons' | 'controllerCpuMsPerRun' | 'heapAfterBurst' | 'jobSkew' | 'burstRssAnonymous'
> & {
  /** kube-controller-manager's own CPU from the boundary to the end of the burst, per Job it created. */
  controllerCpuMsPerJob: number | undefined;
};

async function kcm(controlPlane: ControlPlane, n: number): Promise<KcmResult> {
  const client = bareClient(controlPlane.kubeconfigPath, SETUP_CONCURRENCY);
  await controlPlane.startControllerManager([
    '--kube-api-qps=1000',
    '--kube-api-burst=1000',
    '--controllers=cronjob-controller',
  ]);
  const pid = kcmPid(controlPlane);
  const boundary = nextBoundary(20_000 + n * 20);
  const cronJobs = Array.from({ length: n }, (_, i) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: `scan-${String(i).padStart(5, '0')}`, namespace: KCM_NS(i % NAMESPACES) },
    spec: {
      schedule: cronDueOnlyAt(boundary),
      timeZone: 'UTC',
      concurrencyPolicy: 'Allow',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'scan', image: 'ghcr.io/jimmy058910/jmo-security:latest', args: ['scan'] }],
            },
          },
        },
      },
    },
  }));
  await inParallel(cronJobs, SETUP_CONCURRENCY, async (c) => {
    await must(client, 'POST', `${BATCH}/namespaces/${c.metadata.namespace}/cronjobs`, c);
  });
  await writesSettle(client, 3_000, boundary - 5_000);
  warnIfLate(boundary);
  await sleepUntil(boundary - 3_000);
  const before = await serverCounters(client);
  const jobs = jobsArrive(
    client,
    `${BATCH}/jobs?watch=1`,
    (ns) => ns.startsWith('kcm-'),
    n,
    boundary + burstWindowMs(n),
  );
  const peakRss = peakRssSampler(() => rssOfPid(pid));
  const kcmCpuBefore = pid === undefined ? undefined : procCpuSeconds(pid);
  const { lastMs, seen } = await jobs.arrived;
  jobs.stop();
  await writesSettle(client, 3_000, boundary + burstWindowMs(n));
  const burstRss = peakRss();
  const kcmCpuSeconds =
    pid === undefined || kcmCpuBefore === undefined ? undefined : procCpuSeconds(pid) - kcmCpuBefore;
  const after = await serverCounters(client);
  const jobList = (await listAll<Meta>(client, `${BATCH}/jobs`)).filter((j) => j.metadata.namespace.startsWith('kcm-'));
  const writes = countsBetween(before, after);
  const created = writes.get('POST jobs') ?? 0;
  const skews = jobList
    .filter((j) => Date.parse(j.metadata.annotations?.[KCM_SCHEDULED_ANNOTATION] ?? '') === boundary)
    .map(
      (j) =>
        (Date.parse(j.metadata.creationTimestamp) -
          Date.parse(j.metadata.annotations?.[KCM_SCHEDULED_ANNOTATION] ?? '')) /
        1000,
    );
  client.close();
  return {
    ...burstCounts({ n, boundary, lastMs, seen, created, skews, before, after }),
    burstRss,
    controllerCpuMsPerJob: kcmCpuSeconds === undefined ? undefined : (kcmCpuSeconds * 1000) / Math.max(1, created),
  };
}

// ---- report

function writesLine(writes: Map<string, number>, per: number): string {
  return [...writes]
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => `${key} ${(count / Math.max(1, per)).toFixed(2)}`)
    .join(', ');
}

interface Row {
  n: number;
  raw: RawResult;
  ours: BurstResult;
  kcm: KcmResult;
}

function printRow({ n, raw, ours: o, kcm: k }: Row): void {
  const kcmLast = k.lastJobMs === undefined ? `not all (${k.jobsSeen}/${n})` : `${s1(k.lastJobMs)} s`;
  console.log(`\n=== N = ${n.toLocaleString('en')} ===`);
  console.log(
    `raw bound (bare HTTPS, ${n} ScanRuns + ${n} Jobs): ${s1(raw.ms)} s at concurrency ${raw.concurrency} ` +
      `(${Math.round((2 * n) / (raw.ms / 1000))} creates/s; ${raw.perConcurrency})`,
  );
  printOurs(n, o);
  console.log(
    `KCM cronjob (qps 1000): last Job ${kcmLast}; Jobs ${k.created}; skew p50/p99/max ${k.skew.p50}/${k.skew.p99}/${k.skew.max} s ` +
      `[${k.skew.histogram}]; RSS peak ${mib(k.burstRss)} MiB; apiserver CPU ${k.serverCpuMsPerRun.toFixed(1)} ms/Job, ` +
      `controller CPU ${k.controllerCpuMsPerJob === undefined ? '–' : k.controllerCpuMsPerJob.toFixed(1)} ms/Job`,
  );
  console.log(
    `KCM: writes per Job ${(total(k.writes) / Math.max(1, k.created)).toFixed(2)}: ${writesLine(k.writes, k.created)}`,
  );
  console.log(
    `KCM: reads per Job ${(total(k.reads) / Math.max(1, k.created)).toFixed(2)}: ${writesLine(k.reads, k.created)}`,
  );
}

function printOurs(n: number, o: BurstResult): void {
  const ourLast = o.lastJobMs === undefined ? `not all (${o.jobsSeen}/${n})` : `${s1(o.lastJobMs)} s`;
  console.log(
    `ours: startup to every nextScheduleTime ${s1(o.startupMs)} s (${(o.startupMs / o.rawStatus.ms).toFixed(2)}× the raw bound: ` +
      `${n} status patches by a bare client ${s1(o.rawStatus.ms)} s at concurrency ${o.rawStatus.concurrency}; ${o.rawStatus.perConcurrency}); ` +
      `idle ${o.idleCpuSecondsPerMin.toFixed(2)} CPU s/min, RSS ${mib(o.idleRss)} MiB (anonymous ${mib(o.idleRssAnonymous)} MiB, ` +
      `the rest file-backed)`,
  );
  console.log(
    `ours: startup writes per schedule ${(total(o.startupWrites) / n).toFixed(2)}: ${writesLine(o.startupWrites, n)}`,
  );
  console.log(
    `ours: restart over reconciled schedules: all ${n} reconciled in ${s1(o.restartMs)} s with ${o.restartStatusWrites} status writes`,
  );
  console.log(
    `ours: last Job ${ourLast} after the minute; runs ${o.created}; skew p50/p99/max ${o.skew.p50}/${o.skew.p99}/${o.skew.max} s ` +
      `[${o.skew.histogram}]; burst RSS ${mib(o.burstRss)} MiB (anonymous ${mib(o.burstRssAnonymous)} MiB; heap after it ${mib(o.heapAfterBurst.used)}/${mib(o.heapAfterBurst.total)} MiB used/total); apiserver CPU ${o.serverCpuMsPerRun.toFixed(1)} ms/run, controller CPU ${o.controllerCpuMsPerRun.toFixed(1)} ms/run`,
  );
  console.log(
    `ours: Job creation skew p50/p99/max ${o.jobSkew.p50}/${o.jobSkew.p99}/${o.jobSkew.max} s [${o.jobSkew.histogram}] (KCM's skew is its Jobs')`,
  );
  console.log(
    `ours: writes per run ${(total(o.writes) / Math.max(1, o.created)).toFixed(2)}: ${writesLine(o.writes, o.created)}`,
  );
  console.log(`ours: Events per run by reason: ${writesLine(o.eventReasons, o.created)}`);
  const sh = o.sharded;
  if (sh !== undefined) {
    const shLast = sh.lastJobMs === undefined ? `not all (${sh.jobsSeen}/${n})` : `${s1(sh.lastJobMs)} s`;
    console.log(
      `ours in ${sh.processes} shards (schedules per shard ${sh.schedulesPerShard.join('/')}): last Job ${shLast}; runs ${sh.created}; ` +
        `skew p50/p99/max ${sh.skew.p50}/${sh.skew.p99}/${sh.skew.max} s [${sh.skew.histogram}]; RSS of all ${mib(sh.burstRss)} MiB; ` +
        `apiserver CPU ${sh.serverCpuMsPerRun.toFixed(1)} ms/run, controllers' CPU ${sh.controllerCpuMsPerRun.toFixed(1)} ms/run; ` +
        `writes per run ${(total(sh.writes) / Math.max(1, sh.created)).toFixed(2)}`,
    );
  }
  console.log(
    `ours: reads per run ${(total(o.reads) / Math.max(1, o.created)).toFixed(2)}: ${writesLine(o.reads, o.created)}`,
  );
}

function printSummary(rows: readonly Row[]): void {
  const header = [
    'N',
    'raw bound',
    'ours last Job',
    'ours/raw (≤1.5)',
    'ours skew p50/p99/max',
    'KCM skew p50/p99',
    'ours p99/KCM p99 (≤0.5)',
    'writes/run ours vs KCM',
    'RSS idle/burst',
    'idle CPU s/min',
    'startup fresh (raw status bound) / restart (status writes)',
  ];
  const lines = rows.map(({ n, raw, ours: o, kcm: k }) => [
    n.toLocaleString('en'),
    `${s1(raw.ms)} s`,
    o.lastJobMs === undefined ? `>${o.jobsSeen}/${n}` : `${s1(o.lastJobMs)} s`,
    o.lastJobMs === undefined ? '–' : `${(o.lastJobMs / raw.ms).toFixed(2)}×`,
    `${o.skew.p50}/${o.skew.p99}/${o.skew.max} s`,
    `${k.skew.p50}/${k.skew.p99} s`,
    k.skew.p99 > 0 ? `${(o.skew.p99 / k.skew.p99).toFixed(2)}×` : `${o.skew.p99} vs 0`,
    `${(total(o.writes) / Math.max(1, o.created)).toFixed(2)} vs ${(total(k.writes) / Math.max(1, k.created)).toFixed(2)}`,
    `${mib(o.idleRss)}/${mib(o.burstRss)} MiB`,
    o.idleCpuSecondsPerMin.toFixed(2),
    `${s1(o.startupMs)} s (${s1(o.rawStatus.ms)} s) / ${s1(o.restartMs)} s (${o.restartStatusWrites})`,
  ]);
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
}

async function measureOurs(n: number, idleSeconds: number, shardCount: number): Promise<BurstResult> {
  const controlPlane = await startControlPlane();
  try {
    const client = bareClient(controlPlane.kubeconfigPath, 4);
    for (let i = 0; i < NAMESPACES; i++)
      await must(client, 'POST', '/api/v1/namespaces', { metadata: { name: OURS_NS(i) } });
    client.close();
    return await ours(controlPlane, n, idleSeconds, shardCount);
  } finally {
    await controlPlane.stop();
  }
}

async function measure(n: number, idleSeconds: number, shardCount: number): Promise<Row> {
  const controlPlane = await startControlPlane();
  try {
    const client = bareClient(controlPlane.kubeconfigPath, 4);
    for (let i = 0; i < NAMESPACES; i++) {
      for (const name of [OURS_NS(i), KCM_NS(i)]) {
        await must(client, 'POST', '/api/v1/namespaces', { metadata: { name } });
      }
    }
    client.close();
    console.error(`N=${n}: raw bound…`);
    const raw = await rawBound(controlPlane.kubeconfigPath, n);
    console.error(`N=${n}: ours…`);
    const o = await ours(controlPlane, n, idleSeconds, shardCount);
    console.error(`N=${n}: kube-controller-manager…`);
    const k = await kcm(controlPlane, n);
    return { n, raw, ours: o, kcm: k };
  } finally {
    await controlPlane.stop();
  }
}

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    'idle-seconds': { type: 'string', default: '30' },
    // 0: no sharded burst. S ≥ 2: after ours, the same burst with S controller processes, one per shard.
    shards: { type: 'string', default: '0' },
    // Only (b) (and (d)): the controller's own figures, without the raw bound and KCM to compare with.
    'ours-only': { type: 'boolean', default: false },
  },
});
const sizes = values.n.split(',').map((v) => Number(v.trim()));
if (sizes.some((v) => !Number.isInteger(v) || v <= 0))
  throw new Error(`--n ${values.n}: expected e.g. 1000,5000,10000`);
const shardCount = Number(values.shards);
if (!Number.isInteger(shardCount) || shardCount < 0 || shardCount > 256)
  throw new Error(`--shards ${values.shards}: expected 0 (none) or 2 to 256`);
console.log(`the controller: Node.js flags ${CONTROLLER_NODE_FLAGS.join(' ') || '(none)'}; ${memoryLimitNote()}`);
const rows: Row[] = [];
for (const n of sizes) {
  if (values['ours-only']) {
    const o = await measureOurs(n, Number(values['idle-seconds']), shardCount);
    console.log(`\n=== N = ${n.toLocaleString('en')}, ours only ===`);
    printOurs(n, o);
    continue;
  }
  const row = await measure(n, Number(values['idle-seconds']), shardCount);
  printRow(row);
  rows.push(row);
}
if (rows.length > 0) printSummary(rows);
