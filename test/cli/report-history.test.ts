import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ownReport, recorded } from '../history/recorded.js';
import { executionArn, run, STATE_MACHINE_ARN, withExecution, withStateMachines } from './harness.js';

describe('reading executions', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());

  describe('failover report', () => {
    it("rebuilds the report from every page of the history, with the execution's own RTO and RPO", async () => {
      const saved = recorded('region-outage');
      withStateMachines(sfn);
      withExecution(sfn, saved);

      const r = await run(['report', saved.execution.name, '--format', 'json']);

      expect(r.code).toBe(0);
      expect(sfn).toHaveReceivedCommandTimes(GetExecutionHistoryCommand, 2);
      const report = JSON.parse(r.stdout);
      const own = ownReport(saved);
      expect(report).toMatchObject({
        outcome: 'succeeded',
        rtoSeconds: own.rtoSeconds,
        userFacingRtoSeconds: own.userFacingRtoSeconds,
        rpo: own.rpo,
        steps: own.steps,
      });
    });

    it('reads a saved history offline with --history-file, without any AWS call', async () => {
      const r = await run(['report', '--history-file', 'test/fixtures/history/promotion-refused.json']);

      expect(r.code).toBe(0);
      expect(sfn.calls()).toHaveLength(0);
      expect(r.out[0]).toBe('# Failover FAILED: orders us-east-1 -> us-west-2');
      expect(r.stdout).toMatch(/\| promote-database \| .* \| failed \|/);
    });

    it('says an execution still running has no report yet', async () => {
      const saved = recorded('region-outage');
      withStateMachines(sfn);
      withExecution(sfn, saved);
      sfn.on(DescribeExecutionCommand).resolves({
        executionArn: executionArn(saved.execution.name),
        stateMachineArn: STATE_MACHINE_ARN,
        name: saved.execution.name,
        status: 'RUNNING',
        startDate: saved.execution.startDate,
      });

      const r = await run(['report', saved.execution.name]);

      expect(r.code).toBe(1);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^failover report: execution drill-region-outage-1 is still running/);
    });
  });

  describe('failover history', () => {
    it('lists the newest executions with outcome, RTO and RPO; rebuilds the failed one from its history', async () => {
      const succeeded = recorded('region-outage');
      const failed = recorded('promotion-refused');
      withStateMachines(sfn);
      sfn.on(ListExecutionsCommand).resolves({
        executions: [failed, succeeded].map((s) => ({
          executionArn: executionArn(s.execution.name),
          stateMachineArn: STATE_MACHINE_ARN,
          name: s.execution.name,
          status: s.execution.status as 'FAILED',
          startDate: s.execution.startDate,
        })),
      });
      withExecution(sfn, succeeded);
      withExecution(sfn, failed);

      const r = await run(['history', '--max', '5']);

      const own = ownReport(succeeded);
      expect(r.code).toBe(0);
      expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, {
        stateMachineArn: STATE_MACHINE_ARN,
        maxResults: 5,
      });
      expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 2);
      expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, {
        executionArn: executionArn(failed.execution.name),
      });
      expect(sfn).not.toHaveReceivedCommandWith(GetExecutionHistoryCommand, {
        executionArn: executionArn(succeeded.execution.name),
      });
      expect(r.out).toEqual([
        'EXECUTION                  STARTED (UTC)        STATUS     OUTCOME    RTO      RPO',
        'drill-promotion-refused-1  2026-11-22 03:00:00  FAILED     failed     -        -',
        `drill-region-outage-1      2026-11-22 03:00:00  SUCCEEDED  succeeded  ${own.rtoSeconds} s  ${own.rpo.seconds} s`,
      ]);
    });
  });
});
