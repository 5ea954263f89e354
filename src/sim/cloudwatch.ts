import type {
  Dimension,
  GetMetricDataInput,
  MetricDataResult,
  MetricStat,
  PutMetricDataInput,
} from '@aws-sdk/client-cloudwatch';
import type { Comparison, MetricSignal } from '../plan/schema.js';
import type { AuroraGlobalDatabase } from './aurora.js';
import { SimFault, SimulatorGapError } from './errors.js';
import { noise } from './random.js';
import type { CloudSnapshot } from './types.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

interface Published {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  value: number;
  at: number;
}

type Point = { t: number; v: number };
type MissingWindow = { region?: string; from?: number; to?: number };

const dimensionKey = (dims: Record<string, string>) =>
  JSON.stringify(Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : 1)));
const fromSdk = (dims: Dimension[] | undefined) =>
  Object.fromEntries((dims ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));

/** Datapoint levels that clearly pass or clearly breach `value <comparison> threshold`. */
function levels(comparison: Comparison, threshold: number, r: number): { healthy: number; failing: number } {
  const span = Math.max(Math.abs(threshold) * 5, 10);
  if (comparison === '>' || comparison === '>=') {
    return {
      failing: threshold + span * (0.9 + 0.2 * r),
      healthy: threshold > 0 ? threshold * (0.02 + 0.08 * r) : threshold - 1 - r,
    };
  }
  const healthy =
    threshold > 0 && threshold <= 1 ? 1 : threshold > 0 && threshold <= 100 ? 100 : threshold + span;
  return { failing: threshold > 0 ? 0 : threshold - span, healthy };
}

function aggregate(values: number[], stat: string): number {
  const sum = values.reduce((a, b) => a + b, 0);
  if (stat === 'Sum') return sum;
  if (stat === 'SampleCount') return values.length;
  if (stat === 'Minimum') return Math.min(...values);
  if (stat === 'Maximum') return Math.max(...values);
  const percentile = /^p(\d+(\.\d+)?)$/.exec(stat);
  if (percentile) {
    const sorted = [...values].sort((a, b) => a - b);
    return (
      sorted[Math.min(sorted.length - 1, Math.ceil((Number(percentile[1]) / 100) * sorted.length) - 1)] ?? 0
    );
  }
  return sum / values.length;
}

/**
 * CloudWatch: the plan's signals, Aurora's AuroraGlobalDBRPOLag, and whatever was published.
 * A signal's period is failing in proportion to how much of it a service-down incident in the
 * watched region covered. Count metrics read with Sum have no datapoint at all in a healthy
 * period (ALB reports only when there is something to count), so real reads see gaps.
 */
export class CloudWatchModel implements ServiceModel {
  readonly service = 'cloudwatch' as const;
  readonly handlers: Record<string, Handler>;
  readonly published: Published[] = [];
  /**
   * Metrics another model publishes for AWS (AWS/Usage from src/sim/service-quotas.ts): the
   * series for the periods asked, or null when the query is not one of its metrics.
   */
  awsPublished?: (
    region: string,
    namespace: string | undefined,
    metricName: string | undefined,
    dimensions: Record<string, string>,
    periods: readonly number[],
    periodMs: number,
  ) => Point[] | null;

