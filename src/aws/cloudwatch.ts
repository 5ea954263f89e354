import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  ScanBy,
} from '@aws-sdk/client-cloudwatch';
import { type Datapoint, PUBLISH_LAG_PERIODS, type SignalReading } from '../decisions/sustained.js';
import { AwsRequestError, AwsTransientError } from '../errors.js';
import type { MetricSignal } from '../plan/schema.js';
import { type ClientRegistry, registerClient } from './clients.js';
import { retryOrThrow, retryTransient } from './retry.js';
import { awsCall } from './translate.js';

// Builds this service's clients in ClientRegistry: bundled only where this module is (src/aws/clients.ts).
registerClient('cloudwatch', CloudWatchClient);

/**
 * Reads metric data for the sustained-failure check and the RPO estimate. GetMetricData returns
 * newest first (ScanBy TimestampDescending) and simply leaves out periods without data; callers
 * get the datapoints as read and must not rely on their order.
 */

/** A handful of datapoints fit one page; this only stops a misbehaving endpoint looping us. */
const MAX_PAGES = 10;

export interface ReadOptions {
  abortSignal?: AbortSignal;
}

async function getMetricData(
  cloudwatch: CloudWatchClient,
  operation: string,
  queries: MetricDataQuery[],
  window: { start: Date; end: Date },
  options: ReadOptions = {},
): Promise<Map<string, Datapoint[]>> {
  const series = new Map<string, Datapoint[]>(queries.map((q) => [q.Id ?? '', []]));
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await awsCall(operation, () =>
      cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: window.start,
          EndTime: window.end,
          ScanBy: ScanBy.TIMESTAMP_DESCENDING,
          NextToken: nextToken,
        }),
        { abortSignal: options.abortSignal },
      ),
    );
    for (const result of output.MetricDataResults ?? []) {
      // A 200 response can still carry a per-query failure; it must not read as "no data".
      const message = result.Messages?.map((m) => m.Value).join('; ') || 'no detail';
      if (result.StatusCode === 'Forbidden') {
        throw new AwsRequestError(
          `${operation}: CloudWatch refused query ${result.Id} (Forbidden): ${message}`,
        );
      }
      if (result.StatusCode === 'InternalError') {
        throw new AwsTransientError(
          `${operation}: CloudWatch failed query ${result.Id} (InternalError): ${message}`,
        );
      }
      const points = series.get(result.Id ?? '');
      const values = result.Values ?? [];
      (result.Timestamps ?? []).forEach((timestamp, i) => {
        const value = values[i];
        if (points && value !== undefined) points.push({ timestamp: new Date(timestamp), value });
      });
    }
    nextToken = output.NextToken;
    if (!nextToken) break;
  }
  return series;
}

/**
 * The signal's datapoints over the last N + 2 periods: N for the decision, one for the period in
 * progress and one for CloudWatch's publishing delay. Throws AwsTransientError/AwsRequestError.
 */
export async function readSignalDatapoints(
  cloudwatch: CloudWatchClient,
  signal: MetricSignal,
  window: { now: Date; datapoints: number },
  options: ReadOptions = {},
): Promise<Datapoint[]> {
  const query: MetricDataQuery = {
    Id: 'signal',
    MetricStat: {
      Metric: {
        Namespace: signal.namespace,
        MetricName: signal.metricName,
        Dimensions: signal.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
      },
      Period: signal.periodSeconds,
      Stat: signal.stat,
    },
    ReturnData: true,
  };
  // N periods, ending at most PUBLISH_LAG_PERIODS before the newest complete one, which ends a
  // period before now.
  const periods = window.datapoints + PUBLISH_LAG_PERIODS + 1;
  const start = new Date(window.now.getTime() - periods * signal.periodSeconds * 1000);
  const series = await getMetricData(
    cloudwatch,
    `GetMetricData(${signal.name})`,
    [query],
    { start, end: window.now },
    options,
  );
  return series.get('signal') ?? [];
}

export interface SignalReadContext {
  now: Date;
  /** N, the plan's sustained.ofLastDatapoints. */
  datapoints: number;
  /** The region being failed out of: reads there are bounded and never throw. */
  sourceRegion: string;
  failedRegionCallMs: number;
}

/**
 * Reads one signal from the region that holds it.
 *
 * - readFrom is the failed region: bounded by failedRegionCallMs (the read is aborted there;
 *   throttles inside the bound are retried) and never throws (static stability); no answer
 *   becomes `readable: false`, which the decision counts as failing.
 * - readFrom is any other region (the target, where the orchestrator runs): throttling and 5xx
 *   are retried with backoff for READ_RETRY_MS, then thrown as AwsTransientError, so the state
 *   machine retries the step rather than deciding on a hole in the evidence; access denied or a bad query is
 *   AwsRequestError, a plan or IAM bug that must surface instead of silently dropping a signal
 *   (which could make a real outage look like a blip). A successful read with no datapoints is
 *   readable: for error counts, no data means no errors.
 */
