import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import {
  type DBCluster,
  DescribeDBClustersCommand,
  type DescribeDBClustersCommandInput,
  type DescribeDBClustersCommandOutput,
  DescribeGlobalClustersCommand,
  type DescribeGlobalClustersCommandOutput,
  type FailoverState,
  type GlobalClusterMember,
  RDSClient,
  RDSServiceException,
} from '@aws-sdk/client-rds';
import {
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsTransientError, InputInvalidError, TargetNotReadyError } from '../../src/errors.js';
import { handler } from '../../src/handlers/check-readiness.js';
import { checkReadiness } from '../../src/steps/check-readiness.js';
import { describeProblem, problemsInNotReadyMessage } from '../../src/steps/readiness-problems.js';
import type { FailoverRequest } from '../../src/steps/request.js';
import { mockRoutingControls } from '../support/arc.js';
import { awsError, hang, mutatingCommandsSent, regionOf } from '../support/aws.js';
import { type Answer, answerMetricReads, metrics } from '../support/cloudwatch.js';
import { testDepsBounded } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { lambdaContext } from '../support/lambda-context.js';
import { failoverRequest } from '../support/request.js';

/** Half a minute after the newest complete period of the CloudWatch fixtures. */
const NOW = '2024-05-14T10:07:30.000Z';
const USE1 = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';
const CHECKS = [
  'aurora-global-membership',
  'aurora-target-cluster',
  'ecs-target-services',
  'target-capacity',
  'route53-records',
  'target-region-health',
  'aurora-source-cluster',
  'replication-lag',
];

/** What the two regions and Route 53 answer; every read not listed here is unexpected. */
interface World {
  globalCluster: DescribeGlobalClustersCommandOutput;
  /** DescribeDBClusters, by the region of the client it is sent through. */
  clusters: Record<string, DescribeDBClustersCommandOutput>;
  targetServices: DescribeServicesCommandOutput;
  records: ListResourceRecordSetsCommandOutput;
  /** usw2-alb-5xx, read in us-west-2. */
  targetAlb5xx: Answer;
  /** usw2-canary-from-use1: it probes the target from the failed region, so it is read there. */
  targetCanary: Answer;
  /** AuroraGlobalDBRPOLag of the target cluster, read in us-west-2. */
  rpoLag: Answer;
}

/** A standby region that can take over: secondary connected, two instances, services and records in place. */
const readyTarget = (): World => ({
  globalCluster: fixture('rds/describe-global-clusters-primary-writer.json'),
  clusters: {
    'us-east-1': fixture('rds/describe-db-clusters-primary.json'),
    'us-west-2': fixture('rds/describe-db-clusters-secondary.json'),
  },
  targetServices: fixture('ecs/describe-services-usw2-standby.json'),
  records: fixture('route53/list-resource-record-sets-weighted-primary.json'),
  targetAlb5xx: metrics('alb-5xx-no-errors.json'),
  targetCanary: metrics('canary-healthy.json'),
  rpoLag: metrics('rpo-lag.json'),
});

function clusterIn(name: string, patch: Partial<DBCluster>): DescribeDBClustersCommandOutput {
  const out = fixture<DescribeDBClustersCommandOutput>(`rds/${name}`);
  return { ...out, DBClusters: out.DBClusters?.map((cluster) => ({ ...cluster, ...patch })) };
}

function globalClusterWith(
  patchMembers: (members: GlobalClusterMember[]) => GlobalClusterMember[],
): DescribeGlobalClustersCommandOutput {
  const out = fixture<DescribeGlobalClustersCommandOutput>(
    'rds/describe-global-clusters-primary-writer.json',
  );
  return {
    ...out,
    GlobalClusters: out.GlobalClusters?.map((g) => ({
      ...g,
      GlobalClusterMembers: patchMembers(g.GlobalClusterMembers ?? []),
    })),
  };
}

/** The global cluster with a failover or switchover under way, from us-east-1 to us-west-2 unless told otherwise. */
function globalClusterMoving(state: Partial<FailoverState>): DescribeGlobalClustersCommandOutput {
  const out = fixture<DescribeGlobalClustersCommandOutput>(
    'rds/describe-global-clusters-primary-writer.json',
  );
  return {
    ...out,
    GlobalClusters: out.GlobalClusters?.map((g) => ({
      ...g,
      FailoverState: {
        Status: state.IsDataLossAllowed === false ? 'switching-over' : 'failing-over',
        FromDbClusterArn: USE1,
        ToDbClusterArn: USW2,
        IsDataLossAllowed: true,
        ...state,
      } as FailoverState,
    })),
  };
}

