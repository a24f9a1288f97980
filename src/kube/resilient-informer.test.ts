import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ManualClock, settle } from '../testing/manual-clock.ts';
import {
  collectionPath,
  type InformerEventType,
  type InformerSource,
  type ObjectList,
  ResilientInformer,
  type ResilientInformerOptions,
  type RestartReason,
  restartDelayMs,
  retryAfterMs,
  type SourceHandlers,
} from './resilient-informer.ts';
import { StringPool } from './string-pool.ts';

interface Obj extends KubernetesObject {
  data?: string;
}

const obj = (name: string, resourceVersion: string, data?: string): Obj => ({
  metadata: { name, namespace: 'ns', resourceVersion },
  ...(data !== undefined && { data }),
});

/** One generation's stand-in for a ListWatch: start() lists and replays the items as adds, as ListWatch does. */
interface FakeGeneration {
  handlers: SourceHandlers<Obj>;
  isCurrent: () => boolean;
  started: boolean;
  stopped: boolean;
}

interface Harness {
  clock: ManualClock;
  informer: ResilientInformer<Obj>;
  events: [InformerEventType, string][];
  restarts: RestartReason[];
  generations: FakeGeneration[];
  /** The next list answers with this (or throws it, or never answers when 'hang'). */
  nextList: Obj[] | Error | 'hang';
  /** When set, the watch fails with this right after each successful list. */
  watchFailure: Error | undefined;
  freshness: boolean[];
  selectors: (string | undefined)[];
  current(): FakeGeneration;
}

function harness(overrides: Partial<ResilientInformerOptions<Obj>> = {}): Harness {
  const clock = new ManualClock();
  const generations: FakeGeneration[] = [];
  const h: Harness = {
    clock,
    events: [],
    restarts: [],
    generations,
    nextList: [],
    watchFailure: undefined,
    freshness: [],
    selectors: [],
    current() {
      const last = generations.at(-1);
      assert.ok(last !== undefined, 'no generation started');
      return last;
    },
  } as Omit<Harness, 'informer'> as Harness;
  h.informer = new ResilientInformer<Obj>({
    resource: 'things',
    path: '/api/v1/things',
    labelSelector: 'app.kubernetes.io/managed-by=scanschedule',
    list: async ({ labelSelector }): Promise<ObjectList<Obj>> => {
      h.selectors.push(labelSelector);
      const answer = h.nextList;
      if (answer === 'hang') return new Promise(() => {});
      if (answer instanceof Error) throw answer;
      return { metadata: { resourceVersion: '100' }, items: answer };
    },
    onEvent: (type, object) => h.events.push([type, object.metadata?.name ?? '']),
    onRestart: (reason) => h.restarts.push(reason),
    onFreshness: (fresh) => h.freshness.push(fresh),
    clock: clock.clock,
    setTimer: clock.setTimer,
    createSource: (handlers, list, isCurrent): InformerSource => {
      const generation: FakeGeneration = { handlers, isCurrent, started: false, stopped: false };
      h.generations.push(generation);
      return {
        async start() {
          generation.started = true;
          let listed: ObjectList<Obj>;
          try {
            listed = await list();
          } catch (error) {
            handlers.error(error);
            return;
          }
          for (const item of listed.items) handlers.add(item);
          if (h.watchFailure !== undefined) {
            handlers.error(h.watchFailure);
            return;
          }
          handlers.connect();
        },
        async stop() {
          generation.stopped = true;
        },
      };
    },
    ...overrides,
  });
  return h;
}

describe('collectionPath', () => {
  const cases: { resource: Parameters<typeof collectionPath>[0]; path: string }[] = [
    { resource: { group: '', version: 'v1', plural: 'pods' }, path: '/api/v1/pods' },
    {
      resource: { group: '', version: 'v1', plural: 'pods', namespace: 'team-a' },
      path: '/api/v1/namespaces/team-a/pods',
    },
    { resource: { group: 'batch', version: 'v1', plural: 'jobs' }, path: '/apis/batch/v1/jobs' },
    {
      resource: { group: 'jmo.security', version: 'v1alpha1', plural: 'scanschedules', namespace: 'sec' },
      path: '/apis/jmo.security/v1alpha1/namespaces/sec/scanschedules',
    },
  ];
  for (const c of cases) it(`builds ${c.path}`, () => assert.equal(collectionPath(c.resource), c.path));
});

