import { fnv1a32 } from '../schedule/stable-hash.ts';

// Sharding splits the schedules between controllers by namespace: a schedule's runs, Jobs and pods live in its
// namespace, so the shard that owns a namespace sees everything one of its reconciles reads, and no object is
// ever written by two shards. Namespaces fall into 256 fixed buckets and a shard owns a contiguous range of
// them, so changing the number of shards moves whole buckets. The hash is part of the contract: two controller
// versions that disagreed on it would both own a namespace during a rolling update (docs/scaling.md, "Shards").

/** The number of buckets namespaces are hashed into; also the most shards there can be. */
export const NAMESPACE_BUCKETS = 256;

/** Shard `index` of `count` (0 ≤ index < count ≤ 256). One shard of one is the whole cluster. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const WHOLE_CLUSTER: Shard = { index: 0, count: 1 };

/** FNV-1a of the namespace's UTF-8 bytes, mod 256. */
export function namespaceBucket(namespace: string): number {
  return fnv1a32(namespace) % NAMESPACE_BUCKETS;
}

/** The shard of `count` whose bucket range [index·256/count, (index+1)·256/count) holds the namespace's bucket. */
export function shardOfNamespace(namespace: string, count: number): number {
  return Math.floor((namespaceBucket(namespace) * count) / NAMESPACE_BUCKETS);
}

export function ownsNamespace(shard: Shard, namespace: string): boolean {
  return shard.count === 1 || shardOfNamespace(namespace, shard.count) === shard.index;
}

/** What is wrong with a shard assignment, as a sentence naming the flag to fix; undefined when it is valid. */
export function shardProblem(shard: Shard): string | undefined {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || count > NAMESPACE_BUCKETS)
    return `--shard-count ${count}: use a whole number from 1 to ${NAMESPACE_BUCKETS}`;
  if (!Number.isInteger(index) || index < 0 || index >= count)
    return `--shard-index ${index}: use a whole number from 0 to ${count - 1} (one less than --shard-count ${count})`;
  return undefined;
}
