import type { HistoryEvent } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { HOOK_ABORTED } from '../errors.js';
import { buildReport } from '../report/build.js';
import { hookAbortCauseOf } from '../report/hooks.js';
import { type FailoverReport, OUTCOMES, type Outcome } from '../report/types.js';
import { type AslMachine, FAILOVER_DEFINITION, resultStates, type StatePath } from './asl.js';
import { indexById, inOrder, lastStateEntered, stateOf, timeOf } from './events.js';

/** What DescribeExecution says about the execution (or a saved copy of it). */
export interface ExecutionSummary {
  name: string;
  status: string;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
}

export interface TaskFailure {
  stateName: string;
  error: string;
  cause: string;
  at: Date;
}

export interface RebuiltState {
  /** The execution state as the Report task would have received it, from the task outputs. */
  state: Record<string, unknown>;
  /** The headline of the report a Report task returned, when one succeeded: the execution's own. */
  report: ReportHeadline | null;
  /** The last task failure that no later success of the same state made good. */
  taskFailure: TaskFailure | null;
  /** When the (last) Report task was entered: the time the execution's own report was built. */
  reportEnteredAt: Date | null;
  /** The execution's own end: error and cause of ExecutionFailed/Aborted/TimedOut. */
  ended: { type: string; at: Date; error?: string; cause?: string; output?: string } | null;
  lastEventAt: Date | null;
}

/**
 * What is read from an execution's own report. Only these fields: the report gains fields over
 * time and a history is kept 90 days, so a report written by an older version must still count.
 */
export const reportHeadlineSchema = z.looseObject({
  outcome: z.enum(OUTCOMES),
  rtoSeconds: z.number().nullable(),
  rpo: z.looseObject({ seconds: z.number().nullable(), basis: z.string() }),
  summary: z.string(),
});
export type ReportHeadline = z.infer<typeof reportHeadlineSchema>;

