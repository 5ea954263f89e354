import { AwsTransientError, FailoverError } from '../errors.js';
import { attemptWithin, describeError } from './bounded.js';
import { isTransientAwsError, translateAwsError } from './translate.js';

/**
 * "A healthy region's transient error is retried, bounded by the step's deadline; only an
 * unreachable region makes an outcome unconfirmed." One helper for it, so no step grows its own
 * loop. Each attempt gets its own AbortSignal, aborted at the attempt's bound or at the
 * deadline: nothing keeps retrying after the step has given up.
 *
 *   0 s        attemptMs       window                      deadline        60 s
 *   |--try--|~|--try--|~|--try--|                                |          |
 *   silent ---------------------> unreachable (stop early)       |   Lambda timeout
 *   throttled, 5xx, one timeout ----------- retried ----------->  give up
 */

/** What a step may spend retrying, all calls together: well inside the 60 s Lambda and task timeout. */
export const STEP_RETRY_BUDGET_MS = 40_000;
/**
 * How long every attempt must stay silent (several bounded attempts, no HTTP answer) before a
 * region's endpoint counts as unreachable. One silent attempt is not an outage.
 */
export const UNREACHABLE_WINDOW_MS = 20_000;

/**
 * How long a read in a healthy region is retried before it becomes AwsTransientError for the
 * state machine: short enough that a step doing a few such reads in a row stays in its budget.
 */
export const READ_RETRY_MS = 15_000;

const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;

export interface RetryOptions {
  /** Give up this long after the first attempt started, aborting the attempt in flight. */
  deadlineMs: number;
  /** Abort one attempt after this long; its silence is retried like a transient error. Default: no bound but the deadline. */
  attemptMs?: number;
  /** Stop early once every attempt so far went unanswered for this long: unreachable, not slow. */
  silenceWindowMs?: number;
  /** Default: FailoverError.transient, else isTransientAwsError. */
  isTransient?: (error: unknown) => boolean;
  /** First backoff (ms), doubled each retry, full jitter, capped at 5 s. */
  baseDelayMs?: number;
}

export type RetryOutcome<T> =
  | { ok: true; value: T; attempts: number; elapsedMs: number }
  | {
      ok: false;
      /** No attempt got an HTTP answer (silence, connection errors): the endpoint is unreachable. */
      unreachable: boolean;
      attempts: number;
      elapsedMs: number;
      /** How the last attempt ended. */
      detail: string;
      /** The last error an attempt threw; undefined when every attempt was silent. */
      lastError?: unknown;
    };

function transient(error: unknown): boolean {
  return error instanceof FailoverError ? error.transient : isTransientAwsError(error);
}

/**
 * Did the error come with an HTTP answer? Throttles and 5xx do (the region is reachable); a
 * TimeoutError or a refused connection does not. Domain errors carry the SDK's as their cause;
 * one built from a parsed response (no cause) came with an answer.
 */
export function gotAnswer(error: unknown): boolean {
  if (error instanceof FailoverError) return error.cause === undefined || gotAnswer(error.cause);
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number';
}

/**
 * Runs `call` until it answers, retrying transient errors and silences with exponential backoff
 * and full jitter until `deadlineMs` (or, while nothing has answered, `silenceWindowMs`). A
 * non-transient error is thrown at once, unchanged. Never throws for a deadline: the outcome
 * says whether the endpoint was unreachable or answered with errors.
 */
export async function retryTransient<T>(
  call: (abortSignal: AbortSignal) => Promise<T>,
  options: RetryOptions,
): Promise<RetryOutcome<T>> {
  const isTransient = options.isTransient ?? transient;
  const base = options.baseDelayMs ?? BASE_DELAY_MS;
  const started = Date.now();
  const deadline = started + Math.max(0, options.deadlineMs);
  let attempts = 0;
  let answered = false;
  let detail = '';
  let lastError: unknown;
  // While nothing has answered, the silence window (when given) ends the retries early.
  const limit = () =>
    answered || options.silenceWindowMs === undefined
      ? deadline
      : Math.min(deadline, started + options.silenceWindowMs);

  do {
    attempts++;
    const bound = Math.min(options.attemptMs ?? Number.POSITIVE_INFINITY, deadline - Date.now());
    const result = await attemptWithin(call, bound);
    if (result.kind === 'value') {
      return { ok: true, value: result.value, attempts, elapsedMs: Date.now() - started };
    }
    if (result.kind === 'silence') {
      detail = `no answer within ${bound} ms`;
    } else {
      if (!isTransient(result.error)) throw result.error;
      answered ||= gotAnswer(result.error);
      lastError = result.error;
      detail = describeError(result.error);
    }
    const left = limit() - Date.now();
    if (left <= 0) break;
    const delay = Math.random() * Math.min(MAX_DELAY_MS, base * 2 ** (attempts - 1));
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
  } while (Date.now() < limit());

  return {
    ok: false,
    unreachable: !answered,
    attempts,
    elapsedMs: Date.now() - started,
    detail,
    ...(lastError === undefined ? {} : { lastError }),
  };
}

export type FailedRegionOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; unreachable: boolean; why: string };

/**
 * A call into the region being failed out of, under the rule for it, as an outcome to record
 * (static stability: never thrown). Each attempt is aborted at `attemptMs` (plan
 * failedRegionCallMs); a reachable region's transient errors are retried until `deadline` (epoch
 * ms, the step's); silence across UNREACHABLE_WINDOW_MS gives up early; a refusal at once. `why`
 * reads "timeout: no answer (...)" for an unreachable region, "error: ..." otherwise.
 */
export async function inFailedRegion<T>(
  call: (abortSignal: AbortSignal) => Promise<T>,
  options: { attemptMs: number; deadline: number },
): Promise<FailedRegionOutcome<T>> {
  try {
    const outcome = await retryTransient(call, {
      attemptMs: options.attemptMs,
      silenceWindowMs: UNREACHABLE_WINDOW_MS,
      deadlineMs: options.deadline - Date.now(),
    });
    if (outcome.ok) return { ok: true, value: outcome.value };
    const tried = `${outcome.attempts} attempt(s) over ${Math.round(outcome.elapsedMs / 1000)} s`;
    return outcome.unreachable
      ? { ok: false, unreachable: true, why: `timeout: no answer (${tried}; last: ${outcome.detail})` }
      : { ok: false, unreachable: false, why: `error: ${outcome.detail} (${tried})` };
  } catch (error) {
    return { ok: false, unreachable: false, why: `error: ${describeError(error)}` };
  }
}

/**
 * retryTransient for a read the step cannot go on without (in a healthy region): at the deadline
 * it throws AwsTransientError, which the state machine retries with backoff.
 */
export async function retryOrThrow<T>(
  operation: string,
  call: (abortSignal: AbortSignal) => Promise<T>,
  options: RetryOptions = { deadlineMs: READ_RETRY_MS },
): Promise<T> {
  const outcome = await retryTransient(call, options);
  if (outcome.ok) return outcome.value;
  const tried = `${outcome.attempts} attempt(s) over ${Math.round(outcome.elapsedMs / 1000)} s`;
  if (outcome.lastError === undefined) {
    throw new AwsTransientError(`${operation}: no answer (${tried}): ${outcome.detail}`);
  }
  const error = translateAwsError(outcome.lastError, operation);
  error.message = `${error.message} (gave up after ${tried})`;
  throw error;
}
