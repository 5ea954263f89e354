import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { inOrder, timeOf } from './events.js';
import type { ExecutionSummary } from './rebuild.js';

/**
 * A history saved for offline review: `{ events, execution }`, where `events` is what
 * `aws stepfunctions get-execution-history` prints and `execution` (optional) what
 * `describe-execution` prints. Without `execution`, what the events tell is used: the start,
 * the end, the error; the name is not in the events, so the caller supplies it.
 */
export interface SavedHistory {
  events: HistoryEvent[];
  execution: ExecutionSummary;
}

const END_STATUS: Record<string, string> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const date = (value: unknown) =>
  value === undefined || value === null ? undefined : new Date(value as string | number);

function fromEvents(events: HistoryEvent[], name: string): ExecutionSummary {
  const started = events.find((e) => e.type === 'ExecutionStarted');
  const end = events.find((e) => e.type !== undefined && e.type in END_STATUS);
  const details =
    end?.executionFailedEventDetails ??
    end?.executionAbortedEventDetails ??
    end?.executionTimedOutEventDetails;
  return {
    name,
    status: end?.type ? (END_STATUS[end.type] as string) : 'RUNNING',
    startDate: started ? timeOf(started) : new Date(0),
    ...(end ? { stopDate: timeOf(end) } : {}),
    ...(end?.executionSucceededEventDetails?.output === undefined
      ? {}
      : { output: end.executionSucceededEventDetails.output }),
    ...(details?.error === undefined ? {} : { error: details.error }),
    ...(details?.cause === undefined ? {} : { cause: details.cause }),
  };
}

/** Reads a saved history; throws with what is wrong when it is not one. */
export function parseSavedHistory(raw: unknown, source: string, name?: string): SavedHistory {
  const saved = raw as { events?: unknown; execution?: Record<string, unknown> } | null;
  if (!saved || typeof saved !== 'object' || !Array.isArray(saved.events)) {
    throw new Error(
      `${source} is not a saved execution history: expected {"events": [...], "execution": {...}}`,
    );
  }
  const events = inOrder((saved.events as HistoryEvent[]).map((e) => ({ ...e, timestamp: timeOf(e) })));
  const derived = fromEvents(events, name ?? text(saved.execution?.name) ?? 'unknown');
  const described = saved.execution;
  if (!described) return { events, execution: derived };
  const stopDate = date(described.stopDate) ?? derived.stopDate;
  const output = text(described.output) ?? derived.output;
  const error = text(described.error) ?? derived.error;
  const cause = text(described.cause) ?? derived.cause;
  return {
    events,
    execution: {
      name: name ?? text(described.name) ?? derived.name,
      status: text(described.status) ?? derived.status,
      startDate: date(described.startDate) ?? derived.startDate,
      ...(stopDate ? { stopDate } : {}),
      ...(output === undefined ? {} : { output }),
      ...(error === undefined ? {} : { error }),
      ...(cause === undefined ? {} : { cause }),
    },
  };
}
