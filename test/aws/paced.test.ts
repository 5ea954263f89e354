import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  type DescribeScalableTargetsCommandInput,
} from '@aws-sdk/client-application-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DESCRIBE_SCALABLE_TARGETS_BATCH, describeScalableTargetStates } from '../../src/aws/ecs.js';
import { mapPaced } from '../../src/aws/paced.js';

describe('mapPaced', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

  it('keeps at most `concurrency` under way and returns results in the order of the items', async () => {
    let running = 0;
    let most = 0;
    const out = await mapPaced([5, 4, 3, 2, 1, 0, 6, 7], 3, async (n, i) => {
      running++;
      most = Math.max(most, running);
      for (let t = 0; t < n; t++) await tick();
      running--;
      return `${i}:${n}`;
    });
    expect(most).toBe(3);
    expect(out).toEqual(['0:5', '1:4', '2:3', '3:2', '4:1', '5:0', '6:6', '7:7']);
  });

  it('starts nothing after a failure, lets the ones under way finish, then throws the first error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapPaced([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw new Error('refused 1');
      await tick();
      finished.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('refused 1');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });

  it('handles no items', async () => {
    expect(await mapPaced([], 5, async () => 1)).toEqual([]);
  });
});

describe('describeScalableTargetStates', () => {
  const scalingMock = mockClient(ApplicationAutoScalingClient);
  const autoscaling = new ApplicationAutoScalingClient({ region: 'us-west-2' });
  afterEach(() => scalingMock.reset());

  const target = (id: string, min: number) => ({
    ServiceNamespace: 'ecs' as const,
    ResourceId: id,
    ScalableDimension: 'ecs:service:DesiredCount' as const,
    MinCapacity: min,
    MaxCapacity: 12,
    RoleARN: 'arn:aws:iam::123456789012:role/aas',
    CreationTime: new Date(0),
    SuspendedState: { DynamicScalingOutSuspended: true },
  });

  it('reads 50 services per call, pages through NextToken, and answers in the order asked', async () => {
    const refs = Array.from({ length: 120 }, (_, i) => ({ cluster: `c${i % 7}`, service: `svc-${i}` }));
    scalingMock.on(DescribeScalableTargetsCommand).callsFake((input: DescribeScalableTargetsCommandInput) => {
      // Every service but the last has a scalable target; a batch is answered in two pages.
      const ids = (input.ResourceIds ?? []).filter((id) => id !== 'service/c0/svc-119');
      const page = input.NextToken ? ids.slice(25) : ids.slice(0, 25);
      return {
        ScalableTargets: page.map((id) => target(id, Number(id.split('-')[1]))),
        ...(input.NextToken || ids.length <= 25 ? {} : { NextToken: 'more' }),
      };
    });

    const states = await describeScalableTargetStates(autoscaling, refs);

    const inputs = scalingMock.commandCalls(DescribeScalableTargetsCommand).map((c) => c.args[0].input);
    const firstPages = inputs.filter((i) => !i.NextToken);
    expect(firstPages.map((i) => i.ResourceIds?.length)).toEqual([50, 50, 20]);
    expect(inputs.every((i) => (i.ResourceIds?.length ?? 0) <= DESCRIBE_SCALABLE_TARGETS_BATCH)).toBe(true);
    expect(inputs.every((i) => i.ServiceNamespace === 'ecs' && i.MaxResults === 50)).toBe(true);
    expect(inputs.filter((i) => i.NextToken === 'more')).toHaveLength(2);
    expect(states[0]).toEqual({
      min: 0,
      max: 12,
      suspended: { dynamicIn: false, dynamicOut: true, scheduled: false },
    });
    expect(states.slice(0, 119).map((s) => s?.min)).toEqual(Array.from({ length: 119 }, (_, i) => i));
    expect(states[119]).toBeNull();
  });
});
