// Time as a dependency: every kube/ component that waits or reads the time takes these, so unit tests drive
// them with ManualClock and never sleep for real.

import type { Clock } from '../core/ports.ts';

// One Clock type for the whole controller: core's reconcile takes the same one.
export type { Clock };

/** Cancels a timer armed by SetTimer; calling it after the timer fired does nothing. */
export type CancelTimer = () => void;

/** Arms a one-shot timer. */
export type SetTimer = (callback: () => void, ms: number) => CancelTimer;

export const systemClock: Clock = () => new Date();

/** Node's setTimeout fires at once (with a TimeoutOverflowWarning) beyond this, so longer waits are chained. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The host's one-shot timer primitives (setTimeout/clearTimeout), injectable to test the chaining below. */
export interface HostTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

// A yearly schedule asks to be requeued in ~365 days: without chaining, setTimeout would fire after 1 ms and
// the queue would hot-loop on that key.
export function chainedTimer(host: HostTimers): SetTimer {
  return (callback, ms) => {
    let handle: unknown;
    let cancelled = false;
    const arm = (remaining: number): void => {
      const step = Math.min(Math.max(remaining, 0), MAX_TIMER_MS);
      handle = host.set(() => {
        if (cancelled) return;
        if (remaining > MAX_TIMER_MS) arm(remaining - MAX_TIMER_MS);
        else callback();
      }, step);
    };
    arm(ms);
    return () => {
      cancelled = true;
      host.clear(handle);
    };
  };
}

export const systemTimer: SetTimer = chainedTimer({
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
});
