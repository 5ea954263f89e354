import {
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  type RegisterScalableTargetCommandInput,
} from '@aws-sdk/client-application-auto-scaling';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import { LATENCIES } from '../../src/sim/latencies.js';
import {
  type Drill,
  PRIMARY,
  STANDBY,
  startDrill,
  T0,
  USE1_VALUE,
  USW2_VALUE,
  weighted,
  ZONE,
} from './harness.js';

const MINUTE = 60_000;
const API_IDS = {
  [PRIMARY]: 'service/orders-use1/orders-api',
  [STANDBY]: 'service/orders-usw2/orders-api',
};
const resourceId = (region: string) => API_IDS[region as keyof typeof API_IDS];

describe('simulated Application Auto Scaling: scaling activities', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const api = (region: string) => {
    const found = drill.cloud
      .snapshot()
      .services.find((s) => s.region === region && s.service === 'orders-api');
    if (!found) throw new Error(`no orders-api in ${region}`);
    return found;
  };
  const register = (region: string, input: Partial<RegisterScalableTargetCommandInput>) =>
    drill.run(
      (region === PRIMARY ? drill.primary : drill.standby).autoscaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: 'ecs',
          ResourceId: resourceId(region),
          ScalableDimension: 'ecs:service:DesiredCount',
          ...input,
        }),
      ),
    );
  /** Runs the virtual clock to `ms` after T0. */
  const until = (ms: number) => drill.clock.tickAsync(T0 + ms - Date.now());

  describe('target tracking', () => {
    it('scales out on the third datapoint above the target, to the capacity the load needs', async () => {
      // 9 tasks' worth of load on the 6 serving tasks: CPU at 75 % of a 50 % target.
      drill = startDrill({ ecsDemand: [{ region: PRIMARY, service: 'orders-api', tasks: 9 }] });
      await until(2.5 * MINUTE);
      expect(api(PRIMARY).desired).toBe(6);
      await until(3 * MINUTE + 1);
      expect(api(PRIMARY)).toMatchObject({ desired: 9, pending: 3 });
    });

    it('stops at the maximum capacity', async () => {
      drill = startDrill({ ecsDemand: [{ region: PRIMARY, service: 'orders-api', tasks: 30 }] });
      await until(4 * MINUTE);
      expect(api(PRIMARY).desired).toBe(12);
    });

    it('skips scale-out while DynamicScalingOutSuspended, and acts on the breach once resumed', async () => {
      drill = startDrill({ ecsDemand: [{ region: PRIMARY, service: 'orders-api', tasks: 9 }] });
      await register(PRIMARY, {
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: true,
          ScheduledScalingSuspended: false,
        },
      });
      await until(10 * MINUTE);
      expect(api(PRIMARY).desired).toBe(6);

      await register(PRIMARY, {
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: false,
        },
      });
      await until(11 * MINUTE + 1);
      expect(api(PRIMARY).desired).toBe(9);
    });

    it('scales an idle service in to its minimum after 15 datapoints below the threshold', async () => {
      // The standby has no traffic: 4 tasks with nothing to do.
      drill = startDrill();
      await drill.run(
        drill.standby.ecs.send(
          new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'orders-api', desiredCount: 4 }),
        ),
      );
      await until(14.5 * MINUTE);
      expect(api(STANDBY).desired).toBe(4);
      await until(15 * MINUTE + 1);
      expect(api(STANDBY)).toMatchObject({ desired: 1, minCapacity: 1 });
    });

    it('skips scale-in while DynamicScalingInSuspended', async () => {
      drill = startDrill();
      await drill.run(
        drill.standby.ecs.send(
          new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'orders-api', desiredCount: 4 }),
        ),
      );
      await register(STANDBY, {
        SuspendedState: {
          DynamicScalingInSuspended: true,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: false,
        },
      });
      await until(30 * MINUTE);
      expect(api(STANDBY).desired).toBe(4);
    });

    it('does not scale out a service with no running task, whatever its load: no datapoint', async () => {
      drill = startDrill({ ecsDemand: [{ region: PRIMARY, service: 'orders-api', tasks: 9 }] });
      await register(PRIMARY, { MinCapacity: 0 });
      await drill.run(
        drill.primary.ecs.send(
          new UpdateServiceCommand({ cluster: 'orders-use1', service: 'orders-api', desiredCount: 0 }),
        ),
      );
      await until(20 * MINUTE);
      expect(api(PRIMARY)).toMatchObject({ desired: 0, running: 0 });
    });

    it('follows the traffic: the region the name servers send clients to gets the load', async () => {
      drill = startDrill();
      await drill.run(
        drill.registry.route53().send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: ZONE,
            ChangeBatch: {
              Changes: [
                { Action: 'UPSERT', ResourceRecordSet: weighted('orders-use1', USE1_VALUE, 0) },
                { Action: 'UPSERT', ResourceRecordSet: weighted('orders-usw2', USW2_VALUE, 100) },
              ],
            },
          }),
        ),
      );
      // INSYNC within a minute, then three datapoints of 6 tasks' load on the standby's 1 task.
      await until(5 * MINUTE);
      expect(api(STANDBY).desired).toBe(6);
      // The primary, idle now, keeps its minimum.
      await until(25 * MINUTE);
      expect(api(PRIMARY)).toMatchObject({ desired: 6, minCapacity: 6 });
    });
  });

  describe('scheduled actions', () => {
    const peak = (at: number) => ({
      region: PRIMARY,
      service: 'orders-api',
      at,
      minCapacity: 8,
      maxCapacity: 12,
    });

    it('sets the bounds at its time (plus a few seconds) and moves the desired count inside them', async () => {
      drill = startDrill({ scheduledActions: [peak(T0 + 5 * MINUTE)] });
      await until(5 * MINUTE - 1);
      expect(api(PRIMARY)).toMatchObject({ desired: 6, minCapacity: 6 });
      await until(5 * MINUTE + LATENCIES.scheduledActionDelay.maxMs + 1);
      expect(api(PRIMARY)).toMatchObject({ desired: 8, minCapacity: 8 });
    });

    it('skips one due while ScheduledScalingSuspended, and does not run it once resumed', async () => {
      drill = startDrill({ scheduledActions: [peak(T0 + 5 * MINUTE)] });
      const suspended = (scheduled: boolean) => ({
        DynamicScalingInSuspended: false,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: scheduled,
      });
      await register(PRIMARY, { SuspendedState: suspended(true) });
      await until(10 * MINUTE);
      await register(PRIMARY, { SuspendedState: suspended(false) });
      await until(20 * MINUTE);
      expect(api(PRIMARY)).toMatchObject({ desired: 6, minCapacity: 6 });
    });
  });

  describe('RegisterScalableTarget', () => {
    it('moves the desired count down at once when MaxCapacity is lowered below it', async () => {
      drill = startDrill();
      await register(PRIMARY, { MaxCapacity: 4, MinCapacity: 2 });
      expect(api(PRIMARY)).toMatchObject({ desired: 4, minCapacity: 2 });
    });

    it('takes a SuspendedState member left out as false, its documented default', async () => {
      drill = startDrill();
      await register(PRIMARY, {
        SuspendedState: {
          DynamicScalingInSuspended: true,
          DynamicScalingOutSuspended: true,
          ScheduledScalingSuspended: true,
        },
      });
      await register(PRIMARY, { SuspendedState: { DynamicScalingOutSuspended: true } });
      // Without SuspendedState at all, the suspension is left as it is.
      await register(PRIMARY, { MinCapacity: 0 });
      const out = await drill.run(
        drill.primary.autoscaling.send(
          new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId(PRIMARY)] }),
        ),
      );
      expect(out.ScalableTargets?.[0]?.SuspendedState).toEqual({
        DynamicScalingInSuspended: false,
        DynamicScalingOutSuspended: true,
        ScheduledScalingSuspended: false,
      });
    });
  });

  it('starts a failback world with the old primary as a fence leaves it', () => {
    drill = startDrill({ initialWriter: 'standby' });
    expect(api(PRIMARY)).toMatchObject({
      desired: 0,
      minCapacity: 0,
      suspended: { dynamicScalingIn: false, dynamicScalingOut: true, scheduledScaling: true },
    });
    expect(api(STANDBY)).toMatchObject({
      desired: 6,
      minCapacity: 6,
      suspended: { dynamicScalingIn: false, dynamicScalingOut: false, scheduledScaling: false },
    });
  });
});
