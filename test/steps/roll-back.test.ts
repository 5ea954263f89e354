import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { FoundState } from '../../src/recovery/found.js';
import { rollBack } from '../../src/steps/roll-back.js';
import { testDeps } from '../support/deps.js';
import { failoverRequest } from '../support/request.js';

const request = failoverRequest();
const suspendedNone = { dynamicIn: false, dynamicOut: false, scheduled: false };

/** As found before the failover: the source serving at 6, the target standing by at 1. */
const found: FoundState = {
  at: '2026-11-22T03:00:01.000Z',
  unread: [],
  records: [],
  services: [
    {
      region: 'us-east-1',
      cluster: 'orders-use1',
      service: 'orders-api',
      desired: 6,
      minCapacity: 6,
      maxCapacity: 20,
      suspended: suspendedNone,
    },
    {
      region: 'us-east-1',
      cluster: 'orders-use1',
      service: 'orders-worker',
      desired: 3,
      minCapacity: null,
      maxCapacity: null,
      suspended: null,
    },
    {
      region: 'us-west-2',
      cluster: 'orders-usw2',
      service: 'orders-api',
      desired: 1,
      minCapacity: 1,
      maxCapacity: 20,
      suspended: suspendedNone,
    },
    {
      region: 'us-west-2',
      cluster: 'orders-usw2',
      service: 'orders-worker',
      desired: 1,
      minCapacity: null,
      maxCapacity: null,
      suspended: null,
    },
  ],
};

function service(name: string, desired: number) {
  return {
    serviceName: name,
    status: 'ACTIVE',
    desiredCount: desired,
    runningCount: desired,
    pendingCount: 0,
    deployments: [{}],
  };
}

