import {
  type CloudWatchClientResolvedConfig,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-cloudwatch';
import type { AwsStub } from 'aws-sdk-client-mock';
import { regionOf } from './aws.js';
import { fixture } from './fixtures.js';

/** How a fake CloudWatch answers one GetMetricData read: a recorded response, an error, or silence. */
export type Answer = () => Promise<GetMetricDataCommandOutput>;

/** Answers with the recorded response `test/fixtures/cloudwatch/<name>`. */
export const metrics =
  (name: string): Answer =>
  () =>
    Promise.resolve(fixture<GetMetricDataCommandOutput>(`cloudwatch/${name}`));

/**
 * Answers each GetMetricData read from `reads`, keyed by `<region> <metric name>` (the region of
 * the client the read went through); any read not listed there fails.
 */
export function answerMetricReads(
  cloudwatchMock: AwsStub<ServiceInputTypes, ServiceOutputTypes, CloudWatchClientResolvedConfig>,
  reads: Record<string, Answer>,
): void {
  cloudwatchMock.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput, getClient) => {
    const region = await regionOf(getClient());
    const metric = input.MetricDataQueries?.[0]?.MetricStat?.Metric?.MetricName;
    const answer = reads[`${region} ${metric}`];
    if (!answer) throw new Error(`unexpected GetMetricData(${metric}) in ${region}`);
    return answer();
  });
}
