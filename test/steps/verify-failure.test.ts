import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsRequestError, AwsTransientError, InputInvalidError } from '../../src/errors.js';
import { handler } from '../../src/handlers/verify-failure.js';
import type { VerifyFailureInput } from '../../src/steps/contracts.js';
import { verifyFailure } from '../../src/steps/verify-failure.js';
import { event } from '../../src/timeline/types.js';
import { awsError, hang } from '../support/aws.js';
import { inVirtualTime } from '../support/clock.js';
import { type Answer, metrics } from '../support/cloudwatch.js';
import { testDepsBounded } from '../support/deps.js';
import { lambdaContext } from '../support/lambda-context.js';
import { failoverRequest } from '../support/request.js';

const sdkError = (name: string, httpStatusCode: number) =>
  awsError(CloudWatchServiceException, name, httpStatusCode, `${name} from test`);

const NOW = new Date('2024-05-14T10:07:30Z');

const request = failoverRequest({
  trigger: {
    alarmName: 'orders-primary-unhealthy-from-us-west-2',
    alarmRegion: 'us-west-2',
    stateReason: 'Threshold Crossed: 2 out of the last 3 datapoints were less than the threshold (90.0).',
  },
});

const input = (overrides: Partial<VerifyFailureInput> = {}): VerifyFailureInput => ({
  request,
  attempt: 0,
  ...overrides,
});

const deps = () => testDepsBounded(NOW, 100);

