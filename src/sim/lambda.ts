import type { InvocationRequest } from '@aws-sdk/client-lambda';
import { SimFault, SimulatorGapError } from './errors.js';
import { type AbortSignalLike, sleep } from './transport.js';
import type { ServiceModel, World } from './world.js';

/**
 * Lambda's Invoke (RequestResponse), for the plan's hooks: functions that succeed, fail with a
 * function error, or hang. The functions are the customer's, so how long their code runs and
 * what it answers are each function's own settings (SimFunction), not AWS figures.
 */

export interface SimFunction {
  name: string;
  /** Regions the function is deployed in; default both of the plan's. */
  regions?: readonly string[];
  /** succeed: returns `returns`; fail: throws `error`; hang: never answers before its own timeout. */
  behaviour: 'succeed' | 'fail' | 'hang';
  /** How long its code runs before it answers (ms). */
  runMs?: number;
  /** The function's configured timeout (s): a hanging function ends there with Lambda's timeout error. */
  timeoutSeconds?: number;
  returns?: unknown;
  error?: { type: string; message: string };
}

export interface LambdaInvocation {
  at: number;
  region: string;
  functionName: string;
  /** What the function received, parsed. */
  payload: unknown;
  /** ok / function-error: it answered; aborted: the caller gave up first (the function runs on). */
  outcome: 'ok' | 'function-error' | 'aborted';
  endedAt: number;
}

/** The default world's functions: the example plan's cache warm-up hook (plans/dev.json). */
export const DEFAULT_FUNCTIONS: readonly SimFunction[] = [
  {
    name: 'orders-cache-warmup',
    behaviour: 'succeed',
    // Modelling choice: a warm-up that reads the hot keys into the cache takes a few seconds.
    runMs: 4_000,
    timeoutSeconds: 30,
    returns: { warmedKeys: 12_000 },
  },
];

/**
 * A cold start on each function's first invocation per region. AWS: "cold starts typically occur
 * in under 1% of invocations. The duration of a cold start varies from under 100 ms to over
 * 1 second" (AWS Compute Blog, "Operating Lambda: Performance optimization - Part 1"). A hook runs
 * once per failover, so it is cold: the pessimistic end of that range.
 */
export const COLD_START_MS = 1_000;
/** Lambda's default function timeout when a function sets none (Lambda Developer Guide, "Configure Lambda function timeout"). */
const DEFAULT_FUNCTION_TIMEOUT_S = 3;
/** Invoke's synchronous payload limit: 6 MB (Lambda API Reference, Invoke; Lambda quotas). */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;

function bytesOf(payload: unknown): Uint8Array {
  if (payload === undefined) return new Uint8Array();
  if (payload instanceof Uint8Array) return payload;
  return new TextEncoder().encode(String(payload));
}

export class LambdaModel implements ServiceModel {
  readonly service = 'lambda' as const;
  readonly handlers: ServiceModel['handlers'];
  readonly invocations: LambdaInvocation[] = [];
  readonly #functions: Map<string, SimFunction>;
  readonly #warm = new Set<string>();

  constructor(
    private readonly world: World,
    functions: readonly SimFunction[] = [],
  ) {
    // A scenario's function replaces the default of the same name.
    this.#functions = new Map([...DEFAULT_FUNCTIONS, ...functions].map((f) => [f.name, f]));
    this.handlers = {
      Invoke: (input, region, now, signal) =>
        this.#invoke(input as unknown as InvocationRequest, region, now, signal),
    };
  }

  advance(): void {}

