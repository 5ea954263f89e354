import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  GlobalClusterNotFoundFault,
} from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../src/plan/load.js';
import { type Drill, PRIMARY, STANDBY, startDrill } from './harness.js';

const plan = () => loadPlanFile('test/fixtures/plans/three-databases.json');
const arn = (name: string, region: string) =>
  `arn:aws:rds:${region}:123456789012:cluster:${name}-${region === PRIMARY ? 'use1' : 'usw2'}`;

describe('simulated Aurora with several global databases', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  it('holds one global database per plan database, each found by its identifier', async () => {
    drill = startDrill({ plan: plan() });

    const all = await drill.run(drill.standby.rds.send(new DescribeGlobalClustersCommand({})));
    const one = await drill.run(
      drill.standby.rds.send(
        new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'payments-global' }),
      ),
    );
    const unknown = await drill.failure(
      drill.standby.rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'nope-global' })),
    );

    expect(all.GlobalClusters?.map((g) => g.GlobalClusterIdentifier)).toEqual([
      'orders-global',
      'payments-global',
      'ledger-global',
    ]);
    expect(one.GlobalClusters?.[0]?.GlobalClusterMembers?.map((m) => m.DBClusterArn)).toEqual([
      arn('payments', PRIMARY),
      arn('payments', STANDBY),
    ]);
    expect(unknown).toBeInstanceOf(GlobalClusterNotFoundFault);
    expect(drill.cloud.snapshot().databases.map((d) => [d.globalClusterIdentifier, d.writerRegion])).toEqual([
      ['orders-global', PRIMARY],
      ['payments-global', PRIMARY],
      ['ledger-global', PRIMARY],
    ]);
  });

  it('moves only the global database a failover names; the snapshot shows each where it writes', async () => {
    drill = startDrill({ plan: plan() });

    await drill.run(
      drill.standby.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: 'payments-global',
          TargetDbClusterIdentifier: arn('payments', STANDBY),
          AllowDataLoss: true,
        }),
      ),
    );
    await drill.clock.tickAsync(10 * 60_000);
    const { database, databases } = drill.cloud.snapshot();

    expect(databases.map((d) => [d.globalClusterIdentifier, d.writerRegion])).toEqual([
      ['orders-global', PRIMARY],
      ['payments-global', STANDBY],
      ['ledger-global', PRIMARY],
    ]);
    // The backward-compatible field is the first database.
    expect(database).toBe(databases[0]);
  });

  it('applies a per-database override to that database alone', async () => {
    drill = startDrill({ plan: plan(), databaseOverrides: { 'ledger-global': { headlessStandby: true } } });

    const clusters = await drill.run(drill.standby.rds.send(new DescribeDBClustersCommand({})));

    expect(clusters.DBClusters?.map((c) => [c.DBClusterIdentifier, c.DBClusterMembers?.length])).toEqual([
      ['orders-usw2', 1],
      ['payments-usw2', 1],
      ['ledger-usw2', 0],
    ]);
  });
});
