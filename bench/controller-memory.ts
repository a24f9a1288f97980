// What N ScanSchedules (1,000 unless BENCH_SCHEDULES says) cost the controller: a real control plane, N schedules
// in five namespaces (daily, weekly, monthly and hourly crons in several zones, a few intervals; none due while
// this runs), then the controller in its own process, started as a pod starts it (`scanschedule controller`).
// Prints, for a fresh start: the time until every schedule has status.observedGeneration, the controller's peak
// and settled RSS (from /proc), its heap (from its /metrics), and its CPU seconds per minute while nothing is due
// (BENCH_IDLE_SECONDS, default 60); then for a restart over the same schedules (their status already right): the
// time until all are reconciled and how many status writes that took (should be none). Creating and polling the
// schedules happens in helper processes (this same file with a mode argument). The controller gets the Node.js
// flags of the image's ENTRYPOINT; BENCH_NODE_OPTIONS replaces them. Asserts nothing.
//
//   node bench/controller-memory.ts      (npm run bench:controller; BENCH_SCHEDULES=10000 npm run bench:controller)
import { type ChildProcess, spawn } from 'node:child_process';
import { type RequestOptions, request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import type { ScanSchedule, ScanScheduleSpec } from '../src/api/types.ts';
import { nextRunTimes } from '../src/core/next-run-times.ts';
import { startControlPlane } from '../test/controlplane/control-plane.ts';
import {
  CONTROLLER_NODE_FLAGS,
  type ControllerProcess,
  memoryLimitNote,
  peakRssSampler,
  startControllerProcess,
  untilReconciled,
} from './controller-process.ts';

// BENCH_SCHEDULES=10000 for another count; helper processes inherit it.
const COUNT = Number(process.env.BENCH_SCHEDULES ?? 1_000);
const IN_FLIGHT = 20;
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const NAMESPACES = ['payments', 'platform', 'identity', 'data', 'web'];
/** A schedule due sooner than this after the start is swapped for the next pattern: nothing may run meanwhile. */
const QUIET_MS = 30 * 60_000;

const crons = [
  '0 2 * * *', // daily
  'H 3 * * *',
  '30 1 * * *',
  '@daily',
  'H H * * *',
  '0 9 * * MON', // weekly
  'H 4 * * 0',
  '@weekly',
  '0 22 * * 5',
  '0 5 1 * *', // monthly
  '@hourly', // hourly
  'H * * * *',
  '15 * * * *',
  '45 */2 * * *',
];
const intervals = ['6h', '12h', '24h'];
const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'America/Sao_Paulo'];

const MiB = 1024 * 1024;
const mib = (bytes: number): string => (bytes / MiB).toFixed(1);

function scheduleFor(i: number, startMs: number): ScanSchedule {
  const namespace = NAMESPACES[i % NAMESPACES.length] ?? 'default';
  const name = `scan-${String(i).padStart(4, '0')}`;
  const timezone = zones[i % zones.length] ?? 'UTC';
  let timing: Pick<ScanScheduleSpec, 'schedule' | 'interval'>;
  if (i % 25 === 0) {
    timing = { interval: intervals[(i / 25) % intervals.length] ?? '6h' };
  } else {
    timing = { schedule: crons[0] ?? '0 2 * * *' };
    for (let k = 0; k < crons.length; k += 1) {
      const schedule = crons[(i + k) % crons.length] ?? '0 2 * * *';
      const [next] = nextRunTimes({ schedule, timezone }, { from: new Date(startMs), count: 1, namespace, name });
      if (next !== undefined && next.getTime() - startMs > QUIET_MS) {
        timing = { schedule };
        break;
      }
    }
  }
  return {
    apiVersion: 'jmo.security/v1alpha1',
    kind: 'ScanSchedule',
    metadata: { name, namespace, labels: { team: namespace, tier: i % 3 === 0 ? 'critical' : 'standard' } },
    spec: {
      ...timing,
      timezone,
      concurrencyPolicy: i % 7 === 0 ? 'Replace' : 'Forbid',
      ...(i % 4 === 0 && { startingDeadlineSeconds: 3600 }),
      successfulJobsHistoryLimit: 10,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        profile: i % 5 === 0 ? 'deep' : i % 2 === 0 ? 'balanced' : 'fast',
        targets:
          i % 3 === 0
            ? {
                repo: `/repos/${namespace}/service-${i}`,
                images: [`registry.example/${namespace}/service-${i}:latest`],
              }
            : { repos_dir: `/repos/${namespace}` },
        results: { dir: `/results/${namespace}/${name}` },
        options: { fail_on: i % 2 === 0 ? 'HIGH' : 'CRITICAL', threads: 4 },
      },
      backend: {
        type: 'kubernetes',
        config: { image: 'ghcr.io/jimmy058910/jmo-security:latest', activeDeadlineSeconds: 7200 },
      },
    },
  };
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

