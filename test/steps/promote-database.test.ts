import {
  DescribeGlobalClustersCommand,
  type DescribeGlobalClustersCommandOutput,
  FailoverGlobalClusterCommand,
  InvalidGlobalClusterStateFault,
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
import { onlyDatabase } from '../support/plan.js';
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
      deadline: '2025-11-22T00:35:00.000Z',
      rpoLagMsBeforePromotion: 420,
      databases: [
        { globalClusterIdentifier: 'orders-global', action: 'failover', rpoLagMsBeforePromotion: 420 },
      ],
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
        deadline: '2025-11-22T00:35:00.000Z',
        rpoLagMsBeforePromotion: 420,
        dryRun: true,
        databases: [
          { globalClusterIdentifier: 'orders-global', action: 'failover', rpoLagMsBeforePromotion: 420 },
        ],
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

  describe('under eventual consistency and lost answers', () => {
    const alreadyFailingOver = (attempts: number) =>
      new InvalidGlobalClusterStateFault({
        message: 'Global cluster orders-global is already failing over.',
        $metadata: { httpStatusCode: 400, attempts },
      });

    it('reads a refusal meaning "already failing over" as under way, and sends nothing more, when the read does not show it yet', async () => {
      // Prepare: the SDK sent it twice (the first answer lost); DescribeGlobalClusters lags.
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
      rdsMock.on(FailoverGlobalClusterCommand).rejects(alreadyFailingOver(2));

      // Act
      const out = await promoteDatabase({ request: request('automatic') }, deps);

      // Assess
      expect(rdsMock).toHaveReceivedCommandTimes(FailoverGlobalClusterCommand, 1);
      expect(rdsMock).not.toHaveReceivedCommand(SwitchoverGlobalClusterCommand);
      expect(rdsMock).toHaveReceivedCommandTimes(DescribeGlobalClustersCommand, 2);
      expect(out).toMatchObject({ action: 'failover', rpoLagMsBeforePromotion: 420 });
      expect(out.timeline).toEqual([
        expect.objectContaining({
          phase: 'started',
          message: expect.stringMatching(
            /under way: RDS refused a repeat as already under way .*the SDK sent the request 2 times .*does not show it yet .*check-promotion confirms it or fails it\. Not sent again$/,
          ),
          facts: expect.objectContaining({ requestSent: true, repeatRefused: true, confirmed: false }),
        }),
      ]);
    });

    it('confirms it at once when the second read shows the failover towards the target', async () => {
      // Prepare
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolvesOnce(fixture('rds/describe-global-clusters-primary-writer.json'))
        .resolves(fixture('rds/describe-global-clusters-failing-over.json'));
      rdsMock.on(FailoverGlobalClusterCommand).rejects(alreadyFailingOver(1));

      // Act
      const out = await promoteDatabase({ request: request('automatic') }, deps);

      // Assess
      expect(out.action).toBe('failover');
      expect(out.timeline[0]).toMatchObject({
        message: expect.stringMatching(
          /an earlier attempt of this step may have sent it; the global cluster now shows it \(failing-over\)/,
        ),
        facts: { confirmed: true },
      });
    });

    it('refuses when the second read shows someone else moving the writer elsewhere', async () => {
      // Prepare
      const elsewhere = fixture<DescribeGlobalClustersCommandOutput>(
        'rds/describe-global-clusters-failing-over.json',
      );
      const state = elsewhere.GlobalClusters?.[0]?.FailoverState;
      if (!state) throw new Error('the failing-over fixture has a FailoverState');
      state.ToDbClusterArn = 'arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1';
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolvesOnce(fixture('rds/describe-global-clusters-primary-writer.json'))
        .resolves(elsewhere);
      rdsMock.on(FailoverGlobalClusterCommand).rejects(alreadyFailingOver(1));

      // Act & Assess
      await expect(promoteDatabase({ request: request('automatic') }, deps)).rejects.toMatchObject({
        name: 'TargetNotReadyError',
        message: expect.stringMatching(/towards arn:aws:rds:eu-west-1:.*someone else is moving the writer/),
      });
    });

    it('still fails on a refusal that does not say the operation is under way', async () => {
      // Prepare
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
      rdsMock.on(FailoverGlobalClusterCommand).rejects(
        new InvalidGlobalClusterStateFault({
          message: 'The global cluster orders-global is not in a valid state for failover.',
          $metadata: { httpStatusCode: 400 },
        }),
      );

      // Act & Assess
      await expect(promoteDatabase({ request: request('automatic') }, deps)).rejects.toMatchObject({
        name: 'AwsRequestError',
      });
      expect(rdsMock).toHaveReceivedCommandTimes(DescribeGlobalClustersCommand, 1);
    });
  });

  describe('when the engine versions differ (a rolling upgrade)', () => {
    const readiness = { engines: { source: '17.5', target: '17.7' } };

    it('unplanned: sends nothing and hands the move to detach-and-promote, saying why', async () => {
      // Prepare
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));

      // Act
      const out = await promoteDatabase({ request: request('automatic'), readiness }, deps);

      // Assess
      expect(mutatingCommandsSent(rdsMock)).toEqual([]);
      expect(out).toMatchObject({
        action: 'detach',
        reason:
          'engine versions differ (source 17.5, target 17.7): RDS refuses a managed failover or switchover between them',
        rpoLagMsBeforePromotion: 420,
      });
      expect(out.timeline).toEqual([
        expect.objectContaining({
          phase: 'skipped',
          message: expect.stringMatching(
            /^managed failover of orders-global not used: engine versions differ .*Detaching orders-usw2 and promoting it instead/,
          ),
          facts: expect.objectContaining({ action: 'detach', requestSent: false }),
        }),
      ]);
    });

    it('planned: refuses before sending anything (a switchover waits for the upgrade)', async () => {
      // Prepare
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));

      // Act & Assess
      await expect(promoteDatabase({ request: request('planned'), readiness }, deps)).rejects.toMatchObject({
        name: 'TargetNotReadyError',
        message: expect.stringMatching(/engine versions differ/),
      });
      expect(mutatingCommandsSent(rdsMock)).toEqual([]);
    });

    it('unplanned: takes the same way out when RDS refuses for the engine version readiness could not compare', async () => {
      // Prepare
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
      rdsMock.on(FailoverGlobalClusterCommand).rejects(
        new InvalidGlobalClusterStateFault({
          message:
            'The target cluster orders-usw2 must have the same engine version as that of the current primary cluster orders-use1.',
          $metadata: { httpStatusCode: 400 },
        }),
      );

      // Act
      const out = await promoteDatabase(
        { request: request('manual'), readiness: { engines: { source: null, target: '17.7' } } },
        deps,
      );

      // Assess
      expect(rdsMock).toHaveReceivedCommandTimes(FailoverGlobalClusterCommand, 1);
      expect(out).toMatchObject({
        action: 'detach',
        reason: expect.stringMatching(
          /^RDS refused the managed failover: InvalidGlobalClusterStateFault: The target cluster orders-usw2 must have the same engine version/,
        ),
      });
    });
  });

  it("carries the plan's rds.global_db_rpo as the RPO bound", async () => {
    // Prepare
    onlyDatabase(deps.plan).globalDbRpoSeconds = 20;
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
    rdsMock.on(FailoverGlobalClusterCommand).resolves(fixture('rds/failover-global-cluster-pending.json'));

    // Act
    const out = await promoteDatabase({ request: request('automatic') }, deps);

    // Assess
    expect(out).toMatchObject({ action: 'failover', rpoBoundSeconds: 20 });
  });
});
