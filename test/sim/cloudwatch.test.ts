import { GetMetricDataCommand, type MetricDataQuery, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { onlyDatabase, recordUpsertPlan } from '../support/plan.js';
import { type Drill, PRIMARY, STANDBY, startDrill, T0 } from './harness.js';

const alb5xx: MetricDataQuery = {
  Id: 'alb5xx',
  MetricStat: {
    Metric: {
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_ELB_5XX_Count',
      Dimensions: [{ Name: 'LoadBalancer', Value: 'app/orders-use1/50dc6c495c0c9188' }],
    },
    Period: 60,
    Stat: 'Sum',
  },
};
const canary: MetricDataQuery = {
  Id: 'canary',
  MetricStat: {
    Metric: {
      Namespace: 'CloudWatchSynthetics',
      MetricName: 'SuccessPercent',
      Dimensions: [{ Name: 'CanaryName', Value: 'orders-use1-probe' }],
    },
    Period: 60,
    Stat: 'Average',
  },
};
const usw2Alb = {
  Namespace: 'AWS/ApplicationELB',
  MetricName: 'HTTPCode_ELB_5XX_Count',
  Dimensions: [{ Name: 'LoadBalancer', Value: 'app/orders-usw2/7a3e2f1b9c4d5e6f' }],
};
const usw2Canary = {
  Namespace: 'CloudWatchSynthetics',
  MetricName: 'SuccessPercent',
  Dimensions: [{ Name: 'CanaryName', Value: 'orders-usw2-probe' }],
};
const minute = 60_000;

describe('simulated CloudWatch', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const read = async (region: string, queries: MetricDataQuery[], minutesBack = 10) => {
    const clients = region === PRIMARY ? drill.primary : drill.standby;
    const now = Date.now();
    const out = await drill.run(
      clients.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(now - minutesBack * minute),
          EndTime: new Date(now),
        }),
      ),
    );
    return out.MetricDataResults ?? [];
  };

  it('returns no datapoints for a healthy error count and full canary success', async () => {
    drill = startDrill();
    const [errors] = await read(PRIMARY, [alb5xx]);
    expect(errors).toMatchObject({ Id: 'alb5xx', StatusCode: 'Complete', Timestamps: [], Values: [] });
    const [success] = await read(STANDBY, [canary]);
    expect(success?.Values?.length).toBeGreaterThanOrEqual(8);
    expect(new Set(success?.Values)).toEqual(new Set([100]));
  });

  it('returns failing datapoints newest-first for the periods an outage covers', async () => {
    // The outage began 4 minutes before the drill: the last readable periods show it.
    drill = startDrill({ incidents: [{ region: PRIMARY, kind: 'service-down', from: T0 - 4 * minute }] });
    const [errors] = await read(PRIMARY, [alb5xx]);
    const times = errors?.Timestamps?.map((t) => t.getTime()) ?? [];
    expect(times).toEqual([T0 - 2 * minute, T0 - 3 * minute, T0 - 4 * minute]);
    expect(errors?.Values?.every((v) => v > 50)).toBe(true);

    const [success] = await read(STANDBY, [canary]);
    expect(success?.Timestamps?.[0]?.getTime()).toBe(T0 - 2 * minute);
    expect(success?.Values?.slice(0, 3)).toEqual([0, 0, 0]);
    expect(success?.Values?.slice(3).every((v) => v === 100)).toBe(true);
  });

  it('makes a period readable only a minute after it ends', async () => {
    drill = startDrill({ incidents: [{ region: PRIMARY, kind: 'service-down', from: T0 }] });
    expect((await read(PRIMARY, [alb5xx]))[0]?.Values).toEqual([]);
    await drill.clock.tickAsync(2 * minute);
    const [errors] = await read(PRIMARY, [alb5xx]);
    expect(errors?.Timestamps?.map((t) => t.getTime())).toEqual([T0]);
  });

  it('serves the standby cluster RPO lag around rpoLagMs', async () => {
    drill = startDrill({ rpoLagMs: 500 });
    const [lag] = await read(STANDBY, [
      {
        Id: 'lag',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/RDS',
            MetricName: 'AuroraGlobalDBRPOLag',
            Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-usw2' }],
          },
          Period: 60,
          Stat: 'Maximum',
        },
      },
    ]);
    expect(lag?.Values?.length).toBeGreaterThan(5);
    expect(lag?.Values?.every((v) => v >= 400 && v <= 600)).toBe(true);
  });

  describe('rds.global_db_rpo (plan database.globalDbRpoSeconds)', () => {
    const lagQuery: MetricDataQuery = {
      Id: 'lag',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/RDS',
          MetricName: 'AuroraGlobalDBRPOLag',
          Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-usw2' }],
        },
        Period: 60,
        Stat: 'Maximum',
      },
    };
    const withRpo = (seconds: number) => {
      const plan = recordUpsertPlan();
      onlyDatabase(plan).globalDbRpoSeconds = seconds;
      return plan;
    };
    const writer = () => drill.cloud.snapshot().database.members.find((m) => m.region === PRIMARY);

    it("pauses the writer's commits while the secondary lags beyond it, and caps the lag it reports there", async () => {
      drill = startDrill({ plan: withRpo(20), rpoLagMs: 30_000 });
      expect(writer()).toMatchObject({ isWriter: true, commitsPaused: true });
      const [lag] = await read(STANDBY, [lagQuery]);
      expect(lag?.Values?.length).toBeGreaterThan(0);
      expect(lag?.Values?.every((v) => v <= 20_000)).toBe(true);
    });

    it('lets commits through while a secondary is within it, and reports the lag as it is', async () => {
      drill = startDrill({ plan: withRpo(20), rpoLagMs: 500 });
      expect(writer()?.commitsPaused).toBeUndefined();
      const [lag] = await read(STANDBY, [lagQuery]);
      expect(lag?.Values?.every((v) => v >= 400 && v <= 600)).toBe(true);
    });

    it('does nothing when the plan does not set it', async () => {
      drill = startDrill({ rpoLagMs: 30_000 });
      expect(writer()?.commitsPaused).toBeUndefined();
    });
  });

  it('stores published metrics, shows them in the snapshot and reads them back', async () => {
    drill = startDrill();
    await drill.run(
      drill.standby.cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: 'Regionflip',
          MetricData: [
            { MetricName: 'FailoverStarted', Value: 1, Dimensions: [{ Name: 'Plan', Value: 'orders' }] },
          ],
        }),
      ),
    );
    expect(drill.cloud.snapshot().publishedMetrics).toEqual([
      expect.objectContaining({
        region: STANDBY,
        namespace: 'Regionflip',
        metricName: 'FailoverStarted',
        dimensions: { Plan: 'orders' },
        value: 1,
      }),
    ]);
    const [published] = await read(STANDBY, [
      {
        Id: 'started',
        MetricStat: {
          Metric: {
            Namespace: 'Regionflip',
            MetricName: 'FailoverStarted',
            Dimensions: [{ Name: 'Plan', Value: 'orders' }],
          },
          Period: 60,
          Stat: 'Sum',
        },
      },
    ]);
    expect(published?.Values).toEqual([1]);
  });

  it('returns empty results for a metric nobody publishes', async () => {
    drill = startDrill();
    const [unknown] = await read(PRIMARY, [
      {
        Id: 'x',
        MetricStat: { Metric: { Namespace: 'Nope', MetricName: 'Nothing' }, Period: 60, Stat: 'Sum' },
      },
    ]);
    expect(unknown).toMatchObject({ Id: 'x', Timestamps: [], Values: [] });
  });

  it('returns no datapoints, Complete, for signals in a metricsMissing window', async () => {
    drill = startDrill({
      incidents: [{ region: PRIMARY, kind: 'service-down', from: T0 - 10 * minute }],
      metricsMissing: [{ region: STANDBY, from: T0 - 6 * minute, to: T0 - 3 * minute }],
    });
    const [success] = await read(STANDBY, [canary]);
    expect(success?.StatusCode).toBe('Complete');
    // Periods starting at -6, -5 and -4 min are gone; -3 and -2 (and older ones) remain.
    expect(success?.Timestamps?.map((t) => (t.getTime() - T0) / minute)).toEqual([-2, -3, -7, -8, -9, -10]);
    expect(success?.Values?.every((v) => v === 0)).toBe(true);
    // The window names the standby region: the primary's own metrics are unaffected.
    const [errors] = await read(PRIMARY, [alb5xx]);
    expect(errors?.Values?.length).toBe(9);
  });

  it('shows the standby failing its own signals under a service-down incident there', async () => {
    drill = startDrill({ incidents: [{ region: STANDBY, kind: 'service-down', from: T0 - 6 * minute }] });
    const [errors] = await read(STANDBY, [
      { ...alb5xx, MetricStat: { ...alb5xx.MetricStat, Metric: usw2Alb } } as MetricDataQuery,
    ]);
    expect(errors?.Values?.length).toBe(5);
    expect(errors?.Values?.every((v) => v > 50)).toBe(true);
    const [probe] = await read(PRIMARY, [
      { ...canary, MetricStat: { ...canary.MetricStat, Metric: usw2Canary } } as MetricDataQuery,
    ]);
    expect(probe?.Values?.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // The primary's own signals stay healthy.
    expect((await read(PRIMARY, [alb5xx]))[0]?.Values).toEqual([]);
  });

  it('pages by MaxDatapoints: PartialData with a NextToken, then the rest', async () => {
    drill = startDrill();
    const now = Date.now();
    const page = (NextToken?: string) =>
      drill.run(
        drill.standby.cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: [canary],
            StartTime: new Date(now - 10 * minute),
            EndTime: new Date(now),
            MaxDatapoints: 5,
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      );
    const first = await page();
    expect(first.MetricDataResults?.[0]).toMatchObject({ StatusCode: 'PartialData' });
    expect(first.MetricDataResults?.[0]?.Values).toHaveLength(5);
    expect(first.NextToken).toBeDefined();
    const second = await page(first.NextToken);
    expect(second.MetricDataResults?.[0]?.StatusCode).toBe('Complete');
    expect(second.NextToken).toBeUndefined();
    const times = [first, second].flatMap((o) => o.MetricDataResults?.[0]?.Timestamps ?? []);
    expect(new Set(times.map((t) => t.getTime())).size).toBe(times.length);
    expect(times.length).toBe((await read(STANDBY, [canary]))[0]?.Values?.length);
  });

  it('delivers late datapoints, in order, under the pessimistic profile', async () => {
    drill = startDrill({ profile: 'pessimistic' });
    const [success] = await read(STANDBY, [canary], 30);
    const minutesBack = (success?.Timestamps ?? []).map((t) => (T0 - t.getTime()) / minute);
    // Each period's delay is drawn in 60-180 s, but a metric's datapoints arrive in order: the
    // readable periods are every period older than the newest one read, with no hole.
    const newest = Math.min(...minutesBack);
    expect(newest).toBeGreaterThanOrEqual(2);
    expect(newest).toBeLessThanOrEqual(4);
    expect(minutesBack).toEqual(Array.from({ length: 31 - newest }, (_, i) => newest + i));
  });
});
