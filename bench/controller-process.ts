// The controller as a pod runs it: its own Node.js process started through the CLI (`scanschedule controller`),
// so that its RSS and CPU are its own, not mixed with the bench's lists, watches and clients. The benches read
// them from /proc and its /metrics endpoint.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchMemoryLimitBytes, createMemoryCgroup, inCgroup, type MemoryCgroup } from './memory-cgroup.ts';

const CLI = new URL('../bin/scanschedule.js', import.meta.url).pathname;

/** The Node.js flags the image's ENTRYPOINT gives the controller: benches run it as the image does. */
export const IMAGE_NODE_FLAGS: readonly string[] = imageNodeFlags();

/** The flags the benches start the controller with: the image's, unless BENCH_NODE_OPTIONS says otherwise (empty: none). */
export const CONTROLLER_NODE_FLAGS: readonly string[] =
  process.env.BENCH_NODE_OPTIONS === undefined
    ? IMAGE_NODE_FLAGS
    : process.env.BENCH_NODE_OPTIONS.split(' ').filter((option) => option !== '');

function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  if (entrypoint === undefined) throw new Error('Dockerfile: no ENTRYPOINT ["node", …] line');
  const words = JSON.parse(entrypoint) as string[];
  return words.slice(1).filter((word) => word.startsWith('--'));
}
const CLOCK_TICKS_PER_SECOND = 100;

/** The memory limit every controller process runs under (the chart's, or BENCH_MEMORY_LIMIT); undefined: none. */
export const CONTROLLER_MEMORY_LIMIT_BYTES = benchMemoryLimitBytes();
let cgroupsMade = 0;
let cgroupUnavailableSaid = false;

/** A memory cgroup with the benches' limit for one controller process, when there is a limit and a way to apply it. */
function controllerCgroup(): MemoryCgroup | undefined {
  if (CONTROLLER_MEMORY_LIMIT_BYTES === undefined) return undefined;
  const group = createMemoryCgroup(`scanschedule-bench-${process.pid}-${++cgroupsMade}`, CONTROLLER_MEMORY_LIMIT_BYTES);
  if (!('unavailable' in group)) return group;
  if (!cgroupUnavailableSaid) console.error(`controller memory limit not applied: ${group.unavailable}`);
  cgroupUnavailableSaid = true;
  return undefined;
}

/**
 * Flags added to every `scanschedule controller` the benches start, from BENCH_CONTROLLER_ARGS (space-separated),
 * e.g. `--max-concurrent-reconciles 16`: to measure a setting without changing its default.
 */
export const CONTROLLER_EXTRA_ARGS: readonly string[] = (process.env.BENCH_CONTROLLER_ARGS ?? '')
  .split(' ')
  .filter((word) => word !== '');

/** What the benches print about the limit the controller runs under. */
export function memoryLimitNote(): string {
  const extra =
    CONTROLLER_EXTRA_ARGS.length === 0 ? '' : `; flags ${CONTROLLER_EXTRA_ARGS.join(' ')} (BENCH_CONTROLLER_ARGS)`;
  if (CONTROLLER_MEMORY_LIMIT_BYTES === undefined) return `no memory limit (BENCH_MEMORY_LIMIT=none)${extra}`;
  const mib = Math.round(CONTROLLER_MEMORY_LIMIT_BYTES / 1024 ** 2);
  const source =
    process.env.BENCH_MEMORY_LIMIT === undefined ? 'the chart’s resources.limits.memory' : 'BENCH_MEMORY_LIMIT';
  return `memory limit ${mib} MiB (${source}), in a cgroup of its own as in a pod${extra}`;
}

