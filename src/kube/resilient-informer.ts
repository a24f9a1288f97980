// An informer that keeps itself alive. client-node's ListWatch stops for good on any watch error but 410, lets a
// throwing handler reject start() or crash the process, never asks for bookmarks, and can hang on a list that
// never answers (docs/design.md §7). This wrapper runs a ListWatch per "generation" and, on an error or when nothing has
// been heard for too long, abandons it and starts a fresh one with backoff, keeping its own cache so that
// consumers see one continuous stream of add/update/delete events and one cache across restarts.
import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import { type Logger, silentLogger } from '../observe/logger.ts';
import { pruneForCollection, shrinkToIdentity } from './cache-pruning.ts';
import { StringPool } from './string-pool.ts';
import { type CancelTimer, type Clock, type SetTimer, systemClock, systemTimer } from './timers.ts';

export type InformerEventType = 'add' | 'update' | 'delete';

/** Receives every change. It should only enqueue keys; a throw is logged and the event dropped. */
export type InformerEventHandler<T> = (type: InformerEventType, object: T) => void;

export type RestartReason = 'error' | 'watchdog';

/**
 * What the informer needs of an object. Wider than client-node's KubernetesObject, whose metadata types times as
 * Date: the API types of src/api (ScanSchedule, ScanRun) keep them as the RFC 3339 strings the wire carries.
 */
export interface CachedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** A list response: the items, the collection's resourceVersion, and the token of the next page if any. */
export interface ObjectList<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** The keys under which an index files an object; none leaves it out of that index. */
export type IndexFunction<T> = (object: T) => readonly string[];

/**
 * Lists one page of the collection; it must apply the same selector as the watch, so it receives it, and pass
 * limit and continue on to the API server.
 */
export type ListFunction<T extends CachedObject> = (options: {
  labelSelector?: string;
  limit?: number;
  continue?: string;
}) => Promise<ObjectList<T>>;

/** What one generation's event source reports; the default source is a ListWatch. */
export interface SourceHandlers<T> {
  add(object: T): void;
  update(object: T): void;
  delete(object: T): void;
  error(error: unknown): void;
  /** A watch (re)connected. */
  connect(): void;
  /** Any sign of life, bookmarks included. */
  activity(): void;
}

