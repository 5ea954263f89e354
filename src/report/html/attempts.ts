import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { indexById, inOrder, stateOf, timeOf } from '../../history/events.js';
import { STEP_NAMES, type StepName } from '../../timeline/types.js';
import { POLLED_STEP } from '../build.js';

/**
 * A failed attempt of a Task state that the state machine's Retry ran again. The report model
 * carries no retries (a step's timeline holds only its successful attempt's events), so the
 * HTML report reads them from the same execution history the report is rebuilt from.
 */
export interface RetryMark {
  /** The workflow step the state belongs to (a polling state counts for the step it polls). */
  step: StepName | null;
  state: string;
  at: string;
  error: string;
}

const FAILED = new Set(['LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'TaskFailed', 'TaskTimedOut']);

/** `PromoteDatabase` -> promote-database; `CheckScale` -> scale-target; `ReleaseLockFailed` -> release-lock. */
export function stepOfState(state: string): StepName | null {
  const kebab = state.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  if ((STEP_NAMES as readonly string[]).includes(kebab)) return kebab as StepName;
  if (POLLED_STEP[kebab]) return POLLED_STEP[kebab];
  // Variants of one step (ReleaseLockNoAction, ReportFailure) start with its name.
  const prefix = [...STEP_NAMES]
    .sort((a, b) => b.length - a.length)
    .find((step) => kebab.startsWith(`${step}-`));
  return prefix ?? null;
}

function errorOf(event: HistoryEvent): string {
  const details =
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails;
  return details?.error ?? (event.type?.endsWith('TimedOut') ? 'States.Timeout' : 'unknown error');
}

/**
 * Failed attempts that were retried. A failure that ends its state is followed by that state's
 * TaskStateExited (caught) or by the execution's end, chained to it by previousEventId; any
 * other failure with events after it was retried (Step Functions chains the retry's Scheduled to
 * it). A failure that is the history's last event is left out: nothing says yet what followed.
 */
export function retriesFromHistory(history: readonly HistoryEvent[]): RetryMark[] {
  const ordered = inOrder(history);
  const byId = indexById(ordered);
  const endsState = new Set<number>();
  for (const e of ordered) {
    if (e.previousEventId !== undefined && (e.type === 'TaskStateExited' || e.type?.startsWith('Execution')))
      endsState.add(e.previousEventId);
  }
  const marks: RetryMark[] = [];
  ordered.forEach((e, index) => {
    if (!FAILED.has(e.type ?? '') || e.id === undefined || endsState.has(e.id)) return;
    if (index === ordered.length - 1) return;
    const state = stateOf(e, byId, ordered);
    if (!state) return;
    marks.push({ step: stepOfState(state), state, at: timeOf(e).toISOString(), error: errorOf(e) });
  });
  return marks;
}
