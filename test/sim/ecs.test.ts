import {
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ServiceNotFoundException, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Drill, PRIMARY, STANDBY, startDrill } from './harness.js';

describe('simulated ECS and Application Auto Scaling', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const api = async (region = STANDBY) => {
    const clients = region === STANDBY ? drill.standby : drill.primary;
    const cluster = region === STANDBY ? 'orders-usw2' : 'orders-use1';
    const out = await drill.run(
      clients.ecs.send(new DescribeServicesCommand({ cluster, services: ['orders-api'] })),
    );
    return out.services?.[0];
  };

  it('starts with the plan counts: active in the primary, standbyDesired in the standby', async () => {
    drill = startDrill({ standbyDesired: 2 });
    expect(await api(PRIMARY)).toMatchObject({
      desiredCount: 6,
      runningCount: 6,
      pendingCount: 0,
      status: 'ACTIVE',
    });
    const standby = await api(STANDBY);
    expect(standby).toMatchObject({ desiredCount: 2, runningCount: 2, pendingCount: 0 });
    expect(standby?.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', desiredCount: 2 })]);
    expect(
      drill.cloud.snapshot().services.find((s) => s.region === STANDBY && s.service === 'orders-api')
        ?.minCapacity,
    ).toBe(2);
  });

  it('shows new tasks pending, then running within 1-2 minutes, with one deployment throughout', async () => {
    drill = startDrill();
    await drill.run(
      drill.standby.ecs.send(
        new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'orders-api', desiredCount: 6 }),
      ),
    );
    await drill.clock.tickAsync(3_000); // past the read-after-write lag
    const early = await api();
    expect(early).toMatchObject({ desiredCount: 6, runningCount: 1, pendingCount: 5 });
    expect(early?.deployments).toHaveLength(1);

    await drill.clock.tickAsync(60_000);
    const middle = await api();
    expect((middle?.runningCount ?? 0) + (middle?.pendingCount ?? 0)).toBe(6);

    await drill.clock.tickAsync(60_000);
    expect(await api()).toMatchObject({ desiredCount: 6, runningCount: 6, pendingCount: 0 });
  });

  it("starts tasks past Fargate's launch burst at its sustained rate (100, then 20 a second)", async () => {
    drill = startDrill();
    // 1 running + 299 new: 100 launch at once, the other 199 need 199 / 20 = ~10 s more of tokens.
    await drill.run(
      drill.standby.ecs.send(
        new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'orders-api', desiredCount: 300 }),
      ),
    );
    await drill.clock.tickAsync(120_000); // the slowest start of a task launched at once (1-2 min)
    const atTwoMinutes = await api();
    expect(atTwoMinutes?.runningCount).toBeGreaterThan(100);
    expect(atTwoMinutes?.runningCount).toBeLessThan(300);

    await drill.clock.tickAsync(11_000); // the last token, 199 / 20 s after the burst
    expect(await api()).toMatchObject({ runningCount: 300, pendingCount: 0 });
  });

  it('launches every task at once when the rate limits are off', async () => {
    drill = startDrill({ rateLimits: 'none' });
    await drill.run(
      drill.standby.ecs.send(
        new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'orders-api', desiredCount: 300 }),
      ),
    );
    await drill.clock.tickAsync(120_000);
    expect(await api()).toMatchObject({ runningCount: 300, pendingCount: 0 });
  });

  it('keeps draining tasks running for the drain time on scale-down', async () => {
    drill = startDrill();
    await drill.run(
      drill.primary.ecs.send(
        new UpdateServiceCommand({ cluster: 'orders-use1', service: 'orders-worker', desiredCount: 0 }),
      ),
    );
    const worker = () =>
      drill.cloud.snapshot().services.find((s) => s.region === PRIMARY && s.service === 'orders-worker');
    expect(worker()).toMatchObject({ desired: 0, running: 3 });
    await drill.clock.tickAsync(31_000);
    expect(worker()).toMatchObject({ desired: 0, running: 0, pending: 0 });
  });

  it('leaves a desiredCount set below the minimum there: only a scaling activity would move it', async () => {
    // ECS accepts it; with no task left the CPU policy has no datapoint to scale out on.
    drill = startDrill();
    await drill.run(
      drill.primary.ecs.send(
        new UpdateServiceCommand({ cluster: 'orders-use1', service: 'orders-api', desiredCount: 0 }),
      ),
    );
    await drill.clock.tickAsync(20 * 60_000);
    expect(await api(PRIMARY)).toMatchObject({ desiredCount: 0, runningCount: 0 });
    expect(
      drill.cloud.snapshot().services.find((s) => s.region === PRIMARY && s.service === 'orders-api'),
    ).toMatchObject({ desired: 0, minCapacity: 6 });
  });

  it('answers DescribeServices eventually consistently: the old desiredCount for up to a couple of seconds', async () => {
    drill = startDrill();
    const updated = await drill.run(
      drill.standby.ecs.send(
        new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'orders-worker', desiredCount: 3 }),
      ),
    );
    // The write's own answer shows the change.
    expect(updated.service?.desiredCount).toBe(3);
    const seen: { after: number; desired: number | undefined }[] = [];
    const start = Date.now();
    while (Date.now() - start < 2_500) {
      const out = await drill.run(
        drill.standby.ecs.send(
          new DescribeServicesCommand({ cluster: 'orders-usw2', services: ['orders-worker'] }),
        ),
      );
      seen.push({ after: Date.now() - start, desired: out.services?.[0]?.desiredCount });
    }
    expect(seen.some((s) => s.desired === 1)).toBe(true);
    expect(seen.filter((s) => s.after > 2_100).every((s) => s.desired === 3)).toBe(true);
    expect(seen.every((s) => s.desired === 1 || s.desired === 3)).toBe(true);
  });

  it('raises desiredCount at once when MinCapacity is raised above it', async () => {
    drill = startDrill();
    const resourceId = 'service/orders-usw2/orders-api';
    await drill.run(
      drill.standby.autoscaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: 'ecs',
          ResourceId: resourceId,
          ScalableDimension: 'ecs:service:DesiredCount',
          MinCapacity: 6,
        }),
      ),
    );
    const targets = await drill.run(
      drill.standby.autoscaling.send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId] }),
      ),
    );
    expect(targets.ScalableTargets).toEqual([
      expect.objectContaining({ ResourceId: resourceId, MinCapacity: 6, MaxCapacity: 12 }),
    ]);
    expect(
      drill.cloud.snapshot().services.find((s) => s.region === STANDBY && s.service === 'orders-api'),
    ).toMatchObject({ desired: 6, pending: 5 });
    await drill.clock.tickAsync(3_000); // past the read-after-write lag
    expect(await api()).toMatchObject({ desiredCount: 6, pendingCount: 5 });
  });

  it('reports unknown services as MISSING failures and refuses to update them', async () => {
    drill = startDrill();
    const out = await drill.run(
      drill.standby.ecs.send(
        new DescribeServicesCommand({ cluster: 'orders-usw2', services: ['orders-api', 'ghost'] }),
      ),
    );
    expect(out.services).toHaveLength(1);
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:us-west-2:123456789012:service/orders-usw2/ghost', reason: 'MISSING' },
    ]);
    const error = await drill.failure(
      drill.standby.ecs.send(
        new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'ghost', desiredCount: 1 }),
      ),
    );
    expect(error).toBeInstanceOf(ServiceNotFoundException);
  });

  it('leaves tasks above the region capacity pending, failing placement, until capacity frees up', async () => {
    // Two standby tasks run already (orders-api and orders-worker): two more fit. The minimum
    // goes up with the count, or the idle standby's scaler would scale it back in.
    drill = startDrill({ ecsCapacity: { [STANDBY]: 4 } });
    await drill.run(
      drill.standby.autoscaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: 'ecs',
          ResourceId: 'service/orders-usw2/orders-api',
          ScalableDimension: 'ecs:service:DesiredCount',
          MinCapacity: 6,
        }),
      ),
    );
    await drill.clock.tickAsync(10 * 60_000);
    const starved = await api();
    expect(starved).toMatchObject({ desiredCount: 6, runningCount: 3, pendingCount: 3 });
    expect(starved?.events?.[0]?.message).toMatch(
      /^\(service orders-api\) was unable to place a task because no container instance met all of its requirements/,
    );
    expect(starved?.events?.[0]?.createdAt?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(starved?.events?.length).toBeGreaterThan(20);

    // Scaling the worker to zero frees one slot once its task has drained.
    await drill.run(
      drill.standby.ecs.send(
        new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'orders-worker', desiredCount: 0 }),
      ),
    );
    await drill.clock.tickAsync(5 * 60_000);
    expect(await api()).toMatchObject({ runningCount: 4, pendingCount: 2 });
    expect(
      drill.cloud.snapshot().services.find((s) => s.region === PRIMARY && s.service === 'orders-api'),
    ).toMatchObject({ running: 6, pending: 0 });
  });
});
