import { DescribeServicesCommand, ECSClient, ECSServiceException } from '@aws-sdk/client-ecs';
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  GlobalClusterNotFoundFault,
  InvalidDBClusterStateFault,
  InvalidGlobalClusterStateFault,
  RDSClient,
  RDSServiceException,
  RemoveFromGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientRegistry } from '../../src/aws/clients.js';
import { AwsRequestError, TargetNotReadyError } from '../../src/errors.js';
import type { StepDeps } from '../../src/handlers/define-step.js';
import type { FailoverPlan } from '../../src/plan/schema.js';
import type { FenceOutput, PromoteOutput } from '../../src/steps/contracts.js';
import { detachTarget } from '../../src/steps/detach-target.js';
import type { FailoverRequest } from '../../src/steps/request.js';
import { awsError, hang, regionOf } from '../support/aws.js';
import { inVirtualTime } from '../support/clock.js';
import { fixture } from '../support/fixtures.js';
import { examplePlan } from '../support/plan.js';
import { failoverRequest } from '../support/request.js';

const USE1 = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';
const NOW = new Date('2026-11-22T03:11:00.000Z');
const request = failoverRequest();

const promotion: PromoteOutput = {
  action: 'failover',
  startedAt: '2026-11-22T03:00:20.000Z',
  deadline: '2026-11-22T03:10:20.000Z',
  rpoLagMsBeforePromotion: 420,
  timeline: [],
};
const FOLLOW_UP =
  'When us-east-1 answers, run: aws ecs update-service --region us-east-1 --cluster orders-use1 --service orders-api --desired-count 0';

function fencing(outcome: 'fenced' | 'unconfirmed'): FenceOutput {
  const detail =
    outcome === 'fenced' ? 'desired 6 -> 0' : 'us-east-1 did not confirm: timeout: no answer within 3000 ms';
  return {
    fencing: [
      { resource: 'ecs us-east-1/orders-use1/orders-api', action: 'scale to 0', outcome, detail },
      { resource: 'ecs us-east-1/orders-use1/orders-worker', action: 'scale to 0', outcome, detail },
      {
        resource: 'aurora orders-global',
        action: 'write fencing of the old writer by FailoverGlobalCluster',
        outcome: 'unconfirmed',
        detail: 'requested with the promotion',
      },
    ],
    followUps: outcome === 'fenced' ? [] : [FOLLOW_UP],
    timeline: [],
  };
}

const deps = (plan: FailoverPlan = examplePlan()): StepDeps => ({
  plan,
  clients: new ClientRegistry(),
  now: () => NOW,
});
/** Calls into the failed region are bounded by this; short so a silent region costs the test little. */
const quickPlan = (): FailoverPlan => {
  const plan = examplePlan();
  return { ...plan, timeouts: { ...plan.timeouts, failedRegionCallMs: 100 } };
};
const input = (overrides: { request?: FailoverRequest; fence?: FenceOutput } = {}) => ({
  request: overrides.request ?? request,
  promotion,
  fencing: overrides.fence ?? fencing('fenced'),
});