  constructor(
    private readonly world: World,
    /** Every Aurora global database of the plan: AuroraGlobalDBRPOLag per member cluster. */
    private readonly auroras: readonly AuroraGlobalDatabase[],
    private readonly missing: readonly MissingWindow[] = [],
  ) {
    this.handlers = {
      GetMetricData: op<GetMetricDataInput>((input, region, now) => {
        const start = input.StartTime?.getTime() ?? Number.NaN;
        const end = input.EndTime?.getTime() ?? Number.NaN;
        if (!(start < end)) {
          throw new SimFault(
            'InvalidParameterValueException',
            'The parameter StartTime must be less than the parameter EndTime.',
          );
        }
        const ascending = input.ScanBy === 'TimestampAscending';
        // GetMetricData returns at most MaxDatapoints (default 100,800) per call; the rest come
        // with PartialData and a NextToken (CloudWatch API Reference, GetMetricData).
        let budget = input.MaxDatapoints ?? 100_800;
        const skip = input.NextToken ? Number(input.NextToken.replace(/^page-/, '')) : 0;
        if (!Number.isInteger(skip) || skip < 0) {
          throw new SimFault('InvalidNextToken', `The NextToken ${input.NextToken} is not valid.`);
        }
        let seen = 0;
        let more = false;
        const results: MetricDataResult[] = [];
        for (const query of input.MetricDataQueries ?? []) {
          if (query.Expression !== undefined || !query.MetricStat) {
            throw new SimulatorGapError(
              'SimulatedCloud does not implement GetMetricData expressions (metric math, Metrics Insights)',
            );
          }
          if (query.ReturnData === false) continue;
          const all = this.#series(query.MetricStat, region, start, end, now);
          all.sort((a, b) => (ascending ? a.t - b.t : b.t - a.t));
          // Datapoints already returned on earlier pages are skipped, across queries in order.
          const unseen = all.slice(Math.max(0, Math.min(all.length, skip - seen)));
          seen += all.length;
          const points = unseen.slice(0, budget);
          budget -= points.length;
          const partial = points.length < unseen.length;
          more ||= partial;
          results.push({
            Id: query.Id,
            Label: query.Label ?? query.MetricStat.Metric?.MetricName,
            Timestamps: points.map((p) => new Date(p.t)),
            Values: points.map((p) => p.v),
            StatusCode: partial ? 'PartialData' : 'Complete',
            Messages: [],
          });
        }
        const returned = results.reduce((n, r) => n + (r.Values?.length ?? 0), 0);
        return {
          MetricDataResults: results,
          Messages: [],
          ...(more ? { NextToken: `page-${skip + returned}` } : {}),
        };
      }),
      PutMetricData: op<PutMetricDataInput>((input, region, now) => {
        const namespace = input.Namespace ?? '';
        if (namespace.startsWith('AWS/')) {
          throw new SimFault(
            'InvalidParameterValueException',
            `The value ${namespace} for parameter Namespace is invalid.`,
          );
        }
        for (const datum of input.MetricData ?? []) {
          const stats = datum.StatisticValues;
          const values =
            datum.Values ??
            (datum.Value !== undefined
              ? [datum.Value]
              : stats
                ? [(stats.Sum ?? 0) / (stats.SampleCount || 1)]
                : []);
          const at = datum.Timestamp?.getTime() ?? now;
          const dimensions = fromSdk(datum.Dimensions);
          for (const value of values) {
            this.published.push({
              region,
              namespace,
              metricName: datum.MetricName ?? '',
              dimensions,
              value,
              at,
            });
          }
        }
        return {};
      }),
    };
  }

  advance(): void {}

  snapshot(): CloudSnapshot['publishedMetrics'] {
    return this.published.map((p) => ({
      ...p,
      dimensions: { ...p.dimensions },
      at: new Date(p.at).toISOString(),
    }));
  }

  #series(stat: MetricStat, region: string, start: number, end: number, now: number): Point[] {
    const metric = stat.Metric ?? {};
    const dims = fromSdk(metric.Dimensions);
    const key = dimensionKey(dims);
    const periodMs = (stat.Period ?? 60) * 1000;
    // CloudWatch rounds StartTime down to the minute (to the period below 60 s).
    const align = Math.min(periodMs, 60_000);
    const first = Math.floor(start / align) * align;
    const periods: number[] = [];
    for (let t = first; t < end; t += periodMs) periods.push(t);