  async #invoke(
    input: InvocationRequest,
    region: string,
    now: number,
    signal?: AbortSignalLike,
  ): Promise<object> {
    const type = input.InvocationType ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'DryRun')
      throw new SimulatorGapError(`SimulatedCloud does not implement Lambda Invoke ${input.InvocationType}`);
    const name = input.FunctionName ?? '';
    const fn = this.#resolve(name, input.Qualifier, region);
    // DryRun: the function exists and the caller may invoke it; nothing runs (Lambda API
    // Reference, Invoke: "DryRun - Validate parameter values and verify that the user or role
    // has permission to invoke the function"; StatusCode 204).
    if (type === 'DryRun') return { StatusCode: 204 };
    const body = bytesOf(input.Payload);
    if (body.byteLength > MAX_SYNC_PAYLOAD_BYTES) {
      throw new SimFault(
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        413,
      );
    }
    let payload: unknown = null;
    try {
      payload = body.byteLength === 0 ? null : JSON.parse(new TextDecoder().decode(body));
    } catch {
      // Lambda's own answer to a payload that is not JSON (Lambda API Reference, Invoke errors).
      throw new SimFault('InvalidRequestContentException', 'Could not parse request body into json', 400);
    }
    const record: LambdaInvocation = {
      at: now,
      region,
      functionName: fn.name,
      payload,
      outcome: 'aborted',
      endedAt: now,
    };
    this.invocations.push(record);
    const key = `${region}|${fn.name}`;
    const coldMs = this.#warm.has(key) ? 0 : COLD_START_MS;
    this.#warm.add(key);
    const timeoutMs = (fn.timeoutSeconds ?? DEFAULT_FUNCTION_TIMEOUT_S) * 1000;
    const runMs = fn.behaviour === 'hang' ? timeoutMs : Math.min(fn.runMs ?? 0, timeoutMs);
    try {
      await sleep(coldMs + runMs, signal);
    } finally {
      record.endedAt = Date.now();
    }
    const requestId = this.world.requestId();
    const answer = (value: unknown, functionError?: string) => {
      record.outcome = functionError ? 'function-error' : 'ok';
      return {
        StatusCode: 200,
        ExecutedVersion: '$LATEST',
        ...(functionError ? { FunctionError: functionError } : {}),
        Payload: new TextEncoder().encode(JSON.stringify(value)),
      };
    };
    // A function that outlives its own timeout: Lambda ends it and answers 200 with an Unhandled
    // function error (Lambda Developer Guide, "Troubleshoot invocation issues": "Task timed out
    // after N seconds"); the error type is the runtime's Sandbox.Timedout.
    if (fn.behaviour === 'hang' || (fn.runMs ?? 0) > timeoutMs) {
      return answer(
        {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
        },
        'Unhandled',
      );
    }
    if (fn.behaviour === 'fail') {
      const error = fn.error ?? { type: 'Error', message: 'hook failed' };
      // The Node.js runtime reports a thrown error as Unhandled, with this document as the payload
      // (Lambda Developer Guide, "AWS Lambda function errors in Node.js").
      return answer(
        { errorType: error.type, errorMessage: error.message, trace: [`${error.type}: ${error.message}`] },
        'Unhandled',
      );
    }
    return answer(fn.returns ?? null);
  }

  /** FunctionName as Invoke takes it: a name, a partial ARN or a function ARN, each with an optional qualifier. */
  #resolve(name: string, qualifier: string | undefined, region: string): SimFunction {
    const arn = FUNCTION_ARN.exec(name) ?? null;
    const partial = arn ? null : PARTIAL_ARN.exec(name);
    const [fnName, account, arnRegion, q] = arn
      ? [arn[3], arn[2], arn[1], arn[4]]
      : partial
        ? [partial[2], partial[1], region, partial[3]]
        : [name.split(':')[0], this.world.account, region, name.split(':')[1]];
    const version = qualifier ?? q ?? '$LATEST';
    const fn = this.#functions.get(fnName ?? '');
    const deployed = fn?.regions ?? this.world.regions;
    // Modelling choice: an ARN of another region or account is not found at this regional endpoint.
    if (
      !fn ||
      !deployed.includes(region) ||
      arnRegion !== region ||
      account !== this.world.account ||
      version !== '$LATEST'
    ) {
      const where = `arn:aws:lambda:${region}:${account ?? this.world.account}:function:${fnName ?? name}`;
      // Lambda API Reference, Invoke errors: ResourceNotFoundException, HTTP 404.
      throw new SimFault(
        'ResourceNotFoundException',
        `Function not found: ${version === '$LATEST' ? where : `${where}:${version}`}`,
        404,
      );
    }
    return fn;
  }
}
