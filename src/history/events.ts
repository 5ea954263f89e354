import type { HistoryEvent } from '@aws-sdk/client-sfn';

/**
 * Reading Step Functions execution history events (GetExecutionHistory, oldest first). A
 * history saved as JSON has its timestamps as strings, so every time is read through `timeOf`.
 */

export function timeOf(event: HistoryEvent): Date {
  const raw = event.timestamp as Date | string | number | undefined;
  if (raw instanceof Date) return raw;
  // The AWS CLI v1 prints epoch seconds; v2 and the SDKs' JSON give ISO strings.
  if (typeof raw === 'number') return new Date(raw < 1e12 ? raw * 1000 : raw);
  return new Date(raw ?? 0);
}

/** Oldest first, whatever order they were saved in (`--reverse-order` saves newest first). */
export function inOrder(history: readonly HistoryEvent[]): HistoryEvent[] {
  return [...history].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

const isEntered = (e: HistoryEvent) => e.type?.endsWith('StateEntered') === true;
const isExited = (e: HistoryEvent) => e.type?.endsWith('StateExited') === true;
const CONTAINERS = new Set(['ParallelStateEntered', 'MapStateEntered']);

/**
 * The state an event belongs to. Parallel branches interleave their events, so "the last
 * state entered" would be wrong there: the previousEventId chain (Succeeded -> Started ->
 * Scheduled -> TaskStateEntered, retries included) is followed first; a hand-written
 * history without it falls back to the last TaskStateEntered before the event.
 */
export function stateOf(
  event: HistoryEvent,
  byId: ReadonlyMap<number, HistoryEvent>,
  ordered: readonly HistoryEvent[],
): string | null {
  let node: HistoryEvent | undefined = event;
  for (let hops = 0; node && hops < 64; hops++) {
    if (isEntered(node)) return node.stateEnteredEventDetails?.name ?? null;
    node = node.previousEventId === undefined ? undefined : byId.get(node.previousEventId);
  }
  const index = ordered.indexOf(event);
  for (let i = index - 1; i >= 0; i--) {
    const candidate = ordered[i] as HistoryEvent;
    if (candidate.type === 'TaskStateEntered') return candidate.stateEnteredEventDetails?.name ?? null;
  }
  return null;
}

export function indexById(history: readonly HistoryEvent[]): Map<number, HistoryEvent> {
  return new Map(history.filter((e) => e.id !== undefined).map((e) => [e.id as number, e]));
}

/**
 * Where the execution is, or was when it ended or was stopped: the most recently entered state
 * that has not exited (inside a Parallel, the branch state rather than the Parallel itself),
 * else the last state entered. Null for a history with no state entered.
 */
export function lastStateEntered(history: readonly HistoryEvent[]): string | null {
  const open: { name: string; container: boolean }[] = [];
  let last: string | null = null;
  for (const e of inOrder(history)) {
    const name = (isEntered(e) ? e.stateEnteredEventDetails?.name : e.stateExitedEventDetails?.name) ?? null;
    if (name === null) continue;
    if (isEntered(e)) {
      open.push({ name, container: CONTAINERS.has(e.type ?? '') });
      last = name;
    } else if (isExited(e)) {
      const at = open.map((o) => o.name).lastIndexOf(name);
      if (at >= 0) open.splice(at, 1);
    }
  }
  const inner = open.filter((o) => !o.container);
  return inner[inner.length - 1]?.name ?? open[open.length - 1]?.name ?? last;
}

export interface PendingApproval {
  stateName: string;
  taskToken: string;
  since: Date;
}

const TASK_ENDED = new Set([
  'TaskSucceeded',
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'TaskStateExited',
  'TaskStateAborted',
]);
const EXECUTION_ENDED = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

function tokenIn(parameters: string | undefined): string | null {
  if (!parameters) return null;
  try {
    const parsed = JSON.parse(parameters) as { Payload?: { taskToken?: unknown } };
    const token = parsed.Payload?.taskToken;
    return typeof token === 'string' && token.length > 0 ? token : null;
  } catch {
    return null;
  }
}

/**
 * The approval the execution is waiting for: a `lambda:invoke.waitForTaskToken` task that was
 * scheduled and has not ended. Its task token is in the scheduled parameters (`Payload.taskToken`),
 * which is why an operator needs nothing but the execution to answer it.
 */
export function pendingApproval(history: readonly HistoryEvent[]): PendingApproval | null {
  const ordered = inOrder(history);
  const byId = indexById(ordered);
  const pending = new Map<string, PendingApproval>();
  for (const e of ordered) {
    const type = e.type ?? '';
    if (type === 'TaskScheduled' && e.taskScheduledEventDetails?.resource?.endsWith('.waitForTaskToken')) {
      const taskToken = tokenIn(e.taskScheduledEventDetails.parameters);
      const stateName = stateOf(e, byId, ordered);
      if (taskToken && stateName) pending.set(stateName, { stateName, taskToken, since: timeOf(e) });
    } else if (TASK_ENDED.has(type)) {
      const stateName = stateOf(e, byId, ordered) ?? e.stateExitedEventDetails?.name;
      if (stateName) pending.delete(stateName);
    } else if (EXECUTION_ENDED.has(type)) {
      pending.clear();
    }
  }
  return [...pending.values()].pop() ?? null;
}
