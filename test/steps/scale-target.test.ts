import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  type DescribeScalableTargetsCommandOutput,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsRequestError } from '../../src/errors.js';
import { scaleTarget } from '../../src/steps/scale-target.js';
import { mutatingCommandsSent } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { may20Request } from '../support/request.js';

const NOW = new Date('2024-05-20T14:06:00.000Z');
const request = may20Request();

describe('scaleTarget', () => {
  const ecsMock = mockClient(ECSClient);
  const scalingMock = mockClient(ApplicationAutoScalingClient);

  afterEach(() => {
    ecsMock.reset();
    scalingMock.reset();
  });

  it('scales a service with a scaler by raising its minimum, one without by UpdateService', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-standby.json'));
    ecsMock.on(UpdateServiceCommand).resolves({});
    scalingMock
      .on(DescribeScalableTargetsCommand)
      .resolves(fixture('ecs/describe-scalable-targets-usw2-standby.json'));
    scalingMock.on(RegisterScalableTargetCommand).resolves({});

    // Act
    const output = await scaleTarget({ request }, testDeps(NOW));

    // Assess
    expect(scalingMock).toHaveReceivedCommandExactlyOnceWith(DescribeScalableTargetsCommand, {
      ResourceIds: ['service/orders-usw2/orders-api'],
    });
    // Application Auto Scaling moves orders-api's desired count up to the new minimum itself.
    expect(scalingMock.commandCalls(RegisterScalableTargetCommand).map((c) => c.args[0].input)).toEqual([
      {
        ServiceNamespace: 'ecs',
        ResourceId: 'service/orders-usw2/orders-api',
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: 6,
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: false,
        },
      },
    ]);
    expect(ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: 'orders-usw2', service: 'orders-worker', desiredCount: 3 },
    ]);
    expect(output.services).toEqual([
      {
        name: 'orders-api',
        cluster: 'orders-usw2',
        service: 'orders-api',
        previousDesired: 2,
        desired: 6,
        action: 'scaled',
        minCapacityRaised: true,
      },
      {
        name: 'orders-worker',
        cluster: 'orders-usw2',
        service: 'orders-worker',
        previousDesired: 1,
        desired: 3,
        action: 'scaled',
        minCapacityRaised: false,
      },
    ]);
    expect(output.startedAt).toBe('2024-05-20T14:06:00.000Z');
    expect(output.deadline).toBe('2024-05-20T14:21:00.000Z');
    expect(output.timeline).toEqual([
      expect.objectContaining({
        step: 'scale-target',
        phase: 'started',
        facts: expect.objectContaining({ services: 2, scaled: 2, minRaised: 1 }),
      }),
    ]);
  });

  it('leaves a service already above its active count as it is', async () => {
    // Prepare
    const described = fixture<DescribeServicesCommandOutput>('ecs/describe-services-usw2-standby.json');
    const [, worker] = described.services ?? [];
    if (!worker) throw new Error('the standby fixture lists two services');
    worker.desiredCount = 5;
    ecsMock.on(DescribeServicesCommand).resolves(described);
    ecsMock.on(UpdateServiceCommand).resolves({});
    scalingMock
      .on(DescribeScalableTargetsCommand)
      .resolves(fixture('ecs/describe-scalable-targets-usw2-standby.json'));
    scalingMock.on(RegisterScalableTargetCommand).resolves({});

    // Act
    const output = await scaleTarget({ request }, testDeps(NOW));

    // Assess
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(output.services[1]).toMatchObject({ name: 'orders-worker', desired: 5, action: 'already' });
  });

  it('sends no UpdateService on a stale read of a scaled service: a scale-out it cannot see stays', async () => {
    // Prepare: orders-api's minimum is already 6 (an earlier attempt raised it) but the read lags
    // and shows desiredCount 2; the scaler may have scaled it out past 6 since.
    const scaler = fixture<DescribeScalableTargetsCommandOutput>(
      'ecs/describe-scalable-targets-usw2-standby.json',
    );
    const [target] = scaler.ScalableTargets ?? [];
    if (!target) throw new Error('the fixture lists orders-api');
    target.MinCapacity = 6;
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-standby.json'));
    ecsMock.on(UpdateServiceCommand).resolves({});
    scalingMock.on(DescribeScalableTargetsCommand).resolves(scaler);
    scalingMock.on(RegisterScalableTargetCommand).resolves({});

    // Act
    const output = await scaleTarget({ request }, testDeps(NOW));

    // Assess: the same minimum again (it lifts a count below it, never lowers one above it).
    expect(ecsMock).not.toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'orders-api' });
    expect(scalingMock).toHaveReceivedCommandExactlyOnceWith(RegisterScalableTargetCommand, {
      ResourceId: 'service/orders-usw2/orders-api',
      MinCapacity: 6,
    });
    expect(
      scalingMock.commandCalls(RegisterScalableTargetCommand)[0]?.args[0].input.MaxCapacity,
    ).toBeUndefined();
    expect(output.services[0]).toMatchObject({ action: 'scaled', minCapacityRaised: false });
  });

  it('resumes the scale-out and scheduled scaling a fence suspended (failback), scale-in as found', async () => {
    // Prepare: the old primary as a fence left it: 0 tasks, minimum 0, scale-out and scheduled
    // scaling suspended; scale-in was suspended by an operator before.
    const scaler = fixture<DescribeScalableTargetsCommandOutput>(
      'ecs/describe-scalable-targets-use1-fenced.json',
    );
    const [target] = scaler.ScalableTargets ?? [];
    if (!target?.SuspendedState) throw new Error('the fixture lists orders-api, suspended');
    target.SuspendedState.DynamicScalingInSuspended = true;
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-use1-fenced.json'));
    ecsMock.on(UpdateServiceCommand).resolves({});
    scalingMock.on(DescribeScalableTargetsCommand).resolves(scaler);
    scalingMock.on(RegisterScalableTargetCommand).resolves({});
    const failback = may20Request({ sourceRegion: 'us-west-2', targetRegion: 'us-east-1' });

    // Act
    const output = await scaleTarget({ request: failback }, testDeps(NOW));

    // Assess
    expect(scalingMock).toHaveReceivedCommandExactlyOnceWith(RegisterScalableTargetCommand, {
      ResourceId: 'service/orders-use1/orders-api',
      MinCapacity: 6,
      SuspendedState: {
        DynamicScalingInSuspended: true,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: false,
      },
    });
    expect(output.services[0]).toMatchObject({ previousDesired: 0, desired: 6, scalingResumed: true });
    expect(output.timeline[0]?.message).toContain(
      'resumed the suspended scale-out and scheduled scaling of orders-api',
    );
  });

  it('sends nothing when re-run after success', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-active.json'));
    scalingMock
      .on(DescribeScalableTargetsCommand)
      .resolves(fixture('ecs/describe-scalable-targets-usw2-active.json'));

    // Act
    const output = await scaleTarget({ request }, testDeps(NOW));

    // Assess
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(scalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
    expect(output.services.map((s) => s.action)).toEqual(['already', 'already']);
    expect(output.timeline).toEqual([expect.objectContaining({ phase: 'skipped' })]);
  });

  describe('in a dry run', () => {
    const dryRun = may20Request({ dryRun: true });

    it('reads and decides, sends nothing, records what it would do', async () => {
      // Prepare
      ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-standby.json'));
      scalingMock
        .on(DescribeScalableTargetsCommand)
        .resolves(fixture('ecs/describe-scalable-targets-usw2-standby.json'));

      // Act
      const output = await scaleTarget({ request: dryRun }, testDeps(NOW));

      // Assess
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 1);
      expect(scalingMock).toHaveReceivedCommandTimes(DescribeScalableTargetsCommand, 1);
      expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
      expect(scalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
      expect(mutatingCommandsSent(ecsMock, scalingMock)).toEqual([]);
      expect(output.dryRun).toBe(true);
      expect(
        output.services.map((s) => [s.name, s.previousDesired, s.desired, s.action, s.minCapacityRaised]),
      ).toEqual([
        ['orders-api', 2, 6, 'scaled', true],
        ['orders-worker', 1, 3, 'scaled', false],
      ]);
      expect(output.deadline).toBe('2024-05-20T14:21:00.000Z');
      expect(output.timeline).toEqual([
        {
          at: '2024-05-20T14:06:00.000Z',
          step: 'scale-target',
          phase: 'dry-run',
          message: 'would scale orders-api 2 -> 6 and raise its autoscaling minimum to 6',
          facts: {
            region: 'us-west-2',
            service: 'orders-api',
            previousDesired: 2,
            desired: 6,
            minCapacityRaised: true,
            wouldDo: true,
          },
        },
        expect.objectContaining({ phase: 'dry-run', message: 'would scale orders-worker 1 -> 3' }),
      ]);
    });

    it('records nothing to do when every service is already at capacity', async () => {
      // Prepare
      ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-active.json'));
      scalingMock
        .on(DescribeScalableTargetsCommand)
        .resolves(fixture('ecs/describe-scalable-targets-usw2-active.json'));

      // Act
      const output = await scaleTarget({ request: dryRun }, testDeps(NOW));

      // Assess
      expect(mutatingCommandsSent(ecsMock, scalingMock)).toEqual([]);
      expect(output.dryRun).toBe(true);
      expect(output.timeline).toEqual([expect.objectContaining({ phase: 'skipped' })]);
    });
  });

  it('fails naming a MISSING service before changing any', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-worker-missing.json'));
    scalingMock
      .on(DescribeScalableTargetsCommand)
      .resolves(fixture('ecs/describe-scalable-targets-usw2-standby.json'));

    // Act
    const scaled = scaleTarget({ request }, testDeps(NOW));

    // Assess
    await expect(scaled).rejects.toThrow(AwsRequestError);
    await expect(scaled).rejects.toThrow(/orders-worker.*MISSING/);
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(scalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
  });
});
