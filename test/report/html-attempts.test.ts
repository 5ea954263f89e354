import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { retriesFromHistory, stepOfState } from '../../src/report/html/attempts.js';

/** A history as GetExecutionHistory returns it, ids and previousEventId chains included. */
function history(): HistoryEvent[] {
  const t = (s: number) => new Date(Date.UTC(2026, 10, 22, 3, 0, s));
  const failed = (id: number, prev: number, s: number, error: string): HistoryEvent => ({
    id,
    previousEventId: prev,
    timestamp: t(s),
    type: 'LambdaFunctionFailed',
    lambdaFunctionFailedEventDetails: { error, cause: '{}' },
  });
  return [
    { id: 1, previousEventId: 0, timestamp: t(0), type: 'ExecutionStarted' },
    {
      id: 2,
      previousEventId: 1,
      timestamp: t(1),
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name: 'PromoteDatabase' },
    },
    { id: 3, previousEventId: 2, timestamp: t(1), type: 'LambdaFunctionScheduled' },
    { id: 4, previousEventId: 3, timestamp: t(1), type: 'LambdaFunctionStarted' },
    failed(5, 4, 2, 'AwsTransientError'),
    // The retry: Step Functions chains its Scheduled to the failure.
    { id: 6, previousEventId: 5, timestamp: t(4), type: 'LambdaFunctionScheduled' },
    { id: 7, previousEventId: 6, timestamp: t(4), type: 'LambdaFunctionStarted' },
    { id: 8, previousEventId: 7, timestamp: t(5), type: 'LambdaFunctionSucceeded' },
    {
      id: 9,
      previousEventId: 8,
      timestamp: t(5),
      type: 'TaskStateExited',
      stateExitedEventDetails: { name: 'PromoteDatabase' },
    },
    {
      id: 10,
      previousEventId: 9,
      timestamp: t(6),
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name: 'CheckScale' },
    },
    { id: 11, previousEventId: 10, timestamp: t(6), type: 'LambdaFunctionScheduled' },
    { id: 12, previousEventId: 11, timestamp: t(6), type: 'LambdaFunctionStarted' },
    // Caught: the state exits after the failure; not a retry.
    failed(13, 12, 7, 'ScaleDeadlineExceeded'),
    {
      id: 14,
      previousEventId: 13,
      timestamp: t(7),
      type: 'TaskStateExited',
      stateExitedEventDetails: { name: 'CheckScale' },
    },
    { id: 15, previousEventId: 14, timestamp: t(8), type: 'ExecutionSucceeded' },
  ];
}

describe('retriesFromHistory', () => {
  it('finds a failed attempt the state machine ran again, and not a failure its state caught', () => {
    expect(retriesFromHistory(history())).toEqual([
      {
        step: 'promote-database',
        state: 'PromoteDatabase',
        at: '2026-11-22T03:00:02.000Z',
        error: 'AwsTransientError',
      },
    ]);
  });

  it('leaves out a failure that ends a history cut short: nothing says yet whether it was retried', () => {
    expect(retriesFromHistory(history().slice(0, 5))).toEqual([]);
  });
});

describe('stepOfState', () => {
  it.each([
    ['PromoteDatabase', 'promote-database'],
    ['CheckScale', 'scale-target'],
    ['CheckPromotion', 'promote-database'],
    ['AwaitApproval', 'await-approval'],
    ['ReleaseLockFailed', 'release-lock'],
    ['ReportFailure', 'report'],
    ['SomethingElse', null],
  ])('%s belongs to %s', (state, step) => {
    expect(stepOfState(state)).toBe(step);
  });
});