describe('verify-failure', () => {
  const cloudwatchMock = mockClient(CloudWatchClient);

  /** Answers per signal: the ALB 5xx count (read in us-east-1) and the canary (read in us-west-2). */
  function answer(alb: Answer, canary: Answer) {
    cloudwatchMock.on(GetMetricDataCommand).callsFake((command: GetMetricDataCommandInput) => {
      const metric = command.MetricDataQueries?.[0]?.MetricStat?.Metric?.MetricName;
      return metric === 'HTTPCode_ELB_5XX_Count' ? alb() : canary();
    });
  }
  const failWith = (error: Error) => () => Promise.reject(error);

  afterEach(() => {
    cloudwatchMock.reset();
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('fails over at once when both signals watching the source already show K of N failing', async () => {
    // Prepare
    answer(metrics('alb-5xx-failing.json'), metrics('canary-failing.json'));

    // Act
    const output = await verifyFailure(input(), deps());

    // Assess
    expect(output).toMatchObject({ decision: 'failover', attempt: 1, recheckAfterSeconds: 30 });
    expect(output.signals).toEqual([
      expect.objectContaining({
        name: 'use1-alb-5xx',
        readFrom: 'us-east-1',
        failingDatapoints: 3,
        failing: true,
      }),
      expect.objectContaining({
        name: 'use1-canary-from-usw2',
        readFrom: 'us-west-2',
        failingDatapoints: 3,
        failing: true,
      }),
    ]);
    expect(output.timeline.map((e) => e.phase)).toEqual(['started', 'succeeded']);
    expect(output.timeline[1]?.facts).toMatchObject({ failingSignals: 2, minFailingSignals: 2 });
  });

  it('reads only the signals that watch the source region', async () => {
    // Prepare
    answer(metrics('alb-5xx-failing.json'), metrics('canary-failing.json'));

    // Act
    await verifyFailure(input(), deps());

    // Assess
    expect(cloudwatchMock).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
  });

  it.each([
    { name: 'times out', alb: hang },
    { name: 'cannot be reached', alb: failWith(sdkError('TimeoutError', 500)) },
  ])('counts the failed region as failing when its CloudWatch $name', async ({ alb }) => {
    // Prepare
    answer(alb, metrics('canary-failing.json'));

    // Act
    const output = await verifyFailure(input(), deps());

    // Assess
    expect(output.decision).toBe('failover');
    expect(output.signals[0]).toMatchObject({ name: 'use1-alb-5xx', readable: false, failing: true });
    expect(output.timeline.at(-1)?.facts).toMatchObject({ unreadableSignals: 1 });
  });

  it('does not count a refusal from the failed region (access denied) as evidence of an outage', async () => {
    // Prepare: the region answered, so its silence is not what failed.
    answer(failWith(sdkError('AccessDeniedException', 403)), metrics('canary-failing.json'));

    // Act
    const output = await verifyFailure(input(), deps());

    // Assess
    expect(output.signals[0]).toMatchObject({ name: 'use1-alb-5xx', readable: true, failing: false });
    expect(output.signals[0]?.note).toMatch(/answered with an error, not evidence of an outage/);
    expect(output.decision).not.toBe('failover');
  });

  it('rechecks while the canary has only started failing', async () => {
    // Prepare
    answer(metrics('alb-5xx-failing.json'), metrics('canary-starting-to-fail.json'));

    // Act
    const output = await verifyFailure(input(), deps());

    // Assess
    expect(output).toMatchObject({ decision: 'recheck', attempt: 1, recheckAfterSeconds: 30 });
    expect(output.timeline.at(-1)).toMatchObject({
      phase: 'progress',
      facts: { failingSignals: 1, pendingSignals: 1, check: 1 },
    });
    expect(output.timeline.at(-1)?.message).toMatch(/looking again in 30 s$/);
  });

  it('carries the earlier timeline forward and starts only once', async () => {
    // Prepare
    answer(metrics('alb-5xx-failing.json'), metrics('canary-failing.json'));
    const earlier = [
      event(new Date('2024-05-14T10:07:00Z'), 'verify-failure', 'started', 'checking 2 signal(s)'),
      event(new Date('2024-05-14T10:07:00Z'), 'verify-failure', 'progress', 'evidence incomplete'),
    ];

    // Act
    const output = await verifyFailure(input({ attempt: 1, previous: { timeline: earlier } }), deps());

    // Assess
    expect(output.attempt).toBe(2);
    expect(output.timeline.map((e) => e.phase)).toEqual(['started', 'progress', 'succeeded']);
  });

  it('ends as no-action, on the record, when the canary has recovered', async () => {
    // Prepare
    answer(metrics('alb-5xx-failing.json'), metrics('canary-recovered.json'));

    // Act
    const output = await verifyFailure(input(), deps());

    // Assess
    expect(output.decision).toBe('no-action');
    expect(output.timeline.at(-1)).toMatchObject({ phase: 'no-action', facts: { failing: 'use1-alb-5xx' } });
    expect(output.timeline.at(-1)?.message).toMatch(/^blip: 1 of the 2 required signals .* recovered$/);
  });

  it('ends as no-action when the rechecks are exhausted', async () => {
    // Prepare
    answer(metrics('alb-5xx-failing.json'), metrics('canary-starting-to-fail.json'));

    // Act
    const output = await verifyFailure(input({ attempt: 4 }), deps());

    // Assess
    expect(output).toMatchObject({ decision: 'no-action', attempt: 5 });
    expect(output.timeline.at(-1)?.message).toMatch(/^not sustained after 4 recheck\(s\)/);
  });

  it.each([
    { name: 'throttled', error: sdkError('ThrottlingException', 400), expected: AwsTransientError },
    { name: 'denied', error: sdkError('AccessDeniedException', 403), expected: AwsRequestError },
  ])(
    'fails the step with $expected.name when the target-region read is $name',
    async ({ error, expected }) => {
      // Prepare: a throttle is retried for a while (virtual time) before it fails the step
      vi.useFakeTimers();
      answer(metrics('alb-5xx-failing.json'), failWith(error));

      // Act
      const run = inVirtualTime(verifyFailure(input(), deps()));

      // Assess
      await expect(run).rejects.toBeInstanceOf(expected);
    },
  );

  it.each(['manual', 'planned'] as const)(
    'skips the check for a %s request: an operator decided',
    async (mode) => {
      // Prepare
      const previous = { timeline: [event(NOW, 'normalize-input', 'succeeded', 'request accepted')] };

      // Act
      const output = await verifyFailure(input({ request: { ...request, mode }, previous }), deps());

      // Assess
      expect(cloudwatchMock).not.toHaveReceivedAnyCommand();
      expect(output).toMatchObject({ decision: 'failover', attempt: 1, signals: [] });
      expect(output.timeline.map((e) => e.phase)).toEqual(['succeeded', 'skipped']);
      expect(output.timeline[1]?.facts).toMatchObject({ mode });
    },
  );

  describe('handler', () => {
    const invoke = (event: unknown) =>
      handler(event, lambdaContext({ functionName: 'orders-verify-failure' }));

    it('runs the step with the packaged plan and returns its output', async () => {
      // Prepare
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(NOW);
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');
      answer(metrics('alb-5xx-failing.json'), metrics('canary-failing.json'));

      // Act
      const output = await invoke(input());

      // Assess
      expect(output.decision).toBe('failover');
      expect(output.timeline.at(-1)).toMatchObject({ at: NOW.toISOString(), phase: 'succeeded' });
    });

    it('rejects a malformed input with InputInvalidError naming the field', async () => {
      // Prepare
      const { sourceRegion: _, ...withoutSource } = request;

      // Act
      const run = invoke({ request: withoutSource, attempt: -1 });

      // Assess
      await expect(run).rejects.toBeInstanceOf(InputInvalidError);
      await expect(run).rejects.toThrow(/request\.sourceRegion/);
      await expect(run).rejects.toThrow(/attempt/);
    });
  });
});
