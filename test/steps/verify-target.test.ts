import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, type DescribeServicesCommandOutput, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeGlobalClustersCommand,
  type DescribeGlobalClustersCommandOutput,
  RDSClient,
} from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authoritativeDns } from '../../src/dns-answers/resolver.js';
import { InputInvalidError, TargetUnhealthyError } from '../../src/errors.js';
import { handler } from '../../src/handlers/verify-target.js';
import { verifyTarget } from '../../src/steps/verify-target.js';
import { mockRoutingControls, USE1_CONTROL } from '../support/arc.js';
import { hang, mutatingCommandsSent, regionOf } from '../support/aws.js';
import { type Answer, answerMetricReads, metrics } from '../support/cloudwatch.js';
import { testDepsBounded } from '../support/deps.js';
import { type FakeNameServers, fakeNameServers } from '../support/dns.js';
import { fixture } from '../support/fixtures.js';
import { lambdaContext } from '../support/lambda-context.js';
import { USE1_ALB, USW2_ALB } from '../support/plan.js';
import { failoverRequest } from '../support/request.js';

/** Half a minute after the newest complete period of the CloudWatch fixtures. */
const NOW = '2024-05-14T10:07:30.000Z';
const CHECKS = ['aurora-writer', 'ecs-capacity', 'dns-points-at-target', 'target-health-signals'];

/** What the target region and the hosted zone's name servers answer after the take-over. */
interface World {
  globalCluster: DescribeGlobalClustersCommandOutput;
  targetServices: DescribeServicesCommandOutput;
  /** What every name server answers for api.orders.example.com. */
  answers: string;
  /** usw2-alb-5xx, read in us-west-2. */
  targetAlb5xx: Answer;
  /** usw2-canary-from-use1, read in the failed region. */
  targetCanary: Answer;
}

/** The service served from us-west-2: it writes, runs its active counts, and DNS sends users there. */
const servingFromTarget = (): World => ({
  globalCluster: fixture('rds/describe-global-clusters-target-writer.json'),
  targetServices: fixture('ecs/describe-services-usw2-active.json'),
  answers: USW2_ALB,
  targetAlb5xx: metrics('alb-5xx-no-errors.json'),
  targetCanary: metrics('canary-recovered.json'),
});

type Unhealthy = [string, { world: Partial<World>; check: string; detail: string }];

let nameServers: FakeNameServers;
const deps = (failedRegionCallMs?: number) => ({
  ...testDepsBounded(NOW, failedRegionCallMs),
  dns: nameServers,
});

/** The checks a TargetUnhealthyError message names as failed. */
const namedChecks = (error: unknown) =>
  CHECKS.filter((name) => (error as Error).message.includes(`${name}: `));

