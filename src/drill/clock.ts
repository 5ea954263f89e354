import * as FakeTimers from '@sinonjs/fake-timers';
import { seedMathRandom } from '../sim/random.js';

type InstalledClock = ReturnType<typeof FakeTimers.install>;

/** What virtual time replaces: every timer and Date the workflow, the SDK and the simulator use. */
export const FAKED_TIMERS = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'Date',
] as const;

export interface VirtualClock {
  clock: InstalledClock;
  /** Runs timers in order, jumping virtual time, until `promise` settles or the limit passes. */
  runUntilSettled<T>(promise: Promise<T>, limitMs: number): Promise<T>;
  uninstall(): void;
}

/**
 * Virtual time for a drill: every setTimeout, Date and Math.random the workflow sees (the
 * interpreter's Wait states and retry backoff, the SDK's retry delays, the simulated cloud's
 * latencies, timeline timestamps) follows this clock, so a two-minute failover runs in a
 * moment of real time and gives the same figures every time.
 */
export function installVirtualClock(startAt: Date, seed: number): VirtualClock {
  const realSetImmediate = globalThis.setImmediate;
  const clock = FakeTimers.install({
    now: startAt,
    toFake: [...FAKED_TIMERS],
    // Middy arms its early-timeout timer with a timer it captured before the clock was faked.
    shouldClearNativeTimers: true,
  });
  /**
   * Jumping virtual time while real I/O is in flight would let a 3 s deadline fire before a file
   * read that takes a real millisecond (the SDK reads its shared config files on a client's first
   * call). So before each jump, wait in real time until no I/O request is pending.
   */
  const realIoSettled = async () => {
    for (let turn = 0; turn < 10_000; turn++) {
      const pending = process.getActiveResourcesInfo().some((r) => /Req|FileHandle/.test(r));
      if (!pending) return;
      await new Promise((resolve) => realSetImmediate(resolve));
    }
  };
  // Retry jitter (JitterStrategy FULL, the SDK's backoff) draws from Math.random.
  const restoreRandom = seedMathRandom(seed);
  return {
    clock,
    async runUntilSettled<T>(promise: Promise<T>, limitMs: number): Promise<T> {
      let settled = false;
      promise.then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      const deadline = clock.now + limitMs;
      while (!settled) {
        if (clock.now > deadline)
          throw new Error(`drill did not finish within ${limitMs / 1000} virtual seconds`);
        await clock.tickAsync(0);
        await realIoSettled();
        if (!settled) await clock.nextAsync();
      }
      return promise;
    },
    uninstall() {
      restoreRandom();
      clock.uninstall();
    },
  };
}
