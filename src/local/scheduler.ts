// The local runtime: the controller's loop on one machine. planSchedule decides; this applies the plan to the
// SQLite store (one transaction per plan) and to child processes, with the controller's trust rules:
//   - a run's name is its due time, and the store refuses a second run of a name, so after a crash the same
//     due time is found met (never run twice) or still unmet (never lost);
//   - a run is marked Running in the store before its process is spawned, and a run that is Running without a
//     process of this scheduler is never started again: it becomes Failed/Interrupted, output kept.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ANNOTATION_RUN_NOW, type ScanRun, type ScanRunStatus, type ScanSchedule } from '../api/types.ts';
import type { ManifestSource } from '../core/check-manifests.ts';
import { deliverNotifications } from '../core/deliver-notifications.ts';
import { isFinished } from '../core/owned-runs.ts';
import { planSchedule } from '../core/plan.ts';
import type { NotificationPort } from '../core/ports.ts';
import type { EventReason } from '../core/reasons.ts';
import { RunReason } from '../core/run-reasons.ts';
import { readResultsDir } from '../files/read-results-dir.ts';
import { formatUtc } from '../schedule/rfc3339.ts';
import { localRunStatus, type ScanEnd } from './run-outcome.ts';
import { localScanCommand, RUN_ENV } from './scan-command.ts';
import { isScanOfRun, type ScanExit, signalGroup, startScan } from './scan-process.ts';
import { readDefinitions } from './schedule-definitions.ts';
import { storedVersionOf } from './schedule-generation.ts';
import { objectKey, type StateStore } from './state-store.ts';

export interface SchedulerOptions {
  store: StateStore;
  stateDir: string;
  /** Run every schedule, not only those with backend.type local. */
  all: boolean;
  /** Namespace of schedules that set none. */
  namespace: string;
  /** The watched files as they are now (a path that is gone gives none). */
  readSources: () => ManifestSource[];
  notifications: NotificationPort;
  /** How often the files and trigger requests are looked at. */
  pollIntervalMs: number;
  /** SIGTERM after a deadline or a Replace; SIGKILL this long after. */
  killGraceMs: number;
  log: (line: string) => void;
  clock: () => Date;
  /**
   * For tests of minute-scale schedules: `clock` runs this many times faster than real time, so requeue timers
   * shrink by the same factor. Scan deadlines stay in real seconds (processes run in real time). Default 1.
   */
  timeScale?: number;
}

/** Where a run's files live: its working directory, output.log and the results directory. */
export function runDirectory(stateDir: string, run: ScanRun): string {
  return join(stateDir, 'runs', run.metadata.namespace ?? '', run.metadata.name ?? '');
}
export const LOG_FILE = 'output.log';
export const RESULTS_SUBDIR = 'results';

type StopReason = { kind: 'deadline'; seconds: number } | { kind: 'cancelled' } | { kind: 'interrupted'; why: string };

interface LiveScan {
  scheduleKey: string;
  pid: number | undefined;
  exited: Promise<ScanExit>;
  stop?: StopReason;
  deadlineTimer?: NodeJS.Timeout;
  done: Promise<void>;
}

/**
 * planSchedule leaves a backend other than kubernetes to "another system" and creates nothing: here this runtime
 * is that system, so it plans the schedule as one it runs itself. Runs keep the schedule's own backend.
 */
function asRunHere(schedule: ScanSchedule): ScanSchedule {
  return { ...schedule, spec: { ...schedule.spec, backend: { ...schedule.spec.backend, type: 'kubernetes' } } };
}

/** The run as the store keeps it: the schedule's own backend, and a creationTimestamp as an API server sets. */
function asStored(run: ScanRun, schedule: ScanSchedule, now: Date): ScanRun {
  const { backend: _planned, ...spec } = run.spec;
  const backend = schedule.spec.backend;
  return {
    ...run,
    metadata: { ...run.metadata, creationTimestamp: formatUtc(now.getTime()) },
    spec: backend === undefined ? spec : { ...spec, backend: structuredClone(backend) },
  };
}

export class LocalScheduler {
  readonly #o: SchedulerOptions;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #scans = new Map<string, LiveScan>();
  /** Per schedule: the reconcile in flight, and whether another was asked for meanwhile. */
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  readonly #handledTokens = new Map<string, string>();
  #texts = new Map<string, string>();
  #byFile = new Map<string, ScanSchedule[]>();
  #poller: NodeJS.Timeout | undefined;
  #stopping = false;
  #skippedReported = new Set<string>();

  constructor(options: SchedulerOptions) {
    this.#o = options;
  }

