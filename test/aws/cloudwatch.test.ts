import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientRegistry } from '../../src/aws/clients.js';
import { readRpoLagMs, readSignal, readSignalDatapoints } from '../../src/aws/cloudwatch.js';
import { AwsRequestError, AwsTransientError } from '../../src/errors.js';
import type { MetricSignal } from '../../src/plan/schema.js';
import { awsError, hang, regionOf } from '../support/aws.js';
import { inVirtualTime } from '../support/clock.js';
import { fixture } from '../support/fixtures.js';
import { examplePlan } from '../support/plan.js';

const sdkError = (name: string, httpStatusCode: number) =>
  awsError(CloudWatchServiceException, name, httpStatusCode, `${name} from test`);

const NOW = new Date('2024-05-14T10:07:30Z');
const signalNamed = (name: string): MetricSignal => {
  const signal = examplePlan().signals.find((s) => s.name === name);
  if (!signal) throw new Error(`no signal ${name} in plans/dev.json`);
  return signal;
};
const ALB = signalNamed('use1-alb-5xx'); // read from us-east-1
const CANARY = signalNamed('use1-canary-from-usw2'); // read from us-west-2
const context = { now: NOW, datapoints: 5, sourceRegion: 'us-east-1', failedRegionCallMs: 100 };

