import { setMaxListeners } from 'node:events';

/**
 * Best-effort calls into the failed region. Static stability: the orchestrator must never wait
 * on a region that is down, so each such call gets a short deadline and its outcome is recorded
 * rather than thrown. A deadline cancels: the call receives an AbortSignal that fires when the
 * caller stops waiting, and must pass it to every `client.send(command, { abortSignal })`, so
 * the SDK's retry loop stops too and nothing lands after the step has given up.
 */
export type BoundedOutcome<T> =
  | { ok: true; value: T; elapsedMs: number }
  | { ok: false; reason: 'timeout' | 'error'; detail: string; elapsedMs: number };

/** What one attempt came to: an answer, an error, or nothing before its bound (then aborted). */
export type Attempt<T> =
  | { kind: 'value'; value: T }
  | { kind: 'error'; error: unknown }
  | { kind: 'silence' };

/**
 * Runs `call` once with a signal that aborts after `boundMs` (no bound when not finite). The
 * abort reaches the SDK, whose retry loop races its backoff against the signal and does not
 * retry an AbortError; the rejection that follows is absorbed here.
 */
export async function attemptWithin<T>(
  call: (signal: AbortSignal) => Promise<T>,
  boundMs: number,
): Promise<Attempt<T>> {
  const controller = new AbortController();
  // One attempt may fan out to many calls on one signal (fencing 200 services): each SDK call
  // adds a listener and removes it when it settles, so the default cap of 10 only warns.
  setMaxListeners(0, controller.signal);
  // Called at once, as before; a synchronous throw becomes an error outcome like any other.
  const running = new Promise<T>((resolve) => resolve(call(controller.signal))).then(
    (value): Attempt<T> => ({ kind: 'value', value }),
    (error: unknown): Attempt<T> => ({ kind: 'error', error }),
  );
  if (!Number.isFinite(boundMs)) return running;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silence = new Promise<Attempt<T>>((resolve) => {
    timer = setTimeout(
      () => {
        resolve({ kind: 'silence' });
        controller.abort();
      },
      Math.max(0, boundMs),
    );
  });
  try {
    return await Promise.race([running, silence]);
  } finally {
    clearTimeout(timer);
  }
}

export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

export async function boundedCall<T>(
  call: (signal: AbortSignal) => Promise<T>,
  deadlineMs: number,
): Promise<BoundedOutcome<T>> {
  const started = Date.now();
  const result = await attemptWithin(call, deadlineMs);
  const elapsedMs = Date.now() - started;
  if (result.kind === 'value') return { ok: true, value: result.value, elapsedMs };
  return result.kind === 'silence'
    ? { ok: false, reason: 'timeout', detail: `no answer within ${deadlineMs} ms`, elapsedMs }
    : { ok: false, reason: 'error', detail: describeError(result.error), elapsedMs };
}

/**
 * Like boundedCall, but only silence is absorbed: an error the call throws (a throttle to
 * retry, an access denial to report) propagates unchanged. Returns 'silence' at the deadline,
 * when the call's signal has been aborted.
 */
export async function withinDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  deadlineMs: number,
): Promise<{ value: T } | 'silence'> {
  const result = await attemptWithin(call, deadlineMs);
  if (result.kind === 'silence') return 'silence';
  if (result.kind === 'error') throw result.error;
  return { value: result.value };
}
