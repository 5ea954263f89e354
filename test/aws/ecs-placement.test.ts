import {
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeServiceRefsWithPlacement, describeTaskCpu } from '../../src/aws/ecs.js';
import { fixture } from '../support/fixtures.js';

/** What readiness reads of ECS to judge the target's capacity (src/steps/capacity-readiness.ts). */

describe('ECS placement and task cpu (readiness capacity)', () => {
  const ecsMock = mockClient(ECSClient);
  const ecs = new ECSClient({ region: 'us-west-2' });

  afterEach(() => {
    ecsMock.reset();
  });

  it('describes each service with its placement from the same DescribeServices call', async () => {
    // Prepare
    ecsMock.on(DescribeServicesCommand).resolves(fixture('ecs/describe-services-usw2-standby.json'));

    // Act
    const described = await describeServiceRefsWithPlacement(ecs, [
      { cluster: 'orders-usw2', service: 'orders-api' },
    ]);

    // Assess
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 1);
    expect(described[0]?.placement).toEqual({
      launchType: 'FARGATE',
      capacityProviders: [],
      taskDefinition: 'arn:aws:ecs:us-west-2:123456789012:task-definition/orders-api:42',
      subnets: 2,
    });
  });

  it('names the capacity providers of a strategy and no subnets when there is no awsvpc configuration', async () => {
    // Prepare
    const out = fixture<DescribeServicesCommandOutput>('ecs/describe-services-usw2-standby.json');
    const [first] = out.services ?? [];
    if (!first) throw new Error('fixture without services');
    const { launchType: _, networkConfiguration: __, ...rest } = first;
    ecsMock.on(DescribeServicesCommand).resolves({
      ...out,
      services: [{ ...rest, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }],
    });

    // Act
    const [described] = await describeServiceRefsWithPlacement(ecs, [
      { cluster: 'orders-usw2', service: 'orders-api' },
    ]);

    // Assess
    expect(described?.placement).toMatchObject({
      launchType: null,
      capacityProviders: ['FARGATE_SPOT'],
      subnets: null,
    });
  });

  it('reads the task-level cpu in CPU units', async () => {
    // Prepare
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolves(fixture('ecs/describe-task-definition-orders-api.json'));

    // Act
    const cpu = await describeTaskCpu(
      ecs,
      'arn:aws:ecs:us-west-2:123456789012:task-definition/orders-api:42',
    );

    // Assess
    expect(cpu).toEqual({ cpuUnits: 512 });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, {
      taskDefinition: 'arn:aws:ecs:us-west-2:123456789012:task-definition/orders-api:42',
    });
  });

  it.each([
    [
      'no task-level cpu (an EC2 task definition may leave it out)',
      undefined,
      /orders-api:42 has no task-level cpu/,
    ],
    [
      'a cpu that is not a count of units',
      '1 vCPU',
      /orders-api:42 has cpu "1 vCPU", not a count of CPU units/,
    ],
  ])('says why when the task definition has %s', async (_, cpu, why) => {
    // Prepare
    const out = fixture<{ taskDefinition: Record<string, unknown> }>(
      'ecs/describe-task-definition-orders-api.json',
    );
    if (cpu === undefined) delete out.taskDefinition.cpu;
    else out.taskDefinition.cpu = cpu;
    ecsMock.on(DescribeTaskDefinitionCommand).resolves(out);

    // Act
    const read = await describeTaskCpu(
      ecs,
      'arn:aws:ecs:us-west-2:123456789012:task-definition/orders-api:42',
    );

    // Assess
    expect(read.cpuUnits).toBeNull();
    expect('note' in read ? read.note : '').toMatch(why);
  });
});