  /** Recovers what a previous scheduler left, reads the files and starts planning. */
  start(): void {
    this.#recover();
    this.#syncFiles();
    for (const stored of this.#o.store.schedules()) if (stored.defined) this.#enqueue(stored.key);
    this.#poller = setInterval(() => {
      this.#syncFiles();
      this.#pickUpTriggers();
    }, this.#o.pollIntervalMs);
  }

  /** Running scans: how many processes this scheduler is waiting for. */
  get activeScans(): number {
    return this.#scans.size;
  }

  /**
   * Stops starting runs, waits up to `graceMs` for running scans, then stops the rest and records them as
   * Interrupted. The store stays open for the caller to close.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    if (this.#poller !== undefined) clearInterval(this.#poller);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#inFlight.values()]);
    const all = (): Promise<unknown> => Promise.allSettled([...this.#scans.values()].map((scan) => scan.done));
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((resolve) => (graceTimer = setTimeout(resolve, graceMs)))]);
    clearTimeout(graceTimer);
    for (const scan of this.#scans.values()) {
      scan.stop ??= {
        kind: 'interrupted',
        why: 'the scheduler was stopped before the scan finished (grace period over)',
      };
      if (scan.pid !== undefined) signalGroup(scan.pid, 'SIGKILL');
    }
    await all();
  }

  /** A run left unfinished by a scheduler that is gone (the lock says so): never started twice. */
  #recover(): void {
    const { store } = this.#o;
    for (const { run, pid } of store.unfinishedRuns()) {
      const started = run.status?.phase === 'Running' || pid !== undefined;
      if (!started) continue; // never had a process: the next reconcile starts it
      const key = objectKey(run);
      // The old scan may still run, orphaned: stop it, but only if the PID is still that scan's.
      if (pid !== undefined && isScanOfRun(pid, `${RUN_ENV}=${key}`)) signalGroup(pid, 'SIGKILL');
      const end: ScanEnd = {
        kind: 'interrupted',
        why: 'the scheduler stopped (crash or kill) while the scan ran; it is not run again, so the scan never runs twice',
      };
      const status = localRunStatus(run, end, undefined, '', this.#o.clock());
      store.transaction(() => store.updateRun({ ...run, status }));
      this.#o.log(`${key}: ${RunReason.Interrupted}: left running by a previous scheduler`);
    }
  }

