// Kubernetes Events (events.k8s.io/v1) for ScanSchedules and ScanRuns, written in the background: recording an
// Event never throws and never delays a reconcile (docs/design.md §5), a failure is only logged.
//
// De-duplication, after client-go's events/v1 EventSeries, kept simple: the same event (same object, type,
// reason, action and note) seen again within the window does not create a new Event; it patches the first one's
// `series` ({count, lastObservedTime}). While a write for that event is in flight, further repeats only count, and
// the count is written by one follow-up patch when the write returns. After the window a fresh Event is created.
import {
  ApiException,
  type EventsV1Api,
  type EventsV1Event,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
} from '@kubernetes/client-node';
import { type Logger, silentLogger } from '../observe/logger.ts';
import { microTime } from './micro-time.ts';
import { type Clock, systemClock } from './timers.ts';

export const REPORTING_CONTROLLER = 'scanschedule';
/** The API server rejects a longer note (bytes). */
export const MAX_NOTE_BYTES = 1024;
/** client-go's isomorphic-event window for EventSeries. */
const DEFAULT_SERIES_WINDOW_MS = 6 * 60_000;
const MAX_TRACKED_EVENTS = 4096;

/** The object an Event is about. */
export interface EventSubject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface EventToRecord {
  type: 'Normal' | 'Warning';
  /** CamelCase, from the closed vocabulary of core/reasons.ts. */
  reason: string;
  /** What the controller did, CamelCase (CreateRun, SkipRun). */
  action: string;
  /** Human-readable; truncated to 1 KiB. Never a webhook URL or other secret. */
  message: string;
}

/** The two writes the recorder makes; KubeEventSink is the real one. */
export interface EventSink {
  create(namespace: string, event: EventsV1Event): Promise<void>;
  /** Resolves 'gone' when the Event no longer exists (expired after its TTL). */
  patchSeries(
    namespace: string,
    name: string,
    series: { count: number; lastObservedTime: string },
  ): Promise<'patched' | 'gone'>;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class KubeEventSink implements EventSink {
  readonly #api: EventsV1Api;

  constructor(api: EventsV1Api) {
    this.#api = api;
  }

  async create(namespace: string, event: EventsV1Event): Promise<void> {
    await this.#api.createNamespacedEvent({ namespace, body: event });
  }

  async patchSeries(
    namespace: string,
    name: string,
    series: { count: number; lastObservedTime: string },
  ): Promise<'patched' | 'gone'> {
    try {
      await this.#api.patchNamespacedEvent({ name, namespace, body: { series } }, mergePatch);
      return 'patched';
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return 'gone';
      throw error;
    }
  }
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character, marking the cut with "…". */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const ellipsis = '…';
  let budget = maxBytes - Buffer.byteLength(ellipsis, 'utf8');
  let out = '';
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (size > budget) break;
    out += char;
    budget -= size;
  }
  return out + ellipsis;
}

export interface EventRecorderOptions {
  sink: EventSink;
  /** The pod name (POD_NAME): which replica wrote the Event. */
  reportingInstance: string;
  log?: Logger;
  clock?: Clock;
  seriesWindowMs?: number;
}

interface TrackedEvent {
  namespace: string;
  /** Undefined until the create succeeded. */
  name: string | undefined;
  count: number;
  /** Count already written to the API server. */
  writtenCount: number;
  lastObservedMs: number;
  inFlight: boolean;
}

export class EventRecorder {
  readonly #sink: EventSink;
  readonly #instance: string;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #tracked = new Map<string, TrackedEvent>();
  readonly #pending = new Set<Promise<void>>();
  #sequence = 0;
  #closed = false;

  constructor(options: EventRecorderOptions) {
    this.#sink = options.sink;
    this.#instance = options.reportingInstance;
    this.#log = options.log ?? silentLogger();
    this.#clock = options.clock ?? systemClock;
    this.#windowMs = options.seriesWindowMs ?? DEFAULT_SERIES_WINDOW_MS;
  }

  /** Records the event in the background. Never throws. After close() the event is only logged. */
  record(regarding: EventSubject, event: EventToRecord): void {
    if (this.#closed) {
      this.#log.debug({ reason: event.reason }, 'event recorder closed, event not written');
      return;
    }
    try {
      this.#record(regarding, event);
    } catch (error) {
      this.#log.warn({ err: error, reason: event.reason }, 'recording event failed');
    }
  }

