import { readFileSync } from 'node:fs';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { parseSavedHistory, type SavedHistory } from '../../src/history/file.js';
import type { FailoverReport } from '../../src/report/types.js';

/**
 * Recorded drill executions (test/fixtures/history/*.json, written by generate.ts there):
 * `region-outage` succeeded, `promotion-refused` failed after its report step ran.
 */
export function recorded(name: 'region-outage' | 'promotion-refused'): SavedHistory {
  const raw = JSON.parse(readFileSync(`test/fixtures/history/${name}.json`, 'utf8'));
  return parseSavedHistory(raw, name);
}

/**
 * The report the execution's own Report task returned (its output, for a success), as it was
 * written then: a recorded report may predate fields added to the report since.
 */
export function ownReport(saved: SavedHistory): FailoverReport {
  if (saved.execution.output) return JSON.parse(saved.execution.output);
  const reported = saved.events
    .filter((e) => e.type === 'LambdaFunctionSucceeded')
    .map((e) => JSON.parse(e.lambdaFunctionSucceededEventDetails?.output ?? 'null'))
    .find((output) => output?.report);
  return reported.report;
}

/** The history up to and including the first entry into `state`: an execution still there. */
export function upTo(events: readonly HistoryEvent[], state: string): HistoryEvent[] {
  const at = events.findIndex(
    (e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === state,
  );
  if (at < 0) throw new Error(`no ${state} in the history`);
  return events.slice(0, at + 1);
}

/** Appends the event StopExecution leaves: what an aborted execution's history ends with. */
export function aborted(events: readonly HistoryEvent[], cause: string): HistoryEvent[] {
  const last = events[events.length - 1] as HistoryEvent;
  return [
    ...events,
    {
      id: (last.id ?? 0) + 1,
      previousEventId: last.id ?? 0,
      timestamp: new Date((last.timestamp as Date).getTime() + 1000),
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'StoppedByOperator', cause },
    },
  ];
}

/** 2026-11-22T03:00:SSZ */
export const at = (s: number) => new Date(Date.UTC(2026, 10, 22, 3, 0, s));

/** An execution waiting in AwaitApproval, as Step Functions records a waitForTaskToken task. */
export function waitingForApproval(): HistoryEvent[] {
  return [
    { id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted' },
    {
      id: 2,
      previousEventId: 1,
      timestamp: at(1),
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name: 'AwaitApproval' },
    },
    {
      id: 3,
      previousEventId: 2,
      timestamp: at(1),
      type: 'TaskScheduled',
      taskScheduledEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke.waitForTaskToken',
        region: 'us-west-2',
        parameters: JSON.stringify({
          FunctionName: 'arn:aws:lambda:us-west-2:123456789012:function:failover-dev-requestApproval',
          Payload: { request: { planName: 'orders' }, taskToken: 'AQCEAAAAKgAAAA-token' },
        }),
      },
    },
    {
      id: 4,
      previousEventId: 3,
      timestamp: at(1),
      type: 'TaskStarted',
      taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' },
    },
    {
      id: 5,
      previousEventId: 4,
      timestamp: at(2),
      type: 'TaskSubmitted',
      taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' },
    },
  ];
}