export async function readSignal(
  clients: Pick<ClientRegistry, 'forRegion'>,
  signal: MetricSignal,
  context: SignalReadContext,
): Promise<SignalReading> {
  const { cloudwatch } = clients.forRegion(signal.readFrom);
  const window = { now: context.now, datapoints: context.datapoints };
  const read = (abortSignal: AbortSignal) =>
    readSignalDatapoints(cloudwatch, signal, window, { abortSignal });
  if (signal.readFrom !== context.sourceRegion) {
    // A healthy region: a throttle or 5xx is retried for a while (READ_RETRY_MS), then thrown.
    const datapoints = await retryOrThrow(`GetMetricData(${signal.name})`, read);
    return { signal, readable: true, datapoints };
  }
  try {
    // Transient errors are retried within the same bound; the in-flight read is aborted at it.
    const outcome = await retryTransient(read, { deadlineMs: context.failedRegionCallMs });
    if (outcome.ok) return { signal, readable: true, datapoints: outcome.value };
    // Timeouts, refused connections and 5xx after the retries look like the outage itself.
    const detail =
      outcome.lastError === undefined
        ? `no answer within ${context.failedRegionCallMs} ms`
        : (outcome.lastError as Error).message;
    return { signal, readable: false, datapoints: [], detail };
  } catch (error) {
    // A refusal (access denied, a bad query) means the region answered: no evidence of an outage
    // either way. Never fatal in the failed region; recorded so the plan or IAM gets fixed.
    const why = (error as Error).message;
    return {
      signal,
      readable: true,
      datapoints: [],
      detail: `answered with an error, not evidence of an outage: ${why}`,
    };
  }
}

const RPO_LOOKBACK_MS = 5 * 60_000;

/**
 * The newest RPO lag (ms) of an Aurora Global Database secondary cluster, or null when
 * CloudWatch has none in the last five minutes. AuroraGlobalDBRPOLag first; older Aurora MySQL
 * versions only publish AuroraGlobalDBReplicationLag. Both are published in the secondary's
 * region, so read them there. One request carries both queries. Throws translated errors.
 */
export async function readRpoLagMs(
  cloudwatch: CloudWatchClient,
  clusterIdentifier: string,
  now: Date,
  options: ReadOptions = {},
): Promise<number | null> {
  const lagQuery = (id: string, metricName: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/RDS',
        MetricName: metricName,
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: clusterIdentifier }],
      },
      Period: 60,
      Stat: 'Maximum',
    },
    ReturnData: true,
  });
  const series = await getMetricData(
    cloudwatch,
    `GetMetricData(RPO lag of ${clusterIdentifier})`,
    [lagQuery('rpo', 'AuroraGlobalDBRPOLag'), lagQuery('replication', 'AuroraGlobalDBReplicationLag')],
    { start: new Date(now.getTime() - RPO_LOOKBACK_MS), end: now },
    options,
  );
  return newestValue(series.get('rpo')) ?? newestValue(series.get('replication'));
}

function newestValue(points: Datapoint[] | undefined): number | null {
  let newest: Datapoint | undefined;
  for (const point of points ?? []) {
    if (!newest || point.timestamp.getTime() > newest.timestamp.getTime()) newest = point;
  }
  return newest?.value ?? null;
}

/** How far back the Fargate usage read looks: several of its one-minute datapoints. */
const USAGE_LOOKBACK_MS = 10 * 60_000;

/**
 * Fargate On-Demand vCPUs in use in the client's region: CloudWatch AWS/Usage `ResourceCount`
 * with Service=Fargate, Type=Resource, Resource=vCPU, Class=Standard/OnDemand (ECS Developer
 * Guide, "AWS Fargate usage metrics"), the highest value of the last ten minutes (usage moves
 * while the read lags: the higher figure is the safe one). null when CloudWatch has no datapoint
 * in that window. Throws translated errors.
 */
export async function readFargateOnDemandVcpuUsage(
  cloudwatch: CloudWatchClient,
  now: Date,
  options: ReadOptions = {},
): Promise<number | null> {
  const query: MetricDataQuery = {
    Id: 'usage',
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Usage',
        MetricName: 'ResourceCount',
        Dimensions: [
          { Name: 'Service', Value: 'Fargate' },
          { Name: 'Type', Value: 'Resource' },
          { Name: 'Resource', Value: 'vCPU' },
          { Name: 'Class', Value: 'Standard/OnDemand' },
        ],
      },
      Period: 60,
      Stat: 'Maximum',
    },
    ReturnData: true,
  };
  const series = await getMetricData(
    cloudwatch,
    'GetMetricData(Fargate vCPU usage)',
    [query],
    { start: new Date(now.getTime() - USAGE_LOOKBACK_MS), end: now },
    options,
  );
  const values = (series.get('usage') ?? []).map((p) => p.value);
  return values.length > 0 ? Math.max(...values) : null;
}
