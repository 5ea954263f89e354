import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  type DescribeServicesCommandOutput,
  ECSClient,
  ECSServiceException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeScalableTarget,
  describeServiceRefs,
  describeServices,
  lowerMinCapacity,
  raiseMinCapacity,
  setDesiredCount,
} from '../../src/aws/ecs.js';
import { AwsRequestError, AwsTransientError } from '../../src/errors.js';
import { awsError } from '../support/aws.js';
import { fixture } from '../support/fixtures.js';

describe('ECS helpers', () => {
  const ecsMock = mockClient(ECSClient);
  const ecs = new ECSClient({ region: 'us-west-2' });

  afterEach(() => {
    ecsMock.reset();
  });

  it('returns the counts of each service in the order asked', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-scaling.json'));

    // Act
    const states = await describeServices(ecs, 'orders-usw2', ['orders-worker', 'orders-api']);

    // Assess
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: 'orders-usw2',
      services: ['orders-worker', 'orders-api'],
    });
    expect(states).toEqual([
      {
        cluster: 'orders-usw2',
        service: 'orders-worker',
        desired: 3,
        running: 3,
        pending: 0,
        deployments: 1,
      },
      { cluster: 'orders-usw2', service: 'orders-api', desired: 6, running: 3, pending: 3, deployments: 1 },
    ]);
  });

  it('asks for at most 10 services per call, the API limit', async () => {
    // Prepare
    const names = Array.from({ length: 23 }, (_, i) => `svc-${i}`);
    ecsMock.on(DescribeServicesCommand).callsFake((input: DescribeServicesCommandInput) => ({
      services: (input.services ?? []).map((serviceName) => ({
        serviceName,
        status: 'ACTIVE',
        desiredCount: 1,
        runningCount: 1,
        pendingCount: 0,
        deployments: [{ status: 'PRIMARY' }],
      })),
      failures: [],
    }));

    // Act
    const states = await describeServices(ecs, 'orders-usw2', names);

    // Assess
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 3);
    expect(ecsMock).toHaveReceivedNthCommandWith(DescribeServicesCommand, 3, { services: names.slice(20) });
    expect(states.map((s) => s.service)).toEqual(names);
  });

  it('fails naming a MISSING service', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-worker-missing.json'));

    // Act
    const described = describeServices(ecs, 'orders-usw2', ['orders-api', 'orders-worker']);

    // Assess
    await expect(described).rejects.toThrow(AwsRequestError);
    await expect(described).rejects.toThrow('"orders-worker" is MISSING');
  });

  it('fails naming a deleted (INACTIVE) service', async () => {
    // Prepare
    const response = fixture<DescribeServicesCommandOutput>('ecs/describe-services-usw2-standby.json');
    const [, worker] = response.services ?? [];
    if (!worker) throw new Error('the standby fixture lists two services');
    worker.status = 'INACTIVE';
    ecsMock.on(DescribeServicesCommand).resolves(response);

    // Act
    const described = describeServices(ecs, 'orders-usw2', ['orders-api', 'orders-worker']);

    // Assess
    await expect(described).rejects.toThrow(
      'ECS service "orders-worker" in cluster "orders-usw2" is INACTIVE',
    );
  });

  it('turns throttling into AwsTransientError', async () => {
    // Prepare
    ecsMock
      .on(DescribeServicesCommand)
      .rejects(awsError(ECSServiceException, 'ThrottlingException', 400, 'Rate exceeded'));

    // Act
    const described = describeServices(ecs, 'orders-usw2', ['orders-api']);

    // Assess
    await expect(described).rejects.toThrow(AwsTransientError);
  });

  it('describes services spread over clusters with one call per cluster', async () => {
    // Prepare
    ecsMock
      .on(DescribeServicesCommand, { cluster: 'orders-usw2' })
      .resolves(fixture('ecs/describe-services-usw2-active.json'))
      .on(DescribeServicesCommand, { cluster: 'batch-usw2' })
      .resolves({
        services: [{ serviceName: 'nightly', status: 'ACTIVE', desiredCount: 1, runningCount: 0 }],
      });

    // Act
    const states = await describeServiceRefs(ecs, [
      { cluster: 'orders-usw2', service: 'orders-api' },
      { cluster: 'batch-usw2', service: 'nightly' },
      { cluster: 'orders-usw2', service: 'orders-worker' },
    ]);

    // Assess
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 2);
    expect(states.map((s) => `${s.cluster}/${s.service}:${s.running}`)).toEqual([
      'orders-usw2/orders-api:6',
      'batch-usw2/nightly:0',
      'orders-usw2/orders-worker:3',
    ]);
  });

  it('sets the desired count with UpdateService', async () => {
    // Prepare
    ecsMock.on(UpdateServiceCommand).resolves({});

    // Act
    await setDesiredCount(ecs, 'orders-usw2', 'orders-api', 6);

    // Assess
    expect(ecsMock).toHaveReceivedCommandExactlyOnceWith(UpdateServiceCommand, {
      cluster: 'orders-usw2',
      service: 'orders-api',
      desiredCount: 6,
    });
  });
});