  /** Resolves when every write started so far has finished (for shutdown and tests). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /**
   * For shutdown: takes no more events, writes the repeats counted but not yet written (a series patch that
   * failed leaves them for the next repeat, which will not come now), and waits for every write. Each write is
   * bounded by the sink's request deadline.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const [key, tracked] of this.#tracked) this.#writeSeries(key, tracked);
    await this.flush();
  }

  #record(regarding: EventSubject, event: EventToRecord): void {
    const nowMs = this.#clock().getTime();
    const metadata = regarding.metadata ?? {};
    const namespace = metadata.namespace || 'default';
    const note = truncateUtf8(event.message, MAX_NOTE_BYTES);
    const key = JSON.stringify([
      namespace,
      regarding.kind,
      metadata.name,
      metadata.uid,
      event.type,
      event.reason,
      event.action,
      note,
    ]);
    this.#sweep(nowMs);
    const tracked = this.#tracked.get(key);
    if (tracked !== undefined) {
      tracked.count++;
      tracked.lastObservedMs = nowMs;
      // To the end: the map stays in lastObservedMs order, which is what lets #sweep stop early.
      this.#tracked.delete(key);
      this.#tracked.set(key, tracked);
      this.#writeSeries(key, tracked);
      return;
    }
    const fresh: TrackedEvent = {
      namespace,
      name: undefined,
      count: 1,
      writtenCount: 0,
      lastObservedMs: nowMs,
      inFlight: true,
    };
    this.#tracked.set(key, fresh);
    const name = this.#eventName(metadata.name ?? 'unknown', nowMs);
    const body: EventsV1Event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: new V1MicroTime(nowMs),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.#instance,
      action: event.action,
      reason: event.reason,
      type: event.type,
      note,
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: metadata.name,
        namespace: metadata.namespace,
        uid: metadata.uid,
        resourceVersion: metadata.resourceVersion,
      },
    };
    this.#track(
      this.#sink.create(namespace, body).then(
        () => {
          fresh.name = name;
          fresh.writtenCount = 1;
          fresh.inFlight = false;
          // Repeats that arrived while creating are written now, in one patch.
          if (fresh.count > fresh.writtenCount) this.#writeSeries(key, fresh);
        },
        (error: unknown) => {
          // Forget it, so the next occurrence tries a fresh create instead of patching nothing.
          this.#tracked.delete(key);
          this.#log.warn(
            { err: error, reason: event.reason, object: `${namespace}/${metadata.name ?? ''}` },
            'recording event failed',
          );
        },
      ),
    );
  }

  #writeSeries(key: string, tracked: TrackedEvent): void {
    if (tracked.inFlight || tracked.name === undefined || tracked.count <= tracked.writtenCount) return;
    tracked.inFlight = true;
    const count = tracked.count;
    const series = { count, lastObservedTime: microTime(new Date(tracked.lastObservedMs)) };
    this.#track(
      this.#sink.patchSeries(tracked.namespace, tracked.name, series).then(
        (result) => {
          tracked.inFlight = false;
          if (result === 'gone') {
            this.#tracked.delete(key);
            return;
          }
          tracked.writtenCount = count;
          if (tracked.count > tracked.writtenCount) this.#writeSeries(key, tracked);
        },
        (error: unknown) => {
          tracked.inFlight = false;
          this.#log.warn({ err: error, event: tracked.name }, 'updating event series failed');
        },
      ),
    );
  }

  #track(write: Promise<void>): void {
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  /** client-go's name: `<object>.<unix nanoseconds in hex>`; the sequence keeps names unique within a millisecond. */
  #eventName(objectName: string, nowMs: number): string {
    const nanos = BigInt(nowMs) * 1_000_000n + BigInt(this.#sequence++ % 1_000_000);
    return `${objectName}.${nanos.toString(16)}`;
  }

  /**
   * Forgets events whose window has passed. The map is in lastObservedMs order (a repeat moves its entry to the
   * end), so the walk stops at the first entry still inside its window: the cost is what expires (plus expired
   * entries whose write is still in flight, kept until it returns), not every tracked event on every record.
   */
  #sweep(nowMs: number): void {
    for (const [key, tracked] of this.#tracked) {
      if (nowMs - tracked.lastObservedMs < this.#windowMs) break;
      if (!tracked.inFlight) this.#tracked.delete(key);
    }
    // Insertion order is age order: drop the oldest if a flood of distinct events would grow the map unbounded.
    for (const key of this.#tracked.keys()) {
      if (this.#tracked.size <= MAX_TRACKED_EVENTS) break;
      this.#tracked.delete(key);
    }
  }
}
