import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { AslMachine } from '../../src/history/asl.js';
import { lastStateEntered } from '../../src/history/events.js';
import { rebuildReport, rebuildState } from '../../src/history/rebuild.js';
import { aborted, ownReport, recorded, upTo } from './recorded.js';

const comparable = (r: {
  rtoSeconds: unknown;
  userFacingRtoSeconds: unknown;
  rpo: unknown;
  steps: unknown;
}) => ({
  rtoSeconds: r.rtoSeconds,
  userFacingRtoSeconds: r.userFacingRtoSeconds,
  rpo: r.rpo,
  steps: r.steps,
});

describe('rebuildReport', () => {
  it('rebuilds the RTO, RPO and steps of a recorded failover exactly as its own report gave them', () => {
    const saved = recorded('region-outage');

    const report = rebuildReport(saved.events, saved.execution);

    const own = ownReport(saved);
    expect(report.outcome).toBe('succeeded');
    expect(report.rtoSeconds).toBeGreaterThan(60);
    expect(comparable(report)).toEqual(comparable(own));
    expect(report.fencing).toEqual(own.fencing);
    expect(report.actions).toEqual(own.actions);
    expect(report.summary).toBe(own.summary);
  });

  it('rebuilds a failed execution as failed and names the step it stopped at', () => {
    const saved = recorded('promotion-refused');

    const report = rebuildReport(saved.events, saved.execution);

    expect(saved.execution.status).toBe('FAILED');
    expect(report.outcome).toBe('failed');
    expect(report.failure?.cause).toMatch(/^promote-database: /);
    expect(report.steps.find((s) => s.step === 'promote-database')?.outcome).toBe('failed');
    expect(report.rtoSeconds).toBeNull();
    const own = ownReport(saved);
    expect(comparable(report)).toEqual(comparable(own));
    expect(report.failure).toEqual(own.failure);
  });

  it('says where an execution stopped by an operator stopped', () => {
    const saved = recorded('region-outage');
    const events = aborted(upTo(saved.events, 'ShiftTraffic'), 'stopped by jane: DNS change not wanted');

    const report = rebuildReport(events, { ...saved.execution, status: 'ABORTED', output: undefined });

    expect(lastStateEntered(events)).toBe('ShiftTraffic');
    expect(report.outcome).toBe('failed');
    expect(report.failure).toEqual({
      error: 'StoppedByOperator',
      cause: 'stopped by an operator at ShiftTraffic (stopped by jane: DNS change not wanted)',
    });
    expect(report.summary).toMatch(/stopped by an operator at ShiftTraffic/);
    expect(report.steps.map((s) => s.step)).toContain('scale-target');
    expect(report.verifiedAt).toBeNull();
  });

  it('takes the execution error when it is not the task failure (the execution timed out)', () => {
    const saved = recorded('region-outage');
    const events = upTo(saved.events, 'CheckTraffic');

    const report = rebuildReport(events, {
      ...saved.execution,
      status: 'TIMED_OUT',
      output: undefined,
      error: 'States.Timeout',
      cause: 'execution timed out',
    });

    expect(report.failure).toEqual({ error: 'States.Timeout', cause: 'execution timed out' });
  });

  it('refuses an execution that has not ended', () => {
    const saved = recorded('region-outage');

    expect(() =>
      rebuildReport(upTo(saved.events, 'CheckTraffic'), { ...saved.execution, status: 'RUNNING' }),
    ).toThrow(/has not ended/);
  });
});

describe('rebuildState', () => {
  it('puts each task result where its ResultPath puts it, the parallel branches under takeover', () => {
    const { state, report } = rebuildState(recorded('region-outage').events);

    expect(Object.keys(state.steps as object)).toEqual(
      expect.arrayContaining(['normalize', 'verify', 'readiness', 'shift', 'traffic', 'verifyTarget']),
    );
    expect(Object.keys(state.takeover as object).sort()).toEqual([
      'fence',
      'promote',
      'promotion',
      'scale',
      'scaleStatus',
    ]);
    expect((state.takeover as { promotion: { done: boolean } }).promotion.done).toBe(true);
    expect(report?.outcome).toBe('succeeded');
  });

  it('finds a state added to the workflow without a code change', () => {
    const machine: AslMachine = {
      States: {
        AcquireLock: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-west-2:1:function:lock',
          ResultPath: '$.steps.lock',
        },
      },
    };
    const events: HistoryEvent[] = [
      { id: 1, type: 'ExecutionStarted', timestamp: new Date(0) },
      {
        id: 2,
        previousEventId: 1,
        type: 'TaskStateEntered',
        timestamp: new Date(0),
        stateEnteredEventDetails: { name: 'AcquireLock' },
      },
      {
        id: 3,
        previousEventId: 2,
        type: 'TaskSucceeded',
        timestamp: new Date(0),
        taskSucceededEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          output: JSON.stringify({ StatusCode: 200, Payload: { acquired: true, timeline: [] } }),
        },
      },
    ];

    expect(rebuildState(events, machine).state).toEqual({
      steps: { lock: { acquired: true, timeline: [] } },
    });
  });

  it('replays a Pass state from its exited output, such as an approval decision', () => {
    const machine: AslMachine = {
      States: { Decided: { Type: 'Pass', ResultPath: '$.steps.approvalOutcome' } },
    };
    const events: HistoryEvent[] = [
      {
        id: 1,
        type: 'PassStateExited',
        timestamp: new Date(0),
        stateExitedEventDetails: {
          name: 'Decided',
          output: JSON.stringify({ steps: { approvalOutcome: { decision: 'rejected' } } }),
        },
      },
    ];

    expect(rebuildState(events, machine).state).toEqual({
      steps: { approvalOutcome: { decision: 'rejected' } },
    });
  });

  it('forgets a failure that a retry of the same state made good', () => {
    const { events } = recorded('region-outage');
    const success = events.find((e) => e.type === 'LambdaFunctionSucceeded') as HistoryEvent;
    const failedAttempt: HistoryEvent = {
      id: (success.id ?? 0) - 0.5,
      previousEventId: success.previousEventId,
      timestamp: success.timestamp,
      type: 'LambdaFunctionFailed',
      lambdaFunctionFailedEventDetails: { error: 'AwsTransientError', cause: 'throttled' },
    };
    const beforeSuccess = events.filter((e) => (e.id ?? 0) < (success.id ?? 0));

    expect(rebuildState([...beforeSuccess, failedAttempt]).taskFailure).toMatchObject({
      stateName: 'NormalizeInput',
      error: 'AwsTransientError',
    });
    expect(rebuildState([...events, failedAttempt]).taskFailure).toBeNull();
  });
});