export interface InformerSource {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type InformerSourceFactory<T extends CachedObject> = (
  handlers: SourceHandlers<T>,
  list: () => Promise<ObjectList<T>>,
  isCurrent: () => boolean,
) => InformerSource;

export interface ResilientInformerOptions<T extends CachedObject> {
  /** Resource name for logs and the restarts metric, e.g. 'jobs'. */
  resource: string;
  /** Collection path to watch, e.g. /apis/batch/v1/jobs or /apis/batch/v1/namespaces/ns/jobs (see collectionPath). */
  path: string;
  list: ListFunction<T>;
  kubeConfig?: KubeConfig;
  labelSelector?: string;
  onEvent: InformerEventHandler<T>;
  /** Called on each restart, for scanschedule_informer_restarts_total{resource}. */
  onRestart?: (reason: RestartReason) => void;
  log?: Logger;
  /** Ask the API server for BOOKMARK events, so a resumed watch rarely needs a relist. Default true. */
  bookmarks?: boolean;
  /** Server-side watch timeout; each watch uses a random value between this and twice this, like client-go. Default 300. */
  watchTimeoutSeconds?: number;
  /** Restart when nothing (event, bookmark, connect, list) was heard for this long. Default 3 min. */
  staleAfterMs?: number;
  /** How often the watchdog looks. Default 30 s. */
  watchdogIntervalMs?: number;
  /**
   * Restart backoff: doubles from base to max; reset by a list that succeeded or a watch that delivered events.
   * A failure that says when to come back (Retry-After) waits that long instead, at most max. Default 1 s → 30 s.
   */
  restartBackoffBaseMs?: number;
  restartBackoffMaxMs?: number;
  /** Called when the cache turns stale (a restart) or fresh again (a completed re-list and watch). */
  onFreshness?: (fresh: boolean) => void;
  clock?: Clock;
  setTimer?: SetTimer;
  random?: () => number;
  /** Replaces the ListWatch, for unit tests. */
  createSource?: InformerSourceFactory<T>;
  /**
   * Shrinks each listed or watched object before it is cached, and may change it in place (client-node's ListWatch
   * keeps the same object in its own cache, so in place shrinks both). Whatever it drops no consumer may read.
   * Default: pruneForCollection(path): pods keep only what run-status reads, Jobs lose their pod template, and
   * all lose managedFields.
   */
  prune?: (object: T) => T;
  /**
   * Where the cached objects' string values are shared (see StringPool), after the prune. Informers given the same
   * pool share values across resources (a run's and its Job's scheduled time, namespaces). Default: one of its own.
   */
  strings?: StringPool;
  /**
   * Which objects this informer is for (another shard's are not): the others are neither cached nor reported, as
   * if they did not exist. The watch still brings them (the API server cannot select by namespace hash), so
   * each is cut down in place to its identity, which is all client-node's own cache then keeps of it.
   * Default: all.
   */
  keep?: (object: T) => boolean;
  /**
   * Objects per list page. Pages are pruned as they arrive, so a re-list of 10,000 objects never holds the whole
   * unpruned response at once (the peak that sized the heap for good). Default 500, client-go's.
   */
  pageSize?: number;
}

/** Index key for objects of one namespace under one value, e.g. the runs of one schedule. */
export function namespacedIndexKey(namespace: string | undefined, value: string): string {
  return `${namespace ?? ''}/${value}`;
}

/** A bucket per key: the objects filed under it, by object key (so a replace never duplicates). */
type Buckets<T> = Map<string, Map<string, T>>;

function fileUnder<T>(buckets: Buckets<T>, bucketKey: string, key: string, object: T): void {
  let bucket = buckets.get(bucketKey);
  if (bucket === undefined) {
    bucket = new Map();
    buckets.set(bucketKey, bucket);
  }
  bucket.set(key, object);
}

function unfileFrom<T>(buckets: Buckets<T>, bucketKey: string, key: string): void {
  const bucket = buckets.get(bucketKey);
  if (bucket === undefined) return;
  bucket.delete(key);
  if (bucket.size === 0) buckets.delete(bucketKey);
}

interface Index<T> {
  keysOf: IndexFunction<T>;
  buckets: Buckets<T>;
}

/** API path of a collection: core group when `group` is empty, cluster-wide when `namespace` is undefined. */
export function collectionPath(resource: {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
}): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const scope = resource.namespace === undefined ? '' : `/namespaces/${encodeURIComponent(resource.namespace)}`;
  return `${base}${scope}/${resource.plural}`;
}

export function objectKey(object: CachedObject): string {
  const namespace = object.metadata?.namespace ?? '';
  const name = object.metadata?.name ?? '';
  return namespace === '' ? name : `${namespace}/${name}`;
}

/** What the API server asks for on a 429 it sends without a usable hint ("storage is (re)initializing": 1 s). */
const DEFAULT_TOO_MANY_REQUESTS_RETRY_MS = 1_000;

function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * How long a failed list or watch asks to be left alone, in ms; undefined when it does not say. Reads the
 * Retry-After header (seconds or an HTTP date) and a Status body's details.retryAfterSeconds of client-node's
 * ApiException; a watch error carries only its status code, so a bare 429 gets the API server's usual 1 s.
 */
export function retryAfterMs(error: unknown, nowMs: number): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { headers, body, code, statusCode } = error as {
    headers?: unknown;
    body?: unknown;
    code?: unknown;
    statusCode?: unknown;
  };
  const header = headerValue(headers, 'retry-after')?.trim();
  if (header !== undefined && header !== '') {
    if (/^\d+$/.test(header)) return Number(header) * 1000;
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const seconds = (parseBody(body) as { details?: { retryAfterSeconds?: unknown } } | undefined)?.details
    ?.retryAfterSeconds;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  if (code === 429 || statusCode === 429) return DEFAULT_TOO_MANY_REQUESTS_RETRY_MS;
  return undefined;
}

/** The wait before restart number `failures` (1-based): the server's hint when it gave one, else exponential. */
export function restartDelayMs(failures: number, hintMs: number | undefined, baseMs: number, maxMs: number): number {
  if (hintMs !== undefined) return Math.min(Math.max(0, hintMs), maxMs);
  return Math.min(baseMs * 2 ** Math.min(Math.max(0, failures - 1), 30), maxMs);
}

