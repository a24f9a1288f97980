// Polling with a deadline: start-up and "is the CRD served yet" waits poll instead of sleeping a fixed time,
// so a fast machine is fast and a loaded 2-core CI machine only waits longer.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Returns a reason to give up at once (e.g. the process being waited for has exited). */
  abortIf?: () => string | undefined;
}

/**
 * Calls `probe` until it returns a value other than undefined. A probe that throws counts as "not yet"; its
 * last error goes into the timeout message, which is usually the most useful line when a wait fails.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const started = Date.now();
  const intervalMs = options.intervalMs ?? 200;
  let last = 'no attempt finished';
  for (;;) {
    const reason = options.abortIf?.();
    if (reason !== undefined) throw new Error(`gave up waiting for ${what}: ${reason}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'not ready yet';
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() - started >= options.timeoutMs) {
      throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what} (last: ${last})`);
    }
    await sleep(intervalMs);
  }
}
