import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
} from '@aws-sdk/client-ecs';
import {
  GetServiceQuotaCommand,
  type GetServiceQuotaCommandOutput,
  ServiceQuotasClient,
  ServiceQuotasServiceException,
} from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DescribedService, describeServiceRefsWithPlacement } from '../../src/aws/ecs.js';
import { capacityCheck } from '../../src/steps/capacity-readiness.js';
import type { FailoverRequest } from '../../src/steps/request.js';
import { awsError, hang, mutatingCommandsSent, regionOf } from '../support/aws.js';
import { inVirtualTime } from '../support/clock.js';
import { testDeps } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { failoverRequest } from '../support/request.js';

/**
 * target-capacity: the standby (us-west-2) runs orders-api 2/2 and orders-worker 1/1 (fixture);
 * the example plan scales them to 6 and 3: 6 more tasks of 0.5 vCPU (task definition fixture),
 * 3 vCPU needed.
 */
const NOW = '2024-05-14T10:07:30.000Z';

const quotaOf = (value: number): GetServiceQuotaCommandOutput => {
  const out = fixture<GetServiceQuotaCommandOutput>('service-quotas/get-service-quota-fargate-vcpu.json');
  return { ...out, Quota: { ...out.Quota, Value: value } };
};
const usageOf = (values: number[]): GetMetricDataCommandOutput => {
  const out = fixture<GetMetricDataCommandOutput>('cloudwatch/fargate-vcpu-usage.json');
  const [result] = out.MetricDataResults ?? [];
  return {
    ...out,
    MetricDataResults: [
      { ...result, Values: values, Timestamps: (result?.Timestamps ?? []).slice(0, values.length) },
    ],
  };
};

