// Controllers of two shard counts must never reconcile at once. Their Leases do not fence each other: shard 0 of 2
// and shard 0 of 3 are different Leases, yet both own the namespaces of buckets 0…85. That happens for the length
// of a rolling update that changes --shard-count, or when an old replica restarts during one. So before it
// campaigns, a controller waits until no Lease of another count has a live holder, and once it leads, it looks
// once more: a Lease of another count held then means two counts campaigned in the same instant, and it yields.
//
// Why that is enough: a controller reconciles only if its look, made after its own Lease was taken, found no
// other count's holder. For two counts to both reconcile, each look would have to come before the other's
// acquisition, and each acquisition comes before its own look: a cycle, which cannot happen. A waiting
// controller holds no Lease, so two counts that both wait always let one through.
//
// Liveness is judged as LeaderElector judges it: by observation, never by comparing clocks. A Lease is dead
// when released (no holder) or when its record has not changed for its leaseDurationSeconds by our clock.
import { ApiException, type CoordinationV1Api } from '@kubernetes/client-node';
import type { Logger } from '../observe/logger.ts';
import { DEFAULT_LEASE_NAME } from './leader-election.ts';
import { type Clock, systemClock } from './timers.ts';

/** What the fence reads of a Lease. */
export interface LeaseSummary {
  name: string;
  /** Empty when released. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  resourceVersion: string;
}

/** Lists the Leases of the controller's Lease namespace. */
export interface LeaseLister {
  list(): Promise<LeaseSummary[]>;
}

/** The real lister: one list of the namespace's Leases (RBAC cannot narrow a list by name). */
export class KubeLeaseLister implements LeaseLister {
  readonly #api: CoordinationV1Api;
  readonly #namespace: string;

  constructor(api: CoordinationV1Api, namespace: string) {
    this.#api = api;
    this.#namespace = namespace;
  }

  async list(): Promise<LeaseSummary[]> {
    const leases = await this.#api.listNamespacedLease({ namespace: this.#namespace });
    return leases.items.map((lease) => ({
      name: lease.metadata?.name ?? '',
      holderIdentity: lease.spec?.holderIdentity ?? '',
      leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 0,
      resourceVersion: lease.metadata?.resourceVersion ?? '',
    }));
  }
}

const SHARD_LEASE = new RegExp(`^${DEFAULT_LEASE_NAME.replaceAll('.', '\\.')}-shard-(\\d+)-of-(\\d+)$`);

/** The shard count a Lease of ours stands for: 1 for the unsharded Lease, S for `…-shard-k-of-S`; else undefined. */
export function shardCountOfLease(name: string): number | undefined {
  if (name === DEFAULT_LEASE_NAME) return 1;
  const match = SHARD_LEASE.exec(name);
  return match === null ? undefined : Number(match[2]);
}

/** Remembers each Lease's record version and since when it is unchanged, to tell a live holder from a dead one. */
export class ForeignLeases {
  readonly #ownCount: number;
  readonly #clock: Clock;
  readonly #seen = new Map<string, { resourceVersion: string; sinceMs: number }>();

  constructor(ownCount: number, clock: Clock = systemClock) {
    this.#ownCount = ownCount;
    this.#clock = clock;
  }

  /** The names of the Leases of another shard count whose holder may still be reconciling. */
  live(leases: readonly LeaseSummary[]): string[] {
    const nowMs = this.#clock().getTime();
    const live: string[] = [];
    for (const lease of leases) {
      const count = shardCountOfLease(lease.name);
      if (count === undefined || count === this.#ownCount) continue;
      if (lease.holderIdentity === '') {
        this.#seen.delete(lease.name);
        continue;
      }
      const seen = this.#seen.get(lease.name);
      if (seen === undefined || seen.resourceVersion !== lease.resourceVersion) {
        this.#seen.set(lease.name, { resourceVersion: lease.resourceVersion, sinceMs: nowMs });
        live.push(lease.name);
      } else if (nowMs - seen.sinceMs < lease.leaseDurationSeconds * 1000) {
        live.push(lease.name);
      }
    }
    return live.sort();
  }
}

export interface ShardCountFenceOptions {
  lister: LeaseLister;
  shardCount: number;
  retryPeriodMs: number;
  log: Logger;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

/** How often a controller that waits says so. */
const WAITING_LOG_EVERY_MS = 30_000;

export class ShardCountFence {
  readonly #options: ShardCountFenceOptions;
  readonly #foreign: ForeignLeases;
  readonly #clock: Clock;
  readonly #sleep: (ms: number) => Promise<void>;
  #forbidden = false;

  constructor(options: ShardCountFenceOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#foreign = new ForeignLeases(options.shardCount, this.#clock);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Resolves once no Lease of another shard count has a live holder, or when `stopped()` turns true. */
  async waitUntilAlone(stopped: () => boolean): Promise<void> {
    let loggedAtMs: number | undefined;
    while (!stopped()) {
      const live = await this.othersLive();
      if (live !== undefined && live.length === 0) return;
      const nowMs = this.#clock().getTime();
      if (live !== undefined && (loggedAtMs === undefined || nowMs - loggedAtMs >= WAITING_LOG_EVERY_MS)) {
        loggedAtMs = nowMs;
        this.#options.log.warn(
          { leases: live, shardCount: this.#options.shardCount },
          'waiting for the controllers of another shard count to stop: their Leases are held. During a rollout ' +
            'that changes --shard-count this ends when the old pods are gone; otherwise stop the controllers ' +
            'that run with the count you no longer want',
        );
      }
      await this.#sleep(this.#options.retryPeriodMs);
    }
  }

  /**
   * The look after this controller took its Lease: the Leases of another shard count with a live holder (non-empty:
   * yield). Retried until the list answers; [] when `stopped()` turns true first.
   */
  async othersLiveAfterAcquiring(stopped: () => boolean): Promise<string[]> {
    while (!stopped()) {
      const live = await this.othersLive();
      if (live !== undefined) return live;
      await this.#sleep(this.#options.retryPeriodMs);
    }
    return [];
  }

  /**
   * The Leases of another shard count with a live holder now; undefined when they could not be listed. Without
   * the permission to list Leases (RBAC from before the fence) there is nothing to wait for that can be seen:
   * the fence is off, said once, rather than the controller never leading.
   */
  async othersLive(): Promise<string[] | undefined> {
    if (this.#forbidden) return [];
    try {
      return this.#foreign.live(await this.#options.lister.list());
    } catch (error) {
      if (error instanceof ApiException && error.code === 403) {
        this.#forbidden = true;
        this.#options.log.warn(
          { err: error },
          'may not list Leases: controllers of two shard counts are not kept apart. Grant list on ' +
            'leases.coordination.k8s.io in this namespace (manifests/leader-election-role.yaml)',
        );
        return [];
      }
      this.#options.log.warn({ err: error }, 'listing the Leases failed, will retry');
      return undefined;
    }
  }
}
