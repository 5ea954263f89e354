import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { lastStateEntered, pendingApproval } from '../../src/history/events.js';
import { at, waitingForApproval } from './recorded.js';

describe('pendingApproval', () => {
  it('finds the task token of the approval the execution waits for', () => {
    expect(pendingApproval(waitingForApproval())).toEqual({
      stateName: 'AwaitApproval',
      taskToken: 'AQCEAAAAKgAAAA-token',
      since: at(1),
    });
  });

  it('finds none once the approval was answered', () => {
    const answered: HistoryEvent = {
      id: 6,
      previousEventId: 5,
      timestamp: at(30),
      type: 'TaskSucceeded',
      taskSucceededEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke.waitForTaskToken',
        output: '{"approved":true,"by":"jane"}',
      },
    };

    expect(pendingApproval([...waitingForApproval(), answered])).toBeNull();
  });

  it('finds none in an execution without an approval step', () => {
    expect(pendingApproval(waitingForApproval().slice(0, 2))).toBeNull();
  });
});

describe('lastStateEntered', () => {
  it('names the branch state rather than the Parallel that holds it', () => {
    const events: HistoryEvent[] = [
      {
        id: 1,
        timestamp: at(0),
        type: 'ParallelStateEntered',
        stateEnteredEventDetails: { name: 'TakeOver' },
      },
      {
        id: 2,
        timestamp: at(0),
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'ScaleTarget' },
      },
      {
        id: 3,
        timestamp: at(1),
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'FenceOldPrimary' },
      },
      {
        id: 4,
        timestamp: at(2),
        type: 'TaskStateExited',
        stateExitedEventDetails: { name: 'FenceOldPrimary' },
      },
    ];

    expect(lastStateEntered(events)).toBe('ScaleTarget');
  });

  it('names the last state entered when every state has exited', () => {
    const events: HistoryEvent[] = [
      {
        id: 1,
        timestamp: at(0),
        type: 'WaitStateEntered',
        stateEnteredEventDetails: { name: 'WaitForTraffic' },
      },
      {
        id: 2,
        timestamp: at(10),
        type: 'WaitStateExited',
        stateExitedEventDetails: { name: 'WaitForTraffic' },
      },
    ];

    expect(lastStateEntered(events)).toBe('WaitForTraffic');
    expect(lastStateEntered([])).toBeNull();
  });
});