describe('verify-target', () => {
  const rdsMock = mockClient(RDSClient);
  const ecsMock = mockClient(ECSClient);
  const route53Mock = mockClient(Route53Client);
  const cloudwatchMock = mockClient(CloudWatchClient);
  const allMocks = [rdsMock, ecsMock, route53Mock, cloudwatchMock];

  function given(overrides: Partial<World> = {}) {
    const world = { ...servingFromTarget(), ...overrides };
    rdsMock.on(DescribeGlobalClustersCommand).resolves(world.globalCluster);
    ecsMock.on(DescribeServicesCommand).resolves(world.targetServices);
    nameServers = fakeNameServers(world.answers);
    // The deployed handler takes the process-wide resolver.
    authoritativeDns.use(nameServers);
    const reads: Record<string, Answer> = {
      'us-west-2 HTTPCode_ELB_5XX_Count': world.targetAlb5xx,
      'us-east-1 SuccessPercent': world.targetCanary,
    };
    answerMetricReads(cloudwatchMock, reads);
  }

  afterEach(() => {
    for (const mock of allMocks) mock.reset();
    authoritativeDns.reset();
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('verifies the target serving, at the time of the check, when every check passes', async () => {
    // Prepare
    given();

    // Act
    const output = await verifyTarget({ request: failoverRequest() }, deps());

    // Assess
    expect(output).toEqual({
      healthy: true,
      verifiedAt: NOW,
      checks: [
        { name: 'aurora-writer', ok: true, detail: 'writer(s): us-west-2' },
        { name: 'ecs-capacity', ok: true, detail: 'orders-api 6 of 6 running, orders-worker 3 of 3 running' },
        {
          name: 'dns-points-at-target',
          ok: true,
          detail: '1 record(s) point at us-west-2: the name servers answer it only',
        },
        { name: 'target-health-signals', ok: true, detail: '2 signal(s) read, failing: none' },
      ],
      timeline: [
        {
          at: NOW,
          step: 'verify-target',
          phase: 'succeeded',
          message: 'us-west-2 verified serving: writer, capacity, DNS, health',
          facts: { checks: 4 },
        },
      ],
    });
  });

  it('reads the outcome from the target region and changes nothing', async () => {
    // Prepare
    given();

    // Act
    await verifyTarget({ request: failoverRequest() }, deps());

    // Assess
    const regions = await Promise.all(
      [...rdsMock.calls(), ...ecsMock.calls()].map((call) => regionOf(call.thisValue)),
    );
    expect(new Set(regions)).toEqual(new Set(['us-west-2']));
    expect(rdsMock).toHaveReceivedCommandWith(DescribeGlobalClustersCommand, {
      GlobalClusterIdentifier: 'orders-global',
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: 'orders-usw2',
      services: ['orders-api', 'orders-worker'],
    });
    expect(mutatingCommandsSent(...allMocks)).toEqual([]);
  });

  it("reads DNS from the name servers' answers, with no Route 53 API call (its control plane may be down)", async () => {
    // Prepare
    given();

    // Act
    await verifyTarget({ request: failoverRequest() }, deps());

    // Assess
    expect(route53Mock).not.toHaveReceivedAnyCommand();
    expect(new Set(nameServers.asked.map((q) => q.nameServer))).toEqual(
      new Set([
        'ns-1324.awsdns-37.org',
        'ns-1822.awsdns-35.co.uk',
        'ns-392.awsdns-49.com',
        'ns-718.awsdns-25.net',
      ]),
    );
  });

  it.each<Unhealthy>([
    [
      'the target is not the writer yet',
      {
        world: { globalCluster: fixture('rds/describe-global-clusters-primary-writer.json') },
        check: 'aurora-writer',
        detail: 'writer(s): us-east-1',
      },
    ],
    [
      'the failover is still under way',
      {
        world: { globalCluster: fixture('rds/describe-global-clusters-failing-over.json') },
        check: 'aurora-writer',
        detail: 'writer(s): none',
      },
    ],
    [
      "ECS runs fewer tasks than the plan's activeCount",
      {
        world: { targetServices: fixture('ecs/describe-services-usw2-scaling.json') },
        check: 'ecs-capacity',
        detail: 'short: orders-api (orders-api 3 of 6 running, orders-worker 3 of 3 running)',
      },
    ],
    [
      'the name servers still answer the source',
      {
        world: { answers: USE1_ALB },
        check: 'dns-points-at-target',
        detail:
          'not yet: api.orders.example.com. still sends clients to us-east-1 (0 answer(s) to us-west-2, 32 to us-east-1)',
      },
    ],
    [
      "the target's own signals are failing",
      {
        world: { targetAlb5xx: metrics('alb-5xx-failing.json') },
        check: 'target-health-signals',
        detail: '2 signal(s) read, failing: usw2-alb-5xx',
      },
    ],
  ])('raises TargetUnhealthyError naming the check when %s', async (_case, { world, check, detail }) => {
    // Prepare
    given(world);

    // Act
    const error = await verifyTarget({ request: failoverRequest() }, deps()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TargetUnhealthyError);
    expect((error as Error).message).toBe(`us-west-2 not verified: ${check}: ${detail}`);
    expect(namedChecks(error)).toEqual([check]);
  });

  it('names every failed check at once', async () => {
    // Prepare
    given({
      globalCluster: fixture('rds/describe-global-clusters-primary-writer.json'),
      targetServices: fixture('ecs/describe-services-usw2-scaling.json'),
      answers: USE1_ALB,
      targetAlb5xx: metrics('alb-5xx-failing.json'),
    });

    // Act
    const error = await verifyTarget({ request: failoverRequest() }, deps()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TargetUnhealthyError);
    expect(namedChecks(error)).toEqual(CHECKS);
  });

  it("verifies without the failed region's canary when that region does not answer", async () => {
    // Prepare
    given({ targetCanary: () => hang() });

    // Act
    const output = await verifyTarget({ request: failoverRequest() }, deps(100));

    // Assess
    expect(output.healthy).toBe(true);
    expect(output.checks.at(-1)).toEqual({
      name: 'target-health-signals',
      ok: true,
      detail: '1 signal(s) read, failing: none',
    });
  });

  it('does not verify a dry run, which moved nothing, and reads nothing', async () => {
    // Prepare
    nameServers = fakeNameServers(USW2_ALB);

    // Act
    const output = await verifyTarget({ request: failoverRequest({ dryRun: true }) }, deps());

    // Assess
    for (const mock of allMocks) expect(mock).not.toHaveReceivedAnyCommand();
    expect(nameServers.asked).toEqual([]);
    expect(output).toEqual({
      healthy: true,
      verifiedAt: NOW,
      checks: [],
      timeline: [{ at: NOW, step: 'verify-target', phase: 'skipped', message: 'dry run: nothing moved' }],
    });
  });

  describe('handler', () => {
    const invoke = (event: unknown) =>
      handler(event, lambdaContext({ functionName: 'orders-verify-target' }));

    it('runs the step with the packaged plan and returns its output', async () => {
      // Prepare
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(NOW));
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');
      given();
      // The packaged plan moves its record by routing control: every cluster endpoint answers.
      const arc = mockRoutingControls({ [USE1_CONTROL]: 'Off' });

      // Act
      const output = await invoke({ request: failoverRequest() });
      arc.mock.restore();

      // Assess
      expect(output).toMatchObject({ healthy: true, verifiedAt: NOW });
    });

    it('rejects a malformed input with InputInvalidError naming the field', async () => {
      // Prepare
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');

      // Act
      const run = invoke({ request: { ...failoverRequest(), detectedAt: 1731 } });

      // Assess
      await expect(run).rejects.toBeInstanceOf(InputInvalidError);
      await expect(run).rejects.toThrow(/^verify-target: input is invalid: request\.detectedAt: /);
      expect(rdsMock).not.toHaveReceivedAnyCommand();
    });
  });
});
