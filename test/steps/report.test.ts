import {
  CloudWatchClient,
  CloudWatchServiceException,
  PutMetricDataCommand,
  type PutMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputInvalidError } from '../../src/errors.js';
import { handler } from '../../src/handlers/report.js';
import { report } from '../../src/steps/report.js';
import { awsError, hang, regionOf } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { completedState, failedAtReadinessState } from '../support/execution-state.js';
import { lambdaContext } from '../support/lambda-context.js';

/** Five seconds after the target was verified serving (03:03:25). */
const NOW = '2026-11-22T03:03:30.000Z';
const EXECUTION = { executionName: 'exec-1', executionStartedAt: '2026-11-22T03:00:00.000Z' };
const PUT_METRIC_DATA_DEADLINE_MS = 5000;

const dimensions = (outcome: string) => [
  { Name: 'Plan', Value: 'orders' },
  { Name: 'Outcome', Value: outcome },
];

describe('report', () => {
  const cloudwatchMock = mockClient(CloudWatchClient);

  /** The input and region of every PutMetricData sent. */
  const published = () =>
    Promise.all(
      cloudwatchMock.commandCalls(PutMetricDataCommand).map(async (call) => ({
        region: await regionOf(call.thisValue),
        input: call.args[0].input,
      })),
    );

  afterEach(() => {
    cloudwatchMock.reset();
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('publishes RTO and RPO under FailoverOrchestrator with Plan and Outcome dimensions', async () => {
    // Prepare
    cloudwatchMock.on(PutMetricDataCommand).resolves({});

    // Act
    await report({ state: completedState(), outcome: 'succeeded', ...EXECUTION }, testDeps(NOW));

    // Assess
    const metric = (MetricName: string, Value: number, Unit: string) => ({
      MetricName,
      Value,
      Unit,
      Dimensions: dimensions('succeeded'),
      Timestamp: new Date(NOW),
    });
    expect(await published()).toEqual([
      {
        region: 'us-west-2',
        input: {
          Namespace: 'FailoverOrchestrator',
          MetricData: [
            metric('Executions', 1, 'Count'),
            metric('RTOSeconds', 210, 'Seconds'),
            metric('UserFacingRTOSeconds', 270, 'Seconds'),
            metric('RPOSeconds', 0.42, 'Seconds'),
          ],
        },
      },
    ]);
  });

  it('returns the report with its own event closing the timeline', async () => {
    // Prepare
    cloudwatchMock.on(PutMetricDataCommand).resolves({});

    // Act
    const output = await report(
      { state: completedState(), outcome: 'succeeded', ...EXECUTION },
      testDeps(NOW),
    );

    // Assess
    expect(output.report).toMatchObject({
      planName: 'orders',
      executionName: 'exec-1',
      outcome: 'succeeded',
      verifiedAt: '2026-11-22T03:03:25.000Z',
      rtoSeconds: 210,
      userFacingRtoSeconds: 270,
      rpo: { seconds: 0.42 },
    });
    const closing = {
      at: NOW,
      step: 'report',
      phase: 'succeeded',
      message: 'Failover us-east-1 -> us-west-2 succeeded: RTO 210 s, RPO 0.42 s.',
      facts: { outcome: 'succeeded', rtoSeconds: 210, rpoSeconds: 0.42, metricsPublished: true },
    };
    expect(output.timeline).toEqual([closing]);
    expect(output.report.timeline[0]).toMatchObject({ step: 'normalize-input' });
    expect(output.report.timeline.at(-1)).toEqual(closing);
  });

  it('publishes only the execution count, as failed, when the execution stopped', async () => {
    // Prepare
    cloudwatchMock.on(PutMetricDataCommand).resolves({});

    // Act
    const output = await report(
      { state: failedAtReadinessState(), outcome: 'failed', ...EXECUTION },
      testDeps(NOW),
    );

    // Assess
    const [sent] = await published();
    expect(sent?.input.MetricData).toEqual([
      {
        MetricName: 'Executions',
        Value: 1,
        Unit: 'Count',
        Dimensions: dimensions('failed'),
        Timestamp: new Date(NOW),
      },
    ]);
    expect(output.report.failure).toEqual({
      error: 'TargetNotReadyError',
      cause: 'us-west-2 is not ready; nothing was changed: aurora-target-cluster: orders-usw2 is headless',
    });
    expect(output.timeline).toEqual([
      expect.objectContaining({
        step: 'report',
        phase: 'failed',
        facts: { outcome: 'failed', rtoSeconds: null, rpoSeconds: null, metricsPublished: true },
      }),
    ]);
  });

  it("publishes in the function's own region when the execution failed before the request was known", async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', 'us-east-1');
    cloudwatchMock.on(PutMetricDataCommand).resolves({});
    const state = {
      input: { nonsense: true },
      failure: { Error: 'InputInvalidError', Cause: 'normalize-input: input is invalid: input: required' },
    };

    // Act
    const output = await report({ state, outcome: 'failed', ...EXECUTION }, testDeps(NOW));

    // Assess
    expect((await published()).map((p) => p.region)).toEqual(['us-east-1']);
    expect(output.report).toMatchObject({ outcome: 'failed', targetRegion: null });
  });

  it.each([
    ['refuses the call', () => Promise.reject(awsError(CloudWatchServiceException, 'AccessDenied', 403))],
    ['throttles', () => Promise.reject(awsError(CloudWatchServiceException, 'Throttling', 400))],
    ['does not answer', () => hang<PutMetricDataCommandOutput>()],
  ])('still returns the report, metrics unpublished, when CloudWatch %s', async (_case, answer) => {
    // Prepare
    vi.useFakeTimers();
    cloudwatchMock.on(PutMetricDataCommand).callsFake(answer);

    // Act
    const run = report({ state: completedState(), outcome: 'succeeded', ...EXECUTION }, testDeps(NOW));
    await vi.advanceTimersByTimeAsync(PUT_METRIC_DATA_DEADLINE_MS);
    const output = await run;

    // Assess
    expect(output.report).toMatchObject({ outcome: 'succeeded', rtoSeconds: 210 });
    expect(output.timeline).toEqual([
      expect.objectContaining({
        step: 'report',
        phase: 'succeeded',
        facts: expect.objectContaining({ metricsPublished: false }),
      }),
    ]);
    expect(output.report.timeline.at(-1)?.facts).toMatchObject({ metricsPublished: false });
  });

  describe('handler', () => {
    const invoke = (event: unknown) => handler(event, lambdaContext({ functionName: 'orders-report' }));

    it('runs the step with the packaged plan and returns its output', async () => {
      // Prepare
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(NOW));
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');
      cloudwatchMock.on(PutMetricDataCommand).resolves({});

      // Act
      const output = await invoke({ state: completedState(), outcome: 'succeeded', ...EXECUTION });

      // Assess
      expect(output.report).toMatchObject({ outcome: 'succeeded', rtoSeconds: 210 });
      expect(output.timeline).toEqual([expect.objectContaining({ at: NOW, step: 'report' })]);
      expect(cloudwatchMock).toHaveReceivedCommandWith(PutMetricDataCommand, {
        Namespace: 'FailoverOrchestrator',
      });
    });

    it('rejects a malformed input with InputInvalidError naming the fields', async () => {
      // Prepare
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');

      // Act
      const run = invoke({
        state: completedState(),
        outcome: 'half-done',
        executionStartedAt: EXECUTION.executionStartedAt,
      });

      // Assess
      await expect(run).rejects.toBeInstanceOf(InputInvalidError);
      await expect(run).rejects.toThrow(/^report: input is invalid: outcome: .*; executionName: /);
      expect(cloudwatchMock).not.toHaveReceivedAnyCommand();
    });
  });
});
