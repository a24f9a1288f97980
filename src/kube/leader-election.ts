// Leader election on a coordination.k8s.io/v1 Lease, on client-go's algorithm (tools/leaderelection): one replica
// reconciles, the others keep warm caches and take over when the leader stops renewing.
//
// Times are judged by local observation, never by comparing clocks: a follower considers the lease expired when
// the record it reads (holder, renewTime, …) has not changed for leaseDurationSeconds by ITS clock. Writes carry
// the resourceVersion read, so two candidates racing for an expired lease cannot both win (409 → try later).
// The leader gives up when it could not renew for renewDeadline, which is shorter than the lease, so it stops
// acting before anyone else may start.
import { ApiException, type CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { type Logger, silentLogger } from '../observe/logger.ts';
import { microTime } from './micro-time.ts';
import { type CancelTimer, type Clock, type SetTimer, systemClock, systemTimer } from './timers.ts';

/** The fields of a Lease's spec that the algorithm reads and writes. Times are as the API server wrote them. */
export interface LeaseRecord {
  /** Empty when the lease was released. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

export interface ObservedLease {
  record: LeaseRecord;
  resourceVersion: string;
}

/** The three calls leader election makes; KubeLeaseLock is the real one, tests use an in-memory lock. */
export interface LeaseLock {
  /** Undefined when the Lease does not exist. */
  get(): Promise<ObservedLease | undefined>;
  create(record: LeaseRecord): Promise<'created' | 'conflict'>;
  /** Replaces the spec if the Lease is still at `resourceVersion`. */
  update(record: LeaseRecord, resourceVersion: string): Promise<'updated' | 'conflict'>;
  /** For logs: namespace/name. */
  readonly description: string;
}

// The generated client reads MicroTime fields as raw strings but types them as Date subclasses: accept both.
function timeText(value: unknown): string | undefined {
  if (value instanceof Date) return microTime(value);
  return typeof value === 'string' ? value : undefined;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export class KubeLeaseLock implements LeaseLock {
  readonly #api: CoordinationV1Api;
  readonly #namespace: string;
  readonly #name: string;
  readonly description: string;

  constructor(api: CoordinationV1Api, namespace: string, name: string) {
    this.#api = api;
    this.#namespace = namespace;
    this.#name = name;
    this.description = `${namespace}/${name}`;
  }

  async get(): Promise<ObservedLease | undefined> {
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease({ name: this.#name, namespace: this.#namespace });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
    const spec = lease.spec ?? {};
    const acquireTime = timeText(spec.acquireTime);
    const renewTime = timeText(spec.renewTime);
    return {
      resourceVersion: lease.metadata?.resourceVersion ?? '',
      record: {
        holderIdentity: spec.holderIdentity ?? '',
        leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
        leaseTransitions: spec.leaseTransitions ?? 0,
        ...(acquireTime !== undefined && { acquireTime }),
        ...(renewTime !== undefined && { renewTime }),
      },
    };
  }

  async create(record: LeaseRecord): Promise<'created' | 'conflict'> {
    try {
      await this.#api.createNamespacedLease({ namespace: this.#namespace, body: this.#lease(record) });
      return 'created';
    } catch (error) {
      if (statusOf(error) === 409) return 'conflict';
      throw error;
    }
  }

  async update(record: LeaseRecord, resourceVersion: string): Promise<'updated' | 'conflict'> {
    try {
      await this.#api.replaceNamespacedLease({
        name: this.#name,
        namespace: this.#namespace,
        body: this.#lease(record, resourceVersion),
      });
      return 'updated';
    } catch (error) {
      if (statusOf(error) === 409) return 'conflict';
      throw error;
    }
  }

  #lease(record: LeaseRecord, resourceVersion?: string): V1Lease {
    // V1MicroTime serialises with six fractional digits; a plain Date's three would be rejected by the API server.
    const micro = (text: string | undefined): V1MicroTime | undefined =>
      text === undefined ? undefined : new V1MicroTime(Date.parse(text));
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.#name,
        namespace: this.#namespace,
        ...(resourceVersion !== undefined && { resourceVersion }),
      },
      spec: {
        holderIdentity: record.holderIdentity,
        leaseDurationSeconds: record.leaseDurationSeconds,
        leaseTransitions: record.leaseTransitions,
        acquireTime: micro(record.acquireTime),
        renewTime: micro(record.renewTime),
      },
    };
  }
}