describe('detachTarget', () => {
  const rdsMock = mockClient(RDSClient);
  const ecsMock = mockClient(ECSClient);

  afterEach(() => {
    rdsMock.reset();
    ecsMock.reset();
    vi.useRealTimers();
  });

  /** The stuck failover as the target region sees it. */
  function stuck(): void {
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-failing-over.json'));
    rdsMock
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 })
      .resolves(fixture('rds/describe-db-clusters-secondary.json'));
    rdsMock.on(RemoveFromGlobalClusterCommand).resolves(fixture('rds/remove-from-global-cluster.json'));
    // The fenced services' tasks have stopped: nothing in the old region writes any more.
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-use1-fenced.json'));
  }

  it('detaches the target through its own region when the old services were fenced', async () => {
    // Prepare
    stuck();

    // Act
    const output = await detachTarget(input(), deps());

    // Assess
    expect(rdsMock).toHaveReceivedCommandExactlyOnceWith(RemoveFromGlobalClusterCommand, {
      GlobalClusterIdentifier: 'orders-global',
      DbClusterIdentifier: USW2,
    });
    const regions = await Promise.all(rdsMock.calls().map((call) => regionOf(call.thisValue)));
    // Fenced: no call into the failed region at all.
    expect(new Set(regions)).toEqual(new Set(['us-west-2']));
    expect(output).toMatchObject({
      action: 'detached',
      startedAt: '2026-11-22T03:11:00.000Z',
      deadline: '2026-11-22T03:26:00.000Z',
      precaution: { basis: 'fenced' },
    });
    expect(output.rebuildInstructions).toContain(
      `Recreate the global database from the detached cluster: aws rds create-global-cluster --region us-west-2 --global-cluster-identifier orders-global --source-db-cluster-identifier ${USW2}`,
    );
    expect(output.rebuildInstructions.join('\n')).toContain(
      '--engine aurora-postgresql --engine-version 17.7',
    );
    expect(output.timeline).toEqual([
      expect.objectContaining({
        step: 'detach-target',
        phase: 'started',
        facts: {
          action: 'detach',
          to: USW2,
          endpointRegion: 'us-west-2',
          stuckOperation: 'failover',
          stuckStatus: 'failing-over',
          stuckSince: '2026-11-22T03:00:20.000Z',
          precaution: 'fenced',
        },
      }),
      expect.objectContaining({ phase: 'progress', facts: { precaution: 'fenced' } }),
    ]);
  });

  describe('when a read is throttled', () => {
    const throttled = () => awsError(RDSServiceException, 'Throttling', 400, 'Rate exceeded');

    it("retries the old region's task read and detaches once it shows no task running", async () => {
      // Prepare: the services were fenced; their tasks' read is throttled twice
      vi.useFakeTimers();
      stuck();
      const throttledEcs = awsError(ECSServiceException, 'ThrottlingException', 400, 'Rate exceeded');
      ecsMock
        .on(DescribeServicesCommand)
        .rejectsOnce(throttledEcs)
        .rejectsOnce(throttledEcs)
        .resolves(fixture('ecs/describe-services-use1-fenced.json'));

      // Act
      const output = await inVirtualTime(detachTarget(input(), deps()));

      // Assess
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 3);
      expect(rdsMock).toHaveReceivedCommandTimes(RemoveFromGlobalClusterCommand, 1);
      expect(output).toMatchObject({ action: 'detached', precaution: { basis: 'fenced' } });
    });

    it("retries the target's reads the decision rests on", async () => {
      // Prepare
      vi.useFakeTimers();
      stuck();
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .rejectsOnce(throttled())
        .resolves(fixture('rds/describe-global-clusters-failing-over.json'));

      // Act
      const output = await inVirtualTime(detachTarget(input(), deps()));

      // Assess
      expect(rdsMock).toHaveReceivedCommandTimes(DescribeGlobalClustersCommand, 2);
      expect(output.action).toBe('detached');
    });

    it("refuses when the old region's tasks stay unreadable across the window", async () => {
      // Prepare
      vi.useFakeTimers();
      stuck();
      ecsMock.on(DescribeServicesCommand).callsFake(() => hang());

      // Act
      const detached = inVirtualTime(detachTarget(input(), deps()));

      // Assess
      await expect(detached).rejects.toThrow(/whether their tasks stopped cannot be read now/);
      expect(ecsMock.commandCalls(DescribeServicesCommand).length).toBeGreaterThan(1);
      expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
    });
  });

  it('refuses, sending nothing, when the old region does not answer: silence is not evidence', async () => {
    // Prepare
    stuck();
    rdsMock.on(DescribeDBClustersCommand, { DBClusterIdentifier: USE1 }).callsFake(() => hang());

    // Act
    const attempt = detachTarget(input({ fence: fencing('unconfirmed') }), deps(quickPlan()));

    // Assess
    await expect(attempt).rejects.toThrow(/us-east-1 does not answer .*two writers/);
    expect(rdsMock).toHaveReceivedCommandTimes(RemoveFromGlobalClusterCommand, 0);
  });

  it('refuses while the fenced tasks in the old region are still draining', async () => {
    // Prepare
    stuck();
    const draining = fixture('ecs/describe-services-use1-fenced.json') as {
      services: { runningCount: number }[];
    };
    for (const service of draining.services) service.runningCount = 2;
    ecsMock.on(DescribeServicesCommand).resolves(draining as never);

    // Act
    const attempt = detachTarget(input({}), deps(quickPlan()));

    // Assess
    await expect(attempt).rejects.toThrow(/4 task\(s\) still run/);
    expect(rdsMock).toHaveReceivedCommandTimes(RemoveFromGlobalClusterCommand, 0);
  });

  it('refuses, sending nothing, when the old region answers but was not fenced', async () => {
    // Prepare
    stuck();
    rdsMock
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: USE1 })
      .resolves(fixture('rds/describe-db-clusters-primary.json'));

    // Act
    const detached = detachTarget(input({ fence: fencing('unconfirmed') }), deps(quickPlan()));

    // Assess
    await expect(detached).rejects.toThrow(TargetNotReadyError);
    await expect(detached).rejects.toThrow(
      /us-east-1 answers \(DescribeDBClusters answered: orders-use1 is available with 1 writer instance\(s\)\).*two writers/,
    );
    await expect(detached).rejects.toThrow(FOLLOW_UP);
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
  });

  it('counts an error answer from the old region as answering', async () => {
    // Prepare
    stuck();
    rdsMock
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: USE1 })
      .rejects(awsError(RDSServiceException, 'InternalFailure', 500));

    // Act
    const detached = detachTarget(input({ fence: fencing('unconfirmed') }), deps(quickPlan()));

    // Assess
    await expect(detached).rejects.toThrow(/us-east-1 answers \(DescribeDBClusters answered HTTP 500/);
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
  });

  it('refuses a planned move', async () => {
    // Prepare
    stuck();

    // Act
    const detached = detachTarget(input({ request: failoverRequest({ mode: 'planned' }) }), deps());

    // Assess
    await expect(detached).rejects.toThrow(/fallback of an unplanned failover only/);
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
  });

  it('sends nothing when the target already left the global cluster and writes (a re-run)', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-target-detached.json'));
    rdsMock
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 })
      .resolves(fixture('rds/describe-db-clusters-detached-writer.json'));

    // Act
    const output = await detachTarget(input({ fence: fencing('unconfirmed') }), deps());

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
    expect(rdsMock).not.toHaveReceivedCommandWith(DescribeDBClustersCommand, { DBClusterIdentifier: USE1 });
    expect(output).toMatchObject({ action: 'already-detached', precaution: { basis: 'not-needed' } });
    expect(output.rebuildInstructions.length).toBeGreaterThan(0);
    expect(output.timeline).toEqual([
      expect.objectContaining({
        phase: 'skipped',
        message: expect.stringMatching(/already left global cluster orders-global and takes writes/),
      }),
    ]);
  });

  it('treats a global cluster that no longer exists as detached', async () => {
    // Prepare
    rdsMock.on(DescribeGlobalClustersCommand).rejects(
      new GlobalClusterNotFoundFault({
        message: 'Global cluster orders-global not found.',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    rdsMock
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 })
      .resolves(fixture('rds/describe-db-clusters-detached-promoting.json'));

    // Act
    const output = await detachTarget(input(), deps());

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
    expect(output.action).toBe('already-detached');
    expect(output.timeline[0]?.message).toMatch(/is promoting, promotion under way/);
  });

  it('sends nothing when the managed failover finished after all', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-target-writer.json'));
    rdsMock
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 })
      .resolves(fixture('rds/describe-db-clusters-secondary.json'));

    // Act
    const output = await detachTarget(input(), deps());

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
    expect(output).toMatchObject({ action: 'already-writer', rebuildInstructions: [] });
  });

  it('refuses a headless target', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-failing-over.json'));
    rdsMock
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 })
      .resolves(fixture('rds/describe-db-clusters-secondary-headless.json'));

    // Act
    const detached = detachTarget(input(), deps());

    // Assess
    await expect(detached).rejects.toThrow(/orders-usw2 has no DB instance/);
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
  });

  it('reads, decides and records in a dry run, and sends nothing', async () => {
    // Prepare
    stuck();

    // Act
    const output = await detachTarget(input({ request: { ...request, dryRun: true } }), deps());

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
    expect(output).toMatchObject({ action: 'dry-run', dryRun: true, precaution: { basis: 'fenced' } });
    expect(output.timeline[0]).toMatchObject({
      phase: 'dry-run',
      message: 'would detach orders-usw2 from orders-global in us-west-2 (RemoveFromGlobalCluster)',
      facts: expect.objectContaining({ wouldDo: true }),
    });
    expect(output.timeline.map((e) => e.phase)).toEqual(['dry-run', 'dry-run']);
  });

  it('records a refusal in a dry run instead of stopping', async () => {
    // Prepare
    stuck();
    rdsMock
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: USE1 })
      .resolves(fixture('rds/describe-db-clusters-primary.json'));

    // Act
    const output = await detachTarget(
      input({ request: { ...request, dryRun: true }, fence: fencing('unconfirmed') }),
      deps(quickPlan()),
    );

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
    expect(output).toMatchObject({ action: 'dry-run', precaution: { basis: 'refused' } });
    expect(output.timeline[0]?.message).toMatch(/^would stop here with TargetNotReadyError/);
  });

  it('says what to do when RDS refuses the detach', async () => {
    // Prepare
    stuck();
    rdsMock.on(RemoveFromGlobalClusterCommand).rejects(
      new InvalidGlobalClusterStateFault({
        message: 'Global cluster orders-global is failing-over.',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const detached = detachTarget(input(), deps());

    // Assess
    await expect(detached).rejects.toThrow(AwsRequestError);
    await expect(detached).rejects.toThrow(
      `RDS refused to detach orders-usw2 while the global cluster is failing-over. Check aws rds describe-global-clusters --region us-west-2 --global-cluster-identifier orders-global; once no operation is running, detach by hand: aws rds remove-from-global-cluster --region us-west-2 --global-cluster-identifier orders-global --db-cluster-identifier ${USW2}`,
    );
  });

  describe('when the fenced tasks still drain', () => {
    const draining = () => {
      const out = fixture('ecs/describe-services-use1-fenced.json') as {
        services: { runningCount: number }[];
      };
      for (const service of out.services) service.runningCount = 2;
      return out as never;
    };
    /** The managed failover cannot be used: promote-database handed over at once, its deadline ahead. */
    const handedOver: PromoteOutput = {
      action: 'detach',
      reason:
        'engine versions differ (source 17.5, target 17.7): RDS refuses a managed failover or switchover between them',
      startedAt: '2026-11-22T03:10:00.000Z',
      deadline: '2026-11-22T03:25:00.000Z',
      rpoLagMsBeforePromotion: 420,
      timeline: [],
    };
    const versionsDiffer = () => {
      rdsMock
        .on(DescribeGlobalClustersCommand)
        .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
      rdsMock
        .on(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 })
        .resolves(fixture('rds/describe-db-clusters-secondary.json'));
      rdsMock.on(RemoveFromGlobalClusterCommand).resolves(fixture('rds/remove-from-global-cluster.json'));
    };

    it('waits, sending nothing, while the promotion deadline allows, then detaches once none runs', async () => {
      // Prepare
      versionsDiffer();
      ecsMock.on(DescribeServicesCommand).resolves(draining());

      // Act
      const first = await detachTarget({ ...input(), promotion: handedOver }, deps(quickPlan()));

      // Assess
      expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
      expect(first).toMatchObject({
        action: 'waiting',
        deadline: handedOver.deadline,
        precaution: { basis: 'pending', note: expect.stringMatching(/4 task\(s\) still run/) },
      });
      expect(first.timeline).toEqual([
        expect.objectContaining({
          phase: 'progress',
          message: expect.stringMatching(
            /^waiting to detach orders-usw2 \(the managed failover cannot be used: engine versions differ/,
          ),
        }),
      ]);

      // Act: WaitBeforeDetach brings it back; the tasks have stopped
      ecsMock.reset();
      ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-use1-fenced.json'));
      const second = await detachTarget(
        { ...input(), promotion: handedOver, previous: first },
        deps(quickPlan()),
      );

      // Assess
      expect(rdsMock).toHaveReceivedCommandTimes(RemoveFromGlobalClusterCommand, 1);
      expect(second).toMatchObject({
        action: 'detached',
        reason: expect.stringMatching(/^the managed failover cannot be used/),
      });
      expect(second.timeline.map((e) => e.phase)).toEqual(['progress', 'started', 'progress']);
      expect(second.timeline[1]).toMatchObject({
        message: expect.stringMatching(/^managed failover not usable \(engine versions differ/),
        facts: expect.objectContaining({ reason: handedOver.reason, precaution: 'fenced' }),
      });
    });

    it('adds no event while nothing changes between looks', async () => {
      // Prepare
      versionsDiffer();
      ecsMock.on(DescribeServicesCommand).resolves(draining());
      const first = await detachTarget({ ...input(), promotion: handedOver }, deps(quickPlan()));

      // Act
      const again = await detachTarget(
        { ...input(), promotion: handedOver, previous: first },
        deps(quickPlan()),
      );

      // Assess
      expect(again.action).toBe('waiting');
      expect(again.timeline).toHaveLength(1);
    });
  });

  it('reads a refused repeat of its own removal, still under way, as already detached and sends nothing more', async () => {
    // Prepare: an earlier attempt's RemoveFromGlobalCluster landed, its answer was lost; the
    // global cluster still lists the target (eventually consistent, and still being removed)
    stuck();
    rdsMock.on(RemoveFromGlobalClusterCommand).rejects(
      new InvalidDBClusterStateFault({
        message: 'DB cluster orders-usw2 is already being removed from global cluster orders-global.',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const output = await detachTarget(input(), deps());

    // Assess
    expect(rdsMock).toHaveReceivedCommandTimes(RemoveFromGlobalClusterCommand, 1);
    expect(output).toMatchObject({ action: 'already-detached', precaution: { basis: 'not-needed' } });
    expect(output.timeline.at(-1)).toMatchObject({
      phase: 'skipped',
      message: expect.stringMatching(/already leaving global cluster orders-global .*not sent again$/),
    });
  });

  it("trusts the cluster's own read over a global view that still lists it", async () => {
    // Prepare: DescribeGlobalClusters lags; DescribeDBClusters says it left and is promoting
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-failing-over.json'));
    rdsMock
      .on(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 })
      .resolves(fixture('rds/describe-db-clusters-detached-promoting.json'));

    // Act
    const output = await detachTarget(input(), deps());

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveFromGlobalClusterCommand);
    expect(output).toMatchObject({ action: 'already-detached' });
  });
});
