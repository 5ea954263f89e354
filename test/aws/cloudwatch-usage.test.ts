import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readFargateOnDemandVcpuUsage } from '../../src/aws/cloudwatch.js';
import { AwsRequestError } from '../../src/errors.js';
import { fixture } from '../support/fixtures.js';

const NOW = new Date('2024-05-14T10:07:30Z');

describe('readFargateOnDemandVcpuUsage', () => {
  const cloudwatchMock = mockClient(CloudWatchClient);
  const cloudwatch = new CloudWatchClient({ region: 'us-west-2' });

  afterEach(() => {
    cloudwatchMock.reset();
  });

  it('reads AWS/Usage ResourceCount for Fargate On-Demand vCPUs and keeps the highest of the last ten minutes', async () => {
    // Prepare
    cloudwatchMock.on(GetMetricDataCommand).resolves(fixture('cloudwatch/fargate-vcpu-usage.json'));

    // Act
    const usage = await readFargateOnDemandVcpuUsage(cloudwatch, NOW);

    // Assess
    expect(usage).toBe(14);
    expect(cloudwatchMock).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(NOW.getTime() - 10 * 60_000),
      EndTime: NOW,
      MetricDataQueries: [
        {
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
        },
      ],
    });
  });

  it('answers null when CloudWatch has no datapoint (nothing ran on Fargate there)', async () => {
    // Prepare
    cloudwatchMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'usage', Label: 'ResourceCount', Timestamps: [], Values: [], StatusCode: 'Complete' },
      ],
      Messages: [],
    });

    // Act, Assess
    expect(await readFargateOnDemandVcpuUsage(cloudwatch, NOW)).toBeNull();
  });

  it('refuses a Forbidden query instead of reading it as no usage', async () => {
    // Prepare
    cloudwatchMock.on(GetMetricDataCommand).resolves(fixture('cloudwatch/forbidden.json'));

    // Act, Assess
    await expect(readFargateOnDemandVcpuUsage(cloudwatch, NOW)).rejects.toThrow(AwsRequestError);
  });
});