/** The Lease's name; manifests/leader-election-role.yaml grants get/update on this name only. */
export const DEFAULT_LEASE_NAME = 'scanschedule.jmo.security';

/** client-go's defaults (and controller-runtime's): 15 s lease, 10 s renew deadline, 2 s retry. */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's JitterFactor: a waiting candidate retries after retryPeriod × [1, 2.2). */
const JITTER_FACTOR = 1.2;

export interface LeaderElectionOptions {
  /** Unique per replica: the pod name. */
  identity: string;
  lock: LeaseLock;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Hand the lease over on stop() so the next replica need not wait for it to expire. Default true. */
  releaseOnStop?: boolean;
  onStartedLeading: () => void;
  /** Called once when leadership ends: lost, or given up by stop(). */
  onStoppedLeading: () => void;
  /** Called when a different holder is observed (followers log who leads). */
  onNewLeader?: (identity: string) => void;
  log?: Logger;
  clock?: Clock;
  setTimer?: SetTimer;
  random?: () => number;
}

const sameRecord = (a: LeaseRecord | undefined, b: LeaseRecord): boolean =>
  a !== undefined &&
  a.holderIdentity === b.holderIdentity &&
  a.leaseDurationSeconds === b.leaseDurationSeconds &&
  a.acquireTime === b.acquireTime &&
  a.renewTime === b.renewTime &&
  a.leaseTransitions === b.leaseTransitions;