const request = (mode: FailoverRequest['mode'] = 'automatic') => failoverRequest({ mode });

const deps = (failedRegionCallMs?: number) => testDepsBounded(NOW, failedRegionCallMs);

/** A case where readiness refuses: what differs from a ready target, and the check that names it. */
type Refusal = [string, { world: Partial<World>; check: string; detail: string }];

/** The checks a TargetNotReadyError message names as failed. */
const namedChecks = (error: unknown) =>
  CHECKS.filter((name) => (error as Error).message.includes(`${name}: `));

describe('check-readiness', () => {
  const rdsMock = mockClient(RDSClient);
  const ecsMock = mockClient(ECSClient);
  const autoscalingMock = mockClient(ApplicationAutoScalingClient);
  const route53Mock = mockClient(Route53Client);
  const cloudwatchMock = mockClient(CloudWatchClient);
  const serviceQuotasMock = mockClient(ServiceQuotasClient);
  const allMocks = [rdsMock, ecsMock, autoscalingMock, route53Mock, cloudwatchMock, serviceQuotasMock];

  function given(overrides: Partial<World> = {}) {
    const world = { ...readyTarget(), ...overrides };
    rdsMock.on(DescribeGlobalClustersCommand).resolves(world.globalCluster);
    rdsMock
      .on(DescribeDBClustersCommand)
      .callsFake(async (_input: DescribeDBClustersCommandInput, getClient) => {
        const region = await regionOf(getClient());
        const answer = world.clusters[region];
        if (!answer) throw new Error(`unexpected DescribeDBClusters in ${region}`);
        return answer;
      });
    ecsMock.on(DescribeServicesCommand).callsFake(async (_input, getClient) => {
      const region = await regionOf(getClient());
      if (region !== 'us-west-2') throw new Error(`unexpected DescribeServices in ${region}`);
      return world.targetServices;
    });
    route53Mock.on(ListResourceRecordSetsCommand).resolves(world.records);
    // The target's capacity for the scale-up (src/steps/capacity-readiness.ts): 0.5 vCPU tasks,
    // the default 4,000 vCPU quota, 14 in use: plenty (test/steps/capacity-readiness.test.ts).
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(fixture('ecs/describe-task-definition-orders-api.json'));
    serviceQuotasMock
      .on(GetServiceQuotaCommand)
      .resolves(fixture('service-quotas/get-service-quota-fargate-vcpu.json'));
    const reads: Record<string, Answer> = {
      'us-west-2 ResourceCount': metrics('fargate-vcpu-usage.json'),
      'us-west-2 HTTPCode_ELB_5XX_Count': world.targetAlb5xx,
      'us-east-1 SuccessPercent': world.targetCanary,
      'us-west-2 AuroraGlobalDBRPOLag': world.rpoLag,
      // The source's own signals (read for planned moves, which need both regions healthy).
      'us-east-1 HTTPCode_ELB_5XX_Count': world.targetAlb5xx,
      'us-west-2 SuccessPercent': world.targetCanary,
    };
    answerMetricReads(cloudwatchMock, reads);
  }

  afterEach(() => {
    for (const mock of allMocks) mock.reset();
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('declares the target ready, with the RPO lag as evidence, when every check passes', async () => {
    // Prepare
    given();

    // Act
    const output = await checkReadiness({ request: request() }, deps());

    // Assess
    expect(output).toEqual({
      ready: true,
      rpoLagMs: 420,
      engines: { source: '17.7', target: '17.7' },
      capacity: {
        verdict: 'enough',
        proceedsDespite: false,
        detail: 'us-west-2 Fargate On-Demand: needs 3 vCPU, quota 4000, in use 14',
        quotaIncreaseCommand: null,
      },
      databases: [
        {
          globalClusterIdentifier: 'orders-global',
          rpoLagMs: 420,
          engines: { source: '17.7', target: '17.7' },
        },
      ],
      checks: [
        { name: 'aurora-global-membership', ok: true, detail: 'target is a secondary member' },
        { name: 'aurora-target-cluster', ok: true, detail: 'orders-usw2: 2 instance(s), engine 17.7' },
        { name: 'ecs-target-services', ok: true, detail: 'orders-api 2/2, orders-worker 1/1' },
        {
          name: 'target-capacity',
          ok: true,
          detail: 'us-west-2 Fargate On-Demand: needs 3 vCPU, quota 4000, in use 14',
        },
        { name: 'route53-records', ok: true, detail: '1 record(s) found' },
        { name: 'target-region-health', ok: true, detail: '2 signal(s) read, 0 failing' },
        { name: 'aurora-source-cluster', ok: true, detail: 'engine 17.7 in both regions' },
      ],
      timeline: [
        { at: NOW, step: 'check-readiness', phase: 'started', message: 'checking us-west-2 can take over' },
        {
          at: NOW,
          step: 'check-readiness',
          phase: 'succeeded',
          message: 'us-west-2 is ready (7 checks passed)',
          facts: { checks: 7, rpoLagMs: 420 },
        },
      ],
    });
  });

  it("reads the target region, of the source only its cluster's engine, and changes nothing", async () => {
    // Prepare
    given();

    // Act
    await checkReadiness({ request: request() }, deps());

    // Assess
    const targetReads = [...rdsMock.calls(), ...ecsMock.calls()].filter(
      (call) => (call.args[0].input as { DBClusterIdentifier?: string }).DBClusterIdentifier !== USE1,
    );
    const regions = await Promise.all(targetReads.map((call) => regionOf(call.thisValue)));
    expect(new Set(regions)).toEqual(new Set(['us-west-2']));
    const sourceReads = rdsMock.commandCalls(DescribeDBClustersCommand, { DBClusterIdentifier: USE1 });
    expect(sourceReads).toHaveLength(1);
    expect(await regionOf(sourceReads[0]?.thisValue)).toBe('us-east-1');
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: 'orders-usw2',
      services: ['orders-api', 'orders-worker'],
    });
    expect(mutatingCommandsSent(...allMocks)).toEqual([]);
  });

  it.each<Refusal>([
    [
      'the target cluster is headless (no DB instance)',
      {
        world: { clusters: { 'us-west-2': fixture('rds/describe-db-clusters-secondary-headless.json') } },
        check: 'aurora-target-cluster',
        detail: 'orders-usw2 is headless (no DB instance): add an instance before it can be promoted',
      },
    ],
    [
      'an ECS service is missing in the target',
      {
        world: { targetServices: fixture('ecs/describe-services-usw2-worker-missing.json') },
        check: 'ecs-target-services',
        detail: 'DescribeServices: in ECS cluster "orders-usw2", service "orders-worker" is MISSING',
      },
    ],
    [
      'the target is no longer a member of the global cluster',
      {
        world: {
          globalCluster: globalClusterWith((members) => members.filter((m) => m.DBClusterArn !== USW2)),
        },
        check: 'aurora-global-membership',
        detail: `${USW2} is not a member of orders-global`,
      },
    ],
    [
      'the hosted zone has no record set for the target',
      {
        world: { records: fixture('route53/list-resource-record-sets-simple-primary.json') },
        check: 'route53-records',
        detail: 'records not found: api.orders.example.com.',
      },
    ],
    [
      "the target region's own signals show K of N failing",
      {
        world: {
          targetAlb5xx: metrics('alb-5xx-failing.json'),
          targetCanary: metrics('canary-failing.json'),
        },
        check: 'target-region-health',
        detail: 'target region is failing too: usw2-alb-5xx, usw2-canary-from-use1',
      },
    ],
    [
      "CloudWatch refuses to read the target's metrics",
      {
        world: { targetAlb5xx: metrics('forbidden.json') },
        check: 'target-region-health',
        detail: 'GetMetricData(usw2-alb-5xx): CloudWatch refused query signal (Forbidden)',
      },
    ],
  ])('refuses, naming the check and changing nothing, when %s', async (_case, { world, check, detail }) => {
    // Prepare
    const defaults = readyTarget();
    given({ ...world, clusters: { ...defaults.clusters, ...world.clusters } });

    // Act
    const error = await checkReadiness({ request: request() }, deps()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TargetNotReadyError);
    expect((error as Error).message).toMatch(/^us-west-2 is not ready; nothing was changed: /);
    expect((error as Error).message).toContain(`${check}: ${detail}`);
    expect(namedChecks(error)).toEqual([check]);
    expect(mutatingCommandsSent(...allMocks)).toEqual([]);
  });

  it('names every failed check at once', async () => {
    // Prepare
    given({
      clusters: { 'us-west-2': fixture('rds/describe-db-clusters-secondary-headless.json') },
      targetServices: fixture('ecs/describe-services-usw2-worker-missing.json'),
    });

    // Act
    const error = await checkReadiness({ request: request() }, deps()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TargetNotReadyError);
    expect(namedChecks(error)).toEqual(['aurora-target-cluster', 'ecs-target-services']);
  });

  it.each([
    ['throttles', { error: awsError(RDSServiceException, 'Throttling', 400) }],
    ['fails on its side', { error: awsError(RDSServiceException, 'InternalFailure', 500) }],
  ])('raises AwsTransientError for the state machine to retry when RDS %s', async (_case, { error }) => {
    // Prepare
    given();
    rdsMock.on(DescribeGlobalClustersCommand).rejects(error);

    // Act
    const run = checkReadiness({ request: request() }, deps());

    // Assess
    await expect(run).rejects.toBeInstanceOf(AwsTransientError);
    await expect(run).rejects.toMatchObject({ name: 'AwsTransientError', transient: true });
  });

  it('reports an RDS read the target refuses as a failed check, not a crash', async () => {
    // Prepare
    given();
    rdsMock.on(DescribeGlobalClustersCommand).rejects(awsError(RDSServiceException, 'AccessDenied', 403));

    // Act
    const error = await checkReadiness({ request: request() }, deps()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TargetNotReadyError);
    expect((error as Error).message).toContain(
      'aurora-global-membership: rds:DescribeGlobalClusters: AccessDenied',
    );
  });

  it.each([
    ['CloudWatch has no lag datapoints', { rpoLag: metrics('no-lag-data.json') }],
    ['the lag read does not answer', { rpoLag: () => hang<GetMetricDataCommandOutput>() }],
  ])('goes ahead without RPO evidence in an unplanned failover when %s', async (_case, { rpoLag }) => {
    // Prepare
    given({ rpoLag });

    // Act
    const output = await checkReadiness({ request: request() }, deps(100));

    // Assess
    expect(output.ready).toBe(true);
    expect(output.rpoLagMs).toBeNull();
    expect(output.checks.map((c) => c.name)).not.toContain('replication-lag');
  });

  describe('refuses what promotion would refuse, in every mode', () => {
    const cases: Refusal[] = [
      [
        'the target member is pending-resync (a failback too soon after a failover)',
        {
          world: {
            globalCluster: globalClusterWith((members) =>
              members.map((m) =>
                m.DBClusterArn === USW2 ? { ...m, SynchronizationStatus: 'pending-resync' } : m,
              ),
            ),
          },
          check: 'aurora-global-membership',
          detail: `target member ${USW2} is pending-resync, not connected, so promotion would refuse it: wait until Aurora has resynchronised it`,
        },
      ],
      [
        'a switchover towards another member is under way',
        {
          world: { globalCluster: globalClusterMoving({ ToDbClusterArn: USE1, IsDataLossAllowed: false }) },
          check: 'aurora-global-membership',
          detail: `a switchover of orders-global towards ${USE1} is under way (switching-over), so promotion would refuse a second one`,
        },
      ],
    ];
    const olderSource = {
      clusters: {
        'us-east-1': clusterIn('describe-db-clusters-primary.json', { EngineVersion: '17.5' }),
      },
    };
    const modes: FailoverRequest['mode'][] = ['automatic', 'manual', 'planned'];

    it.each(modes.flatMap((mode) => cases.map(([name, refusal]) => [mode, name, refusal] as const)))(
      '%s: refuses before anything changes when %s',
      async (mode, _case, { world, check, detail }) => {
        // Prepare
        const defaults = readyTarget();
        given({ ...world, clusters: { ...defaults.clusters, ...world.clusters } });

        // Act
        const error = await checkReadiness({ request: request(mode) }, deps()).catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(TargetNotReadyError);
        expect((error as Error).message).toContain(`${check}: ${detail}`);
        expect(namedChecks(error)).toEqual([check]);
        expect(mutatingCommandsSent(...allMocks)).toEqual([]);
      },
    );

    it('planned: refuses before anything changes when the engines differ in their minor version', async () => {
      // Prepare
      const defaults = readyTarget();
      given({ ...olderSource, clusters: { ...defaults.clusters, ...olderSource.clusters } });

      // Act
      const error = await checkReadiness({ request: request('planned') }, deps()).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(TargetNotReadyError);
      expect((error as Error).message).toContain(
        'aurora-source-cluster: engine versions differ: 17.5 in us-east-1, 17.7 in us-west-2; a managed failover or switchover needs the same major and minor version',
      );
      expect(namedChecks(error)).toEqual(['aurora-source-cluster']);
      expect(mutatingCommandsSent(...allMocks)).toEqual([]);
    });

    it.each(['automatic', 'manual'] as const)(
      '%s: goes on when the engines differ (a rolling upgrade), saying the database moves by detach-and-promote',
      async (mode) => {
        // Prepare
        const defaults = readyTarget();
        given({ ...olderSource, clusters: { ...defaults.clusters, ...olderSource.clusters } });

        // Act
        const output = await checkReadiness({ request: request(mode) }, deps());

        // Assess
        expect(output.ready).toBe(true);
        expect(output.engines).toEqual({ source: '17.5', target: '17.7' });
        expect(output.checks.find((c) => c.name === 'aurora-source-cluster')).toEqual({
          name: 'aurora-source-cluster',
          ok: true,
          detail: expect.stringMatching(
            /^engine versions differ \(17\.5 in us-east-1, 17\.7 in us-west-2\): FailoverGlobalCluster would refuse them, so this unplanned move goes by detach-and-promote: orders-usw2 is detached/,
          ),
        });
        expect(mutatingCommandsSent(...allMocks)).toEqual([]);
      },
    );

    it('reports a pending-resync target as a problem in a dry run', async () => {
      // Prepare
      given({ globalCluster: cases[0]?.[1].world.globalCluster });

      // Act
      const output = await checkReadiness(
        { request: failoverRequest({ mode: 'manual', dryRun: true }) },
        deps(),
      );

      // Assess
      expect(output.ready).toBe(false);
      expect(output.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['aurora-global-membership']);
      expect(mutatingCommandsSent(...allMocks)).toEqual([]);
    });

    it.each<FailoverRequest['mode']>(['automatic', 'manual'])(
      '%s: declares ready, and says so, when a failover towards this same target is under way',
      async (mode) => {
        // Prepare: an earlier execution sent it; promote-database will find it and send nothing.
        given({ globalCluster: fixture('rds/describe-global-clusters-failover-pending.json') });

        // Act
        const output = await checkReadiness({ request: request(mode) }, deps());

        // Assess
        expect(output.ready).toBe(true);
        expect(output.checks[0]).toEqual({
          name: 'aurora-global-membership',
          ok: true,
          detail:
            'a failover towards the target is already under way (pending): promote-database sends nothing again and waits for it',
        });
      },
    );

    it.each([
      ['does not answer', () => hang<DescribeDBClustersCommandOutput>(), 'no answer within 100 ms'],
      [
        'refuses the read',
        () => Promise.reject(awsError(RDSServiceException, 'AccessDenied', 403)),
        'AccessDenied',
      ],
    ])(
      'goes ahead in an unplanned move when the failed source %s: its engine is not compared',
      async (_case, answer, why) => {
        // Prepare
        given();
        rdsMock.on(DescribeDBClustersCommand, { DBClusterIdentifier: USE1 }).callsFake(answer);

        // Act
        const output = await checkReadiness({ request: request('manual') }, deps(100));

        // Assess
        expect(output.ready).toBe(true);
        const source = output.checks.find((c) => c.name === 'aurora-source-cluster');
        expect(source).toMatchObject({ ok: true });
        expect(source?.detail).toMatch(
          /^orders-use1 in us-east-1 not readable \(.*\): engine versions not compared$/,
        );
        expect(source?.detail).toContain(why);
      },
    );
  });

  describe('planned switchover', () => {
    it('also requires the source cluster available on the same engine and the lag within the plan', async () => {
      // Prepare
      given();

      // Act
      const output = await checkReadiness({ request: request('planned') }, deps());

      // Assess
      expect(output.checks.slice(6)).toEqual([
        {
          name: 'aurora-source-cluster',
          ok: true,
          detail: 'orders-use1 available, engine 17.7 in both regions',
        },
        {
          name: 'target-sustained-health',
          ok: true,
          detail: 'us-west-2 healthy in each of the last 5 periods',
        },
        {
          name: 'source-region-health',
          ok: true,
          detail: 'us-east-1 healthy (a switchover needs both regions up)',
        },
        { name: 'replication-lag', ok: true, detail: '420 ms <= 1000 ms' },
      ]);
      const sourceReads = rdsMock.commandCalls(DescribeDBClustersCommand, { DBClusterIdentifier: USE1 });
      expect(sourceReads).toHaveLength(1);
      expect(await regionOf(sourceReads[0]?.thisValue)).toBe('us-east-1');
      expect(mutatingCommandsSent(...allMocks)).toEqual([]);
    });

    it.each<Refusal>([
      [
        'replication lags more than plan.database.maxSwitchoverLagMs',
        {
          world: { rpoLag: metrics('replication-lag-only.json') },
          check: 'replication-lag',
          detail: '1100 ms > 1000 ms (plan database.maxSwitchoverLagMs)',
        },
      ],
      [
        'the replication lag is unknown',
        {
          world: { rpoLag: metrics('no-lag-data.json') },
          check: 'replication-lag',
          detail: 'lag unknown (no AuroraGlobalDBRPOLag data)',
        },
      ],
      [
        'the engine versions differ',
        {
          world: {
            clusters: {
              'us-east-1': clusterIn('describe-db-clusters-primary.json', { EngineVersion: '16.9' }),
            },
          },
          check: 'aurora-source-cluster',
          detail: 'engine versions differ: 16.9 in us-east-1, 17.7 in us-west-2',
        },
      ],
      [
        'the source cluster is not available',
        {
          world: {
            clusters: {
              'us-east-1': clusterIn('describe-db-clusters-primary.json', { Status: 'upgrading' }),
            },
          },
          check: 'aurora-source-cluster',
          detail: 'orders-use1 is upgrading',
        },
      ],
      [
        'the target member is resynchronising',
        {
          world: {
            globalCluster: globalClusterWith((members) =>
              members.map((m) =>
                m.DBClusterArn === USW2 ? { ...m, SynchronizationStatus: 'pending-resync' } : m,
              ),
            ),
          },
          check: 'aurora-global-membership',
          detail: `target member ${USW2} is pending-resync, not connected, so promotion would refuse it`,
        },
      ],
    ])('refuses when %s', async (_case, { world, check, detail }) => {
      // Prepare
      const defaults = readyTarget();
      given({ ...world, clusters: { ...defaults.clusters, ...world.clusters } });

      // Act
      const error = await checkReadiness({ request: request('planned') }, deps()).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(TargetNotReadyError);
      expect((error as Error).message).toContain(`${check}: ${detail}`);
      expect(namedChecks(error)).toEqual([check]);
      expect(mutatingCommandsSent(...allMocks)).toEqual([]);
    });

    it('retries rather than refuses when CloudWatch throttles the lag read', async () => {
      // Prepare
      given({ rpoLag: () => Promise.reject(awsError(CloudWatchServiceException, 'Throttling', 400)) });

      // Act
      const run = checkReadiness({ request: request('planned') }, deps());

      // Assess
      await expect(run).rejects.toBeInstanceOf(AwsTransientError);
    });
  });

  it("refuses a target whose own load balancer fails K of N while the failed region's canary is unreadable", async () => {
    // Prepare: in an outage the canary probing the target is read in the failed region and
    // does not answer, so the target's own ALB is the only evidence of its health.
    given({ targetAlb5xx: metrics('alb-5xx-failing.json'), targetCanary: () => hang() });

    // Act
    const error = await checkReadiness({ request: request() }, deps(100)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TargetNotReadyError);
    expect(namedChecks(error)).toEqual(['target-region-health']);
  });

  describe('in a dry run', () => {
    const dryRun = (mode: FailoverRequest['mode'] = 'manual') => failoverRequest({ mode, dryRun: true });

    it('returns every problem instead of throwing, and changes nothing', async () => {
      // Prepare
      given({
        clusters: {
          ...readyTarget().clusters,
          'us-west-2': fixture('rds/describe-db-clusters-secondary-headless.json'),
        },
        targetServices: fixture('ecs/describe-services-usw2-worker-missing.json'),
      });

      // Act
      const output = await checkReadiness({ request: dryRun() }, deps());

      // Assess
      expect(mutatingCommandsSent(...allMocks)).toEqual([]);
      expect(output.ready).toBe(false);
      expect(output.rpoLagMs).toBe(420);
      expect(output.checks.filter((c) => !c.ok)).toEqual([
        {
          name: 'aurora-target-cluster',
          ok: false,
          detail: 'orders-usw2 is headless (no DB instance): add an instance before it can be promoted',
        },
        {
          name: 'ecs-target-services',
          ok: false,
          detail: 'DescribeServices: in ECS cluster "orders-usw2", service "orders-worker" is MISSING',
        },
      ]);
      expect(output.timeline).toEqual([
        {
          at: NOW,
          step: 'check-readiness',
          phase: 'started',
          message: 'dry run: checking us-west-2 can take over',
        },
        {
          at: NOW,
          step: 'check-readiness',
          phase: 'failed',
          message:
            'aurora-target-cluster: orders-usw2 is headless (no DB instance): add an instance before it can be promoted',
          facts: { check: 'aurora-target-cluster' },
        },
        {
          at: NOW,
          step: 'check-readiness',
          phase: 'failed',
          message:
            'ecs-target-services: DescribeServices: in ECS cluster "orders-usw2", service "orders-worker" is MISSING',
          facts: { check: 'ecs-target-services' },
        },
        {
          at: NOW,
          step: 'check-readiness',
          phase: 'dry-run',
          message:
            'us-west-2 is NOT ready: 2 of 7 checks failed (aurora-target-cluster, ecs-target-services); a real run stops here with TargetNotReadyError, the dry run goes on',
          facts: { checks: 7, failed: 2, rpoLagMs: 420 },
        },
      ]);
    });

    it('names the same problems a real run stops with', async () => {
      // Prepare
      given({ records: fixture('route53/list-resource-record-sets-simple-primary.json') });

      // Act
      const error = await checkReadiness({ request: request() }, deps()).catch((e: unknown) => e);
      const output = await checkReadiness({ request: dryRun('automatic') }, deps());

      // Assess
      const problems = output.checks.filter((c) => !c.ok).map(describeProblem);
      expect(problems).toEqual(['route53-records: records not found: api.orders.example.com.']);
      expect(problemsInNotReadyMessage(`check-readiness: ${(error as Error).message}`)).toEqual(problems);
    });

    it('declares a ready target ready, as a real run does', async () => {
      // Prepare
      given();

      // Act
      const output = await checkReadiness({ request: dryRun() }, deps());

      // Assess
      expect(output.ready).toBe(true);
      expect(output.timeline.at(-1)).toMatchObject({
        phase: 'succeeded',
        message: 'us-west-2 is ready (7 checks passed)',
      });
    });

    it('still raises AwsTransientError for the state machine to retry', async () => {
      // Prepare
      given();
      rdsMock.on(DescribeGlobalClustersCommand).rejects(awsError(RDSServiceException, 'Throttling', 400));

      // Act
      const run = checkReadiness({ request: dryRun() }, deps());

      // Assess
      await expect(run).rejects.toBeInstanceOf(AwsTransientError);
    });
  });

  describe('handler', () => {
    const invoke = (event: unknown) =>
      handler(event, lambdaContext({ functionName: 'orders-check-readiness' }));

    it('runs the step with the packaged plan and returns its output', async () => {
      // Prepare
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(NOW));
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');
      given();
      // The packaged plan moves its record by routing control: every cluster endpoint answers.
      const arc = mockRoutingControls({});

      // Act
      const output = await invoke({ request: request() });
      arc.mock.restore();

      // Assess
      expect(output).toMatchObject({ ready: true, rpoLagMs: 420 });
      expect(output.timeline.at(-1)).toMatchObject({ at: NOW, phase: 'succeeded' });
    });

    it('rejects a malformed input with InputInvalidError naming the field', async () => {
      // Prepare
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');
      const { targetRegion: _, ...withoutTarget } = request();

      // Act
      const run = invoke({ request: withoutTarget });

      // Assess
      await expect(run).rejects.toBeInstanceOf(InputInvalidError);
      await expect(run).rejects.toThrow(/^check-readiness: input is invalid: request\.targetRegion: /);
      expect(rdsMock).not.toHaveReceivedAnyCommand();
    });
  });
});
