/**
 * Best-effort calls into the failed region. Static stability: the orchestrator must never wait
 * on a region that is down, so each such call gets a short deadline and its outcome is recorded
 * rather than thrown.
 */
export type BoundedOutcome<T> =
  | { ok: true; value: T; elapsedMs: number }
  | { ok: false; reason: 'timeout' | 'error'; detail: string; elapsedMs: number };

export async function boundedCall<T>(
  call: (signal: AbortSignal) => Promise<T>,
  deadlineMs: number,
): Promise<BoundedOutcome<T>> {
  const started = Date.now();
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deadlineMs);
  });
  try {
    const result = await Promise.race([call(controller.signal).then((value) => ({ value })), deadline]);
    if (result === 'timeout') {
      controller.abort();
      return {
        ok: false,
        reason: 'timeout',
        detail: `no answer within ${deadlineMs} ms`,
        elapsedMs: Date.now() - started,
      };
    }
    return { ok: true, value: result.value, elapsedMs: Date.now() - started };
  } catch (error) {
    const e = error as { name?: string; message?: string };
    return {
      ok: false,
      reason: 'error',
      detail: `${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
      elapsedMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Like boundedCall, but only silence is absorbed: an error the call throws (a throttle to
 * retry, an access denial to report) propagates unchanged. Returns 'silence' at the deadline.
 */
export async function withinDeadline<T>(
  call: () => Promise<T>,
  deadlineMs: number,
): Promise<{ value: T } | 'silence'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silence = new Promise<'silence'>((resolve) => {
    timer = setTimeout(() => resolve('silence'), deadlineMs);
  });
  try {
    return await Promise.race([call().then((value) => ({ value })), silence]);
  } finally {
    clearTimeout(timer);
  }
}
