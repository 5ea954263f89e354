import {
  FailoverGlobalClusterCommand,
  InvalidGlobalClusterStateFault,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { type Drill, PRIMARY, STANDBY, startDrill, T0 } from './harness.js';

const GLOBAL = 'orders-global';
const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';
const MINUTE = 60_000;

describe('simulated write acceptance, rebuild and stuck promotions', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const failover = () =>
    drill.standby.rds.send(
      new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: GLOBAL,
        TargetDbClusterIdentifier: USW2,
        AllowDataLoss: true,
      }),
    );
  const detachStandby = () =>
    drill.standby.rds.send(
      new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: GLOBAL, DbClusterIdentifier: USW2 }),
    );
  const member = (region: string) => drill.cloud.snapshot().database.members.find((m) => m.region === region);
  const database = () => drill.cloud.snapshot().database;

  it('rebuilds the old primary as a connected secondary once its outage has ended for the rebuild time', async () => {
    drill = startDrill({
      incidents: [{ region: PRIMARY, kind: 'service-down', from: T0 - 5 * MINUTE, to: T0 + 10 * MINUTE }],
    });
    await drill.run(failover());
    await drill.clock.tickAsync(2 * MINUTE);
    expect(member(PRIMARY)).toMatchObject({ synchronizationStatus: 'pending-resync', acceptsWrites: false });
    // The outage ends at +10 min; the rebuild takes 20 min (LATENCIES.auroraRebuild).
    await drill.clock.tickAsync(27 * MINUTE);
    expect(member(PRIMARY)?.synchronizationStatus).toBe('pending-resync');
    await drill.clock.tickAsync(1 * MINUTE + 1_000);
    expect(member(PRIMARY)).toMatchObject({ synchronizationStatus: 'connected', isWriter: false });
  });

  it('keeps an unreachable old writer accepting writes after a failover, until its region is reachable', async () => {
    drill = startDrill({
      incidents: [{ region: PRIMARY, kind: 'apis-unreachable', from: T0 - MINUTE, to: T0 + 5 * MINUTE }],
    });
    expect(database()).toMatchObject({ writerRegion: PRIMARY, writerRegions: [PRIMARY] });
    await drill.run(failover());
    await drill.clock.tickAsync(2 * MINUTE);
    expect(member(PRIMARY)).toMatchObject({ isWriter: false, acceptsWrites: true });
    expect(member(STANDBY)).toMatchObject({ isWriter: true, acceptsWrites: true });
    // The API shows one writer; the world has two.
    expect(database()).toMatchObject({ writerRegion: STANDBY, writerRegions: [PRIMARY, STANDBY] });
    await drill.clock.tickAsync(3 * MINUTE);
    expect(member(PRIMARY)?.acceptsWrites).toBe(false);
    expect(database().writerRegions).toEqual([STANDBY]);
  });

  it('fences a reachable old writer as soon as the failover completes', async () => {
    drill = startDrill({ incidents: [{ region: PRIMARY, kind: 'service-down', from: T0 - MINUTE }] });
    await drill.run(failover());
    expect(database().writerRegions).toEqual([PRIMARY]);
    await drill.clock.tickAsync(2 * MINUTE);
    expect(database().writerRegions).toEqual([STANDBY]);
  });

  it('takes writes nowhere while a switchover demotes the old writer and promotes the target', async () => {
    drill = startDrill();
    await drill.run(
      drill.primary.rds.send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: USW2,
        }),
      ),
    );
    expect(database()).toMatchObject({ failoverState: 'pending', writerRegions: [PRIMARY] });
    await drill.clock.tickAsync(10_000);
    expect(database()).toMatchObject({ failoverState: 'switching-over', writerRegions: [] });
    await drill.clock.tickAsync(2 * MINUTE);
    expect(database()).toMatchObject({ failoverState: null, writerRegions: [STANDBY] });
  });

  it('accepts writes on a detached cluster once it is promoted', async () => {
    drill = startDrill();
    await drill.run(detachStandby());
    // Still listed while it is being removed, then promoting: no writes either way.
    expect(member(STANDBY)).toMatchObject({ status: 'available', acceptsWrites: false });
    await drill.clock.tickAsync(30_000);
    expect(member(STANDBY)).toMatchObject({
      status: 'promoting',
      synchronizationStatus: 'detached',
      acceptsWrites: false,
    });
    await drill.clock.tickAsync(3 * MINUTE);
    expect(member(STANDBY)).toMatchObject({ synchronizationStatus: 'detached', acceptsWrites: true });
    expect(database().writerRegions).toEqual([PRIMARY, STANDBY]);
  });

  it('leaves a stuck failover failing-over until the target is detached, which cancels it', async () => {
    drill = startDrill({ promotionStuck: true });
    await drill.run(failover());
    await drill.clock.tickAsync(30 * MINUTE);
    expect(database()).toMatchObject({ failoverState: 'failing-over', writerRegion: PRIMARY });
    await drill.run(detachStandby());
    expect(database().failoverState).toBeNull();
    await drill.clock.tickAsync(4 * MINUTE);
    expect(member(STANDBY)).toMatchObject({
      isWriter: true,
      acceptsWrites: true,
      synchronizationStatus: 'detached',
    });
    // The old primary is still the global writer: fencing it is the orchestrator's job.
    expect(member(PRIMARY)).toMatchObject({ isWriter: true, acceptsWrites: true });
  });

  it('refuses to detach the target of a failover that is still progressing', async () => {
    drill = startDrill();
    await drill.run(failover());
    const error = await drill.failure(detachStandby());
    expect(error).toBeInstanceOf(InvalidGlobalClusterStateFault);
  });
});
