import type { DecoratableClient } from '../aws/clients.js';
import { abortError, type ServiceName } from './errors.js';
import { type AbortSignalLike, sleep } from './transport.js';
import type { EndpointBlackhole } from './types.js';

/**
 * How a request to an endpoint goes unanswered, and what ends it: the calling client's own HTTP
 * handler, configured as the registry configured it. The simulator replaces only the HTTP send
 * (TOOLCHAIN.md), so it ends an unanswered request the way @smithy/node-http-handler would.
 *
 * Behaviour of @smithy/node-http-handler 4.14.2 (the version installed; read in its source and
 * measured on this machine against a local listener whose accept queue was full, i.e. SYNs
 * dropped, and one that accepts and never answers):
 *
 * - `no-connection` (blackholed: no TCP answer). `connectionTimeout` ends the attempt with
 *   TimeoutError "the request socket did not establish a connection with the server within the
 *   configured timeout of N ms" (measured: 3,008 ms for 3,000). `requestTimeout` counts from the
 *   start of the request too, so with `throwOnRequestTimeout` it ends a connect that takes longer.
 *   `socketTimeout` starts only once connected, so it never ends a connect. With neither: the
 *   attempt hangs until the caller aborts or the Lambda dies (modelled as forever; Linux's own
 *   connect timeout, tcp_syn_retries 6 = about 127 s, is beyond any 60 s Lambda, and a drill
 *   cannot kill a handler, so "never" is the closer picture of a function frozen at its timeout).
 * - `no-answer` (the connection is accepted, the request sent, nothing comes back). Only
 *   `requestTimeout` WITH `throwOnRequestTimeout: true` (TimeoutError, code ETIMEDOUT, "[ERROR] a
 *   request has exceeded the configured N ms requestTimeout"), `socketTimeout` (inactivity
 *   TimeoutError) or the service's default socket timeout (opt-in, AWS_ENABLE_DEFAULT_SOCKET_TIMEOUT_2026;
 *   300-900 s) end it. A `requestTimeout` without `throwOnRequestTimeout` only logs a WARN and the
 *   request goes on waiting (measured: still pending after 6 s with requestTimeout 1.5 s; the
 *   option's doc: "Because requestTimeout was for a long time incorrectly being set as a socket
 *   idle timeout, users must also opt-in for request timeout thrown errors").
 * - A pooled connection. The SDK's agent keeps connections alive (keepAlive true, no agent
 *   timeout), so the first request after an endpoint goes dark is written into a connection that
 *   was open: connectionTimeout does not apply to it (the handler clears it for a connected
 *   socket) and it is a `no-answer` request. A timed-out request destroys its socket; the next
 *   attempt opens a new connection. Users hit exactly this: aws/aws-sdk-js-v3 issue 3710 (a
 *   request on a pooled socket cut by a NAT timeout never threw). How long an idle pooled
 *   connection stays usable is LATENCIES.keepAliveIdle (AWS publishes no idle timeout for its API
 *   endpoints: modelling choice).
 *
 * The standard retry strategy classes TimeoutError as transient (@smithy/core retry
 * TRANSIENT_ERROR_CODES) and retries it, backoff included; an AbortError is never retried.
 * A per-call `requestTimeout` (client.send options) is not visible to a middleware: the
 * orchestrator passes none, so the client's configuration is what counts.
 */
export type Unanswered = 'no-connection' | 'no-answer';

/** The NodeHttpHandler options that can end an unanswered request. */
export interface HttpTimeouts {
  connectionTimeout?: number;
  requestTimeout?: number;
  throwOnRequestTimeout?: boolean;
  socketTimeout?: number;
  /** The service's default socket timeout, when the SDK turned it on (opt-in). */
  defaultSocketTimeout?: number;
}

/** How an unanswered attempt ends: after `afterMs` with `error`, or never (until aborted). */
export interface UnansweredEnd {
  afterMs: number;
  error: () => Error;
  /** Counted from the start of the request (connection and request timeouts), not from the last byte. */
  fromStart: boolean;
}

const positive = (ms: number | undefined): ms is number =>
  typeof ms === 'number' && Number.isFinite(ms) && ms > 0;

/** The first of the client's timeouts to end an unanswered attempt; null when none would. */
export function unansweredEnd(how: Unanswered, t: HttpTimeouts): UnansweredEnd | null {
  const ends: UnansweredEnd[] = [];
  if (t.throwOnRequestTimeout && positive(t.requestTimeout)) {
    const ms = t.requestTimeout;
    ends.push({ afterMs: ms, error: () => requestTimeoutError(ms), fromStart: true });
  }
  if (how === 'no-connection' && positive(t.connectionTimeout)) {
    const ms = t.connectionTimeout;
    ends.push({ afterMs: ms, error: () => connectionTimeoutError(ms), fromStart: true });
  }
  if (how === 'no-answer') {
    // The handler arms socketTimeout when set, else the service's default socket timeout.
    const byDefault = t.socketTimeout === undefined;
    const idle = byDefault ? t.defaultSocketTimeout : t.socketTimeout;
    if (positive(idle))
      ends.push({ afterMs: idle, error: () => socketTimeoutError(idle, byDefault), fromStart: false });
  }
  return ends.reduce<UnansweredEnd | null>(
    (first, end) => (first && first.afterMs <= end.afterMs ? first : end),
    null,
  );
}