export interface ControllerProcess {
  readonly pid: number;
  readonly metricsPort: number;
  /** Resident set size now, in bytes. */
  rss(): number;
  /**
   * The anonymous part of rss() (heap, malloc, stacks): what the process itself allocated. The rest is file-backed,
   * mostly Node.js's own binary, shared with every process that maps it and dropped first under memory pressure.
   */
  rssAnonymous(): number;
  /** User + system CPU seconds so far. */
  cpuSeconds(): number;
  /** The sum of a metric over all its label sets on /metrics. */
  scrape(metric: string): Promise<number>;
  /** The sums of several metrics from one scrape. */
  scrapeAll(metrics: readonly string[]): Promise<number[]>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** A process's resident set size in bytes (or one part of it: RssAnon, RssFile); 0 once it is gone. */
export function rssOfPid(pid: number | undefined, field: 'VmRSS' | 'RssAnon' | 'RssFile' = 'VmRSS'): number {
  if (pid === undefined) return 0;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples `read` (an RSS in bytes) every 200 ms; the returned function stops sampling and gives the peak. */
export function peakRssSampler(read: () => number): () => number {
  let peak = read();
  const timer = setInterval(() => {
    peak = Math.max(peak, read());
  }, 200);
  return () => {
    clearInterval(timer);
    return Math.max(peak, read());
  };
}

/** Waits until `controller` has finished `count` reconciles (scanschedule_reconcile_total, any result). */
export async function untilReconciled(controller: ControllerProcess, count: number): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const done = await controller.scrape('scanschedule_reconcile_total');
    if (done >= count) return;
    if (Date.now() > deadline) throw new Error(`the controller reconciled ${done} of ${count} in 10 min`);
    await sleep(500); // a scrape of 10,000 schedules costs the controller ~25 ms: poll gently
  }
}

/** A process's user + system CPU so far, in seconds. */
export function procCpuSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Starts `scanschedule controller` without leader election; resolves once its /metrics answers. */
export async function startControllerProcess(
  kubeconfigPath: string,
  options: {
    namespace?: string;
    /** Shard `index` of `count` (--shard-index, --shard-count). */
    shard?: { index: number; count: number };
    nodeOptions?: readonly string[];
    label?: string;
  } = {},
): Promise<ControllerProcess> {
  const metricsPort = await freePort();
  const group = controllerCgroup();
  const argv = [
    ...(options.nodeOptions ?? []),
    CLI,
    'controller',
    '--kubeconfig',
    kubeconfigPath,
    '--leader-elect',
    'false',
    '--metrics-bind-address',
    `127.0.0.1:${metricsPort}`,
    '--health-probe-bind-address',
    '0',
    '--log-level',
    'error',
    ...(options.namespace === undefined ? [] : ['--namespace', options.namespace]),
    ...(options.shard === undefined
      ? []
      : ['--shard-count', String(options.shard.count), '--shard-index', String(options.shard.index)]),
    ...CONTROLLER_EXTRA_ARGS,
  ];
  const [command, args] = group === undefined ? [process.execPath, argv] : inCgroup(group, process.execPath, argv);
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the controller process did not start');
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) {
        const kills = group?.oomKills() ?? 0;
        console.error(
          `the controller process ${options.label ?? pid} exited by itself (code ${code}, signal ${signal})` +
            (kills > 0 ? `: killed for want of memory (${kills} OOM kill) under the ${memoryLimitNote()}` : ''),
        );
      }
      group?.remove();
      resolve();
    }),
  );
  let alive = true;
  void exited.then(() => {
    alive = false;
  });

  const scrapeAll = async (metrics: readonly string[]): Promise<number[]> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const sums = metrics.map(() => 0);
    for (const line of text.split('\n')) {
      const match = /^([A-Za-z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
      const i = metrics.indexOf(match?.[1] ?? '');
      if (i >= 0) sums[i] = (sums[i] ?? 0) + Number(match?.[2]);
    }
    return sums;
  };
  const scrape = async (metric: string): Promise<number> => (await scrapeAll([metric]))[0] ?? 0;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!alive) throw new Error(`the controller process ${options.label ?? ''} exited during startup`);
    try {
      await scrape('scanschedule_leader');
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('the controller process did not serve /metrics within 60 s');
      await sleep(50);
    }
  }
  return {
    pid,
    metricsPort,
    rss: () => rssOfPid(pid),
    rssAnonymous: () => rssOfPid(pid, 'RssAnon'),
    cpuSeconds: () => procCpuSeconds(pid),
    scrape,
    scrapeAll,
    stop: async () => {
      stopping = true;
      if (alive) child.kill('SIGTERM');
      await exited;
    },
  };
}