describe('Application Auto Scaling helpers', () => {
  const scalingMock = mockClient(ApplicationAutoScalingClient);
  const autoscaling = new ApplicationAutoScalingClient({ region: 'us-west-2' });
  const target = {
    ServiceNamespace: 'ecs',
    ResourceId: 'service/orders-usw2/orders-api',
    ScalableDimension: 'ecs:service:DesiredCount',
  } as const;

  afterEach(() => {
    scalingMock.reset();
  });

  it("reads the service's scalable target bounds", async () => {
    // Prepare
    scalingMock
      .on(DescribeScalableTargetsCommand)
      .resolves(fixture('ecs/describe-scalable-targets-usw2-standby.json'));

    // Act
    const bounds = await describeScalableTarget(autoscaling, 'orders-usw2', 'orders-api');

    // Assess
    expect(scalingMock).toHaveReceivedCommandWith(DescribeScalableTargetsCommand, {
      ServiceNamespace: 'ecs',
      ResourceIds: ['service/orders-usw2/orders-api'],
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    expect(bounds).toEqual({ min: 2, max: 12 });
  });

  it('returns null for a service Application Auto Scaling does not manage', async () => {
    // Prepare
    scalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });

    // Act
    const bounds = await describeScalableTarget(autoscaling, 'orders-usw2', 'orders-worker');

    // Assess
    expect(bounds).toBeNull();
  });

  it.each([
    {
      name: 'raises only the minimum when the maximum has room',
      current: { min: 2, max: 12 },
      sent: {
        MinCapacity: 6,
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: false,
        },
      },
      registered: { min: 6, max: 12 },
    },
    {
      name: 'raises the maximum too when it is below the new minimum',
      current: { min: 1, max: 4 },
      sent: {
        MinCapacity: 6,
        MaxCapacity: 6,
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: false,
        },
      },
      registered: { min: 6, max: 6 },
    },
  ])('$name', async ({ current, sent, registered }) => {
    // Prepare
    scalingMock.on(RegisterScalableTargetCommand).resolves({});

    // Act
    const bounds = await raiseMinCapacity(autoscaling, 'orders-usw2', 'orders-api', 6, current);

    // Assess
    const input = scalingMock.commandCalls(RegisterScalableTargetCommand)[0]?.args[0].input;
    expect(input).toEqual({ ...target, ...sent });
    expect(bounds).toEqual(registered);
  });

  it('lowers the minimum of a fenced service, and caps its maximum when asked', async () => {
    // Prepare
    scalingMock.on(RegisterScalableTargetCommand).resolves({});

    // Act
    await lowerMinCapacity(autoscaling, 'orders-usw2', 'orders-api', 0, { max: 0 });

    // Assess
    expect(scalingMock).toHaveReceivedCommandExactlyOnceWith(RegisterScalableTargetCommand, {
      ...target,
      MinCapacity: 0,
      MaxCapacity: 0,
    });
  });
});