describe('ResilientInformer', () => {
  it('lists with its label selector, reports each object as added and is synced', async () => {
    const h = harness();
    h.nextList = [obj('a', '1'), obj('b', '2')];
    const synced = h.informer.waitForSync();
    h.informer.start();
    await synced;
    assert.equal(h.informer.hasSynced(), true);
    assert.deepEqual(h.events, [
      ['add', 'a'],
      ['add', 'b'],
    ]);
    assert.deepEqual(h.selectors, ['app.kubernetes.io/managed-by=scanschedule']);
    assert.deepEqual(
      h.informer.list().map((o) => o.metadata?.name),
      ['a', 'b'],
    );
    assert.equal(h.informer.get('ns', 'a')?.metadata?.resourceVersion, '1');
    await h.informer.stop();
  });

  it('turns watch events into add, update and delete, and ignores an update that changes nothing', async () => {
    const h = harness();
    h.informer.start();
    await settle();
    const { handlers } = h.current();
    handlers.add(obj('a', '1'));
    handlers.update(obj('a', '2'));
    handlers.update(obj('a', '2'));
    handlers.delete(obj('a', '2'));
    handlers.delete(obj('a', '2'));
    assert.deepEqual(h.events, [
      ['add', 'a'],
      ['update', 'a'],
      ['delete', 'a'],
    ]);
    await h.informer.stop();
  });

  it('keeps going when the event handler throws', async () => {
    const h = harness({
      onEvent: (_type, object) => {
        if (object.metadata?.name === 'bad') throw new Error('handler bug');
        h.events.push(['add', object.metadata?.name ?? '']);
      },
    });
    h.nextList = [obj('bad', '1'), obj('good', '2')];
    h.informer.start();
    await h.informer.waitForSync();
    assert.deepEqual(h.events, [['add', 'good']]);
    assert.ok(h.informer.get('ns', 'bad') !== undefined, 'the cache still holds the object');
    assert.deepEqual(h.restarts, []);
    await h.informer.stop();
  });

  it('restarts after a watch error with backoff, and replays only what changed meanwhile', async () => {
    const h = harness();
    h.nextList = [obj('a', '1'), obj('b', '1'), obj('c', '1')];
    h.informer.start();
    await h.informer.waitForSync();
    h.events.length = 0;

    h.nextList = [obj('a', '1'), obj('b', '2'), obj('d', '1')];
    h.current().handlers.error(new Error('connection reset'));
    assert.deepEqual(h.restarts, ['error']);
    assert.equal(h.generations[0]?.stopped, true);
    await h.clock.advance(999);
    assert.equal(h.generations.length, 1, 'waits for the backoff');
    await h.clock.advance(1);
    assert.equal(h.generations.length, 2);
    assert.deepEqual(h.events, [
      ['delete', 'c'],
      ['update', 'b'],
      ['add', 'd'],
    ]);
    assert.equal(h.informer.hasSynced(), true);
    await h.informer.stop();
  });

  it('ignores events and errors from an abandoned generation', async () => {
    const h = harness();
    h.informer.start();
    await h.informer.waitForSync();
    const old = h.current();
    old.handlers.error(new Error('boom'));
    await h.clock.advance(1_000);
    old.handlers.add(obj('ghost', '1'));
    old.handlers.error(new Error('late abort'));
    assert.equal(old.isCurrent(), false);
    assert.deepEqual(h.events, []);
    assert.deepEqual(h.restarts, ['error']);
    await h.informer.stop();
  });

  it('doubles the restart delay while lists keep failing and resets it after a sync', async () => {
    const h = harness();
    h.nextList = new Error('503');
    h.informer.start();
    const started: number[] = [];
    const startMs = h.clock.nowMs;
    for (let i = 0; i < 4; i++) {
      const before = h.generations.length;
      while (h.generations.length === before) await h.clock.advance(100);
      started.push(h.clock.nowMs - startMs);
    }
    assert.deepEqual(started, [1_000, 3_000, 7_000, 15_000]);
    assert.equal(h.informer.hasSynced(), false);

    h.nextList = [obj('a', '1')];
    await h.clock.advance(16_000);
    assert.equal(h.informer.hasSynced(), true);
    const before = h.generations.length;
    h.current().handlers.error(new Error('again'));
    await h.clock.advance(1_000);
    assert.equal(h.generations.length, before + 1, 'back to the base delay');
    await h.informer.stop();
  });

  it('restarts a watch that has been silent for too long, but not one that shows signs of life', async () => {
    const h = harness({ staleAfterMs: 60_000, watchdogIntervalMs: 10_000 });
    h.informer.start();
    await h.informer.waitForSync();
    for (let i = 0; i < 10; i++) {
      await h.clock.advance(30_000);
      h.current().handlers.activity();
    }
    assert.deepEqual(h.restarts, [], 'bookmarks and events keep it alive');
    await h.clock.advance(70_000);
    assert.deepEqual(h.restarts, ['watchdog']);
    await h.informer.stop();
  });

  it('restarts a list that never answers', async () => {
    const h = harness({ staleAfterMs: 60_000, watchdogIntervalMs: 10_000 });
    h.nextList = 'hang';
    h.informer.start();
    await h.clock.advance(70_000);
    assert.deepEqual(h.restarts, ['watchdog']);
    h.nextList = [obj('a', '1')];
    await h.clock.advance(1_000);
    assert.equal(h.informer.hasSynced(), true);
    await h.informer.stop();
  });

  it('stops for good: no restart, no timers, and a pending waitForSync rejects', async () => {
    const h = harness();
    h.nextList = 'hang';
    h.informer.start();
    const waiting = h.informer.waitForSync();
    await settle();
    await h.informer.stop();
    await assert.rejects(waiting, /stopped before its cache synced/);
    assert.equal(h.current().stopped, true);
    h.current().handlers.error(new Error('abort after stop'));
    assert.deepEqual(h.restarts, []);
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('stores typed-client objects as wire JSON (Dates become RFC 3339 strings)', async () => {
    const h = harness();
    const typed = {
      metadata: {
        name: 'a',
        namespace: 'ns',
        resourceVersion: '1',
        creationTimestamp: new Date('2026-05-19T10:00:00Z'),
      },
    };
    h.nextList = [typed as Obj];
    h.informer.start();
    await h.informer.waitForSync();
    assert.equal(h.informer.get('ns', 'a')?.metadata?.creationTimestamp as unknown, '2026-05-19T10:00:00.000Z');
    await h.informer.stop();
  });

  it('caches a plain-JSON listed object as it is, without a copy (only typed objects are converted)', async () => {
    const h = harness();
    const plain = {
      metadata: { name: 'a', namespace: 'ns', resourceVersion: '1', creationTimestamp: '2026-05-19T10:00:00Z' },
    };
    h.nextList = [plain as unknown as Obj];
    h.informer.start();
    await h.informer.waitForSync();
    assert.equal(h.informer.get('ns', 'a'), plain);
    await h.informer.stop();
  });

  it('is fresh only between a completed list and the next failure, and says so', async () => {
    const h = harness({ staleAfterMs: 60_000, watchdogIntervalMs: 10_000 });
    h.nextList = [obj('a', '1')];
    assert.equal(h.informer.isFresh(), false, 'not before the first list');
    h.informer.start();
    await h.informer.whenFresh();
    assert.equal(h.informer.isFresh(), true);

    h.nextList = new Error('503');
    h.current().handlers.error(new Error('watch closed: connection reset'));
    assert.equal(h.informer.isFresh(), false, 'stale from the watch failure on');
    assert.equal(h.informer.hasSynced(), true, 'the cache is still served');
    let freshAgain = false;
    void h.informer.whenFresh().then(() => {
      freshAgain = true;
    });
    await h.clock.advance(1_000);
    assert.equal(h.informer.isFresh(), false, 'a failed re-list leaves it stale');
    h.nextList = [obj('a', '2')];
    await h.clock.advance(2_000);
    assert.equal(h.informer.isFresh(), true, 'fresh once re-listed and watching');
    assert.equal(freshAgain, true, 'whenFresh resolved');

    while (h.restarts.length < 3) await h.clock.advance(500);
    assert.deepEqual(h.restarts, ['error', 'error', 'watchdog'], 'a silent watch is restarted');
    assert.equal(h.informer.isFresh(), false, 'and the cache is stale meanwhile');
    await h.clock.advance(1_000);
    assert.deepEqual(h.freshness, [true, false, true, false, true]);
    await h.informer.stop();
  });

  it('rejects whenFresh when stopped while stale', async () => {
    const h = harness();
    h.nextList = 'hang';
    h.informer.start();
    const waiting = h.informer.whenFresh();
    await settle();
    await h.informer.stop();
    await assert.rejects(waiting, /stopped before its cache was fresh/);
    await assert.rejects(h.informer.whenFresh(), /not running/);
  });

  it("waits what a 429's Retry-After says instead of the grown backoff", async () => {
    const h = harness();
    h.nextList = Object.assign(new Error('503'), { code: 503 });
    h.informer.start();
    const startedAt: number[] = [];
    const startMs = h.clock.nowMs;
    for (let i = 0; i < 5; i++) {
      const before = h.generations.length;
      while (h.generations.length === before) await h.clock.advance(100);
      startedAt.push(h.clock.nowMs - startMs);
    }
    assert.deepEqual(startedAt, [1_000, 3_000, 7_000, 15_000, 31_000], 'backed off to 16 s');
    h.nextList = Object.assign(new Error('storage is (re)initializing'), {
      code: 429,
      headers: { 'retry-after': '2' },
    });
    await h.clock.advance(30_000);
    const before = h.generations.length;
    const failedAt = h.clock.nowMs;
    while (h.generations.length === before) await h.clock.advance(100);
    assert.ok(h.clock.nowMs - failedAt <= 2_000, `restarted ${h.clock.nowMs - failedAt} ms after the 429`);
    await h.informer.stop();
  });

  it('starts the backoff again after a list that succeeded, even when the watch then fails', async () => {
    const h = harness();
    h.nextList = [obj('a', '1')];
    h.watchFailure = Object.assign(new Error('Service Unavailable'), { statusCode: 503 });
    h.informer.start();
    const startedAt: number[] = [];
    let previous = h.clock.nowMs;
    for (let i = 0; i < 4; i++) {
      const before = h.generations.length;
      while (h.generations.length === before) await h.clock.advance(100);
      startedAt.push(h.clock.nowMs - previous);
      previous = h.clock.nowMs;
    }
    assert.deepEqual(startedAt, [1_000, 1_000, 1_000, 1_000]);
    assert.equal(h.informer.isFresh(), false);
    await h.informer.stop();
  });

  it('needs a kubeconfig unless a test source is given', () => {
    assert.throws(
      () =>
        new ResilientInformer<Obj>({
          resource: 'x',
          path: '/api/v1/x',
          list: async () => ({ items: [] }),
          onEvent: () => {},
        }),
      /needs a kubeConfig/,
    );
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-05-19T10:00:00Z');
  const cases: { name: string; error: unknown; ms: number | undefined }[] = [
    { name: 'Retry-After in seconds', error: { code: 429, headers: { 'retry-after': '3' } }, ms: 3_000 },
    { name: 'a header of any case', error: { code: 503, headers: { 'Retry-After': ' 5 ' } }, ms: 5_000 },
    {
      name: 'Retry-After as an HTTP date',
      error: { code: 503, headers: { 'retry-after': 'Tue, 19 May 2026 10:00:04 GMT' } },
      ms: 4_000,
    },
    {
      name: "a Status body's retryAfterSeconds",
      error: { code: 429, body: '{"kind":"Status","details":{"retryAfterSeconds":1}}' },
      ms: 1_000,
    },
    { name: 'a parsed Status body', error: { code: 500, body: { details: { retryAfterSeconds: 7 } } }, ms: 7_000 },
    {
      name: "a watch's bare 429",
      error: Object.assign(new Error('Too Many Requests'), { statusCode: 429 }),
      ms: 1_000,
    },
    { name: 'a 503 without a hint', error: { code: 503, headers: {} }, ms: undefined },
    { name: 'a garbled header', error: { code: 503, headers: { 'retry-after': 'soon' } }, ms: undefined },
    { name: 'a network error', error: new Error('ECONNREFUSED'), ms: undefined },
    { name: 'not an object', error: 'boom', ms: undefined },
  ];
  for (const c of cases) it(`reads ${c.name}`, () => assert.equal(retryAfterMs(c.error, now), c.ms));
});

describe('restartDelayMs', () => {
  const cases: { name: string; failures: number; hint: number | undefined; ms: number }[] = [
    { name: 'the base delay on the first failure', failures: 1, hint: undefined, ms: 1_000 },
    { name: 'doubles per failure', failures: 4, hint: undefined, ms: 8_000 },
    { name: 'caps the doubling', failures: 40, hint: undefined, ms: 30_000 },
    { name: "the server's hint over a grown backoff", failures: 6, hint: 1_000, ms: 1_000 },
    { name: 'caps a long hint', failures: 1, hint: 3_600_000, ms: 30_000 },
  ];
  for (const c of cases) {
    it(`waits ${c.name}`, () => assert.equal(restartDelayMs(c.failures, c.hint, 1_000, 30_000), c.ms));
  }
});

describe('ResilientInformer indexes', () => {
  const labelled = (name: string, namespace: string, resourceVersion: string, owner?: string): Obj => ({
    metadata: { name, namespace, resourceVersion, ...(owner !== undefined && { labels: { owner } }) },
  });
  const byOwner = (o: Obj): string[] => {
    const owner = (o.metadata as { labels?: Record<string, string> } | undefined)?.labels?.owner;
    return owner === undefined ? [] : [`${o.metadata?.namespace}/${owner}`];
  };
  const names = (objects: readonly Obj[]): string[] => objects.map((o) => o.metadata?.name ?? '').sort();

  it('follows adds, updates that move an object, deletes and objects gone from a relist', async () => {
    const h = harness();
    h.nextList = [labelled('a', 'ns1', '1', 'x'), labelled('b', 'ns1', '1', 'y'), labelled('c', 'ns2', '1', 'x')];
    h.informer.addIndex('owner', byOwner);
    h.informer.start();
    await h.informer.waitForSync();
    assert.deepEqual(names(h.informer.byIndex('owner', 'ns1/x')), ['a']);
    assert.deepEqual(names(h.informer.list('ns1')), ['a', 'b']);

    const { handlers } = h.current();
    handlers.update(labelled('b', 'ns1', '2', 'x'));
    assert.deepEqual(names(h.informer.byIndex('owner', 'ns1/x')), ['a', 'b']);
    assert.deepEqual(names(h.informer.byIndex('owner', 'ns1/y')), []);
    handlers.delete(labelled('a', 'ns1', '1', 'x'));
    assert.deepEqual(names(h.informer.byIndex('owner', 'ns1/x')), ['b']);
    assert.deepEqual(names(h.informer.list('ns1')), ['b']);

    h.nextList = [labelled('c', 'ns2', '1', 'x')];
    handlers.error(new Error('watch broke'));
    await h.clock.advance(1_000);
    await h.informer.whenFresh();
    assert.deepEqual(names(h.informer.byIndex('owner', 'ns1/x')), []);
    assert.deepEqual(names(h.informer.list('ns1')), []);
    assert.deepEqual(names(h.informer.byIndex('owner', 'ns2/x')), ['c']);
    await h.informer.stop();
  });

  it('fills an index added after the cache synced from what is cached', async () => {
    const h = harness();
    h.nextList = [labelled('a', 'ns1', '1', 'x'), labelled('b', 'ns1', '1')];
    h.informer.start();
    await h.informer.waitForSync();
    h.informer.addIndex('owner', byOwner);
    assert.deepEqual(names(h.informer.byIndex('owner', 'ns1/x')), ['a']);
    await h.informer.stop();
  });

  it('refuses an index it does not have and another function under a taken name, but not the same one again', () => {
    const h = harness();
    assert.throws(() => h.informer.byIndex('owner', 'ns/x'), /no index named owner/);
    h.informer.addIndex('owner', byOwner);
    h.informer.addIndex('owner', byOwner);
    assert.throws(() => h.informer.addIndex('owner', () => []), /already has an index named owner/);
  });

  it('caches what prune leaves of listed and watched objects', async () => {
    const h = harness({ prune: (o) => ({ metadata: o.metadata }) });
    h.nextList = [obj('a', '1', 'listed payload')];
    h.informer.start();
    await h.informer.waitForSync();
    h.current().handlers.add(obj('b', '1', 'watched payload'));
    assert.deepEqual(
      h.informer.list().map((o) => o.data),
      [undefined, undefined],
    );
    await h.informer.stop();
  });
});

describe('ResilientInformer strings', () => {
  it('pools the string values of what it caches, listed or watched, after the prune', async () => {
    const strings = new StringPool();
    const h = harness({ strings, prune: (o) => ({ metadata: o.metadata }) });
    h.nextList = [obj('a', '1', 'listed payload')];
    h.informer.start();
    await h.informer.waitForSync();
    h.current().handlers.add(obj('b', '1', 'watched payload'));
    assert.deepEqual(
      ['a', 'b', 'ns', '1', 'listed payload', 'watched payload'].map((v) => strings.has(v)),
      [true, true, true, true, false, false],
    );
    await h.informer.stop();
  });
});

describe('ResilientInformer keep (shards)', () => {
  it("neither caches nor reports another shard's objects, listed or watched, and shrinks the watched ones", async () => {
    const h = harness({ keep: (o) => o.metadata?.namespace === 'ns' });
    const theirs = (name: string, resourceVersion: string): Obj => ({
      ...obj(name, resourceVersion, 'their payload'),
      metadata: { name, namespace: 'other', resourceVersion, labels: { big: 'x' } },
    });
    h.nextList = [obj('a', '1'), theirs('b', '1')];
    h.informer.start();
    await h.informer.waitForSync();
    const watched = theirs('c', '2');
    h.current().handlers.add(watched);
    h.current().handlers.update(theirs('b', '3'));
    h.current().handlers.delete(theirs('b', '3'));
    h.current().handlers.add(obj('d', '4'));
    assert.deepEqual(h.events, [
      ['add', 'a'],
      ['add', 'd'],
    ]);
    assert.deepEqual(
      h.informer.list().map((o) => o.metadata?.name),
      ['a', 'd'],
    );
    assert.equal(h.informer.get('other', 'c'), undefined);
    // Shrunk in place; dropped fields are set undefined (cache-pruning.ts), so compare what JSON sees.
    assert.deepEqual(JSON.parse(JSON.stringify(watched)), {
      metadata: { name: 'c', namespace: 'other', resourceVersion: '2' },
    });
    await h.informer.stop();
  });
});

describe('ResilientInformer ownWrite', () => {
  type Step =
    | { own: [name: string, resourceVersion: string] }
    | { watch: 'add' | 'update' | 'delete'; object: [name: string, resourceVersion: string, data?: string] }
    | { relist: [name: string, resourceVersion: string][] };
  const cases: { name: string; steps: Step[]; events: [InformerEventType, string][]; cached?: [string, string] }[] = [
    {
      name: 'the echo of our own update is cached without an event',
      steps: [{ own: ['a', '2'] }, { watch: 'update', object: ['a', '2', 'ours'] }],
      events: [],
      cached: ['a', '2'],
    },
    {
      name: 'the echo of our own create is cached without an event',
      steps: [{ own: ['b', '5'] }, { watch: 'add', object: ['b', '5'] }],
      events: [],
      cached: ['b', '5'],
    },
    {
      name: 'someone else’s later version is an event, and so is everything after the echo',
      steps: [
        { own: ['a', '2'] },
        { watch: 'update', object: ['a', '2'] },
        { watch: 'update', object: ['a', '3', 'user'] },
      ],
      events: [['update', 'a']],
      cached: ['a', '3'],
    },
    {
      name: 'a version that is not ours is an event even while our write is awaited',
      steps: [
        { own: ['a', '4'] },
        { watch: 'update', object: ['a', '3', 'user'] },
        { watch: 'update', object: ['a', '4'] },
      ],
      events: [['update', 'a']],
      cached: ['a', '4'],
    },
    {
      name: 'an echo that came back before the write returned was an event already, and stays one',
      steps: [{ watch: 'update', object: ['a', '2'] }, { own: ['a', '2'] }, { watch: 'update', object: ['a', '3'] }],
      events: [
        ['update', 'a'],
        ['update', 'a'],
      ],
      cached: ['a', '3'],
    },
    {
      name: 'a delete is always an event',
      steps: [{ own: ['a', '2'] }, { watch: 'delete', object: ['a', '1'] }],
      events: [['delete', 'a']],
    },
    {
      name: 'a relist that brings our version (the watch missed it) is no event either',
      steps: [{ own: ['a', '2'] }, { relist: [['a', '2']] }],
      events: [],
      cached: ['a', '2'],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness();
      h.nextList = [obj('a', '1')];
      h.informer.start();
      await h.informer.waitForSync();
      h.events.length = 0;
      for (const step of c.steps) {
        if ('own' in step) h.informer.ownWrite(obj(...step.own));
        else if ('watch' in step) h.current().handlers[step.watch](obj(...step.object));
        else {
          h.nextList = step.relist.map(([name, version]) => obj(name, version));
          h.current().handlers.error(new Error('watch closed'));
          await h.clock.advance(2_000);
          await h.informer.whenFresh();
        }
      }
      assert.deepEqual(h.events, c.events);
      if (c.cached !== undefined) {
        assert.equal(h.informer.get('ns', c.cached[0])?.metadata?.resourceVersion, c.cached[1]);
      }
      await h.informer.stop();
    });
  }
});

describe('ResilientInformer paged lists', () => {
  it('lists page by page with the same selector, pruning each page, and caches every page', async () => {
    const all = Array.from({ length: 7 }, (_, i) => obj(`o${i}`, String(i + 1), 'big'));
    const asked: { labelSelector?: string; limit?: number; continue?: string }[] = [];
    const h = harness({
      pageSize: 3,
      prune: (o) => {
        delete o.data;
        return o;
      },
      list: async (options) => {
        asked.push(options);
        const from = Number(options.continue ?? 0);
        const to = from + (options.limit ?? all.length);
        return {
          metadata: { resourceVersion: '100', ...(to < all.length && { continue: String(to) }) },
          items: all.slice(from, to).map((o) => structuredClone(o)),
        };
      },
    });
    h.informer.start();
    await h.informer.waitForSync();
    const selector = 'app.kubernetes.io/managed-by=scanschedule';
    assert.deepEqual(asked, [
      { labelSelector: selector, limit: 3 },
      { labelSelector: selector, limit: 3, continue: '3' },
      { labelSelector: selector, limit: 3, continue: '6' },
    ]);
    assert.deepEqual(
      h.informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
      all.map((o) => o.metadata?.name),
    );
    assert.equal(
      h.informer.list().some((o) => o.data !== undefined),
      false,
      'pruned',
    );
    await h.informer.stop();
  });

  it('restarts, and lists from the first page again, when a later page fails (an expired continue token)', async () => {
    let calls = 0;
    const h = harness({
      pageSize: 1,
      list: async (options) => {
        calls++;
        if (calls === 2) throw new Error('410 Gone: the continue token expired');
        const from = Number(options.continue ?? 0);
        return {
          metadata: { resourceVersion: '100', ...(from === 0 && { continue: '1' }) },
          items: [obj(from === 0 ? 'a' : 'b', '1')],
        };
      },
    });
    h.informer.start();
    await settle();
    assert.deepEqual(h.restarts, ['error']);
    assert.equal(h.informer.hasSynced(), false, 'half a list is never a synced cache');
    await h.clock.advance(2_000);
    await h.informer.waitForSync();
    assert.deepEqual(
      h.informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
      ['a', 'b'],
    );
    await h.informer.stop();
  });
});
