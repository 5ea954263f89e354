import type { Context } from 'aws-lambda';
import type { StateMachine } from 'aws-local-stepfunctions';
import type { StepHandler } from '../handlers/index.js';

interface AslState {
  Type: string;
  Resource?: unknown;
  Branches?: { States: Record<string, AslState> }[];
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState> };
}

/** Every Task state (inside Parallel and Map too) with the function its Resource names. */
export function taskFunctions(states: Record<string, AslState>): Map<string, string> {
  const found = new Map<string, string>();
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') {
      const getAtt = (state.Resource as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
      if (!Array.isArray(getAtt) || typeof getAtt[0] !== 'string') {
        throw new Error(`Task state ${name} must reference its function as { "Fn::GetAtt": [name, "Arn"] }`);
      }
      found.set(name, getAtt[0]);
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

type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
/** The interpreter's own type for Task handlers, keyed by state name. */
export type LocalTaskHandlers = NonNullable<
  NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
>;
type JsonValue = Parameters<LocalTaskHandlers[string]>[0];

/**
 * Binds each Task state to the same handler that is deployed for its function. The handler
 * is called with the input Step Functions would send it; what it returns, or throws (its
 * `name` is what Retry/Catch match), goes back to the interpreter unchanged.
 */
export function bindTasks(
  states: Record<string, AslState>,
  handlers: Record<string, StepHandler>,
  onResult?: (functionName: string, output: unknown) => void,
): LocalTaskHandlers {
  const bound: LocalTaskHandlers = {};
  for (const [stateName, functionName] of taskFunctions(states)) {
    const handler = handlers[functionName];
    if (!handler) throw new Error(`Task state ${stateName} calls ${functionName}, which has no handler`);
    bound[stateName] = async (input: JsonValue) => {
      const output = await handler(input, lambdaContext(functionName, 60_000));
      onResult?.(functionName, output);
      return output as JsonValue;
    };
  }
  return bound;
}