describe('cloudwatch', () => {
  const cloudwatchMock = mockClient(CloudWatchClient);
  const cloudwatch = new CloudWatchClient({ region: 'us-west-2' });

  afterEach(() => {
    cloudwatchMock.reset();
    vi.useRealTimers();
  });

  describe('readSignalDatapoints', () => {
    it('asks for N + 4 periods of the signal (room for late data), newest first', async () => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).resolves(fixture('cloudwatch/alb-5xx-failing.json'));

      // Act
      await readSignalDatapoints(cloudwatch, ALB, { now: NOW, datapoints: 5 });

      // Assess
      expect(cloudwatchMock).toHaveReceivedCommandWith(GetMetricDataCommand, {
        MetricDataQueries: [
          {
            Id: 'signal',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ApplicationELB',
                MetricName: 'HTTPCode_ELB_5XX_Count',
                Dimensions: [{ Name: 'LoadBalancer', Value: 'app/orders-use1/50dc6c495c0c9188' }],
              },
              Period: 60,
              Stat: 'Sum',
            },
            ReturnData: true,
          },
        ],
        StartTime: new Date('2024-05-14T09:58:30Z'),
        EndTime: NOW,
        ScanBy: 'TimestampDescending',
      });
    });

    it('returns the datapoints as read, gaps left out', async () => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).resolves(fixture('cloudwatch/alb-5xx-failing.json'));

      // Act
      const datapoints = await readSignalDatapoints(cloudwatch, ALB, { now: NOW, datapoints: 5 });

      // Assess
      expect(datapoints.map((d) => [d.timestamp.toISOString().slice(11, 16), d.value])).toEqual([
        ['10:07', 12],
        ['10:06', 120],
        ['10:05', 340],
        ['10:03', 95],
        ['10:02', 3],
        ['10:01', 1],
      ]);
    });

    it('follows NextToken until the last page', async () => {
      // Prepare
      const first = fixture<GetMetricDataCommandOutput>('cloudwatch/paginated-page-1.json');
      cloudwatchMock
        .on(GetMetricDataCommand)
        .resolvesOnce(first)
        .resolvesOnce(fixture('cloudwatch/paginated-page-2.json'));

      // Act
      const datapoints = await readSignalDatapoints(cloudwatch, ALB, { now: NOW, datapoints: 5 });

      // Assess
      expect(cloudwatchMock).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
      expect(cloudwatchMock).toHaveReceivedNthCommandWith(GetMetricDataCommand, 2, {
        NextToken: first.NextToken,
      });
      expect(datapoints.map((d) => d.value)).toEqual([120, 340, 95]);
    });

    it.each([
      { name: 'throttling', error: sdkError('ThrottlingException', 400), expected: AwsTransientError },
      {
        name: 'a server fault',
        error: sdkError('InternalServiceFault', 500),
        expected: AwsTransientError,
      },
      { name: 'access denied', error: sdkError('AccessDeniedException', 403), expected: AwsRequestError },
      { name: 'an invalid query', error: sdkError('InvalidParameterValue', 400), expected: AwsRequestError },
    ])('translates $name into $expected.name', async ({ error, expected }) => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).rejects(error);

      // Act
      const read = readSignalDatapoints(cloudwatch, ALB, { now: NOW, datapoints: 5 });

      // Assess
      await expect(read).rejects.toBeInstanceOf(expected);
    });

    it('treats a Forbidden query status as a refused request, not as missing data', async () => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).resolves(fixture('cloudwatch/forbidden.json'));

      // Act
      const read = readSignalDatapoints(cloudwatch, CANARY, { now: NOW, datapoints: 5 });

      // Assess
      await expect(read).rejects.toThrow(AwsRequestError);
      await expect(read).rejects.toThrow(/Forbidden.*Access denied to metric data/);
    });
  });

  describe('readSignal', () => {
    it('reads each signal from the region that holds it', async () => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).resolves(fixture('cloudwatch/canary-failing.json'));

      // Act
      await readSignal(new ClientRegistry(), CANARY, context);

      // Assess
      const [call] = cloudwatchMock.commandCalls(GetMetricDataCommand);
      await expect(regionOf(call?.thisValue)).resolves.toBe('us-west-2');
    });

    it('records a failed-region refusal as an answer, not as evidence of an outage, and does not throw', async () => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).rejects(sdkError('AccessDeniedException', 403));

      // Act
      const reading = await readSignal(new ClientRegistry(), ALB, context);

      // Assess
      expect(reading).toMatchObject({ readable: true, datapoints: [] });
      expect(reading.detail).toMatch(
        /^answered with an error, not evidence of an outage: .*AccessDeniedException/,
      );
    });

    it('marks a failed-region signal unreadable when the call cannot get through', async () => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).rejects(sdkError('ServiceUnavailable', 503));

      // Act
      const reading = await readSignal(new ClientRegistry(), ALB, context);

      // Assess
      expect(reading).toMatchObject({ readable: false, datapoints: [] });
    });

    it('gives up on a failed-region signal after failedRegionCallMs, aborting the read', async () => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).callsFake(() => hang());

      // Act
      const reading = await readSignal(new ClientRegistry(), ALB, context);

      // Assess
      expect(reading).toMatchObject({ readable: false, detail: 'no answer within 100 ms' });
      const options = cloudwatchMock
        .commandCalls(GetMetricDataCommand)
        .map((call) => (call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined);
      expect(options.map((o) => o?.abortSignal?.aborted)).toEqual([true]);
    });

    it('retries a throttled target-region read until it answers', async () => {
      // Prepare
      vi.useFakeTimers();
      cloudwatchMock
        .on(GetMetricDataCommand)
        .rejectsOnce(sdkError('ThrottlingException', 400))
        .resolves(fixture('cloudwatch/canary-failing.json'));

      // Act
      const reading = await inVirtualTime(readSignal(new ClientRegistry(), CANARY, context));

      // Assess
      expect(reading.readable).toBe(true);
      expect(cloudwatchMock).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    });

    it('lets a target-region read throttled throughout fail the step so the state machine retries it', async () => {
      // Prepare
      vi.useFakeTimers();
      cloudwatchMock.on(GetMetricDataCommand).rejects(sdkError('ThrottlingException', 400));

      // Act
      const read = inVirtualTime(readSignal(new ClientRegistry(), CANARY, context));

      // Assess
      await expect(read).rejects.toThrow(AwsTransientError);
      expect(cloudwatchMock.commandCalls(GetMetricDataCommand).length).toBeGreaterThan(1);
    });

    it('treats an empty answer as readable: no 5xx datapoints means no errors', async () => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).resolves(fixture('cloudwatch/alb-5xx-no-errors.json'));

      // Act
      const reading = await readSignal(new ClientRegistry(), ALB, context);

      // Assess
      expect(reading).toEqual({ signal: ALB, readable: true, datapoints: [] });
    });
  });

  describe('readRpoLagMs', () => {
    it('asks for both lag metrics of the cluster over the last five minutes', async () => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).resolves(fixture('cloudwatch/rpo-lag.json'));

      // Act
      await readRpoLagMs(cloudwatch, 'orders-usw2', NOW);

      // Assess
      const metric = (MetricName: string) => ({
        Namespace: 'AWS/RDS',
        MetricName,
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-usw2' }],
      });
      expect(cloudwatchMock).toHaveReceivedCommandWith(GetMetricDataCommand, {
        MetricDataQueries: [
          {
            Id: 'rpo',
            MetricStat: { Metric: metric('AuroraGlobalDBRPOLag'), Period: 60, Stat: 'Maximum' },
            ReturnData: true,
          },
          {
            Id: 'replication',
            MetricStat: { Metric: metric('AuroraGlobalDBReplicationLag'), Period: 60, Stat: 'Maximum' },
            ReturnData: true,
          },
        ],
        StartTime: new Date('2024-05-14T10:02:30Z'),
        EndTime: NOW,
      });
    });

    it.each([
      { name: 'the newest RPO lag', file: 'rpo-lag.json', expected: 420 },
      {
        name: 'the replication lag when RPO lag has no data',
        file: 'replication-lag-only.json',
        expected: 1100,
      },
      { name: 'null when neither metric has data', file: 'no-lag-data.json', expected: null },
    ])('returns $name', async ({ file, expected }) => {
      // Prepare
      cloudwatchMock.on(GetMetricDataCommand).resolves(fixture(`cloudwatch/${file}`));

      // Act
      const lag = await readRpoLagMs(cloudwatch, 'orders-usw2', NOW);

      // Assess
      expect(lag).toBe(expected);
    });

    it('picks the newest value whatever order the datapoints come in', async () => {
      // Prepare
      const output = fixture<GetMetricDataCommandOutput>('cloudwatch/rpo-lag.json');
      const rpo = output.MetricDataResults?.[0];
      rpo?.Timestamps?.reverse();
      rpo?.Values?.reverse();
      cloudwatchMock.on(GetMetricDataCommand).resolves(output);

      // Act
      const lag = await readRpoLagMs(cloudwatch, 'orders-usw2', NOW);

      // Assess
      expect(lag).toBe(420);
    });
  });
});