  #syncFiles(): void {
    let sources: ManifestSource[];
    try {
      sources = this.#o.readSources();
    } catch (error) {
      this.#o.log(`cannot read the schedule files: ${(error as Error).message}`);
      return;
    }
    const texts = new Map(sources.map((source) => [source.file, source.text]));
    const unchanged =
      texts.size === this.#texts.size && [...texts].every(([file, text]) => this.#texts.get(file) === text);
    if (unchanged) return;
    const definitions = readDefinitions(sources, { texts: this.#texts, byFile: this.#byFile }, this.#o.namespace);
    for (const finding of definitions.errors) {
      this.#o.log(
        `${finding.file}:${finding.line}:${finding.column}: error: ${finding.path === '' ? '' : `${finding.path}: `}${finding.message} ${finding.fix} (the last good version of this file keeps running)`,
      );
    }
    this.#texts = texts;
    this.#byFile = definitions.byFile;

    const { store } = this.#o;
    const now = this.#o.clock();
    const defined = new Set<string>();
    const changed: string[] = [];
    store.transaction(() => {
      for (const [file, schedules] of definitions.byFile) {
        for (const schedule of schedules) {
          const key = objectKey(schedule);
          if (defined.has(key)) continue;
          if (!this.#o.all && schedule.spec.backend?.type !== 'local') {
            if (!this.#skippedReported.has(key)) {
              this.#o.log(
                `${file}: ${key}: skipped: backend.type is not local (give --all to run every schedule here)`,
              );
              this.#skippedReported.add(key);
            }
            continue;
          }
          defined.add(key);
          const stored = store.schedule(key);
          const next = storedVersionOf(schedule, stored?.schedule, now);
          const same =
            stored?.defined === true &&
            stored.file === file &&
            isDeepStrictEqual({ ...stored.schedule, status: undefined }, { ...next, status: undefined });
          if (same) continue;
          store.putSchedule(file, next, true);
          changed.push(key);
        }
      }
      for (const stored of store.schedules()) {
        if (stored.defined && !defined.has(stored.key)) {
          store.setDefined(stored.key, false);
          this.#o.log(`${stored.key}: its file no longer defines it: stopped (its runs and history stay)`);
          const timer = this.#timers.get(stored.key);
          if (timer !== undefined) clearTimeout(timer);
          this.#timers.delete(stored.key);
        }
      }
    });
    for (const key of changed) this.#enqueue(key);
  }

  #pickUpTriggers(): void {
    for (const [key, token] of this.#o.store.runNowTokens()) {
      if (this.#handledTokens.get(key) === token) continue;
      this.#handledTokens.set(key, token);
      this.#enqueue(key);
    }
  }

  /** Reconciles `key` soon; reconciles of one schedule never overlap. */
  #enqueue(key: string): void {
    if (this.#stopping) return;
    if (this.#inFlight.has(key)) {
      this.#again.add(key);
      return;
    }
    const work = this.#reconcile(key)
      .catch((error: unknown) => {
        this.#o.log(`${key}: reconcile failed, retrying in 5 s: ${(error as Error).stack ?? String(error)}`);
        this.#schedule(key, 5000);
      })
      .finally(() => {
        this.#inFlight.delete(key);
        if (this.#again.delete(key)) this.#enqueue(key);
      });
    this.#inFlight.set(key, work);
  }

  #schedule(key: string, afterMs: number | null): void {
    const previous = this.#timers.get(key);
    if (previous !== undefined) clearTimeout(previous);
    this.#timers.delete(key);
    if (afterMs === null || this.#stopping) return;
    // setTimeout holds at most ~24.8 days; a longer wait simply plans again then.
    const timer = setTimeout(
      () => {
        this.#timers.delete(key);
        this.#enqueue(key);
      },
      Math.min(afterMs / (this.#o.timeScale ?? 1), 2 ** 31 - 1),
    );
    this.#timers.set(key, timer);
  }

  async #reconcile(key: string): Promise<void> {
    const { store } = this.#o;
    const stored = store.schedule(key);
    if (stored === undefined || !stored.defined || this.#stopping) return;
    const now = this.#o.clock();
    const schedule: ScanSchedule =
      stored.runNow === undefined
        ? stored.schedule
        : {
            ...stored.schedule,
            metadata: {
              ...stored.schedule.metadata,
              annotations: { ...stored.schedule.metadata.annotations, [ANNOTATION_RUN_NOW]: stored.runNow },
            },
          };

    const runs: ScanRun[] = [];
    let retryAtMs: number | undefined;
    for (const { run } of store.runsOf(key)) {
      const runKey = objectKey(run);
      if (!isFinished(run)) {
        if (this.#scans.has(runKey)) {
          runs.push(run);
        } else if (run.status?.phase === 'Running') {
          runs.push(
            this.#write(
              run,
              localRunStatus(run, { kind: 'interrupted', why: 'the scan process is gone' }, undefined, '', now),
            ),
          );
        } else {
          runs.push(this.#startRun(run, key));
        }
        continue;
      }
      const delivered = await deliverNotifications(run, schedule, now, {
        port: this.#o.notifications,
        readRun: async (cached) => store.run(objectKey(cached))?.run,
        writeStatus: async (live, status) => this.#write(live, status),
        recordEvent: (event) => this.#event(key, event.type, event.reason, event.message),
      });
      if (delivered.retryAtMs !== undefined) retryAtMs = Math.min(retryAtMs ?? Infinity, delivered.retryAtMs);
      runs.push(delivered.run);
    }

    const plan = planSchedule({ schedule: asRunHere(schedule), runs, now });
    const created: ScanRun[] = [];
    store.transaction(() => {
      for (const name of plan.cancel) {
        // Read again inside the transaction: the scan may have ended while notifications were being sent.
        const run = store.run(`${schedule.metadata.namespace ?? ''}/${name}`)?.run;
        if (run === undefined || isFinished(run)) continue;
        store.updateRun({
          ...run,
          status: {
            ...run.status,
            phase: 'Cancelled',
            reason: RunReason.Replaced,
            message: 'cancelled by concurrencyPolicy Replace: a newer run of the schedule started',
            completionTime: formatUtc(now.getTime()),
          },
        });
      }
      for (const planned of plan.create) {
        const run = asStored(planned, schedule, now);
        if (store.createRun(key, run)) created.push(run);
      }
      for (const name of plan.delete) store.deleteRun(`${schedule.metadata.namespace ?? ''}/${name}`);
      for (const event of plan.events) this.#event(key, event.type, event.reason, event.message);
      store.putSchedule(stored.file, { ...stored.schedule, status: plan.status }, true);
    });

    for (const name of plan.cancel) {
      const scan = this.#scans.get(`${schedule.metadata.namespace ?? ''}/${name}`);
      if (scan === undefined) continue;
      scan.stop = { kind: 'cancelled' };
      this.#terminate(scan);
    }
    for (const name of plan.delete) {
      const runKey = `${schedule.metadata.namespace ?? ''}/${name}`;
      if (this.#scans.has(runKey)) continue;
      rmSync(join(this.#o.stateDir, 'runs', schedule.metadata.namespace ?? '', name), { recursive: true, force: true });
    }
    for (const run of created) this.#startRun(run, key);

    const requeue = plan.requeueAfterMs;
    const retryAfter = retryAtMs === undefined ? null : Math.max(0, retryAtMs - now.getTime());
    this.#schedule(key, requeue === null ? retryAfter : retryAfter === null ? requeue : Math.min(requeue, retryAfter));
  }

  #event(scheduleKey: string, type: string, reason: EventReason, message: string): void {
    this.#o.store.recordEvent(scheduleKey, { time: formatUtc(this.#o.clock().getTime()), type, reason, message });
    this.#o.log(`${scheduleKey}: ${reason}: ${message}`);
  }

  #write(run: ScanRun, status: ScanRunStatus): ScanRun {
    const written = { ...run, status };
    this.#o.store.transaction(() => this.#o.store.updateRun(written));
    return written;
  }

  /** Marks the run Running, then spawns it: a crash in between leaves a Running run, which is never re-run. */
  #startRun(run: ScanRun, scheduleKey: string): ScanRun {
    const { store, stateDir } = this.#o;
    const key = objectKey(run);
    const now = this.#o.clock();
    const dir = runDirectory(stateDir, run);
    const resultsDir = join(dir, RESULTS_SUBDIR);
    const command = localScanCommand(run, resultsDir);
    if ('problem' in command) {
      return this.#write(
        run,
        localRunStatus(run, { kind: 'not-started', problem: command.problem }, undefined, resultsDir, now),
      );
    }
    const running: ScanRun = {
      ...run,
      status: { ...run.status, phase: 'Running', startTime: formatUtc(now.getTime()), message: 'scan running' },
    };
    this.#write(running, running.status as ScanRunStatus);
    mkdirSync(resultsDir, { recursive: true, mode: 0o700 });
    const child = startScan(command.argv, {
      cwd: dir,
      env: { ...process.env, ...command.env },
      logPath: join(dir, LOG_FILE),
    });
    if (child.pid !== undefined) store.setRunPid(key, child.pid);
    const scan: LiveScan = { scheduleKey, pid: child.pid, exited: child.exited, done: Promise.resolve() };
    if (command.deadlineSeconds !== undefined) {
      const seconds = command.deadlineSeconds;
      scan.deadlineTimer = setTimeout(() => {
        scan.stop ??= { kind: 'deadline', seconds };
        this.#terminate(scan);
      }, seconds * 1000);
    }
    scan.done = child.exited.then((exit) => this.#finishRun(key, scan, exit, resultsDir));
    this.#scans.set(key, scan);
    this.#o.log(`${key}: started (pid ${child.pid ?? '?'}): ${command.argv[0] ?? ''}`);
    return running;
  }

  /** SIGTERM to the group, SIGKILL after the kill grace if the leader has not exited. */
  #terminate(scan: LiveScan): void {
    if (scan.pid === undefined) return;
    const pid = scan.pid;
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), this.#o.killGraceMs);
    void scan.exited.then(() => clearTimeout(timer));
  }

  #finishRun(key: string, scan: LiveScan, exit: ScanExit, resultsDir: string): void {
    clearTimeout(scan.deadlineTimer);
    // The leader is gone; anything it left behind in its group goes with it when the run was stopped.
    if (scan.stop !== undefined && scan.pid !== undefined) signalGroup(scan.pid, 'SIGKILL');
    this.#scans.delete(key);
    const stored = this.#o.store.run(key);
    if (stored !== undefined && !isFinished(stored.run)) {
      const end: ScanEnd =
        exit.spawnError !== undefined
          ? { kind: 'not-started', problem: exit.spawnError }
          : scan.stop?.kind === 'deadline'
            ? scan.stop
            : scan.stop?.kind === 'interrupted'
              ? scan.stop
              : { kind: 'exited', code: exit.code, signal: exit.signal };
      const reading = end.kind === 'exited' && end.code === 0 ? readResultsDir(resultsDir) : undefined;
      const status = localRunStatus(stored.run, end, reading, resultsDir, this.#o.clock());
      this.#write(stored.run, status);
      this.#o.log(`${key}: ${status.phase ?? ''} (${status.reason ?? ''}): ${status.message ?? ''}`);
    }
    this.#enqueue(scan.scheduleKey);
  }
}
