// The controller's memory limit, as a pod has it. Node.js sizes its heap from the cgroup's limit (in a 512 MiB
// container V8 may grow to ~259 MiB, against 4 GiB on this 24 GiB machine), so a benchmark without the limit
// measures a process that never has to collect as hard as the real one does, and cannot see an OOM kill.
// A bench puts each controller process into a memory cgroup of its own with the chart's `resources.limits.memory`
// (BENCH_MEMORY_LIMIT=1Gi or =none overrides it), when this machine lets it create one (root, cgroup v1 or v2).
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, M: 1e6, G: 1e9 };

/** A Kubernetes memory quantity (512Mi, 1Gi, 500M, 1048576) in bytes. */
export function quantityBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(text.trim());
  if (match === null) throw new Error(`${text}: not a memory quantity such as 512Mi`);
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? ''] ?? 1));
}

/** The limit the benches run the controller under: BENCH_MEMORY_LIMIT, else the chart's; undefined for none. */
export function benchMemoryLimitBytes(): number | undefined {
  const override = process.env.BENCH_MEMORY_LIMIT;
  if (override === 'none' || override === '') return undefined;
  if (override !== undefined) return quantityBytes(override);
  const values = parse(readFileSync(new URL('../charts/scanschedule/values.yaml', import.meta.url), 'utf8')) as {
    resources?: { limits?: { memory?: string } };
  };
  const memory = values.resources?.limits?.memory;
  return memory === undefined ? undefined : quantityBytes(memory);
}

export interface MemoryCgroup {
  /** Write a pid here to move that process in. */
  readonly procsFile: string;
  /** Times the kernel killed a process of this cgroup for want of memory. */
  oomKills(): number;
  remove(): void;
}

const V1_ROOT = '/sys/fs/cgroup/memory';
const V2_ROOT = '/sys/fs/cgroup';

/** A new memory cgroup with this limit, or the reason there is none. */
export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | { unavailable: string } {
  try {
    if (existsSync(join(V2_ROOT, 'cgroup.controllers'))) {
      if (!readFileSync(join(V2_ROOT, 'cgroup.controllers'), 'utf8').includes('memory'))
        return { unavailable: 'cgroup v2 without the memory controller' };
      const dir = join(V2_ROOT, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.max'), String(limitBytes));
      writeFileSync(join(dir, 'memory.swap.max'), '0');
      return cgroup(dir, () => Number(/oom_kill (\d+)/.exec(readFileSync(join(dir, 'memory.events'), 'utf8'))?.[1]));
    }
    if (existsSync(V1_ROOT)) {
      const dir = join(V1_ROOT, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      return cgroup(dir, () =>
        Number(/oom_kill (\d+)/.exec(readFileSync(join(dir, 'memory.oom_control'), 'utf8'))?.[1]),
      );
    }
    return { unavailable: 'no cgroup memory controller on this machine' };
  } catch (error) {
    return { unavailable: `cannot create a memory cgroup: ${(error as Error).message}` };
  }
}

function cgroup(dir: string, oomKills: () => number): MemoryCgroup {
  return {
    procsFile: join(dir, 'cgroup.procs'),
    oomKills: () => {
      try {
        return oomKills() || 0;
      } catch {
        return 0;
      }
    },
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // Still has a process (it is being killed): the kernel frees an empty cgroup's memory anyway.
      }
    },
  };
}

/**
 * The command line that runs `command args…` inside the cgroup from its first instruction: a shell moves itself in
 * and then becomes the command (exec), so the pid is the command's and Node.js sees the limit when it sizes its heap.
 */
export function inCgroup(group: MemoryCgroup, command: string, args: readonly string[]): [string, string[]] {
  return ['/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', group.procsFile, command, ...args]];
}
