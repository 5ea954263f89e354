import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  InvalidDBClusterStateFault,
  InvalidGlobalClusterStateFault,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { type Drill, elapsed, PRIMARY, STANDBY, startDrill } from './harness.js';

const GLOBAL = 'orders-global';
const USE1 = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';

describe('simulated Aurora global database', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const describeGlobal = async () => {
    const out = await drill.run(
      drill.standby.rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: GLOBAL })),
    );
    return out.GlobalClusters?.[0];
  };

  /** Polls every 5 s until the FailoverState is gone, recording each state seen. */
  const pollUntilDone = async () => {
    const seen: string[] = [];
    for (let i = 0; i < 100; i++) {
      const status = (await describeGlobal())?.FailoverState?.Status ?? 'done';
      if (seen.at(-1) !== status) seen.push(status);
      if (status === 'done') break;
      await drill.clock.tickAsync(5_000);
    }
    return seen;
  };

  it('starts with the primary region writing and the standby connected', async () => {
    drill = startDrill();
    const global = await describeGlobal();
    expect(global?.Status).toBe('available');
    expect(global?.FailoverState).toBeUndefined();
    expect(global?.GlobalClusterMembers).toEqual([
      expect.objectContaining({
        DBClusterArn: USE1,
        IsWriter: true,
        Readers: [USW2],
        SynchronizationStatus: 'connected',
      }),
      expect.objectContaining({ DBClusterArn: USW2, IsWriter: false, SynchronizationStatus: 'connected' }),
    ]);
    const clusters = await drill.run(
      drill.standby.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: USW2 })),
    );
    expect(clusters.DBClusters?.[0]).toMatchObject({
      DBClusterIdentifier: 'orders-usw2',
      Status: 'available',
    });
    expect(clusters.DBClusters?.[0]?.DBClusterMembers).toHaveLength(1);
    expect(clusters.DBClusters?.[0]?.ClusterCreateTime).toBeInstanceOf(Date);
  });

  it('fails over through pending and failing-over until the target writes', async () => {
    drill = startDrill();
    const out = await drill.run(
      drill.standby.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USW2,
          AllowDataLoss: true,
        }),
      ),
    );
    expect(out.GlobalCluster?.Status).toBe('failing-over');
    expect(out.GlobalCluster?.FailoverState).toEqual({
      Status: 'pending',
      FromDbClusterArn: USE1,
      ToDbClusterArn: USW2,
      IsDataLossAllowed: true,
    });

    expect(await pollUntilDone()).toEqual(['pending', 'failing-over', 'done']);
    expect(elapsed()).toBeGreaterThan(45_000);
    expect(elapsed()).toBeLessThan(90_000);

    const members = (await describeGlobal())?.GlobalClusterMembers ?? [];
    expect(members.find((m) => m.DBClusterArn === USW2)).toMatchObject({
      IsWriter: true,
      SynchronizationStatus: 'connected',
    });
    expect(members.find((m) => m.DBClusterArn === USE1)).toMatchObject({
      IsWriter: false,
      SynchronizationStatus: 'pending-resync',
    });
    expect(drill.cloud.snapshot().database).toMatchObject({ writerRegion: STANDBY, failoverState: null });
  });

  it('refuses to fail back to the old primary until it is rebuilt', async () => {
    drill = startDrill();
    await drill.run(
      drill.standby.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USW2,
          AllowDataLoss: true,
        }),
      ),
    );
    await drill.clock.tickAsync(120_000);
    const error = await drill.failure(
      drill.primary.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USE1,
          AllowDataLoss: true,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidGlobalClusterStateFault);
    expect(error.message).toContain('pending-resync');
  });

  it('refuses a failover while one is already running', async () => {
    drill = startDrill();
    const failover = () =>
      drill.standby.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USW2,
          AllowDataLoss: true,
        }),
      );
    await drill.run(failover());
    const error = await drill.failure(failover());
    expect(error).toBeInstanceOf(InvalidGlobalClusterStateFault);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
  });

  it('refuses to promote a headless standby', async () => {
    drill = startDrill({ headlessStandby: true });
    const error = await drill.failure(
      drill.standby.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USW2,
          AllowDataLoss: true,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidDBClusterStateFault);
    expect(drill.cloud.snapshot().database.members.find((m) => m.region === STANDBY)?.instances).toBe(0);
  });

  it('refuses an unplanned failover sent to the old primary region', async () => {
    drill = startDrill();
    const error = await drill.failure(
      drill.primary.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USW2,
          AllowDataLoss: true,
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterValue');
  });

  it('refuses to fail over to the cluster that already writes', async () => {
    drill = startDrill();
    const error = await drill.failure(
      drill.primary.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USE1,
          AllowDataLoss: true,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidGlobalClusterStateFault);
  });

  it('switches over without data loss and keeps the old primary in sync', async () => {
    drill = startDrill();
    const out = await drill.run(
      drill.primary.rds.send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USW2,
        }),
      ),
    );
    expect(out.GlobalCluster).toMatchObject({
      Status: 'switching-over',
      FailoverState: { IsDataLossAllowed: false },
    });
    expect(await pollUntilDone()).toEqual(['pending', 'switching-over', 'done']);
    const members = (await describeGlobal())?.GlobalClusterMembers ?? [];
    expect(members.find((m) => m.DBClusterArn === USE1)).toMatchObject({
      IsWriter: false,
      SynchronizationStatus: 'connected',
    });
    expect(drill.cloud.snapshot().database.writerRegion).toBe(STANDBY);
  });

  it('refuses a switchover while the primary region is down', async () => {
    drill = startDrill({
      incidents: [{ region: PRIMARY, kind: 'service-down', from: Date.parse('2026-11-22T02:55:00Z') }],
    });
    const error = await drill.failure(
      drill.standby.rds.send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USW2,
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidGlobalClusterStateFault);
  });

  it('detaches the standby into a standalone writer, leaving two writers', async () => {
    drill = startDrill();
    await drill.run(
      drill.standby.rds.send(
        new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: GLOBAL, DbClusterIdentifier: USW2 }),
      ),
    );
    expect(drill.cloud.snapshot().database.members.find((m) => m.region === STANDBY)).toMatchObject({
      status: 'promoting',
      synchronizationStatus: 'detached',
    });
    await drill.clock.tickAsync(90_000);
    const { database } = drill.cloud.snapshot();
    expect(database.members.every((m) => m.isWriter)).toBe(true);
    expect(database.writerRegion).toBeNull();
  });

  it('answers unknown identifiers with the not-found faults', async () => {
    drill = startDrill();
    const global = await drill.failure(
      drill.standby.rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'nope' })),
    );
    expect(global.name).toBe('GlobalClusterNotFoundFault');
    // Clusters are regional: the primary's cluster is not visible from the standby region.
    const cluster = await drill.failure(
      drill.standby.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: USE1 })),
    );
    expect(cluster.name).toBe('DBClusterNotFoundFault');
  });
});