export class LeaderElector {
  readonly #options: LeaderElectionOptions;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #setTimer: SetTimer;
  readonly #random: () => number;
  #observed: LeaseRecord | undefined;
  #observedAtMs = 0;
  #leading = false;
  #stopped = false;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #reportedLeader: string | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
    this.#leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.#retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (options.identity === '') throw new Error('leader election needs a non-empty identity (the pod name)');
    // The same checks as client-go's NewLeaderElector: otherwise two replicas could lead at once.
    if (this.#leaseDurationMs <= this.#renewDeadlineMs) {
      throw new Error('leaseDuration must be greater than renewDeadline');
    }
    if (this.#renewDeadlineMs <= JITTER_FACTOR * this.#retryPeriodMs) {
      throw new Error('renewDeadline must be greater than 1.2 × retryPeriod');
    }
    if (this.#leaseDurationMs < 1_000) throw new Error('leaseDuration must be at least 1 s (the Lease counts seconds)');
    this.#log = (options.log ?? silentLogger()).child({ lease: options.lock.description, identity: options.identity });
    this.#clock = options.clock ?? systemClock;
    this.#setTimer = options.setTimer ?? systemTimer;
    this.#random = options.random ?? Math.random;
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /** The holder last read from the Lease ('' when released or unknown). */
  get observedLeader(): string {
    return this.#observed?.holderIdentity ?? '';
  }

  /**
   * Campaigns until it leads, then renews until it loses the lease or stop() is called. Resolves after
   * onStoppedLeading (or without ever leading, when stopped first). Never rejects: API errors are retried.
   */
  run(): Promise<void> {
    this.#running ??= this.#loop();
    return this.#running;
  }

  /** Stops campaigning or leading; releases the lease if held (releaseOnStop). Resolves when run() has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
  }

  async #loop(): Promise<void> {
    // Acquire.
    for (;;) {
      if (this.#stopped) return;
      // Bounded like a renewal: a request that never answers must not keep stop() waiting forever.
      if (await this.#withTimeout(this.#tryAcquireOrRenew(), this.#renewDeadlineMs)) break;
      await this.#sleep(this.#retryPeriodMs * (1 + JITTER_FACTOR * this.#random()));
    }
    if (this.#stopped) {
      // Won the lease in the same instant stop() was called: hand it back rather than hold it for 15 s.
      await this.#release();
      return;
    }
    this.#leading = true;
    this.#log.info({}, 'became leader');
    this.#call('onStartedLeading', () => this.#options.onStartedLeading());

    // Renew.
    let renewedAtMs = this.#clock().getTime();
    while (!this.#stopped) {
      await this.#sleep(this.#retryPeriodMs);
      if (this.#stopped) break;
      const budgetMs = renewedAtMs + this.#renewDeadlineMs - this.#clock().getTime();
      if (budgetMs > 0 && (await this.#withTimeout(this.#tryAcquireOrRenew(), budgetMs))) {
        renewedAtMs = this.#clock().getTime();
        continue;
      }
      if (this.#clock().getTime() - renewedAtMs >= this.#renewDeadlineMs) {
        this.#log.error(
          { renewDeadlineMs: this.#renewDeadlineMs },
          'lost leadership: could not renew the lease in time',
        );
        break;
      }
    }
    if (this.#stopped && (this.#options.releaseOnStop ?? true)) await this.#release();
    this.#leading = false;
    this.#call('onStoppedLeading', () => this.#options.onStoppedLeading());
  }

  /** One attempt of client-go's tryAcquireOrRenew; true when this replica holds the lease afterwards. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = this.#clock();
    const nowMs = now.getTime();
    const desired: LeaseRecord = {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      const current = await this.#options.lock.get();
      if (current === undefined) {
        if ((await this.#options.lock.create(desired)) !== 'created') return false;
        this.#observe(desired, nowMs);
        return true;
      }
      const { record } = current;
      if (!sameRecord(this.#observed, record)) this.#observe(record, nowMs);
      const heldByOther = record.holderIdentity !== '' && record.holderIdentity !== this.#options.identity;
      if (heldByOther && this.#observedAtMs + record.leaseDurationSeconds * 1000 > nowMs) return false;
      if (record.holderIdentity === this.#options.identity) {
        desired.acquireTime = record.acquireTime ?? desired.acquireTime;
        desired.leaseTransitions = record.leaseTransitions;
      } else {
        desired.leaseTransitions = record.leaseTransitions + 1;
      }
      if ((await this.#options.lock.update(desired, current.resourceVersion)) !== 'updated') return false;
      this.#observe(desired, nowMs);
      return true;
    } catch (error) {
      this.#log.warn({ err: error }, 'reading or writing the lease failed, will retry');
      return false;
    }
  }

  #observe(record: LeaseRecord, atMs: number): void {
    this.#observed = record;
    this.#observedAtMs = atMs;
    const holder = record.holderIdentity;
    if (holder !== '' && holder !== this.#reportedLeader) {
      this.#reportedLeader = holder;
      if (holder !== this.#options.identity) this.#log.info({ leader: holder }, 'new leader observed');
      const onNewLeader = this.#options.onNewLeader;
      if (onNewLeader !== undefined) this.#call('onNewLeader', () => onNewLeader(holder));
    }
  }

  /** client-go's release: an empty holder and a 1 s duration let any candidate take the lease at once. */
  async #release(): Promise<void> {
    const released = this.#withTimeout(this.#tryRelease(), this.#renewDeadlineMs);
    if (!(await released)) this.#log.warn({}, 'could not release the lease; the next leader waits for it to expire');
  }

  async #tryRelease(): Promise<boolean> {
    try {
      const current = await this.#options.lock.get();
      if (current === undefined || current.record.holderIdentity !== this.#options.identity) return true;
      const now = microTime(this.#clock());
      const released: LeaseRecord = {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: current.record.leaseTransitions,
      };
      if ((await this.#options.lock.update(released, current.resourceVersion)) !== 'updated') return false;
      this.#log.info({}, 'released the lease');
      return true;
    } catch (error) {
      this.#log.warn({ err: error }, 'releasing the lease failed');
      return false;
    }
  }

  #call(name: string, callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#log.error({ err: error, callback: name }, 'leader election callback threw');
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      let cancel: CancelTimer | undefined;
      const done = (): void => {
        cancel?.();
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      cancel = this.#setTimer(done, ms);
    });
  }

  /** False when the attempt takes longer than `ms`: a hung request must not keep a stale leader acting. */
  #withTimeout(attempt: Promise<boolean>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const cancel = this.#setTimer(() => resolve(false), ms);
      attempt.then(
        (result) => {
          cancel();
          resolve(result);
        },
        () => {
          cancel();
          resolve(false);
        },
      );
    });
  }
}
