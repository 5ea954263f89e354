import {
  DescribeGlobalClustersCommand,
  type DescribeGlobalClustersCommandOutput,
  FailoverGlobalClusterCommand,
  RDSClient,
  RDSServiceException,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readRpoLagMs } from '../../src/aws/cloudwatch.js';
import type { StepDeps } from '../../src/handlers/define-step.js';
import { promoteDatabase } from '../../src/steps/promote-database.js';
import type { FailoverRequest } from '../../src/steps/request.js';
import { awsError, mutatingCommandsSent, regionOf } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { nov22Request } from '../support/request.js';

vi.mock('../../src/aws/cloudwatch.js', () => ({ readRpoLagMs: vi.fn() }));

const USE1 = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';
const NOW = new Date('2025-11-22T00:20:00.000Z');

const request = (mode: FailoverRequest['mode']): FailoverRequest => nov22Request({ mode });

/** The primary-writer fixture with the target (its last member) gone from the global cluster. */
function targetNotAMember(): DescribeGlobalClustersCommandOutput {
  const out = fixture<DescribeGlobalClustersCommandOutput>(
    'rds/describe-global-clusters-primary-writer.json',
  );
  const members = out.GlobalClusters?.[0]?.GlobalClusterMembers;
  if (!members) throw new Error('the primary-writer fixture lists the global cluster members');
  members.pop();
  return out;
}