interface ListedSchedules {
  items: ScanSchedule[];
}

async function countReconciled(custom: CustomObjectsApi): Promise<number> {
  const list = (await custom.listClusterCustomObject({
    group: 'jmo.security',
    version: 'v1alpha1',
    plural: 'scanschedules',
  })) as ListedSchedules;
  return list.items.filter((s) => s.status?.observedGeneration !== undefined).length;
}

function customObjects(kubeconfigPath: string): CustomObjectsApi {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return config.makeApiClient(CustomObjectsApi);
}

// ---- helper processes: creating 1,000 objects from the measured process would raise its RSS by over 100 MiB
// (client-node's per-request garbage and malloc arenas) before the baseline, and that never shrinks.

/** `--create-schedules <kubeconfig> <startMs>`: the namespaces and the 1,000 schedules; prints the mix. */
async function createSchedules(kubeconfigPath: string, startMs: number): Promise<void> {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const core = config.makeApiClient(CoreV1Api);
  const custom = customObjects(kubeconfigPath);
  for (const name of NAMESPACES) await core.createNamespace({ body: { metadata: { name } } });
  const schedules = Array.from({ length: COUNT }, (_, i) => scheduleFor(i, startMs));
  const kinds = new Map<string, number>();
  for (const s of schedules) {
    const kind = s.spec.interval !== undefined ? `interval ${s.spec.interval}` : (s.spec.schedule ?? '');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const started = performance.now();
  await inParallel(schedules, IN_FLIGHT, async (body) => {
    await custom.createNamespacedCustomObject({
      group: 'jmo.security',
      version: 'v1alpha1',
      plural: 'scanschedules',
      namespace: body.metadata.namespace ?? 'default',
      body,
    });
  });
  console.log(
    `${COUNT} schedules created in ${((performance.now() - started) / 1000).toFixed(1)} s (${IN_FLIGHT} in flight): ` +
      [...kinds].map(([kind, n]) => `${n}× ${kind}`).join(', '),
  );
  if ((await countReconciled(custom)) !== 0) throw new Error('schedules were reconciled before the controller ran');
}

/**
 * `--wait-reconciled <kubeconfig>`: watches until every schedule has status.observedGeneration. A watch, not a poll:
 * listing 10,000 schedules every half second cost the API server as much CPU as the start-up being timed.
 */
async function waitReconciled(kubeconfigPath: string): Promise<void> {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const reconciled = new Set<string>();
  let request: AbortController | undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      request?.abort();
      reject(new Error(`only ${reconciled.size} of ${COUNT} schedules reconciled after 10 min`));
    }, 10 * 60_000);
    new Watch(config)
      .watch(
        '/apis/jmo.security/v1alpha1/scanschedules',
        {},
        (type, object: ScanSchedule) => {
          const key = `${object.metadata.namespace}/${object.metadata.name}`;
          if (type === 'DELETED' || object.status?.observedGeneration === undefined) reconciled.delete(key);
          else reconciled.add(key);
          if (reconciled.size < COUNT) return;
          clearTimeout(timer);
          request?.abort();
          resolve();
        },
        (error: unknown) => {
          if (reconciled.size >= COUNT) return;
          clearTimeout(timer);
          reject(new Error(`the watch of scanschedules ended: ${String(error)}`));
        },
      )
      .then((controller) => {
        request = controller;
      }, reject);
  });
}

const helpers = new Set<ChildProcess>();

