// The controller's work queue, on client-go's workqueue contract: a key is queued at most once, a key is never
// processed by two workers at a time (re-added while in flight, it runs again after done()), failures back off
// per key, and delayed re-adds keep the earliest deadline. Keys are `namespace/name` of ScanSchedules.
//
// Beyond client-go: lanes. A key waits in one lane, and workers take from the most urgent lane that has keys,
// so that a burst of due schedules gets every run created before their Jobs, and those before the status writes
// (process-key.ts names the lanes; docs/scaling.md has the figures). A key asked for in a more urgent lane moves
// there. A lane whose oldest key has waited maxLaneWaitMs shares the workers with the most urgent lane, a key
// each in turn: urgent work cannot starve it, and it cannot stop urgent work either (at 10,000 due runs, serving
// it alone held the last 2,500 runs back for 30 s behind Jobs; docs/scaling.md).
import { type CancelTimer, type Clock, type SetTimer, systemClock, systemTimer } from './timers.ts';

/** Per-key backoff of addRateLimited: 5 ms doubling to 5 min, like client-go's default controller limiter. */
const BACKOFF_BASE_MS = 5;
export const BACKOFF_MAX_MS = 5 * 60_000;
/** How long a key may wait in a lane behind more urgent ones before it is served anyway. */
export const MAX_LANE_WAIT_MS = 30_000;

/** Hooks for metrics; each is called synchronously when the counter or gauge changes. */
export interface ScheduleKeyQueueObserver {
  /** A key entered the queue (adds that only de-duplicate do not count). */
  added?(): void;
  /** addRateLimited was called: a failed key will be retried. */
  retried?(): void;
  /** The number of keys waiting for a worker changed. */
  depthChanged?(depth: number): void;
}

export interface ScheduleKeyQueueOptions {
  clock?: Clock;
  setTimer?: SetTimer;
  observer?: ScheduleKeyQueueObserver;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Lanes, numbered 0 (most urgent) to lanes − 1; 1 by default. */
  lanes?: number;
  maxLaneWaitMs?: number;
}

/** Handles one key. The worker maps its own errors to queue calls (STYLE S7); a throw is retried with backoff. */
export type QueueWorker = (key: string) => Promise<void>;

export interface RunOptions {
  /**
   * Awaited by each worker before it takes a key, so keys stay queued while it waits (the controller waits here
   * for fresh caches). Shutdown ends the wait. A throw ends that worker loop: see runningWorkers.
   */
  beforeTake?: () => Promise<void>;
}

export function backoffDelayMs(failures: number, baseMs = BACKOFF_BASE_MS, maxMs = BACKOFF_MAX_MS): number {
  if (failures <= 0) return 0;
  // 2 ** 60 would lose precision long after the cap applies, so stop doubling once the cap is reached.
  const exponent = Math.min(failures - 1, 62);
  return Math.min(baseMs * 2 ** exponent, maxMs);
}

