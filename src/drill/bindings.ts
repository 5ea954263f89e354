import type { Context } from 'aws-lambda';
import type { StateMachine } from 'aws-local-stepfunctions';
import type { StepHandler } from '../handlers/index.js';
import type { PayloadWatch } from './payload-limit.js';

interface AslState {
  Type: string;
  Resource?: unknown;
  Parameters?: Record<string, unknown>;
  Branches?: { States: Record<string, AslState> }[];
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState> };
}

/** Step Functions' Lambda integration that pauses until SendTaskSuccess/Failure (approvals). */
export const CALLBACK_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

export interface TaskBinding {
  functionName: string;
  /** direct: Resource is the function ARN; callback: lambda:invoke.waitForTaskToken with a Payload. */
  kind: 'direct' | 'callback';
}

function getAttName(value: unknown): string | null {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : null;
}

/** Every Task state (inside Parallel and Map too) with the function it invokes. */
export function taskFunctions(states: Record<string, AslState>): Map<string, TaskBinding> {
  const found = new Map<string, TaskBinding>();
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') {
      const direct = getAttName(state.Resource);
      const callback =
        state.Resource === CALLBACK_RESOURCE ? getAttName(state.Parameters?.FunctionName) : null;
      if (direct) found.set(name, { functionName: direct, kind: 'direct' });
      else if (callback) found.set(name, { functionName: callback, kind: 'callback' });
      else {
        throw new Error(
          `Task state ${name} must reference its function as { "Fn::GetAtt": [name, "Arn"] }, or as the FunctionName of ${CALLBACK_RESOURCE}`,
        );
      }
    }
    const nested = [...(state.Branches ?? []), state.Iterator, state.ItemProcessor].filter(
      (b) => b !== undefined,
    );
    for (const branch of nested) for (const [k, v] of taskFunctions(branch.States)) found.set(k, v);
  }
  return found;
}

/** A Lambda context for local invocations: middy reads getRemainingTimeInMillis. */
export function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `drill-${functionName}-${Date.now()}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'drill',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The context a drill invokes a handler with: lambdaContext without its remaining-time reader.
 * Middy arms its early timeout (5 ms before the remaining time runs out) with the setTimeout it
 * imports from node:timers, bound before the drill's clock is installed, so the clock cannot fake
 * it: in a drill it would fire after 60 s of real time, whatever the virtual time. Under AWS's
 * rate limits a step of a large plan sends thousands of calls (src/sim/rate-limits.ts), which on
 * a busy machine takes a minute of real time for a few virtual seconds, and middy then ended a
 * healthy step. Without the reader middy arms no timer; the Task state's TimeoutSeconds (60, the
 * function's timeout) still ends a step that runs too long, in virtual time, as States.Timeout.
 */
export function drillContext(functionName: string, timeoutMs: number): Context {
  return {
    ...lambdaContext(functionName, timeoutMs),
    getRemainingTimeInMillis: undefined,
  } as unknown as Context;
}

type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
/** The interpreter's own type for Task handlers, keyed by state name. */
export type LocalTaskHandlers = NonNullable<
  NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
>;
type JsonValue = Parameters<LocalTaskHandlers[string]>[0];

/** One Lambda invocation as the execution history would record it. */
export interface TaskRecord {
  stateName: string;
  functionName: string;
  input: unknown;
  startedAt: number;
  endedAt: number;
  outcome: { kind: 'succeeded'; output: unknown } | { kind: 'failed'; error: string; cause: string };
}

export interface BindOptions {
  /** Every invocation, in the order they end. */
  onRecord?: (record: TaskRecord) => void;
  /**
   * For callback tasks: what the human (or system) holding the task token does once the
   * function has run. Its return value is the task's result; a throw is SendTaskFailure.
   */
  onCallback?: (stateName: string, payload: unknown) => Promise<unknown>;
  /** Fault injection: throw this error after the handler has done its work (a crash after acting). */
  crashAfter?: (stateName: string) => Error | null;
  /**
   * Step Functions' 256 KiB payload quota (payload-limit.ts). A task whose input or result is
   * over it never settles: the watch has the execution aborted as AWS would fail it, with an
   * error no Catch may see.
   */
  payloads?: PayloadWatch;
}

function failure(error: unknown): { kind: 'failed'; error: string; cause: string } {
  const e = error as { name?: string; message?: string };
  return { kind: 'failed', error: e.name ?? 'Error', cause: e.message ?? String(error) };
}

/**
 * Binds each Task state to the same handler that is deployed for its function. The handler
 * is called with the input Step Functions would send it; what it returns, or throws (its
 * `name` is what Retry/Catch match), goes back to the interpreter unchanged.
 */
export function bindTasks(
  states: Record<string, AslState>,
  handlers: Record<string, StepHandler>,
  options: BindOptions = {},
): LocalTaskHandlers {
  const bound: LocalTaskHandlers = {};
  for (const [stateName, binding] of taskFunctions(states)) {
    const handler = handlers[binding.functionName];
    if (!handler)
      throw new Error(`Task state ${stateName} calls ${binding.functionName}, which has no handler`);
    bound[stateName] = async (input: JsonValue) => {
      if (options.payloads) {
        // The previous state's oversized output is seen in the event log, which trails the
        // interpreter: let it catch up, so a state after a breach never runs (AWS fails the
        // execution on the output itself).
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (options.payloads.breach || !options.payloads.check(stateName, 'input', input))
          return new Promise<never>(() => undefined);
      }
      const startedAt = Date.now();
      const event = binding.kind === 'callback' ? (input as { Payload?: unknown }).Payload : input;
      const record = (outcome: TaskRecord['outcome']) =>
        options.onRecord?.({
          stateName,
          functionName: binding.functionName,
          input: event,
          startedAt,
          endedAt: Date.now(),
          outcome,
        });
      try {
        const output = await handler(event, drillContext(binding.functionName, 60_000));
        const crash = options.crashAfter?.(stateName);
        if (crash) throw crash;
        if (binding.kind === 'callback') {
          const decision = await (options.onCallback?.(stateName, event) ??
            new Promise<never>(() => undefined));
          record({ kind: 'succeeded', output: decision });
          return decision as JsonValue;
        }
        if (options.payloads?.check(stateName, 'result', output) === false)
          return new Promise<never>(() => undefined);
        record({ kind: 'succeeded', output });
        return output as JsonValue;
      } catch (error) {
        record(failure(error));
        throw error;
      }
    };
  }
  return bound;
}
