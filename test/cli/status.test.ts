import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { recorded, upTo } from '../history/recorded.js';
import {
  described,
  executionArn,
  run,
  STATE_MACHINE_ARN,
  withExecution,
  withHistory,
  withStateMachines,
} from './harness.js';

describe('failover status', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());

  it('shows the newest execution: status, the state it is in, elapsed time and the timeline so far', async () => {
    const saved = recorded('region-outage');
    const arn = executionArn(saved.execution.name);
    withStateMachines(sfn);
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: arn } as never] });
    sfn.on(DescribeExecutionCommand).resolves(described(saved, { status: 'RUNNING', stopDate: undefined }));
    withHistory(sfn, arn, upTo(saved.events, 'ShiftTraffic'));

    const r = await run(['status']);

    expect(r.code).toBe(0);
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, {
      stateMachineArn: STATE_MACHINE_ARN,
      maxResults: 1,
    });
    expect(r.out.slice(0, 3)).toEqual([
      'drill-region-outage-1  RUNNING  (failover-dev in us-west-2)',
      'started   2026-11-22T03:00:00.000Z  (5m 00s elapsed)',
      'now in    ShiftTraffic',
    ]);
    expect(r.stdout).toMatch(/03:00:00 {2}normalize-input +succeeded/);
    expect(r.stdout).toMatch(/promote-database +succeeded/);
    expect(r.stdout).not.toMatch(/shift-traffic/);
  });

  it('shows how an ended execution ended', async () => {
    const saved = recorded('promotion-refused');
    withStateMachines(sfn);
    withExecution(sfn, saved);

    const r = await run(['status', saved.execution.name]);

    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('drill-promotion-refused-1  FAILED  (failover-dev in us-west-2)');
    expect(r.stdout).toMatch(/^outcome {3}failed: Failover us-east-1 -> us-west-2 FAILED/m);
    expect(r.stdout).toMatch(/promote-database +failed/);
  });

  it('--follow prints new timeline events as they appear, then the report', async () => {
    const saved = recorded('region-outage');
    const arn = executionArn(saved.execution.name);
    withStateMachines(sfn);
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(described(saved, { status: 'RUNNING', stopDate: undefined }))
      .resolvesOnce(described(saved, { status: 'RUNNING', stopDate: undefined }))
      .resolvesOnce(described(saved, { status: 'RUNNING', stopDate: undefined }))
      .resolves(described(saved));
    withHistory(sfn, arn, upTo(saved.events, 'CheckScale'));
    const sleeps: number[] = [];

    const r = await run(['status', saved.execution.name, '--follow'], {
      sleep: async (ms) => {
        sleeps.push(ms);
        withHistory(sfn, arn, sleeps.length === 1 ? upTo(saved.events, 'VerifyTarget') : saved.events);
      },
    });

    expect(sleeps).toEqual([5000, 5000]);
    expect(r.out).toContain('          now in CheckScale (5m 00s elapsed)');
    const progress = r.out.slice(r.out.indexOf('          now in VerifyTarget (5m 00s elapsed)'));
    expect(progress[0]).toBe('          now in VerifyTarget (5m 00s elapsed)');
    expect(progress.join('\n')).toMatch(/verify-target +succeeded/);
    expect(r.out.filter((l) => /normalize-input +succeeded/.test(l))).toHaveLength(1);
    expect(r.stdout).toContain('# Failover succeeded: orders us-east-1 -> us-west-2');
    expect(r.code).toBe(0);
  });
});
