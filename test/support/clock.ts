import { vi } from 'vitest';

/**
 * Runs `promise` to its end under `vi.useFakeTimers()`: advances the virtual clock a quarter
 * second at a time until it settles, so retries, backoffs and deadlines of tens of seconds take
 * no real time. Gives up (and returns the still pending promise) after `limitMs` of virtual time.
 */
export async function inVirtualTime<T>(promise: Promise<T>, limitMs = 10 * 60_000): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => undefined);
  const started = Date.now();
  while (!settled && Date.now() - started < limitMs) await vi.advanceTimersByTimeAsync(250);
  return tracked;
}

/** Virtual ms since `since` (a Date.now() reading under fake timers). */
export const elapsedSince = (since: number) => Date.now() - since;
