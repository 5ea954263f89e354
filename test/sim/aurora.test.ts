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
    // No read lag here: every phase shows at once (the lag has tests of its own below).
    drill = startDrill({ globalClusterReadLagMs: 0 });
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
    drill = startDrill({ globalClusterReadLagMs: 0 });
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
    await drill.clock.tickAsync(4 * 60_000);
    const { database } = drill.cloud.snapshot();
    expect(database.members.find((m) => m.region === STANDBY)).toMatchObject({
      status: 'available',
      synchronizationStatus: 'detached',
    });
    expect(database.members.every((m) => m.isWriter)).toBe(true);
    expect(database.writerRegion).toBeNull();
  });

  describe('RemoveFromGlobalCluster is asynchronous', () => {
    const detach = () =>
      drill.standby.rds.send(
        new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: GLOBAL, DbClusterIdentifier: USW2 }),
      );
    const cluster = async () =>
      (await drill.run(drill.standby.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: USW2 }))))
        .DBClusters?.[0];
    const listed = async () =>
      ((await describeGlobal())?.GlobalClusterMembers ?? []).some((m) => m.DBClusterArn === USW2);

    it('keeps the cluster listed and available, then promoting and out of the global cluster, then a standalone writer', async () => {
      drill = startDrill({ globalClusterReadLagMs: 0 });
      expect(await cluster()).toMatchObject({ Status: 'available', GlobalClusterIdentifier: GLOBAL });

      const out = await drill.run(detach());
      // The answer still lists the member: the removal has only begun.
      expect(out.GlobalCluster?.GlobalClusterMembers?.some((m) => m.DBClusterArn === USW2)).toBe(true);
      expect(await listed()).toBe(true);
      expect(await cluster()).toMatchObject({ Status: 'available', GlobalClusterIdentifier: GLOBAL });
      expect((await cluster())?.DBClusterMembers?.some((m) => m.IsClusterWriter)).toBe(false);

      const seen: string[] = [];
      for (let i = 0; i < 60; i++) {
        const c = await cluster();
        const phase = `${c?.Status}|${c?.GlobalClusterIdentifier ?? '-'}|${(await listed()) ? 'listed' : 'gone'}|${c?.DBClusterMembers?.some((m) => m.IsClusterWriter) ? 'writer' : 'reader'}`;
        if (seen.at(-1) !== phase) seen.push(phase);
        await drill.clock.tickAsync(5_000);
      }
      expect(seen).toEqual([
        `available|${GLOBAL}|listed|reader`,
        'promoting|-|gone|reader',
        'available|-|gone|writer',
      ]);
    });

    it('refuses a second removal while the first is under way, and one after it, without changing anything', async () => {
      drill = startDrill();
      await drill.run(detach());
      const during = await drill.failure(detach());
      expect(during).toBeInstanceOf(InvalidDBClusterStateFault);
      expect(during.message).toContain('already being removed');
      await drill.clock.tickAsync(60_000);
      const after = await drill.failure(detach());
      expect(after.name).toBe('DBClusterNotFoundFault');
      expect(after.message).toContain('not a member');
    });

    it('takes the removal time from the latency table: longer under the pessimistic profile', async () => {
      const removedAfter = async (profile: 'typical' | 'pessimistic') => {
        drill = startDrill({ profile, globalClusterReadLagMs: 0 });
        await drill.run(detach());
        const sent = Date.now();
        while ((await cluster())?.GlobalClusterIdentifier && Date.now() - sent < 10 * 60_000) {
          await drill.clock.tickAsync(1_000);
        }
        const waited = Date.now() - sent;
        drill.stop();
        return waited;
      };
      const typical = await removedAfter('typical');
      const pessimistic = await removedAfter('pessimistic');
      // Polled every second, each read itself taking an API round trip.
      expect(typical).toBeGreaterThanOrEqual(5_000);
      expect(typical).toBeLessThanOrEqual(33_000);
      expect(pessimistic).toBeGreaterThanOrEqual(30_000);
      expect(pessimistic).toBeLessThanOrEqual(125_000);
    });
  });

  describe('DescribeGlobalClusters is eventually consistent', () => {
    const failover = () =>
      drill.standby.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USW2,
          AllowDataLoss: true,
        }),
      );

    it('shows a failover only after the read lag, though the call that started it answers with it', async () => {
      drill = startDrill({ globalClusterReadLagMs: 20_000 });
      const out = await drill.run(failover());
      expect(out.GlobalCluster?.FailoverState?.Status).toBe('pending');
      expect((await describeGlobal())?.FailoverState).toBeUndefined();
      expect(drill.cloud.snapshot().database.failoverState).toBe('pending');
      await drill.clock.tickAsync(19_000);
      expect((await describeGlobal())?.FailoverState).toBeUndefined();
      await drill.clock.tickAsync(2_000);
      expect((await describeGlobal())?.FailoverState).toMatchObject({ ToDbClusterArn: USW2 });
    });

    it('still shows the failover, and the old writer, for the read lag after it completed', async () => {
      drill = startDrill({ globalClusterReadLagMs: 20_000, promotionMs: 60_000 });
      await drill.run(failover());
      for (let i = 0; i < 120 && drill.cloud.snapshot().database.failoverState !== null; i++)
        await drill.clock.tickAsync(1_000);
      expect(drill.cloud.snapshot().database.writerRegion).toBe(STANDBY);
      const stale = await describeGlobal();
      expect(stale?.FailoverState).toBeDefined();
      expect(stale?.GlobalClusterMembers?.find((m) => m.DBClusterArn === USW2)?.IsWriter).toBe(false);
      await drill.clock.tickAsync(21_000);
      const fresh = await describeGlobal();
      expect(fresh?.FailoverState).toBeUndefined();
      expect(fresh?.GlobalClusterMembers?.find((m) => m.DBClusterArn === USW2)?.IsWriter).toBe(true);
    });

    it('keeps listing a detached member for the read lag after it left, while DescribeDBClusters is current', async () => {
      drill = startDrill({ globalClusterReadLagMs: 25_000 });
      await drill.run(
        drill.standby.rds.send(
          new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: GLOBAL, DbClusterIdentifier: USW2 }),
        ),
      );
      let waited = 0;
      const own = async () =>
        (
          await drill.run(
            drill.standby.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: USW2 })),
          )
        ).DBClusters?.[0];
      while ((await own())?.GlobalClusterIdentifier) {
        await drill.clock.tickAsync(1_000);
        waited += 1_000;
      }
      expect((await own())?.Status).toBe('promoting');
      expect((await describeGlobal())?.GlobalClusterMembers?.map((m) => m.DBClusterArn)).toContain(USW2);
      await drill.clock.tickAsync(26_000);
      expect((await describeGlobal())?.GlobalClusterMembers?.map((m) => m.DBClusterArn)).toEqual([USE1]);
      expect(waited).toBeGreaterThan(0);
    });

    it('draws the lag from the latency table when the scenario pins none: tens of seconds at most, pessimistic', async () => {
      const visibleAfter = async (profile: 'typical' | 'pessimistic') => {
        drill = startDrill({ profile });
        await drill.run(failover());
        const accepted = Date.now();
        while (!(await describeGlobal())?.FailoverState && Date.now() - accepted < 120_000) {
          await drill.clock.tickAsync(500);
        }
        const waited = Date.now() - accepted;
        drill.stop();
        return waited;
      };
      // Polled every 0.5 s, each read itself taking an API round trip (up to 1.5 s, pessimistic).
      expect(await visibleAfter('typical')).toBeLessThanOrEqual(6_000);
      const pessimistic = await visibleAfter('pessimistic');
      expect(pessimistic).toBeGreaterThanOrEqual(3_000);
      expect(pessimistic).toBeLessThanOrEqual(32_500);
    });
  });

  describe('engine versions', () => {
    it("reports each member cluster its own version, and the global cluster its writer's", async () => {
      drill = startDrill({ engineVersions: { primary: '16.4', standby: '16.6' } });
      const standby = await drill.run(
        drill.standby.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: USW2 })),
      );
      const primary = await drill.run(
        drill.primary.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: USE1 })),
      );
      expect(standby.DBClusters?.[0]?.EngineVersion).toBe('16.6');
      expect(primary.DBClusters?.[0]?.EngineVersion).toBe('16.4');
      expect((await describeGlobal())?.EngineVersion).toBe('16.4');
    });

    it.each([
      ['minor versions', { primary: '16.4', standby: '16.6' }],
      [
        'Aurora MySQL patch levels',
        { primary: '8.0.mysql_aurora.3.04.1', standby: '8.0.mysql_aurora.3.04.2' },
      ],
    ])(
      'refuses a failover and a switchover between different %s, as AWS does, changing nothing',
      async (_case, engineVersions) => {
        drill = startDrill({ engineVersions });
        const failover = await drill.failure(
          drill.standby.rds.send(
            new FailoverGlobalClusterCommand({
              GlobalClusterIdentifier: GLOBAL,
              TargetDbClusterIdentifier: USW2,
              AllowDataLoss: true,
            }),
          ),
        );
        const switchover = await drill.failure(
          drill.primary.rds.send(
            new SwitchoverGlobalClusterCommand({
              GlobalClusterIdentifier: GLOBAL,
              TargetDbClusterIdentifier: USW2,
            }),
          ),
        );
        for (const error of [failover, switchover]) {
          expect(error).toBeInstanceOf(InvalidGlobalClusterStateFault);
          expect(error.message).toMatch(
            /must have the same engine version as that of the current primary cluster/,
          );
        }
        expect(drill.cloud.snapshot().database).toMatchObject({ writerRegion: PRIMARY, failoverState: null });
      },
    );

    it('detaches a cluster whatever its engine version: the way out AWS documents', async () => {
      drill = startDrill({ engineVersions: { primary: '16.4', standby: '16.6' } });
      await drill.run(
        drill.standby.rds.send(
          new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: GLOBAL, DbClusterIdentifier: USW2 }),
        ),
      );
      await drill.clock.tickAsync(4 * 60_000);
      expect(drill.cloud.snapshot().database.members.find((m) => m.region === STANDBY)).toMatchObject({
        isWriter: true,
        engineVersion: '16.6',
      });
    });
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