const SUCCEEDED = new Set(['LambdaFunctionSucceeded', 'TaskSucceeded']);
const FAILED = new Set(['LambdaFunctionFailed', 'TaskFailed', 'LambdaFunctionTimedOut', 'TaskTimedOut']);

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function getAt(root: unknown, path: StatePath): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function setAt(root: Record<string, unknown>, path: StatePath, value: unknown): Record<string, unknown> {
  if (path.length === 0) return (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  let node: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    node[key] = child && typeof child === 'object' ? child : {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path[path.length - 1] as string | number] = value;
  return root;
}

/** The task's own result: `lambda:invoke` wraps it in `{Payload}`, a direct Lambda ARN does not. */
function resultOf(event: HistoryEvent, callback: boolean): unknown {
  if (event.type === 'LambdaFunctionSucceeded')
    return parseJson(event.lambdaFunctionSucceededEventDetails?.output);
  const output = parseJson(event.taskSucceededEventDetails?.output);
  const isInvoke = event.taskSucceededEventDetails?.resourceType === 'lambda' && !callback;
  if (isInvoke && output && typeof output === 'object' && 'Payload' in output) {
    return (output as { Payload: unknown }).Payload;
  }
  return output;
}

function failureOf(event: HistoryEvent): { error: string; cause: string } {
  const details =
    event.lambdaFunctionFailedEventDetails ??
    event.taskFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.taskTimedOutEventDetails;
  const timedOut = event.type?.endsWith('TimedOut') === true;
  return {
    error: details?.error ?? (timedOut ? 'States.Timeout' : 'States.TaskFailed'),
    cause: details?.cause ?? '',
  };
}

/**
 * Replays the task results of a history into the execution state the workflow builds: each
 * Task state's result goes where its ResultPath (and an enclosing Parallel's ResultSelector)
 * puts it, so a polling state's last result wins, as in the real state. Report tasks' outputs
 * are kept apart: their timeline would add the report itself to the steps. Pass states (the
 * initial layout, approval decisions) are replayed from their exited output when the history
 * holds it.
 */
export function rebuildState(history: readonly HistoryEvent[], machine: AslMachine = FAILOVER_DEFINITION) {
  const tasks = resultStates(machine);
  const ordered = inOrder(history);
  const byId = indexById(ordered);
  let state: Record<string, unknown> = {};
  const rebuilt: Omit<RebuiltState, 'state'> = {
    report: null,
    taskFailure: null,
    reportEnteredAt: null,
    ended: null,
    lastEventAt: null,
  };
  for (const event of ordered) {
    const type = event.type ?? '';
    rebuilt.lastEventAt = timeOf(event);
    if (type === 'PassStateExited') {
      const pass = tasks.get(event.stateExitedEventDetails?.name ?? '');
      const output = parseJson(event.stateExitedEventDetails?.output);
      if (pass?.path && pass.ownPath && output && typeof output === 'object') {
        state = setAt(state, pass.path, getAt(output, pass.ownPath));
      }
    } else if (type === 'TaskStateEntered') {
      const task = tasks.get(event.stateEnteredEventDetails?.name ?? '');
      if (task?.receivesWholeState) rebuilt.reportEnteredAt = timeOf(event);
    } else if (SUCCEEDED.has(type)) {
      const name = stateOf(event, byId, ordered);
      const task = name ? tasks.get(name) : undefined;
      if (task?.kind !== 'task') continue;
      if (rebuilt.taskFailure?.stateName === task.name) rebuilt.taskFailure = null;
      const result = resultOf(event, task.callback);
      if (task.receivesWholeState) {
        const report = reportHeadlineSchema.safeParse((result as { report?: unknown } | null)?.report);
        if (report.success) rebuilt.report = report.data;
      } else if (task.path) {
        state = setAt(state, task.path, result);
      }
    } else if (FAILED.has(type)) {
      const name = stateOf(event, byId, ordered);
      if (name) rebuilt.taskFailure = { stateName: name, ...failureOf(event), at: timeOf(event) };
      // A Catch that keeps the error in the state (an approval rejected or timed out) puts it
      // where the workflow's own report found it.
      const { error, cause } = failureOf(event);
      const caught = name
        ? tasks
            .get(name)
            ?.caughtPaths.find((c) => c.errors.includes(error) || c.errors.includes('States.ALL'))
        : undefined;
      if (caught) state = setAt(state, caught.path, { Error: error, Cause: cause });
    } else if (type.startsWith('Execution') && type !== 'ExecutionStarted' && type !== 'ExecutionRedriven') {
      const details =
        event.executionFailedEventDetails ??
        event.executionAbortedEventDetails ??
        event.executionTimedOutEventDetails;
      rebuilt.ended = {
        type,
        at: timeOf(event),
        ...(details?.error === undefined ? {} : { error: details.error }),
        ...(details?.cause === undefined ? {} : { cause: details.cause }),
        ...(event.executionSucceededEventDetails?.output === undefined
          ? {}
          : { output: event.executionSucceededEventDetails.output }),
      };
    }
  }
  return { state, ...rebuilt } satisfies RebuiltState;
}

/** The headline of a succeeded execution's output, which is its report. */
export function reportIn(output: string | undefined): ReportHeadline | null {
  const parsed = reportHeadlineSchema.safeParse(parseJson(output));
  return parsed.success ? parsed.data : null;
}

function outcomeOf(status: string): Outcome {
  if (status === 'SUCCEEDED') return 'succeeded';
  if (status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED') return 'failed';
  throw new Error(`execution has not ended (status ${status}): there is no report to rebuild yet`);
}

/**
 * The failure the report states. The caught task failure is what the workflow's own report
 * step saw (its cause names the step); the execution's error is used when it is a different
 * one (timed out, the report step itself failed) or when the execution was stopped.
 */
function failureFor(
  execution: ExecutionSummary,
  rebuilt: RebuiltState,
  stoppedAt: string | null,
): { Error: string; Cause: string } | null {
  const error = execution.error ?? rebuilt.ended?.error;
  const cause = execution.cause ?? rebuilt.ended?.cause;
  if (execution.status === 'ABORTED') {
    const where = `stopped by an operator at ${stoppedAt ?? 'an unknown state'}`;
    return { Error: error ?? 'ExecutionAborted', Cause: cause ? `${where} (${cause})` : where };
  }
  const task = rebuilt.taskFailure;
  // Raised by a Pass state from a hook's result (statemachines/failover.asl.json): the execution's
  // Cause is the report's summary; the hook's own result says why.
  const hookCause = error === HOOK_ABORTED ? hookAbortCauseOf(rebuilt.state) : null;
  if (hookCause) return { Error: HOOK_ABORTED, Cause: hookCause };
  if (error && (!task || task.error !== error)) return { Error: error, Cause: cause ?? '' };
  return task ? { Error: task.error, Cause: task.cause } : null;
}

/**
 * The report of an ended execution, rebuilt from its history alone (task outputs stay in the
 * history even when the execution fails later) and DescribeExecution. For an execution whose
 * Report task ran, RTO, RPO and the steps equal that report's.
 */
export function rebuildReport(
  history: readonly HistoryEvent[],
  execution: ExecutionSummary,
  machine: AslMachine = FAILOVER_DEFINITION,
): FailoverReport {
  const rebuilt = rebuildState(history, machine);
  const own = rebuilt.report ?? (execution.status === 'SUCCEEDED' ? reportIn(execution.output) : null);
  const outcome = own?.outcome ?? outcomeOf(execution.status);
  const stoppedAt = lastStateEntered(history);
  const failure = outcome === 'failed' ? failureFor(execution, rebuilt, stoppedAt) : null;
  const reportedAt =
    rebuilt.reportEnteredAt ?? rebuilt.taskFailure?.at ?? execution.stopDate ?? rebuilt.lastEventAt;
  return buildReport({
    state: failure ? { ...rebuilt.state, failure } : rebuilt.state,
    outcome,
    executionName: execution.name,
    executionStartedAt: execution.startDate.toISOString(),
    ...(reportedAt ? { reportedAt: reportedAt.toISOString() } : {}),
  });
}