    const signal = this.world.plan.signals.find(
      (s) =>
        s.readFrom === region &&
        s.namespace === metric.Namespace &&
        s.metricName === metric.MetricName &&
        dimensionKey(Object.fromEntries(s.dimensions.map((d) => [d.name, d.value]))) === key,
    );
    // Each period's datapoint has its own ingestion delay, drawn per metric and period, and a
    // metric's datapoints arrive in order: a period is readable once it and every earlier one
    // have arrived. Under the pessimistic profile the newest few periods are often still missing.
    const delay = this.world.latencies.cloudWatchDatapointDelay;
    const arrives = (t: number) =>
      t +
      periodMs +
      delay.minMs +
      (delay.maxMs - delay.minMs) *
        noise(this.world.seed, `ingest|${region}|${metric.MetricName}|${key}|${t}`);
    const overtaken = Math.ceil((delay.maxMs - delay.minMs) / periodMs);
    const readable = (t: number) => {
      let at = arrives(t);
      for (let k = 1; k <= overtaken; k++) at = Math.max(at, arrives(t - k * periodMs));
      return at <= now;
    };
    if (signal) {
      return periods
        .filter((t) => readable(t) && !this.#isMissing(region, t))
        .flatMap((t) => this.#signalPoint(signal, stat.Stat ?? signal.stat, t, periodMs));
    }
    if (metric.Namespace === 'AWS/RDS' && metric.MetricName === 'AuroraGlobalDBRPOLag') {
      const aurora = this.auroras.find((db) =>
        db.clusters.some((c) => c.region === region && c.id === dims.DBClusterIdentifier),
      );
      const cluster = aurora?.clusters.find((c) => c.region === region && c.id === dims.DBClusterIdentifier);
      if (!aurora || !cluster || Object.keys(dims).length !== 1) return [];
      return periods
        .filter((t) => readable(t) && aurora.wasReplicating(cluster, t + periodMs - 1))
        .map((t) => ({
          t,
          v: aurora.reportedRpoLagMs(
            Math.round(this.world.rpoLagMs * (0.8 + 0.4 * noise(this.world.seed, `rpo|${cluster.arn}|${t}`))),
          ),
        }));
    }
    const modelled = this.awsPublished?.(
      region,
      metric.Namespace,
      metric.MetricName,
      dims,
      periods.filter(readable),
      periodMs,
    );
    if (modelled) return modelled;
    const mine = this.published.filter(
      (p) =>
        p.region === region &&
        p.namespace === metric.Namespace &&
        p.metricName === metric.MetricName &&
        dimensionKey(p.dimensions) === key &&
        p.at <= now,
    );
    return periods.flatMap((t) => {
      const values = mine.filter((p) => p.at >= t && p.at < t + periodMs).map((p) => p.value);
      return values.length > 0 ? [{ t, v: aggregate(values, stat.Stat ?? 'Average') }] : [];
    });
  }

  /** A period whose start falls in a metricsMissing window has no datapoint at all. */
  #isMissing(region: string, t: number): boolean {
    return this.missing.some(
      (w) =>
        (w.region ?? region) === region &&
        (w.from ?? Number.NEGATIVE_INFINITY) <= t &&
        t < (w.to ?? Number.POSITIVE_INFINITY),
    );
  }

  #signalPoint(signal: MetricSignal, stat: string, t: number, periodMs: number): Point[] {
    // Route 53 health-check metrics turn only after the checkers agree the endpoint is down.
    const delay =
      signal.namespace === 'AWS/Route53' ? this.world.latencies.route53HealthCheckDetection.minMs : 0;
    const down = this.world.downFraction(signal.watches, t, t + periodMs, delay);
    const isCount = stat === 'Sum' && signal.metricName.endsWith('Count');
    if (isCount && down === 0) return [];
    const r = noise(this.world.seed, `${signal.name}|${t}`);
    const { healthy, failing } = levels(signal.failingWhen.comparison, signal.failingWhen.threshold, r);
    const value = healthy * (1 - down) + failing * down;
    if (isCount) return [{ t, v: Math.round(value * (periodMs / (signal.periodSeconds * 1000))) }];
    return [{ t, v: Math.round(value * 100) / 100 }];
  }
}
