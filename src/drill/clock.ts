import * as FakeTimers from '@sinonjs/fake-timers';

type InstalledClock = ReturnType<typeof FakeTimers.install>;

/** mulberry32: a tiny seeded PRNG, enough to make retry jitter repeat from run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    toFake: [
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'setImmediate',
      'clearImmediate',
      'Date',
    ],
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
  const realRandom = Math.random;
  Math.random = seededRandom(seed);
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
      Math.random = realRandom;
      clock.uninstall();
    },
  };
}
