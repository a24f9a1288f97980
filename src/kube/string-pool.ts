// Thousands of cached schedules, runs and Jobs repeat the same short strings: apiVersion and kind, the scanner
// image, label values, condition reasons and messages, the scheduled time every run of a burst shares. JSON.parse
// gives every object its own copy of each; with one shared copy per value the caches hold ~8 MiB less of a 93 MiB
// live heap after a burst of 5,000 runs (docs/scaling.md, "Memory").
//
// Bounded, in two generations: values unique to one object (uids, names, resourceVersions) would otherwise pile
// up for good. A value found in the current or the previous generation is shared; when the current one is full
// it becomes the previous, so what was not seen for a whole generation drops out, and a value every object
// carries is always found.

/** Strings longer than this are rarely repeated (messages with names in them) and not worth a lookup. */
const MAX_POOLED_LENGTH = 128;

export class StringPool {
  readonly #capacity: number;
  #current = new Map<string, string>();
  #previous = new Map<string, string>();

  /** `capacity`: distinct values per generation; the pool holds at most twice that. */
  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`StringPool capacity ${capacity}`);
    this.#capacity = capacity;
  }

  /** The pool's copy of `value` (equal to it): the first one seen, while it stays in use. */
  intern(value: string): string {
    if (value.length > MAX_POOLED_LENGTH) return value;
    const current = this.#current.get(value);
    if (current !== undefined) return current;
    const kept = this.#previous.get(value) ?? value;
    if (this.#current.size >= this.#capacity) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(kept, kept);
    return kept;
  }

  /**
   * Replaces, in place, every string value of a JSON object (nested objects and arrays included) by the pool's
   * copy, and returns the object. Keys need nothing: JSON.parse already shares them. Anything that is not plain
   * JSON data (a Date, a class instance) is left as it is.
   */
  internAll<T>(value: T): T {
    const data: unknown = value;
    if (Array.isArray(data)) {
      for (let i = 0; i < data.length; i++) data[i] = this.#internValue(data[i]);
    } else if (isPlainObject(data)) {
      for (const key of Object.keys(data)) data[key] = this.#internValue(data[key]);
    }
    return value;
  }

  /** Distinct values held, both generations. */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  /** Whether the next intern(value) would return a pooled copy. */
  has(value: string): boolean {
    return this.#current.has(value) || this.#previous.has(value);
  }

  #internValue(value: unknown): unknown {
    if (typeof value === 'string') return this.intern(value);
    if (typeof value === 'object' && value !== null) return this.internAll(value);
    return value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