/**
 * Typed list calls return class instances holding Date objects while watch events are plain JSON with RFC 3339
 * strings; one shape in the cache (the wire's) keeps every consumer and every comparison simple. Every object the
 * API server returns has a creationTimestamp, a Date exactly when a typed client deserialised it: plain JSON (custom
 * objects, watch events) is kept as it is, since copying 10,000 of them on a re-list only made garbage.
 */
function toWireJson<T>(object: T): T {
  const created = (object as { metadata?: { creationTimestamp?: unknown } }).metadata?.creationTimestamp;
  return created instanceof Date ? (JSON.parse(JSON.stringify(object)) as T) : object;
}

interface InformerWatchSettings {
  bookmarks: boolean;
  timeoutSeconds: () => number;
  activity: () => void;
  isCurrent: () => boolean;
}

/**
 * A client-node Watch that asks for bookmarks and a server-side timeout, reports every line as activity, and
 * refuses to open a watch for an abandoned generation: ListWatch opens its watch after the list even when it was
 * stopped meanwhile, and that connection would linger.
 */
class InformerWatch extends Watch {
  readonly #settings: InformerWatchSettings;

  constructor(config: KubeConfig, settings: InformerWatchSettings) {
    super(config);
    this.#settings = settings;
  }

  override async watch(...args: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    const [path, queryParams, callback, done] = args;
    if (!this.#settings.isCurrent()) {
      const abandoned = new AbortController();
      abandoned.abort();
      return abandoned;
    }
    const params = {
      ...queryParams,
      timeoutSeconds: this.#settings.timeoutSeconds(),
      ...(this.#settings.bookmarks && { allowWatchBookmarks: true }),
    };
    try {
      return await super.watch(
        path,
        params,
        (phase, object, raw) => {
          this.#settings.activity();
          callback(phase, object, raw);
        },
        done,
      );
    } catch (error) {
      // Credentials that fail (an exec plugin, a token file) throw before the request. On a reconnect ListWatch
      // calls this from a done callback whose promise nobody awaits: a throw would be an unhandled rejection and
      // end the process. Reported through done, it becomes an ordinary watch error and restarts the informer.
      const failed = new AbortController();
      failed.abort();
      done(error);
      return failed;
    }
  }
}

export class ResilientInformer<T extends CachedObject> {
  readonly resource: string;
  readonly #options: ResilientInformerOptions<T>;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #setTimer: SetTimer;
  readonly #cache = new Map<string, T>();
  // list(namespace) and byIndex() are called once or more per reconcile: with thousands of objects, copying and
  // filtering the whole cache each time cost more than the reconcile itself. Buckets make them O(result).
  readonly #byNamespace: Buckets<T> = new Map();
  readonly #indexes = new Map<string, Index<T>>();
  readonly #prune: (object: T) => T;
  readonly #strings: StringPool;
  readonly #keep: (object: T) => boolean;
  /** Object key → the resourceVersion one of our own writes produced, until the watch brings it (ownWrite). */
  readonly #ownVersions = new Map<string, string>();
  readonly #staleAfterMs: number;
  readonly #watchdogIntervalMs: number;
  #generation = 0;
  #source: InformerSource | undefined;
  #running = false;
  #backingOff = false;
  #failures = 0;
  #lastActivityMs = 0;
  #synced = false;
  #fresh = false;
  #cancelRetry: CancelTimer | undefined;
  #cancelWatchdog: CancelTimer | undefined;
  #syncWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #freshWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #restarts = 0;

  constructor(options: ResilientInformerOptions<T>) {
    if (options.createSource === undefined && options.kubeConfig === undefined) {
      throw new Error('ResilientInformer needs a kubeConfig (or a createSource for tests)');
    }
    this.resource = options.resource;
    this.#options = options;
    this.#log = (options.log ?? silentLogger()).child({ informer: options.resource });
    this.#clock = options.clock ?? systemClock;
    this.#setTimer = options.setTimer ?? systemTimer;
    this.#staleAfterMs = options.staleAfterMs ?? 180_000;
    this.#watchdogIntervalMs = options.watchdogIntervalMs ?? 30_000;
    this.#prune = options.prune ?? pruneForCollection<T>(options.path);
    this.#strings = options.strings ?? new StringPool();
    this.#keep = options.keep ?? (() => true);
  }