describe('rollBack', () => {
  const ecsMock = mockClient(ECSClient);
  const scalingMock = mockClient(ApplicationAutoScalingClient);
  afterEach(() => {
    ecsMock.reset();
    scalingMock.reset();
  });

  function cloudAs(state: { use1: [number, number, number | null]; usw2: [number, number, number | null] }) {
    ecsMock.on(DescribeServicesCommand, { cluster: 'orders-use1' }).resolves({
      services: [service('orders-api', state.use1[0]), service('orders-worker', state.use1[1])],
    });
    ecsMock.on(DescribeServicesCommand, { cluster: 'orders-usw2' }).resolves({
      services: [service('orders-api', state.usw2[0]), service('orders-worker', state.usw2[1])],
    });
    for (const [cluster, min, suspended] of [
      ['orders-use1', state.use1[2], state.use1[2] === 0],
      ['orders-usw2', state.usw2[2], false],
    ] as const) {
      scalingMock
        .on(DescribeScalableTargetsCommand, { ResourceIds: [`service/${cluster}/orders-api`] })
        .resolves({
          ScalableTargets: [
            {
              ServiceNamespace: 'ecs',
              ResourceId: `service/${cluster}/orders-api`,
              ScalableDimension: 'ecs:service:DesiredCount',
              MinCapacity: min ?? 0,
              MaxCapacity: 20,
              RoleARN: 'arn:aws:iam::123456789012:role/x',
              CreationTime: new Date(),
              SuspendedState: {
                DynamicScalingInSuspended: false,
                DynamicScalingOutSuspended: suspended,
                ScheduledScalingSuspended: suspended,
              },
            },
          ],
        });
    }
    ecsMock.on(UpdateServiceCommand).resolves({});
    scalingMock.on(RegisterScalableTargetCommand).resolves({});
  }

  it('un-fences the source and scales the target back to what was found, bounds first', async () => {
    // Prepare: the source fenced to 0 (min 0, scale-out suspended), the target scaled to 6 (min 6).
    cloudAs({ use1: [0, 0, 0], usw2: [6, 3, 6] });

    // Act
    const output = await rollBack({ request, found }, testDeps());

    // Assess
    expect(output.settled).toBe(false);
    expect(output.complete).toBe(false);
    expect(scalingMock).toHaveReceivedCommandWith(RegisterScalableTargetCommand, {
      ResourceId: 'service/orders-use1/orders-api',
      MinCapacity: 6,
      MaxCapacity: 20,
      SuspendedState: {
        DynamicScalingInSuspended: false,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: false,
      },
    });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'orders-use1',
      service: 'orders-api',
      desiredCount: 6,
    });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'orders-use1',
      service: 'orders-worker',
      desiredCount: 3,
    });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'orders-usw2',
      service: 'orders-api',
      desiredCount: 1,
    });
    expect(output.entries.filter((e) => e.outcome === 'restored')).toHaveLength(4);
  });

  it('is settled and complete once two rounds in a row read everything back as found and send nothing', async () => {
    cloudAs({ use1: [6, 3, 6], usw2: [1, 1, 1] });

    const first = await rollBack({ request, found }, testDeps());
    const second = await rollBack({ request, found, previous: first }, testDeps());

    // One clean read-back may be a stale one (DescribeServices is eventually consistent).
    expect(first).toMatchObject({ settled: false, round: 1 });
    expect(second).toMatchObject({ settled: true, complete: true, round: 2 });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect(scalingMock).not.toHaveReceivedCommand(RegisterScalableTargetCommand);
  });

  it('reads back once more after a clean round that follows a restoring one', async () => {
    // Prepare: round 1 restored everything; round 2 reads it all back as found, which a read
    // lagging round 1's writes (or a late write of the take-over branch) could also show.
    cloudAs({ use1: [0, 0, 0], usw2: [6, 3, 6] });
    const restoring = await rollBack({ request, found }, testDeps());
    ecsMock.reset();
    scalingMock.reset();
    cloudAs({ use1: [6, 3, 6], usw2: [1, 1, 1] });

    // Act
    const clean = await rollBack({ request, found, previous: restoring }, testDeps());
    const again = await rollBack({ request, found, previous: clean }, testDeps());

    // Assess
    expect(restoring.settled).toBe(false);
    expect(clean).toMatchObject({ settled: false, complete: true, round: 2 });
    expect(again).toMatchObject({ settled: true, complete: true, round: 3 });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('restores a source RecordFound could not read from what the fence found there', async () => {
    // Prepare: the source did not answer RecordFound, then answered the fence, which fenced it.
    cloudAs({ use1: [0, 0, 0], usw2: [1, 1, 1] });
    const unreadSource: FoundState = {
      ...found,
      services: found.services.filter((s) => s.region === 'us-west-2'),
      unread: [{ region: 'us-east-1', detail: 'timeout: no answer within 3000 ms' }],
    };
    const fence = {
      fencing: [
        {
          resource: 'ecs us-east-1/orders-use1/orders-api',
          action: 'scale to 0',
          outcome: 'fenced' as const,
          detail: 'was 6',
          previous: {
            desired: 6,
            minCapacity: 6,
            maxCapacity: 20,
            suspended: { dynamicIn: false, dynamicOut: false, scheduled: false },
          },
        },
      ],
      followUps: [],
      timeline: [],
    };

    // Act
    const output = await rollBack({ request, found: unreadSource, fence }, testDeps());

    // Assess
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'orders-use1',
      service: 'orders-api',
      desiredCount: 6,
    });
    expect(output.entries.find((e) => e.resource === 'ecs us-east-1/orders-use1/orders-api')?.outcome).toBe(
      'restored',
    );
  });

  it('records an unreadable region as unconfirmed, with the commands to run later', async () => {
    cloudAs({ use1: [0, 0, 0], usw2: [1, 1, 1] });
    ecsMock
      .on(DescribeServicesCommand, { cluster: 'orders-use1' })
      .rejects(
        Object.assign(new Error('access denied'), { name: 'AccessDeniedException', $fault: 'client' }),
      );

    const output = await rollBack({ request, found }, testDeps());

    expect(output.complete).toBe(false);
    expect(output.settled).toBe(true);
    expect(output.entries.filter((e) => e.outcome === 'unconfirmed').map((e) => e.resource)).toEqual([
      'ecs us-east-1/orders-use1/orders-api',
      'ecs us-east-1/orders-use1/orders-worker',
    ]);
    expect(output.followUps.join('\n')).toContain(
      'aws ecs update-service --region us-east-1 --cluster orders-use1 --service orders-api --desired-count 6',
    );
  });
});