/**
 * The timeouts a client's HTTP handler was built with: the SDK resolves `requestHandler` options
 * into a NodeHttpHandler whose `configProvider` holds them. Empty when the handler is something
 * else (then nothing ends an unanswered request, which is what such a client would risk).
 */
export async function httpTimeoutsOf(client: DecoratableClient): Promise<HttpTimeouts> {
  const handler = (client.config as { requestHandler?: { configProvider?: Promise<unknown> } })
    .requestHandler;
  const config = ((await handler?.configProvider) ?? {}) as HttpTimeouts;
  const { connectionTimeout, requestTimeout, throwOnRequestTimeout, socketTimeout, defaultSocketTimeout } =
    config;
  return { connectionTimeout, requestTimeout, throwOnRequestTimeout, socketTimeout, defaultSocketTimeout };
}

/**
 * Hangs as an unanswered request does: until the client's timeout ends it (then throws its
 * TimeoutError) or the caller aborts (AbortError). With no timeout and no abort it never settles
 * and leaves no timer behind: the step outlives its Lambda and Task timeout, as it would on AWS.
 * `spentMs`: how long the request has already been under way (a request that reached the service
 * and whose answer is lost), which a timeout counted from its start has used up.
 */
export async function hangUnanswered(
  how: Unanswered,
  timeouts: HttpTimeouts,
  signal: AbortSignalLike | undefined,
  spentMs = 0,
): Promise<never> {
  const end = unansweredEnd(how, timeouts);
  if (!end) return untilAborted(signal);
  await sleep(Math.max(0, end.fromStart ? end.afterMs - spentMs : end.afterMs), signal);
  throw end.error();
}

function untilAborted(signal: AbortSignalLike | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = () => reject(abortError());
    if (signal?.addEventListener) signal.addEventListener('abort', onAbort);
    else if (signal) signal.onabort = onAbort;
  });
}

/** Is the endpoint of `service` in `region` blackholed at `at`, and how? */
export function blackholed(
  blackholes: readonly EndpointBlackhole[],
  service: ServiceName,
  region: string,
  at: number,
): Unanswered | undefined {
  const hit = blackholes.find(
    (b) =>
      b.region === region &&
      (b.service === undefined || b.service === service) &&
      b.from <= at &&
      at < (b.to ?? Number.POSITIVE_INFINITY),
  );
  return hit ? (hit.mode ?? 'no-connection') : undefined;
}

/**
 * Which (client, endpoint region) pairs hold an open keep-alive connection, and since when it has
 * been idle: a request answered leaves its connection in the pool; one that timed out or was
 * aborted destroys it (the handler calls request.destroy()).
 */
export class ConnectionPool {
  readonly #idleSince = new WeakMap<object, Map<string, number>>();

  constructor(private readonly idleMs: () => number) {}

  /** Takes the pooled connection to `region` if one is still open at `at` (it is in use now). */
  take(client: object, region: string, at: number): boolean {
    const pool = this.#idleSince.get(client);
    const since = pool?.get(region);
    pool?.delete(region);
    return since !== undefined && at - since <= this.idleMs();
  }

  /** An answer came back on a connection to `region` at `at`: it goes back to the pool. */
  release(client: object, region: string, at: number): void {
    let pool = this.#idleSince.get(client);
    if (!pool) {
      pool = new Map();
      this.#idleSince.set(client, pool);
    }
    pool.set(region, at);
  }
}

/** @smithy/node-http-handler's connect timeout (a TimeoutError with no `$fault`, no HTTP status). */
export function connectionTimeoutError(afterMs: number): Error {
  return Object.assign(
    new Error(
      `@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of ${afterMs} ms.`,
    ),
    { name: 'TimeoutError', $metadata: {} },
  );
}

/** @smithy/node-http-handler's request timeout, thrown only with throwOnRequestTimeout. */
export function requestTimeoutError(afterMs: number): Error {
  return Object.assign(
    new Error(
      `@smithy/node-http-handler - [ERROR] a request has exceeded the configured ${afterMs} ms requestTimeout.`,
    ),
    { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: {} },
  );
}

/** @smithy/node-http-handler's socket inactivity timeout. */
export function socketTimeoutError(afterMs: number, serviceDefault = false): Error {
  const by = serviceDefault ? 'service default socket timeout' : 'configured by client requestHandler';
  return Object.assign(
    new Error(
      `@smithy/node-http-handler - the request socket timed out after ${afterMs} ms of inactivity (${by}).`,
    ),
    { name: 'TimeoutError', $metadata: {} },
  );
}
