import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { type AslMachine, FAILOVER_DEFINITION, resultStates } from './asl.js';

/** One task invocation as the drill records it (src/drill/bindings.ts `TaskRecord`). */
export interface RecordedTask {
  stateName: string;
  functionName?: string;
  /** What the function received (the Payload, for callback tasks). */
  input?: unknown;
  startedAt: number;
  endedAt: number;
  outcome: { kind: 'succeeded'; output: unknown } | { kind: 'failed'; error: string; cause: string };
}

/** The execution the tasks ran in (the drill's `ExecutionRun` fits as it is). */
export interface RecordedExecution {
  name: string;
  startedAt: string | number | Date;
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  /** Error name and cause of an execution that did not succeed. */
  error?: { name: string; cause: string } | null;
  /** The execution's output when it succeeded: this workflow outputs its report. */
  report?: unknown;
  input?: unknown;
  /** Default: when the last task ended. */
  stoppedAt?: string | number | Date;
}

type Draft = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'> & {
  at: number;
  /** The event of the same invocation this one follows; none: whichever event came just before. */
  after?: Draft;
};

const json = (value: unknown) => JSON.stringify(value ?? null);
const functionArn = (name = 'function') => `arn:aws:lambda:local:000000000000:function:${name}`;

/** Lambda reports an uncaught error as this JSON document in Cause. */
const lambdaCause = (error: string, message: string) =>
  JSON.stringify({ errorType: error, errorMessage: message, trace: [] });

function draftsFor(record: RecordedTask, retry: boolean, retried: boolean, callback: boolean): Draft[] {
  const { stateName, startedAt: start, endedAt: end, outcome } = record;
  const drafts: Draft[] = [];
  const add = (draft: Draft) => {
    drafts.push(draft);
    return draft;
  };
  const entered = retry
    ? undefined
    : add({ type: 'TaskStateEntered', at: start, stateEnteredEventDetails: { name: stateName } });
  let last: Draft;
  if (callback) {
    const resource = { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' };
    const parameters = json({ FunctionName: functionArn(record.functionName), Payload: record.input });
    const scheduled = add({
      type: 'TaskScheduled',
      at: start,
      ...(entered ? { after: entered } : {}),
      taskScheduledEventDetails: { ...resource, region: 'local', parameters },
    });
    last = add({ type: 'TaskStarted', at: start, after: scheduled, taskStartedEventDetails: resource });
    last = add({ type: 'TaskSubmitted', at: start, after: last, taskSubmittedEventDetails: resource });
    last =
      outcome.kind === 'succeeded'
        ? add({
            type: 'TaskSucceeded',
            at: end,
            after: last,
            taskSucceededEventDetails: { ...resource, output: json(outcome.output) },
          })
        : add({
            type: 'TaskFailed',
            at: end,
            after: last,
            taskFailedEventDetails: { ...resource, error: outcome.error, cause: outcome.cause },
          });
  } else {
    const scheduled = add({
      type: 'LambdaFunctionScheduled',
      at: start,
      ...(entered ? { after: entered } : {}),
      lambdaFunctionScheduledEventDetails: {
        resource: functionArn(record.functionName),
        input: json(record.input),
      },
    });
    last = add({ type: 'LambdaFunctionStarted', at: start, after: scheduled });
    last =
      outcome.kind === 'succeeded'
        ? add({
            type: 'LambdaFunctionSucceeded',
            at: end,
            after: last,
            lambdaFunctionSucceededEventDetails: { output: json(outcome.output) },
          })
        : add({
            type: 'LambdaFunctionFailed',
            at: end,
            after: last,
            lambdaFunctionFailedEventDetails: {
              error: outcome.error,
              cause: lambdaCause(outcome.error, outcome.cause),
            },
          });
  }
  if (!retried)
    add({ type: 'TaskStateExited', at: end, after: last, stateExitedEventDetails: { name: stateName } });
  return drafts;
}

const ms = (value: string | number | Date) => new Date(value).getTime();

/**
 * Turns the task invocations of a (drill) execution into the events GetExecutionHistory would
 * return for it: ids, previousEventId chains (which keep Parallel branches apart), timestamps,
 * Lambda's error document in Cause. A failed invocation followed by another one of the same
 * state is a retry, as the state machine's Retry makes it. Only Task states are recorded.
 */
export function toHistoryEvents(
  records: readonly RecordedTask[],
  execution: RecordedExecution,
  machine: AslMachine = FAILOVER_DEFINITION,
): HistoryEvent[] {
  const tasks = resultStates(machine);
  const sorted = [...records].sort((a, b) => a.startedAt - b.startedAt);
  const drafts: Draft[] = [];
  sorted.forEach((record, index) => {
    const before = sorted
      .slice(0, index)
      .filter((r) => r.stateName === record.stateName)
      .pop();
    const next = sorted.slice(index + 1).find((r) => r.stateName === record.stateName);
    const retry = before?.outcome.kind === 'failed';
    const retried = record.outcome.kind === 'failed' && next !== undefined;
    drafts.push(...draftsFor(record, retry, retried, tasks.get(record.stateName)?.callback ?? false));
  });
  // Stable: at the same instant, a record's events keep their order and earlier records go first.
  drafts.sort((a, b) => a.at - b.at);

  const startedAt = ms(execution.startedAt);
  const stoppedAt = ms(execution.stoppedAt ?? Math.max(startedAt, ...records.map((r) => r.endedAt)));
  const events: HistoryEvent[] = [
    {
      id: 1,
      previousEventId: 0,
      timestamp: new Date(startedAt),
      type: 'ExecutionStarted',
      executionStartedEventDetails: { input: json(execution.input ?? {}) },
    },
  ];
  const ids = new Map<Draft, number>();
  for (const draft of drafts) {
    const { at, after, ...details } = draft;
    const id = events.length + 1;
    ids.set(draft, id);
    const previousEventId = after ? (ids.get(after) ?? id - 1) : id - 1;
    events.push({ ...details, id, previousEventId, timestamp: new Date(at) });
  }
  events.push({
    ...endOf(execution),
    id: events.length + 1,
    previousEventId: events.length,
    timestamp: new Date(stoppedAt),
  });
  return events;
}

function endOf(execution: RecordedExecution): Pick<HistoryEvent, 'type'> & Partial<HistoryEvent> {
  const error = execution.error ? { error: execution.error.name, cause: execution.error.cause } : {};
  switch (execution.status) {
    case 'SUCCEEDED':
      return {
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: json(execution.report) },
      };
    case 'FAILED':
      return { type: 'ExecutionFailed', executionFailedEventDetails: error };
    case 'ABORTED':
      return { type: 'ExecutionAborted', executionAbortedEventDetails: error };
    case 'TIMED_OUT':
      return { type: 'ExecutionTimedOut', executionTimedOutEventDetails: error };
  }
}