function helper(mode: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename, mode, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    helpers.add(child);
    child.once('exit', () => helpers.delete(child));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${mode} exited with ${code ?? signal}`)),
    );
  });
}

/** The API server's status writes so far (PATCH/PUT on scanschedules/status), from its /metrics. */
async function statusWrites(kubeconfigPath: string): Promise<number> {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const server = new URL(config.getCurrentCluster()?.server ?? '');
  const options: RequestOptions = { hostname: server.hostname, port: server.port, path: '/metrics' };
  await config.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    request(options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    if (!/verb="(PATCH|PUT)"/.test(line) || !line.includes('resource="scanschedules"')) continue;
    if (line.includes('subresource="status"')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function untilQueueEmpty(controller: ControllerProcess): Promise<void> {
  // Each status write comes back as a watch event and one more (no-op) reconcile: let that settle first.
  for (let quiet = 0; quiet < 3; ) {
    await sleep(1_000);
    quiet = (await controller.scrape('scanschedule_workqueue_depth')) === 0 ? quiet + 1 : 0;
  }
}

async function heapLine(controller: ControllerProcess): Promise<string> {
  const [used, total] = await controller.scrapeAll(['nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes']);
  return `heap used ${mib(used ?? 0)} / total ${mib(total ?? 0)} MiB`;
}

async function main(): Promise<void> {
  const startMs = Date.now();
  const controlPlane = await startControlPlane();
  const controllers: ControllerProcess[] = [];
  const nodeOptions = CONTROLLER_NODE_FLAGS;
  try {
    console.log(`control plane ready in ${(controlPlane.startupMs / 1000).toFixed(1)} s`);
    console.log(`the controller: Node.js flags ${nodeOptions.join(' ') || '(none)'}; ${memoryLimitNote()}`);
    await helper('--create-schedules', [controlPlane.kubeconfigPath, String(startMs)]);
    const { kubeconfigPath } = controlPlane;

    // Started first: a poller that needs a second to boot must not count against the controller.
    const allReconciled = helper('--wait-reconciled', [kubeconfigPath]);
    const started = performance.now();
    const first = await startControllerProcess(kubeconfigPath, { nodeOptions, label: 'first' });
    controllers.push(first);
    const firstPeak = peakRssSampler(first.rss);
    await allReconciled;
    const reconcileSeconds = (performance.now() - started) / 1000;
    await untilQueueEmpty(first);
    const startupCpu = first.cpuSeconds();
    const reconciles = await first.scrape('scanschedule_reconcile_total');
    const runsCreated = await first.scrape('scanschedule_run_creation_skew_seconds_count');
    const settledRss = first.rss();
    // Two windows: right after the start, V8 still shrinks the heap it grew (its memory reducer runs GCs).
    const idleCpuPerMinute: number[] = [];
    for (let window = 0; window < 2; window++) {
      const cpuBefore = first.cpuSeconds();
      await sleep(IDLE_SECONDS * 1000);
      idleCpuPerMinute.push(((first.cpuSeconds() - cpuBefore) * 60) / IDLE_SECONDS);
    }
    const idleRss = first.rss();
    const peak = firstPeak();
    console.log(
      `fresh start: ${COUNT} schedules reconciled in ${reconcileSeconds.toFixed(1)} s (${reconciles} reconciles, ${runsCreated} runs created, ` +
        `controller CPU ${startupCpu.toFixed(1)} s); ` +
        `controller RSS peak ${mib(peak)} MiB, settled ${mib(settledRss)} MiB, after ${2 * IDLE_SECONDS} s idle ${mib(idleRss)} MiB ` +
        `(${Math.round(idleRss / COUNT).toLocaleString('en')} B per schedule); ${await heapLine(first)}; ` +
        `idle CPU ${idleCpuPerMinute.map((c) => c.toFixed(2)).join(' then ')} s per minute (two ${IDLE_SECONDS} s windows)`,
    );
    await first.stop();

    // A restart (a rollout, a new leader): every status is already right, so it should write nothing.
    const writesBefore = await statusWrites(kubeconfigPath);
    const restarted = performance.now();
    const second = await startControllerProcess(kubeconfigPath, { nodeOptions, label: 'restarted' });
    controllers.push(second);
    const secondPeak = peakRssSampler(second.rss);
    await untilReconciled(second, COUNT);
    const restartSeconds = (performance.now() - restarted) / 1000;
    await untilQueueEmpty(second);
    const restartCpu = second.cpuSeconds();
    const restartWrites = (await statusWrites(kubeconfigPath)) - writesBefore;
    console.log(
      `restart: ${COUNT} schedules reconciled ${restartSeconds.toFixed(1)} s after the process started, ` +
        `${restartWrites} status writes, controller CPU ${restartCpu.toFixed(1)} s; RSS peak ${mib(secondPeak())} MiB, settled ${mib(second.rss())} MiB; ${await heapLine(second)}`,
    );
  } finally {
    for (const child of helpers) child.kill();
    await Promise.all(controllers.map((c) => c.stop()));
    await controlPlane.stop();
  }
}

const [mode, kubeconfigPath = '', startMs = ''] = process.argv.slice(2);
if (mode === '--create-schedules') await createSchedules(kubeconfigPath, Number(startMs));
else if (mode === '--wait-reconciled') await waitReconciled(kubeconfigPath);
else await main();
