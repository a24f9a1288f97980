/**
 * A memo that never grows past `limit` entries: a controller sees every schedule again on each resync, so an
 * unbounded cache keyed by user text would grow with every edit for the life of the process. When full, the
 * oldest insertion goes (a Map iterates in insertion order). Hits do not reorder: at the sizes used here a
 * full cache is rare, and a hit is on the hot path of every reconcile.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached value for `key`, computing and storing it on a miss. */
  getOrCompute(key: K, compute: (key: K) => V): V {
    const entries = this.#entries;
    const cached = entries.get(key);
    if (cached !== undefined || entries.has(key)) return cached as V;
    const value = compute(key);
    if (entries.size >= this.#limit) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
    entries.set(key, value);
    return value;
  }
}
