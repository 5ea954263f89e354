import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ownReport, recorded, upTo } from '../history/recorded.js';
import { regionOf } from '../support/aws.js';
import {
  described,
  executionArn,
  run,
  STATE_MACHINE_ARN,
  serviceError,
  withHistory,
  withStateMachines,
} from './harness.js';

const START = [
  'start',
  '--mode',
  'manual',
  '--target',
  'us-west-2',
  '--reason',
  'us-east-1 degraded',
  '--requested-by',
  'jane',
];

describe('failover start', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());

  it('starts the v1 start input under a readable name and prints the ARN and the console URL', async () => {
    withStateMachines(sfn);
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: executionArn('manual-20261122T030500Z'), startDate: new Date() });

    const r = await run(START);

    expect(r.code).toBe(0);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE_ARN,
      name: 'manual-20261122T030500Z',
      input: JSON.stringify({
        version: 1,
        mode: 'manual',
        targetRegion: 'us-west-2',
        reason: 'us-east-1 degraded',
        requestedBy: 'jane',
      }),
    });
    expect(r.stdout).toContain(`execution: ${executionArn('manual-20261122T030500Z')}`);
    expect(r.stdout).toContain(
      `console:   https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/${executionArn('manual-20261122T030500Z')}`,
    );
  });

  it('starts in the target region, not the shell default (the failed region, often)', async () => {
    withStateMachines(sfn);
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('x'), startDate: new Date() });

    await run(START, { env: { AWS_REGION: 'us-east-1' } });

    const call = sfn.commandCalls(StartExecutionCommand)[0];
    expect(await regionOf(call?.thisValue)).toBe('us-west-2');
  });

  it('marks a dry run in the input and the name', async () => {
    withStateMachines(sfn);
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn('x'), startDate: new Date() });

    await run([...START.map((a) => (a === 'manual' ? 'planned' : a)), '--dry-run']);

    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}');
    expect(input).toMatchObject({ mode: 'planned', dryRun: true });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.name).toBe(
      'planned-dry-run-20261122T030500Z',
    );
  });

  it('names every bad field of the start input and sends nothing', async () => {
    const r = await run(['start', '--mode', 'sideways', '--target', 'us-west-9', '--reason', 'x']);

    expect(r.code).toBe(2);
    expect(r.err[0]).toBe('failover start: the start input is invalid; nothing was sent:');
    expect(r.err.slice(1)).toEqual([
      expect.stringMatching(/^ {2}- mode \(--mode manual\|planned\): must be "manual"/),
      expect.stringMatching(/^ {2}- targetRegion \(--target REGION\): "us-west-9" is not an AWS region/),
      expect.stringMatching(/^ {2}- reason \(--reason TEXT\): must say why/),
      '  - requestedBy (--requested-by WHO): required',
    ]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('takes the next name when a different start used this one in the same second', async () => {
    withStateMachines(sfn);
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(serviceError('ExecutionAlreadyExists', 'Execution Already Exists'))
      .resolves({ executionArn: executionArn('manual-20261122T030500Z-2'), startDate: new Date() });

    const r = await run(START);

    expect(r.code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([
      'manual-20261122T030500Z',
      'manual-20261122T030500Z-2',
    ]);
  });

  it('--wait follows the execution and prints its report when it ends', async () => {
    const saved = recorded('region-outage');
    const arn = executionArn(saved.execution.name);
    withStateMachines(sfn);
    sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: saved.execution.startDate });
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(described(saved, { status: 'RUNNING', stopDate: undefined, output: undefined }))
      .resolves(described(saved));
    withHistory(sfn, arn, upTo(saved.events, 'ShiftTraffic'));
    let polls = 0;

    const r = await run([...START, '--wait'], {
      sleep: async () => {
        polls++;
        withHistory(sfn, arn, saved.events);
      },
    });

    expect(polls).toBe(1);
    expect(r.stdout).toContain('now in ShiftTraffic');
    expect(r.stdout).toMatch(/verify-target +succeeded/);
    expect(r.stdout).toMatch(new RegExp(`Execution ${saved.execution.name} SUCCEEDED after \\dm \\d\\ds\\.`));
    expect(r.stdout).toContain(
      `- RTO (orchestrated, detection -> target verified): ${ownReport(saved).rtoSeconds} s`,
    );
    expect(r.code).toBe(0);
  });
});
