import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeGlobalClustersCommand,
  InvalidGlobalClusterStateFault,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { type Drill, PRIMARY, STANDBY, startDrill } from './harness.js';

const GLOBAL = 'orders-global';
const USE1 = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const MINUTE = 60_000;

describe('simulated cloud starting after a failover (failback drills)', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const switchBack = () =>
    drill.standby.rds.send(
      new SwitchoverGlobalClusterCommand({
        GlobalClusterIdentifier: GLOBAL,
        TargetDbClusterIdentifier: USE1,
      }),
    );
  const oldPrimary = () => drill.cloud.snapshot().database.members.find((m) => m.region === PRIMARY);
  const rpoLagPoints = async () => {
    const now = Date.now();
    const out = await drill.run(
      drill.primary.cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 10 * MINUTE),
          EndTime: new Date(now),
          MetricDataQueries: [
            {
              Id: 'lag',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/RDS',
                  MetricName: 'AuroraGlobalDBRPOLag',
                  Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-use1' }],
                },
                Period: 60,
                Stat: 'Maximum',
              },
            },
          ],
        }),
      ),
    );
    return out.MetricDataResults?.[0]?.Values ?? [];
  };

  it('starts with the standby writing, its services active, the primary fenced and DNS on the standby', async () => {
    drill = startDrill({ initialWriter: 'standby' });
    expect(drill.cloud.options).toMatchObject({ initialWriter: 'standby', seed: 42 });
    const snapshot = drill.cloud.snapshot();
    expect(snapshot.database).toMatchObject({
      writerRegion: STANDBY,
      writerRegions: [STANDBY],
      failoverState: null,
    });
    expect(oldPrimary()).toMatchObject({
      isWriter: false,
      acceptsWrites: false,
      synchronizationStatus: 'connected',
    });
    const api = (region: string) =>
      snapshot.services.find((s) => s.region === region && s.service === 'orders-api');
    expect(api(STANDBY)).toMatchObject({ desired: 6, running: 6, pending: 0, minCapacity: 6 });
    expect(api(PRIMARY)).toMatchObject({ desired: 0, running: 0, minCapacity: 0 });
    expect(snapshot.dns.map((r) => [r.setIdentifier, r.weight])).toEqual([
      ['orders-use1', 0],
      ['orders-usw2', 100],
    ]);
    expect(await rpoLagPoints()).not.toEqual([]);
  });

  it('switches back to the primary when the old primary is connected', async () => {
    drill = startDrill({ initialWriter: 'standby' });
    await drill.run(switchBack());
    for (let i = 0; i < 30 && drill.cloud.snapshot().database.failoverState; i++) {
      await drill.clock.tickAsync(5_000);
      await drill.run(
        drill.standby.rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: GLOBAL })),
      );
    }
    expect(drill.cloud.snapshot().database).toMatchObject({
      writerRegion: PRIMARY,
      writerRegions: [PRIMARY],
    });
  });

  it('refuses the switchover back and reports no RPO lag while the old primary is pending-resync', async () => {
    drill = startDrill({ initialWriter: 'standby', oldPrimarySync: 'pending-resync' });
    expect(oldPrimary()?.synchronizationStatus).toBe('pending-resync');
    const error = await drill.failure(switchBack());
    expect(error).toBeInstanceOf(InvalidGlobalClusterStateFault);
    expect(error.message).toContain('pending-resync');
    expect(await rpoLagPoints()).toEqual([]);
  });

  it('rebuilds a pending-resync old primary after the rebuild time, then reports its lag', async () => {
    drill = startDrill({
      initialWriter: 'standby',
      oldPrimarySync: 'pending-resync',
      rebuildAfterMs: 5 * MINUTE,
    });
    await drill.clock.tickAsync(5 * MINUTE - 1_000);
    expect(oldPrimary()?.synchronizationStatus).toBe('pending-resync');
    await drill.clock.tickAsync(1_000);
    expect(oldPrimary()?.synchronizationStatus).toBe('connected');
    await drill.clock.tickAsync(3 * MINUTE);
    expect((await rpoLagPoints()).length).toBeGreaterThan(0);
    await drill.run(switchBack());
    expect(drill.cloud.snapshot().database.failoverState).toBe('pending');
  });
});
