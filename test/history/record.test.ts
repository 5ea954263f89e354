import { describe, expect, it } from 'vitest';
import type { AslMachine } from '../../src/history/asl.js';
import { pendingApproval } from '../../src/history/events.js';
import { rebuildState } from '../../src/history/rebuild.js';
import { type RecordedTask, toHistoryEvents } from '../../src/history/record.js';

const T0 = Date.parse('2026-11-22T03:00:00.000Z');

const machine: AslMachine = {
  States: {
    PromoteDatabase: { Type: 'Task', Resource: 'arn:fn', ResultPath: '$.steps.promote' },
    AwaitApproval: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      ResultPath: '$.steps.approval',
    },
  },
};

const task = (
  stateName: string,
  from: number,
  to: number,
  outcome: RecordedTask['outcome'],
): RecordedTask => ({
  stateName,
  functionName: stateName,
  input: { taskToken: `token-${stateName}` },
  startedAt: T0 + from,
  endedAt: T0 + to,
  outcome,
});

describe('toHistoryEvents', () => {
  it('records a retried task as one state with two attempts, as Step Functions does', () => {
    const records = [
      task('PromoteDatabase', 0, 100, { kind: 'failed', error: 'AwsTransientError', cause: 'Throttling' }),
      task('PromoteDatabase', 2100, 2200, { kind: 'succeeded', output: { action: 'failover' } }),
    ];

    const events = toHistoryEvents(
      records,
      { name: 'x', startedAt: T0, status: 'SUCCEEDED', report: {} },
      machine,
    );

    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events[5]?.previousEventId).toBe(5);
    expect(JSON.parse(events[4]?.lambdaFunctionFailedEventDetails?.cause ?? '')).toMatchObject({
      errorType: 'AwsTransientError',
      errorMessage: 'Throttling',
    });
    const rebuilt = rebuildState(events, machine);
    expect(rebuilt.state).toEqual({ steps: { promote: { action: 'failover' } } });
    expect(rebuilt.taskFailure).toBeNull();
  });

  it('records a callback task with its token in the scheduled parameters', () => {
    const records = [task('AwaitApproval', 0, 60_000, { kind: 'succeeded', output: { approved: true } })];

    const events = toHistoryEvents(
      records,
      { name: 'x', startedAt: T0, status: 'FAILED', error: { name: 'E', cause: 'c' } },
      machine,
    );

    expect(events.map((e) => e.type)).toContain('TaskSubmitted');
    expect(pendingApproval(events.slice(0, 4))?.taskToken).toBe('token-AwaitApproval');
    expect(rebuildState(events, machine).state).toEqual({ steps: { approval: { approved: true } } });
    expect(events[events.length - 1]).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'E', cause: 'c' },
      timestamp: new Date(T0 + 60_000),
    });
  });
});
