import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { aborted, recorded, upTo, waitingForApproval } from '../history/recorded.js';
import {
  described,
  executionArn,
  run,
  STATE_MACHINE_ARN,
  withHistory,
  withStateMachines,
} from './harness.js';

const WAITING = executionArn('automatic-approval');

describe('the operator verbs on a running execution', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());

  describe('failover approve and reject', () => {
    it('approve finds the task token in the history of the newest running execution and sends SendTaskSuccess', async () => {
      withStateMachines(sfn);
      sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: WAITING } as never] });
      withHistory(sfn, WAITING, waitingForApproval());
      sfn.on(SendTaskSuccessCommand).resolves({});

      const r = await run(['approve', '--by', 'jane', '--reason', 'us-east-1 is down, AWS Health confirms']);

      expect(r.code).toBe(0);
      expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, {
        stateMachineArn: STATE_MACHINE_ARN,
        statusFilter: 'RUNNING',
        maxResults: 1,
      });
      expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
        taskToken: 'AQCEAAAAKgAAAA-token',
        output: '{"approved":true,"by":"jane","reason":"us-east-1 is down, AWS Health confirms"}',
      });
      expect(r.out[0]).toBe('Approved automatic-approval (AwaitApproval) by jane: the failover goes on.');
    });

    it('reject sends SendTaskFailure ApprovalRejected with who and why', async () => {
      withStateMachines(sfn);
      withHistory(sfn, WAITING, waitingForApproval());
      sfn.on(SendTaskFailureCommand).resolves({});

      const r = await run([
        'reject',
        'automatic-approval',
        '--by',
        'jane',
        '--reason',
        'the primary is recovering',
      ]);

      expect(r.code).toBe(0);
      expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskFailureCommand, {
        taskToken: 'AQCEAAAAKgAAAA-token',
        error: 'ApprovalRejected',
        cause: 'rejected by jane: the primary is recovering',
      });
    });

    it('says so in one line when no approval is pending, and sends nothing', async () => {
      const saved = recorded('region-outage');
      withStateMachines(sfn);
      withHistory(sfn, executionArn(saved.execution.name), upTo(saved.events, 'CheckPromotion'));

      const r = await run(['approve', saved.execution.name, '--by', 'jane']);

      expect(r.code).toBe(1);
      expect(r.err).toEqual(['failover approve: no approval is pending in execution drill-region-outage-1']);
      expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    });

    it('reject without a reason is a usage error', async () => {
      const r = await run(['reject', 'x', '--by', 'jane']);

      expect(r.code).toBe(2);
      expect(r.err).toEqual(['failover reject: --reason TEXT is required (see failover reject --help)']);
      expect(sfn.calls()).toHaveLength(0);
    });
  });

  describe('failover stop', () => {
    // The lock side of stop is in lock.test.ts; here the lock is free.
    const dynamodb = mockClient(DynamoDBClient);
    afterEach(() => dynamodb.reset());

    it('stops the execution, then reports where it stopped and what to check', async () => {
      dynamodb.on(GetItemCommand).resolves({});
      const saved = recorded('region-outage');
      const arn = executionArn(saved.execution.name);
      const cause = 'stopped by jane: DNS must not move during the vendor call';
      withStateMachines(sfn);
      sfn
        .on(DescribeExecutionCommand)
        .resolvesOnce(described(saved, { status: 'RUNNING', stopDate: undefined, output: undefined }))
        .resolves(
          described(saved, { status: 'ABORTED', output: undefined, error: 'StoppedByOperator', cause }),
        );
      sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
      withHistory(sfn, arn, aborted(upTo(saved.events, 'ShiftTraffic'), cause));

      const r = await run([
        'stop',
        saved.execution.name,
        '--reason',
        'DNS must not move during the vendor call',
        '--by',
        'jane',
      ]);

      expect(r.code).toBe(0);
      expect(sfn).toHaveReceivedCommandExactlyOnceWith(StopExecutionCommand, {
        executionArn: arn,
        error: 'StoppedByOperator',
        cause,
      });
      expect(r.out[0]).toBe(`Stopped drill-region-outage-1 at ShiftTraffic (${cause}).`);
      expect(r.out[1]).toBe("Lock: plan orders's lock is already free: nothing to release.");
      expect(r.stdout).toContain(
        `- Failure: StoppedByOperator: stopped by an operator at ShiftTraffic (${cause})`,
      );
      expect(r.stdout).toMatch(/## What a human must still do\n\n- Execution stopped with StoppedByOperator/);
      expect(r.stdout).toMatch(/Check which region is writer and where DNS points/);
    });

    it('refuses to stop an execution that has ended', async () => {
      const saved = recorded('region-outage');
      withStateMachines(sfn);
      sfn.on(DescribeExecutionCommand).resolves(described(saved));

      const r = await run(['stop', saved.execution.name, '--reason', 'x', '--by', 'jane']);

      expect(r.code).toBe(1);
      expect(r.err).toEqual([
        'failover stop: execution drill-region-outage-1 has already ended (SUCCEEDED): nothing to stop; see failover report drill-region-outage-1',
      ]);
      expect(sfn).not.toHaveReceivedCommand(StopExecutionCommand);
    });
  });
});