describe('promoteDatabase', () => {
  const rdsMock = mockClient(RDSClient);
  let deps: StepDeps;

  beforeEach(() => {
    deps = testDeps(NOW);
    vi.mocked(readRpoLagMs).mockResolvedValue(420);
  });

  afterEach(() => {
    rdsMock.reset();
    vi.mocked(readRpoLagMs).mockReset();
  });

  it('promotes the secondary with FailoverGlobalCluster through the target region when the primary fails', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
    rdsMock.on(FailoverGlobalClusterCommand).resolves(fixture('rds/failover-global-cluster-pending.json'));

    // Act
    const out = await promoteDatabase({ request: request('automatic') }, deps);

    // Assess
    expect(rdsMock).toHaveReceivedCommandExactlyOnceWith(FailoverGlobalClusterCommand, {
      GlobalClusterIdentifier: 'orders-global',
      TargetDbClusterIdentifier: USW2,
      AllowDataLoss: true,
    });
    expect(rdsMock).not.toHaveReceivedCommand(SwitchoverGlobalClusterCommand);
    expect(await regionOf(rdsMock.commandCalls(FailoverGlobalClusterCommand)[0]?.thisValue)).toBe(
      'us-west-2',
    );
    expect(readRpoLagMs).toHaveBeenCalledWith(
      deps.clients.forRegion('us-west-2').cloudwatch,
      'orders-usw2',
      NOW,
      { abortSignal: expect.any(AbortSignal) },
    );
    expect(out).toEqual({
      action: 'failover',
      startedAt: '2025-11-22T00:20:00.000Z',
      deadline: '2025-11-22T00:30:00.000Z',
      rpoLagMsBeforePromotion: 420,
      timeline: [
        expect.objectContaining({
          step: 'promote-database',
          phase: 'started',
          facts: {
            action: 'failover',
            from: USE1,
            to: USW2,
            allowDataLoss: true,
            rpoLagMs: 420,
            requestSent: true,
            endpointRegion: 'us-west-2',
          },
        }),
      ],
    });
  });

  it('promotes anyway and records a null RPO lag when the lag cannot be read', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
    rdsMock.on(FailoverGlobalClusterCommand).resolves(fixture('rds/failover-global-cluster-pending.json'));
    vi.mocked(readRpoLagMs).mockRejectedValue(new Error('CloudWatch unavailable'));

    // Act
    const out = await promoteDatabase({ request: request('manual') }, deps);

    // Assess
    expect(rdsMock).toHaveReceivedCommandTimes(FailoverGlobalClusterCommand, 1);
    expect(out.rpoLagMsBeforePromotion).toBeNull();
    expect(out.timeline[0]?.facts?.rpoLagNote).toMatch(/CloudWatch unavailable/);
  });

  it("switches over through the primary's region with RPO 0 for a planned move", async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
    rdsMock
      .on(SwitchoverGlobalClusterCommand)
      .resolves(fixture('rds/switchover-global-cluster-pending.json'));

    // Act
    const out = await promoteDatabase({ request: request('planned') }, deps);

    // Assess
    expect(rdsMock).toHaveReceivedCommandExactlyOnceWith(SwitchoverGlobalClusterCommand, {
      GlobalClusterIdentifier: 'orders-global',
      TargetDbClusterIdentifier: USW2,
    });
    expect(rdsMock).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
    expect(await regionOf(rdsMock.commandCalls(SwitchoverGlobalClusterCommand)[0]?.thisValue)).toBe(
      'us-east-1',
    );
    expect(readRpoLagMs).not.toHaveBeenCalled();
    expect(out.action).toBe('switchover');
    expect(out.rpoLagMsBeforePromotion).toBeNull();
    expect(out.timeline[0]?.facts).toMatchObject({
      action: 'switchover',
      allowDataLoss: false,
      endpointRegion: 'us-east-1',
    });
  });

  it('sends nothing when the target is already the writer (a re-run after success)', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-target-writer.json'));

    // Act
    const out = await promoteDatabase({ request: request('automatic') }, deps);

    // Assess
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeGlobalClustersCommand, 1);
    expect(rdsMock).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
    expect(rdsMock).not.toHaveReceivedCommand(SwitchoverGlobalClusterCommand);
    expect(out.action).toBe('already-writer');
    expect(out.timeline).toEqual([expect.objectContaining({ phase: 'skipped' })]);
  });

  it('does not send a second failover while one towards the target is running', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-failing-over.json'));

    // Act
    const out = await promoteDatabase({ request: request('automatic') }, deps);

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
    expect(out.action).toBe('failover');
    expect(out.timeline[0]).toMatchObject({
      phase: 'started',
      facts: { requestSent: false, status: 'failing-over', rpoLagNote: 'read after the request was sent' },
    });
  });

  it('reads the global cluster in the target region', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-target-writer.json'));

    // Act
    await promoteDatabase({ request: request('automatic') }, deps);

    // Assess
    expect(await regionOf(rdsMock.commandCalls(DescribeGlobalClustersCommand)[0]?.thisValue)).toBe(
      'us-west-2',
    );
  });

  it('refuses with TargetNotReadyError when the target is not a member', async () => {
    // Prepare
    rdsMock.on(DescribeGlobalClustersCommand).resolves(targetNotAMember());

    // Act & Assess
    await expect(promoteDatabase({ request: request('automatic') }, deps)).rejects.toMatchObject({
      name: 'TargetNotReadyError',
    });
    expect(rdsMock).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
  });

  describe('in a dry run', () => {
    const dryRun = (mode: FailoverRequest['mode']) => ({ ...request(mode), dryRun: true });

    it('reads and decides, sends nothing, records what it would do', async () => {
      // Prepare
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));

      // Act
      const out = await promoteDatabase({ request: dryRun('automatic') }, deps);

      // Assess
      expect(rdsMock).toHaveReceivedCommandTimes(DescribeGlobalClustersCommand, 1);
      expect(rdsMock).not.toHaveReceivedCommand(FailoverGlobalClusterCommand);
      expect(rdsMock).not.toHaveReceivedCommand(SwitchoverGlobalClusterCommand);
      expect(mutatingCommandsSent(rdsMock)).toEqual([]);
      expect(readRpoLagMs).toHaveBeenCalledTimes(1);
      expect(out).toEqual({
        action: 'failover',
        startedAt: '2025-11-22T00:20:00.000Z',
        deadline: '2025-11-22T00:30:00.000Z',
        rpoLagMsBeforePromotion: 420,
        dryRun: true,
        timeline: [
          {
            at: '2025-11-22T00:20:00.000Z',
            step: 'promote-database',
            phase: 'dry-run',
            message: `would send FailoverGlobalCluster(orders-global -> ${USW2}, AllowDataLoss=true) to us-west-2`,
            facts: {
              action: 'failover',
              from: USE1,
              to: USW2,
              allowDataLoss: true,
              rpoLagMs: 420,
              requestSent: false,
              endpointRegion: 'us-west-2',
              wouldDo: true,
            },
          },
        ],
      });
    });

    it("records the switchover it would send through the primary's region for a planned move", async () => {
      // Prepare
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));

      // Act
      const out = await promoteDatabase({ request: dryRun('planned') }, deps);

      // Assess
      expect(mutatingCommandsSent(rdsMock)).toEqual([]);
      expect(out).toMatchObject({ action: 'switchover', dryRun: true, rpoLagMsBeforePromotion: null });
      expect(out.timeline[0]?.message).toBe(
        `would send SwitchoverGlobalCluster(orders-global -> ${USW2}) to us-east-1`,
      );
    });

    it('records the refusal a real run would stop on, instead of stopping the dry run', async () => {
      // Prepare
      rdsMock.on(DescribeGlobalClustersCommand).resolves(targetNotAMember());

      // Act
      const output = await promoteDatabase({ request: dryRun('automatic') }, deps);

      // Assess
      expect(mutatingCommandsSent(rdsMock)).toEqual([]);
      expect(output).toMatchObject({ action: 'failover', dryRun: true, rpoLagMsBeforePromotion: null });
      expect(output.timeline).toEqual([
        expect.objectContaining({
          phase: 'dry-run',
          message: `would stop here with TargetNotReadyError, sending nothing: cannot promote us-west-2: ${USW2} is not a member of global cluster orders-global (detached or never added)`,
        }),
      ]);
    });

    it('marks an already-promoted target as a dry run too, so the poller reads nothing', async () => {
      // Prepare
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolves(fixture('rds/describe-global-clusters-target-writer.json'));

      // Act
      const out = await promoteDatabase({ request: dryRun('automatic') }, deps);

      // Assess
      expect(out).toMatchObject({ action: 'already-writer', dryRun: true });
      expect(out.timeline).toEqual([expect.objectContaining({ phase: 'skipped' })]);
    });
  });

  it('raises AwsTransientError when RDS throttles the failover request', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
    rdsMock
      .on(FailoverGlobalClusterCommand)
      .rejects(awsError(RDSServiceException, 'Throttling', 400, 'Rate exceeded'));

    // Act & Assess
    await expect(promoteDatabase({ request: request('automatic') }, deps)).rejects.toMatchObject({
      name: 'AwsTransientError',
      transient: true,
    });
  });
});
