// A clock and timers that move only when a test says so. Timers fire in deadline order (ties in arming order),
// and pending promise continuations run between two timers, so chains of awaits behave as with real time.
import type { CancelTimer, Clock, SetTimer } from '../kube/timers.ts';

interface PendingTimer {
  at: number;
  seq: number;
  callback: () => void;
}

/** Lets every queued microtask and immediate run: async code resumed by a timer reaches its next wait. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class ManualClock {
  #now: number;
  #seq = 0;
  readonly #timers = new Set<PendingTimer>();

  constructor(start: Date | string = '2026-05-19T10:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  readonly clock: Clock = () => new Date(this.#now);

  readonly setTimer: SetTimer = (callback, ms): CancelTimer => {
    const timer: PendingTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, callback };
    this.#timers.add(timer);
    return () => {
      this.#timers.delete(timer);
    };
  };

  /** Milliseconds since the Unix epoch, for assertions. */
  get nowMs(): number {
    return this.#now;
  }

  /** Number of armed timers. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing each timer that falls due at its own instant. */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.at > until) break;
      this.#timers.delete(next);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await settle();
    }
    this.#now = until;
    await settle();
  }

  #earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.#timers) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}
