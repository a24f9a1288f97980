// Shards: which controller owns which namespace. The buckets are pinned: a release that hashed differently
// would, during a rolling update, let two shards own the same namespace.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NAMESPACE_BUCKETS, namespaceBucket, ownsNamespace, shardOfNamespace, shardProblem } from './shards.ts';

describe('namespaceBucket', () => {
  const pinned: [string, number][] = [
    ['default', 222],
    ['team-a', 214],
    ['team-b', 67],
    ['payments', 38],
    ['kube-system', 94],
    ['ü', 74], // UTF-8 bytes, not UTF-16 code units
  ];
  for (const [namespace, bucket] of pinned)
    it(`puts ${namespace} in bucket ${bucket}, on every machine`, () =>
      assert.equal(namespaceBucket(namespace), bucket));
});

describe('shardOfNamespace', () => {
  const cases: { name: string; namespace: string; count: number; expected: number }[] = [
    { name: 'gives everything to the only shard', namespace: 'default', count: 1, expected: 0 },
    { name: 'gives the upper half of the buckets to shard 1 of 2', namespace: 'default', count: 2, expected: 1 },
    { name: 'gives the lower half of the buckets to shard 0 of 2', namespace: 'team-b', count: 2, expected: 0 },
    { name: 'gives bucket 94 to shard 1 of 3 (buckets 85…170)', namespace: 'kube-system', count: 3, expected: 1 },
    { name: 'gives each bucket its own shard at 256 shards', namespace: 'payments', count: 256, expected: 38 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(shardOfNamespace(c.namespace, c.count), c.expected));

  it('moves a namespace only between neighbouring bucket ranges when the count grows from 2 to 4', () => {
    for (let i = 0; i < 500; i++) {
      const namespace = `ns-${i}`;
      assert.equal(Math.floor(shardOfNamespace(namespace, 4) / 2), shardOfNamespace(namespace, 2), namespace);
    }
  });

  it('spreads many namespaces evenly enough over 4 shards', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4_000; i++) counts[shardOfNamespace(`team-${i}`, 4)]! += 1;
    for (const count of counts) assert.ok(count > 800 && count < 1_200, `shard sizes ${counts.join(', ')}`);
  });
});

describe('ownsNamespace', () => {
  it('makes exactly one shard of each count own every namespace', () => {
    for (const count of [1, 2, 3, 7, NAMESPACE_BUCKETS]) {
      for (const namespace of ['default', 'team-a', 'team-b', 'x', '']) {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) =>
          ownsNamespace({ index, count }, namespace),
        );
        assert.equal(owners.length, 1, `${namespace} of ${count} shards: owners ${owners.join(', ')}`);
      }
    }
  });
});

describe('shardProblem', () => {
  const cases: { name: string; index: number; count: number; expected: RegExp | undefined }[] = [
    { name: 'accepts the whole cluster', index: 0, count: 1, expected: undefined },
    { name: 'accepts the last shard', index: 255, count: 256, expected: undefined },
    { name: 'refuses no shards', index: 0, count: 0, expected: /--shard-count 0: use a whole number from 1 to 256/ },
    { name: 'refuses more shards than buckets', index: 0, count: 257, expected: /--shard-count 257/ },
    { name: 'refuses a fractional count', index: 0, count: 1.5, expected: /--shard-count 1.5/ },
    { name: 'refuses an index past the last shard', index: 2, count: 2, expected: /--shard-index 2: .* 0 to 1/ },
    { name: 'refuses a negative index', index: -1, count: 2, expected: /--shard-index -1/ },
  ];
  for (const c of cases)
    it(c.name, () => {
      const problem = shardProblem({ index: c.index, count: c.count });
      if (c.expected === undefined) assert.equal(problem, undefined);
      else assert.match(problem ?? '', c.expected);
    });
});