export class ScheduleKeyQueue {
  /** Keys waiting for a worker, one array per lane, most urgent first. */
  readonly #lanes: string[][];
  /** When each waiting key entered its lane. */
  readonly #waitingSince = new Map<string, number>();
  /** Keys that need processing (queued, or re-added while in flight), with the most urgent lane asked for. */
  readonly #dirty = new Map<string, number>();
  /** Keys in flight, with the lane each was taken from. */
  readonly #processing = new Map<string, number>();
  readonly #delayed = new Map<string, { deadline: number; cancel: CancelTimer }>();
  readonly #failures = new Map<string, number>();
  readonly #getters: ((key: string | undefined) => void)[] = [];
  readonly #clock: Clock;
  readonly #setTimer: SetTimer;
  readonly #observer: ScheduleKeyQueueObserver;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #maxLaneWaitMs: number;
  #shuttingDown = false;
  /** The last key handed out came from a lane served because it had waited too long: the next one does not. */
  #lastTakeAged = false;
  #runningWorkers = 0;
  #announceShutdown: () => void = () => {};
  readonly #shutdownStarted = new Promise<void>((resolve) => {
    this.#announceShutdown = resolve;
  });
  #drained: (() => void) | undefined;
  #adds = 0;
  #retries = 0;

  constructor(options: ScheduleKeyQueueOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#setTimer = options.setTimer ?? systemTimer;
    this.#observer = options.observer ?? {};
    this.#backoffBaseMs = options.backoffBaseMs ?? BACKOFF_BASE_MS;
    this.#backoffMaxMs = options.backoffMaxMs ?? BACKOFF_MAX_MS;
    this.#maxLaneWaitMs = options.maxLaneWaitMs ?? MAX_LANE_WAIT_MS;
    const lanes = options.lanes ?? 1;
    if (!Number.isInteger(lanes) || lanes < 1) throw new RangeError(`lanes must be a whole number ≥ 1, not ${lanes}`);
    this.#lanes = Array.from({ length: lanes }, () => []);
  }

  /** Keys waiting for a worker. */
  get depth(): number {
    return this.#lanes.reduce((sum, lane) => sum + lane.length, 0);
  }

  /** Keys waiting for a worker in lanes 0 to `lane`. */
  waitingThrough(lane: number): number {
    let sum = 0;
    for (let i = 0; i <= lane && i < this.#lanes.length; i++) sum += this.#lanes[i]?.length ?? 0;
    return sum;
  }

  /** The lane an in-flight key was taken from; undefined when it is not in flight. */
  takenFrom(key: string): number | undefined {
    return this.#processing.get(key);
  }

  /** Keys entered into the queue since it was made. */
  get adds(): number {
    return this.#adds;
  }

  /** addRateLimited calls since the queue was made. */
  get retries(): number {
    return this.#retries;
  }

  /** Worker loops of run() still going; fewer than asked for means a loop died (a liveness failure). */
  get runningWorkers(): number {
    return this.#runningWorkers;
  }

  /**
   * Marks the key for processing in `lane` (0, the most urgent, by default); a no-op if it is already queued in
   * that lane or a more urgent one, or after shutdown(). Queued in a less urgent lane, it moves.
   */
  add(key: string, lane = 0): void {
    if (this.#shuttingDown) return;
    if (!Number.isInteger(lane) || lane < 0 || lane >= this.#lanes.length) {
      throw new RangeError(`lane must be 0 to ${this.#lanes.length - 1}, not ${lane}`);
    }
    const asked = this.#dirty.get(key);
    if (asked !== undefined && asked <= lane) return;
    this.#dirty.set(key, lane);
    if (asked === undefined) {
      this.#adds++;
      this.#observer.added?.();
    }
    // In flight: done() queues it again, so two workers never hold the same key.
    if (this.#processing.has(key)) return;
    if (asked !== undefined) this.#leaveLane(key, asked);
    this.#enqueue(key, lane);
  }

  /**
   * Adds the key after `ms`. While a delayed add is pending, a later deadline is ignored and an earlier one
   * replaces it: a requeue for the next run time must not push back a retry that is due sooner.
   */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const deadline = this.#clock().getTime() + ms;
    const pending = this.#delayed.get(key);
    if (pending !== undefined) {
      if (pending.deadline <= deadline) return;
      pending.cancel();
    }
    const cancel = this.#setTimer(() => {
      const current = this.#delayed.get(key);
      if (current?.cancel !== cancel) return;
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, { deadline, cancel });
  }

  /** Re-adds a failed key after its backoff: 5 ms, 10 ms, 20 ms … up to 5 min, until forget(). */
  addRateLimited(key: string): void {
    if (this.#shuttingDown) return;
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    this.#retries++;
    this.#observer.retried?.();
    this.addAfter(key, backoffDelayMs(failures, this.#backoffBaseMs, this.#backoffMaxMs));
  }

  /** Clears the key's failure count: the next addRateLimited starts again at the base delay. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Failures recorded for the key since the last forget(). */
  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Next key for a worker, waiting until there is one; undefined once shutdown() was called. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const lane = this.#laneToServe();
    const key = lane === undefined ? undefined : this.#lanes[lane]?.shift();
    if (lane !== undefined && key !== undefined) {
      this.#waitingSince.delete(key);
      this.#observer.depthChanged?.(this.depth);
      this.#take(key, lane);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Ends the processing of a key taken with get(); queues it again if it was re-added meanwhile. */
  done(key: string): void {
    if (!this.#processing.delete(key)) return;
    const asked = this.#dirty.get(key);
    if (asked !== undefined && !this.#shuttingDown) this.#enqueue(key, asked);
    if (this.#shuttingDown && this.#processing.size === 0) this.#drained?.();
  }

  /**
   * Runs `concurrency` workers until shutdown(); resolves when they have all stopped. A worker that throws
   * gets its key retried with backoff instead of crashing the loop. A loop that fails outside the worker (in
   * beforeTake) ends; the others go on, and the first such error rejects the result once all have stopped.
   */
  async run(worker: QueueWorker, concurrency: number, options: RunOptions = {}): Promise<void> {
    const { beforeTake } = options;
    const loop = async (): Promise<void> => {
      this.#runningWorkers++;
      try {
        for (;;) {
          if (beforeTake !== undefined && !this.#shuttingDown) {
            await Promise.race([beforeTake(), this.#shutdownStarted]);
          }
          const key = await this.get();
          if (key === undefined) return;
          try {
            await worker(key);
          } catch {
            this.addRateLimited(key);
          } finally {
            this.done(key);
          }
        }
      } finally {
        this.#runningWorkers--;
      }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.max(1, concurrency) }, loop));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  /** Stops handing out keys and drops queued and delayed ones; resolves when every in-flight key is done(). */
  shutdown(): Promise<void> {
    if (!this.#shuttingDown) {
      this.#shuttingDown = true;
      this.#announceShutdown();
      for (const { cancel } of this.#delayed.values()) cancel();
      this.#delayed.clear();
      for (const lane of this.#lanes) lane.length = 0;
      this.#waitingSince.clear();
      this.#dirty.clear();
      this.#observer.depthChanged?.(0);
      for (const resolve of this.#getters.splice(0)) resolve(undefined);
    }
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#drained;
      this.#drained = () => {
        previous?.();
        resolve();
      };
    });
  }

  #enqueue(key: string, lane: number): void {
    const getter = this.#getters.shift();
    if (getter !== undefined) {
      this.#take(key, lane);
      getter(key);
      return;
    }
    this.#lanes[lane]?.push(key);
    this.#waitingSince.set(key, this.#clock().getTime());
    this.#observer.depthChanged?.(this.depth);
  }

  /** Rare (a key asked for in a more urgent lane while it waits), so a linear search is cheap enough. */
  #leaveLane(key: string, lane: number): void {
    const keys = this.#lanes[lane];
    const index = keys?.indexOf(key) ?? -1;
    if (index >= 0) keys?.splice(index, 1);
    this.#waitingSince.delete(key);
  }

  /**
   * The most urgent lane with keys, or, every other take, a less urgent lane whose oldest key has waited
   * maxLaneWaitMs (the most urgent of those).
   */
  #laneToServe(): number | undefined {
    const urgent = this.#lanes.findIndex((keys) => keys.length > 0);
    if (urgent < 0) return undefined;
    const aged = this.#lastTakeAged ? undefined : this.#agedLaneAfter(urgent);
    this.#lastTakeAged = aged !== undefined;
    return aged ?? urgent;
  }

  #agedLaneAfter(urgent: number): number | undefined {
    const now = this.#clock().getTime();
    for (let lane = urgent + 1; lane < this.#lanes.length; lane++) {
      const oldest = this.#lanes[lane]?.[0];
      if (oldest !== undefined && now - (this.#waitingSince.get(oldest) ?? now) >= this.#maxLaneWaitMs) return lane;
    }
    return undefined;
  }

  #take(key: string, lane: number): void {
    this.#dirty.delete(key);
    this.#processing.set(key, lane);
  }
}