  /**
   * True once the first full list is in the cache; stays true across restarts (the cache is kept and served),
   * as client-go's HasSynced. Whether the cache is current right now is isFresh().
   */
  hasSynced(): boolean {
    return this.#synced;
  }

  /**
   * True while the cache follows the API server: listed and watching. False from a list or watch failure (or a
   * silent watch) until the re-list and the new watch are done: decisions taken from a stale cache can undo what
   * another replica or a user did meanwhile, so the controller waits for this before acting.
   */
  isFresh(): boolean {
    return this.#fresh;
  }

  /** Resolves when the cache is fresh (at once if it is); rejects if the informer is stopped first. */
  whenFresh(): Promise<void> {
    if (this.#fresh) return Promise.resolve();
    if (!this.#running) return Promise.reject(new Error(`informer ${this.resource} is not running`));
    return new Promise((resolve, reject) => this.#freshWaiters.push({ resolve, reject }));
  }

  /** Restarts so far (errors and watchdog). */
  get restarts(): number {
    return this.#restarts;
  }

  /** Resolves when the cache has synced; rejects if the informer is stopped first. */
  waitForSync(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => this.#syncWaiters.push({ resolve, reject }));
  }

  /** A new array: the cache's objects, or those of one namespace. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.#cache.values()];
    return [...(this.#byNamespace.get(namespace)?.values() ?? [])];
  }

  /**
   * Adds a secondary index, kept up to date from now on (and filled from what is cached already). Adding the same
   * index again does nothing (two readers over one informer); another function under a taken name is a bug.
   */
  addIndex(name: string, keysOf: IndexFunction<T>): void {
    const existing = this.#indexes.get(name);
    if (existing?.keysOf === keysOf) return;
    if (existing !== undefined) throw new Error(`informer ${this.resource} already has an index named ${name}`);
    const index: Index<T> = { keysOf, buckets: new Map() };
    this.#indexes.set(name, index);
    for (const [key, object] of this.#cache) for (const k of keysOf(object)) fileUnder(index.buckets, k, key, object);
  }

  /** A new array of the objects the index files under `indexKey`; throws for an index never added. */
  byIndex(name: string, indexKey: string): T[] {
    const index = this.#indexes.get(name);
    if (index === undefined) throw new Error(`informer ${this.resource} has no index named ${name}`);
    return [...(index.buckets.get(indexKey)?.values() ?? [])];
  }

  /**
   * Notes `object`, as the API server answered one of our writes, as already known: when the watch brings exactly
   * that version, the cache takes it without an event. The reconcile that wrote it decided with it in mind, so
   * its echo would only reconcile the same schedule again to find nothing to do: at three writes per run, that
   * was three extra reconciles per run (controller-runtime users filter these with predicates). Any other
   * version, including one a user or another writer made after ours, is an event as before; a version that
   * came back before this call was an event already.
   */
  ownWrite(object: T): void {
    const version = object.metadata?.resourceVersion;
    if (version === undefined) return;
    const key = objectKey(object);
    if (this.#cache.get(key)?.metadata?.resourceVersion === version) return;
    this.#ownVersions.set(key, version);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#cache.get(namespace === undefined || namespace === '' ? name : `${namespace}/${name}`);
  }

  /** Starts listing and watching; returns at once. Errors never escape: they restart the informer. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#armWatchdog();
    void this.#launch();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#generation++;
    this.#cancelRetry?.();
    this.#cancelWatchdog?.();
    const source = this.#source;
    this.#source = undefined;
    for (const waiter of this.#syncWaiters.splice(0)) {
      waiter.reject(new Error(`informer ${this.resource} stopped before its cache synced`));
    }
    this.#setFresh(false);
    for (const waiter of this.#freshWaiters.splice(0)) {
      waiter.reject(new Error(`informer ${this.resource} stopped before its cache was fresh`));
    }
    await source?.stop().catch(() => {});
  }

  #touch(): void {
    this.#lastActivityMs = this.#clock().getTime();
  }

  #setFresh(fresh: boolean): void {
    if (this.#fresh === fresh) return;
    this.#fresh = fresh;
    if (fresh) for (const waiter of this.#freshWaiters.splice(0)) waiter.resolve();
    try {
      this.#options.onFreshness?.(fresh);
    } catch (error) {
      this.#log.error({ err: error }, 'informer freshness hook threw');
    }
  }

  #emit(type: InformerEventType, object: T): void {
    try {
      this.#options.onEvent(type, object);
    } catch (error) {
      this.#log.error(
        { err: error, key: objectKey(object), event: type },
        'informer event handler threw, event dropped',
      );
    }
  }

  #store(key: string, object: T, previous: T | undefined): void {
    if (previous !== undefined) this.#unstore(key, previous);
    this.#cache.set(key, object);
    fileUnder(this.#byNamespace, object.metadata?.namespace ?? '', key, object);
    for (const index of this.#indexes.values()) {
      for (const k of index.keysOf(object)) fileUnder(index.buckets, k, key, object);
    }
  }

  #unstore(key: string, object: T): void {
    this.#cache.delete(key);
    unfileFrom(this.#byNamespace, object.metadata?.namespace ?? '', key);
    for (const index of this.#indexes.values()) for (const k of index.keysOf(object)) unfileFrom(index.buckets, k, key);
  }

  /** A watched object: cached pruned if it is ours to keep, else cut down to what client-node's cache needs. */
  #accept(object: T): void {
    if (this.#keep(object)) this.#upsert(this.#shrink(object));
    else shrinkToIdentity(object);
  }

  /** What the cache keeps of an object of ours: pruned, its strings shared. */
  #shrink(object: T): T {
    return this.#strings.internAll(this.#prune(object));
  }

  #upsert(object: T): void {
    const key = objectKey(object);
    const previous = this.#cache.get(key);
    const version = object.metadata?.resourceVersion;
    // A relist after a restart replays every object: unchanged ones are not news.
    if (previous !== undefined && version !== undefined && previous.metadata?.resourceVersion === version) return;
    this.#store(key, object, previous);
    if (version !== undefined && this.#ownVersions.get(key) === version) {
      this.#ownVersions.delete(key);
      return;
    }
    this.#emit(previous === undefined ? 'add' : 'update', object);
  }

  #remove(object: T): void {
    const key = objectKey(object);
    this.#ownVersions.delete(key);
    const previous = this.#cache.get(key);
    if (previous === undefined) return;
    this.#unstore(key, previous);
    this.#emit('delete', previous);
  }

  /** Objects deleted while no watch was running appear only as absent from the next list. */
  #dropMissing(items: readonly T[]): void {
    const present = new Set(items.map(objectKey));
    for (const [key, object] of [...this.#cache]) {
      if (present.has(key)) continue;
      this.#ownVersions.delete(key);
      this.#unstore(key, object);
      this.#emit('delete', object);
    }
  }

  #createSource(
    handlers: SourceHandlers<T>,
    list: () => Promise<ObjectList<T>>,
    isCurrent: () => boolean,
  ): InformerSource {
    if (this.#options.createSource !== undefined) return this.#options.createSource(handlers, list, isCurrent);
    const kubeConfig = this.#options.kubeConfig;
    if (kubeConfig === undefined) throw new Error('unreachable: checked in the constructor');
    const random = this.#options.random ?? Math.random;
    const minTimeout = this.#options.watchTimeoutSeconds ?? 300;
    const watch = new InformerWatch(kubeConfig, {
      bookmarks: this.#options.bookmarks ?? true,
      timeoutSeconds: () => Math.floor(minTimeout * (1 + random())),
      activity: handlers.activity,
      isCurrent,
    });
    // ListWatch only stores and hands back what the list and the watch return, so T passes through it unchanged.
    const asT = (object: KubernetesObject): T => object as unknown as T;
    const listWatch = new ListWatch<KubernetesObject>(
      this.#options.path,
      watch,
      list as unknown as () => Promise<KubernetesListObject<KubernetesObject>>,
      false,
      this.#options.labelSelector,
    );
    listWatch.on('add', (object) => handlers.add(asT(object)));
    listWatch.on('update', (object) => handlers.update(asT(object)));
    listWatch.on('delete', (object) => handlers.delete(asT(object)));
    listWatch.on('error', handlers.error);
    listWatch.on('connect', handlers.connect);
    return listWatch;
  }

  async #launch(): Promise<void> {
    if (!this.#running) return;
    const generation = ++this.#generation;
    const isCurrent = (): boolean => this.#running && generation === this.#generation;
    this.#backingOff = false;
    this.#touch();
    let listed = false;
    const guard =
      (fn: (object: T) => void) =>
      (object: T): void => {
        if (!isCurrent()) return;
        try {
          fn(object);
        } catch (error) {
          this.#log.error({ err: error }, 'informer cache update failed');
        }
      };
    const handlers: SourceHandlers<T> = {
      add: guard((object) => this.#accept(object)),
      update: guard((object) => this.#accept(object)),
      delete: guard((object) => this.#remove(object)),
      error: (error) => {
        if (isCurrent()) this.#restart('error', error);
      },
      connect: () => {
        if (isCurrent()) this.#touch();
      },
      activity: () => {
        if (!isCurrent()) return;
        this.#touch();
        // The watch works: a later failure starts the backoff again from the base delay.
        this.#failures = 0;
      },
    };
    const list = async (): Promise<ObjectList<T>> => {
      const { labelSelector, pageSize = 500 } = this.#options;
      const items: T[] = [];
      let result: ObjectList<T>;
      let token: string | undefined;
      do {
        // Every page comes from the snapshot of the first (the continue token carries its resourceVersion).
        result = await this.#options.list({
          ...(labelSelector !== undefined && { labelSelector }),
          limit: pageSize,
          ...(token !== undefined && { continue: token }),
        });
        // Throwing makes an abandoned ListWatch stop here instead of going on to open a watch.
        if (!isCurrent()) throw new Error('informer generation abandoned');
        for (const item of result.items ?? []) {
          const object = toWireJson(item);
          if (this.#keep(object)) items.push(this.#shrink(object));
        }
        token = result.metadata?.continue || undefined;
      } while (token !== undefined);
      this.#dropMissing(items);
      listed = true;
      this.#failures = 0;
      this.#touch();
      return { metadata: { resourceVersion: result.metadata?.resourceVersion }, items };
    };

    let source: InformerSource;
    try {
      source = this.#createSource(handlers, list, isCurrent);
      this.#source = source;
      await source.start();
    } catch (error) {
      if (isCurrent()) this.#restart('error', error);
      return;
    }
    if (!isCurrent() || !listed) return;
    if (this.#restarts > 0) this.#log.info({ restarts: this.#restarts }, 'informer recovered, cache fresh');
    this.#failures = 0;
    this.#setFresh(true);
    if (!this.#synced) {
      this.#synced = true;
      this.#log.info({ objects: this.#cache.size }, 'informer cache synced');
      for (const waiter of this.#syncWaiters.splice(0)) waiter.resolve();
    }
  }

  #restart(reason: RestartReason, error: unknown): void {
    if (!this.#running || this.#backingOff) return;
    this.#generation++;
    this.#backingOff = true;
    const source = this.#source;
    this.#source = undefined;
    void source?.stop().catch(() => {});
    this.#setFresh(false);
    this.#failures++;
    this.#restarts++;
    const delayMs = restartDelayMs(
      this.#failures,
      retryAfterMs(error, this.#clock().getTime()),
      this.#options.restartBackoffBaseMs ?? 1_000,
      this.#options.restartBackoffMaxMs ?? 30_000,
    );
    this.#log.warn(
      { reason, err: error, retryInMs: delayMs, restarts: this.#restarts },
      'informer stopped, cache stale until re-listed; restarting',
    );
    try {
      this.#options.onRestart?.(reason);
    } catch (hookError) {
      this.#log.error({ err: hookError }, 'informer restart hook threw');
    }
    this.#cancelRetry = this.#setTimer(() => {
      this.#cancelRetry = undefined;
      void this.#launch();
    }, delayMs);
  }

  #armWatchdog(): void {
    this.#cancelWatchdog = this.#setTimer(() => {
      if (!this.#running) return;
      const silentMs = this.#clock().getTime() - this.#lastActivityMs;
      if (!this.#backingOff && silentMs > this.#staleAfterMs) {
        this.#restart('watchdog', new Error(`no watch activity for ${Math.round(silentMs / 1000)} s`));
      }
      this.#armWatchdog();
    }, this.#watchdogIntervalMs);
  }
}