describe('capacityCheck', () => {
  const ecsMock = mockClient(ECSClient);
  const quotasMock = mockClient(ServiceQuotasClient);
  const cloudwatchMock = mockClient(CloudWatchClient);
  const allMocks = [ecsMock, quotasMock, cloudwatchMock];

  /** The target's services as check-readiness reads them (one DescribeServices), then the check. */
  async function check(
    request: FailoverRequest,
    patchServices: (s: DescribeServicesCommandOutput) => DescribeServicesCommandOutput = (s) => s,
  ) {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves(patchServices(fixture('ecs/describe-services-usw2-standby.json')));
    const deps = testDeps(NOW);
    const services: DescribedService[] = await describeServiceRefsWithPlacement(
      deps.clients.forRegion('us-west-2').ecs,
      [
        { cluster: 'orders-usw2', service: 'orders-api' },
        { cluster: 'orders-usw2', service: 'orders-worker' },
      ],
    );
    return capacityCheck(request, services, deps);
  }

  function given(quota: GetServiceQuotaCommandOutput, usage: GetMetricDataCommandOutput) {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(fixture('ecs/describe-task-definition-orders-api.json'));
    quotasMock.on(GetServiceQuotaCommand).resolves(quota);
    cloudwatchMock.on(GetMetricDataCommand).resolves(usage);
  }

  afterEach(() => {
    for (const mock of allMocks) mock.reset();
    vi.useRealTimers();
  });

  it('passes when the quota holds usage plus the scale-up, reading the target region only', async () => {
    // Prepare
    given(quotaOf(4000), usageOf([12.5, 14]));

    // Act
    const { check: result, capacity } = await check(failoverRequest({ mode: 'planned' }));

    // Assess
    expect(result).toEqual({
      name: 'target-capacity',
      ok: true,
      detail: 'us-west-2 Fargate On-Demand: needs 3 vCPU, quota 4000, in use 14',
    });
    expect(capacity).toEqual({
      verdict: 'enough',
      proceedsDespite: false,
      detail: 'us-west-2 Fargate On-Demand: needs 3 vCPU, quota 4000, in use 14',
      quotaIncreaseCommand: null,
    });
    const calls = [...ecsMock.calls(), ...quotasMock.calls(), ...cloudwatchMock.calls()];
    const regions = await Promise.all(calls.map((c) => regionOf(c.thisValue)));
    expect(new Set(regions)).toEqual(new Set(['us-west-2']));
    // One read per task definition (each service has its own here).
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
    expect(mutatingCommandsSent(...allMocks)).toEqual([]);
  });

  it.each<[string, FailoverRequest, boolean, boolean]>([
    [
      'a dry run reports it (not ok: Ready 0)',
      failoverRequest({ mode: 'manual', dryRun: true }),
      false,
      false,
    ],
    ['a planned switchover refuses up front', failoverRequest({ mode: 'planned' }), false, false],
    ['an unplanned failover goes on, saying so', failoverRequest({ mode: 'automatic' }), true, true],
  ])('on a shortfall, %s', async (_, request, ok, proceedsDespite) => {
    // Prepare: 3 vCPU needed, 5 - 4 = 1 available.
    given(quotaOf(5), usageOf([4]));

    // Act
    const { check: result, capacity } = await check(request);

    // Assess
    expect(result.ok).toBe(ok);
    expect(capacity.proceedsDespite).toBe(proceedsDespite);
    expect(capacity.verdict).toBe('short');
    expect(capacity.quotaIncreaseCommand).toBe(
      'aws service-quotas request-service-quota-increase --region us-west-2 --service-code fargate --quota-code L-3032A538 --desired-value 7',
    );
    expect(capacity.detail).toContain(
      'Fargate On-Demand vCPU quota short by 2 vCPU: the scale-up needs 3 vCPU, the quota is 5 and 4 are in use (1 available)',
    );
    if (proceedsDespite) {
      expect(result.detail).toMatch(/^SHORT, an unplanned failover goes on with the capacity it gets/);
    }
  });

  it.each<[string, () => void, RegExp]>([
    [
      'GetServiceQuota is denied',
      () =>
        quotasMock
          .on(GetServiceQuotaCommand)
          .rejects(awsError(ServiceQuotasServiceException, 'AccessDeniedException', 400, 'not authorized')),
      /quota not read: GetServiceQuota\(fargate L-3032A538\): AccessDeniedException: not authorized/,
    ],
    [
      'the quota comes back with an ErrorReason',
      () =>
        quotasMock
          .on(GetServiceQuotaCommand)
          .resolves(fixture('service-quotas/get-service-quota-dependency-denied.json')),
      /quota not read: .*DEPENDENCY_ACCESS_DENIED_ERROR/,
    ],
    [
      'the task definition cannot be read',
      () =>
        ecsMock
          .on(DescribeTaskDefinitionCommand)
          .rejects(
            awsError(ECSServiceException, 'AccessDeniedException', 400, 'no ecs:DescribeTaskDefinition'),
          ),
      /task cpu unknown \(DescribeTaskDefinition: .*no ecs:DescribeTaskDefinition\)/,
    ],
  ])('is UNKNOWN, never ready, when %s: not ok in a dry run', async (_, fault, why) => {
    // Prepare
    given(quotaOf(4000), usageOf([14]));
    fault();

    // Act
    const { check: result, capacity } = await check(failoverRequest({ mode: 'manual', dryRun: true }));

    // Assess
    expect(capacity.verdict).toBe('unknown');
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^UNKNOWN: /);
    expect(result.detail).toMatch(why);
  });

  it('is UNKNOWN when Service Quotas keeps throttling, after retrying within its bound', async () => {
    // Prepare
    vi.useFakeTimers();
    given(quotaOf(4000), usageOf([14]));
    quotasMock
      .on(GetServiceQuotaCommand)
      .rejects(awsError(ServiceQuotasServiceException, 'TooManyRequestsException', 400, 'Rate exceeded'));

    // Act
    const { check: result, capacity } = await inVirtualTime(check(failoverRequest({ mode: 'planned' })));

    // Assess
    expect(capacity.verdict).toBe('unknown');
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/quota not read: still failing after retries .*TooManyRequestsException/);
    expect(quotasMock.commandCalls(GetServiceQuotaCommand).length).toBeGreaterThan(1);
  });

  it('is UNKNOWN when Service Quotas does not answer, and an unplanned failover goes on saying so', async () => {
    // Prepare
    vi.useFakeTimers();
    given(quotaOf(4000), usageOf([14]));
    quotasMock.on(GetServiceQuotaCommand).callsFake(() => hang());

    // Act
    const { check: result } = await inVirtualTime(check(failoverRequest({ mode: 'automatic' })));

    // Assess: it waited 5 s, not the 15 s a gating read gets (its RTO is running).
    expect(result.ok).toBe(true);
    expect(result.detail).toMatch(
      /^UNKNOWN, an unplanned failover goes on .*quota not read: no answer \(no answer within 5000 ms\)$/,
    );
  });

  it("takes the plan's own running tasks as the usage when CloudWatch has no datapoint, and says so", async () => {
    // Prepare: 3 running tasks of 0.5 vCPU = 1.5 vCPU in use; 3 more needed; quota 4.
    given(quotaOf(4), usageOf([]));

    // Act
    const { capacity } = await check(failoverRequest({ mode: 'planned' }));

    // Assess
    expect(capacity.verdict).toBe('short');
    expect(capacity.detail).toContain('the quota is 4 and 1.5 are in use');
    expect(capacity.detail).toContain(
      "no AWS/Usage datapoint in the last 10 minutes: usage taken as the plan's own 1.5 running vCPU",
    );
  });

  it('reports an EC2 or capacity-provider service as not checked, reads no quota for it, and never calls it ready', async () => {
    // Prepare
    given(quotaOf(0), usageOf([]));

    // Act
    const { check: result, capacity } = await check(failoverRequest({ mode: 'planned' }), (s) => ({
      ...s,
      services: s.services?.map((svc, i) =>
        i === 0
          ? { ...svc, launchType: 'EC2' }
          : {
              ...svc,
              launchType: undefined,
              capacityProviderStrategy: [{ capacityProvider: 'my-asg-cp', weight: 1 }],
            },
      ),
    }));

    // Assess
    expect(capacity.verdict).toBe('enough');
    expect(result.detail).toContain('orders-api: not checked (EC2 launch type');
    expect(result.detail).toContain('orders-worker: not checked (capacity provider strategy my-asg-cp');
    expect(result.detail).not.toMatch(/ready/);
    expect(quotasMock.commandCalls(GetServiceQuotaCommand)).toHaveLength(0);
  });

  it('finds a Fargate service with no subnet a placement problem, from the DescribeServices answer alone', async () => {
    // Prepare
    given(quotaOf(4000), usageOf([14]));

    // Act
    const { check: result } = await check(failoverRequest({ mode: 'planned' }), (s) => ({
      ...s,
      services: s.services?.map((svc) => ({
        ...svc,
        networkConfiguration: { awsvpcConfiguration: { subnets: [], securityGroups: [] } },
      })),
    }));

    // Assess
    expect(result.ok).toBe(false);
    expect(result.detail).toContain(
      'orders-api: a Fargate service with no awsvpc subnet in its network configuration cannot place a task',
    );
  });
});
