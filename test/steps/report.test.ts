import {
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientRegistry } from '../../src/aws/clients.js';
import { InputInvalidError } from '../../src/errors.js';
import { eventBridgePublisher } from '../../src/events/publish.js';
import { handler } from '../../src/handlers/report.js';
import { type EmfDocument, onMetrics } from '../../src/metrics/emf.js';
import { report } from '../../src/steps/report.js';
import { awsError, hang, regionOf } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { completedState, executionRequest, failedAtReadinessState } from '../support/execution-state.js';
import { lambdaContext } from '../support/lambda-context.js';

/** Five seconds after the target was verified serving (03:03:25). */
const NOW = '2026-11-22T03:03:30.000Z';
const EXECUTION = { executionName: 'exec-1', executionStartedAt: '2026-11-22T03:00:00.000Z' };
const ARN = 'arn:aws:states:us-west-2:123456789012:execution:failover-dev:exec-1';
const PUBLISH_BOUND_MS = 2000;

/** The completed state, its request carrying the execution ARN as NormalizeInput passes it. */
function completedWithArn() {
  const state = completedState();
  state.steps.normalize.request = { ...executionRequest, executionArn: ARN } as typeof executionRequest;
  return state;
}

/** Test deps with a publisher on us-west-2's default bus (the mocked EventBridge client). */
function depsWithEvents() {
  const deps = testDeps(NOW);
  return { ...deps, events: eventBridgePublisher(new ClientRegistry(), 'us-west-2') };
}

describe('report', () => {
  const eventBridgeMock = mockClient(EventBridgeClient);
  let emitted: EmfDocument[] = [];
  let stopListening: () => void = () => undefined;

  beforeEach(() => {
    // EMF lines would go to stdout; the listener sees every document either way.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    emitted = [];
    stopListening = onMetrics((docs) => emitted.push(...docs));
  });

  afterEach(() => {
    stopListening();
    eventBridgeMock.reset();
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  /** Each EMF document as its dimension set and metric values. */
  const metricsOf = (docs: EmfDocument[]) =>
    docs.map((d) => {
      const [directive] = d._aws.CloudWatchMetrics;
      return {
        namespace: directive?.Namespace,
        dimensions: directive?.Dimensions,
        values: Object.fromEntries(
          ((directive?.Metrics ?? []) as { Name: string }[]).map((m) => [m.Name, d[m.Name]]),
        ),
        timestamp: d._aws.Timestamp,
      };
    });

  it('emits RTO and RPO as EMF under FailoverOrchestrator with the Plan and Outcome dimensions', async () => {
    // Act
    const output = await report(
      { state: completedState(), outcome: 'succeeded', ...EXECUTION },
      testDeps(NOW),
    );

    // Assess
    const [outcome, ...steps] = metricsOf(emitted);
    expect(outcome).toEqual({
      namespace: 'FailoverOrchestrator',
      dimensions: [['Plan', 'Outcome']],
      values: { Executions: 1, RTOSeconds: 210, UserFacingRTOSeconds: 270, RPOSeconds: 0.42 },
      timestamp: Date.parse(NOW),
    });
    expect(emitted[0]).toMatchObject({ Plan: 'orders', Outcome: 'succeeded' });
    // One duration per step, under the Step dimension; no Powertools `service` dimension anywhere.
    expect(steps.map((s) => s.dimensions)).toEqual(steps.map(() => [['Plan', 'Step']]));
    expect(emitted.slice(1).map((d) => [d.Step, d.StepSeconds])).toEqual(
      output.report.steps.map((s) => [s.step, s.seconds]),
    );
    expect(steps.length).toBeGreaterThan(2);
    expect(JSON.stringify(emitted)).not.toContain('"service"');
  });

  it('writes each EMF document as one line on stdout when metrics are enabled', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    let written: string[] = [];
    try {
      await report({ state: completedState(), outcome: 'succeeded', ...EXECUTION }, testDeps(NOW));
    } finally {
      // mockRestore also forgets the calls: read them first.
      written = write.mock.calls.map(([chunk]) => String(chunk));
      write.mockRestore();
    }

    // Assess
    const lines = written.filter((l) => l.includes('"_aws"'));
    expect(lines.map((l) => JSON.parse(l))).toEqual(emitted);
  });

  it('emits Ready per target region for a dry run, 0 when readiness failed', async () => {
    // Prepare
    const state = failedAtReadinessState();
    state.steps.normalize.request = { ...executionRequest, dryRun: true } as typeof executionRequest;

    // Act
    await report({ state, outcome: 'failed', ...EXECUTION }, testDeps(NOW));

    // Assess
    const ready = emitted.find((d) => 'Ready' in d);
    expect(ready).toMatchObject({ Plan: 'orders', TargetRegion: 'us-west-2', Ready: 0 });
    expect(ready?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Plan', 'TargetRegion']]);
  });

  it('emits only the execution count, as failed, when the execution stopped before RTO and RPO', async () => {
    // Act
    const output = await report(
      { state: failedAtReadinessState(), outcome: 'failed', ...EXECUTION },
      testDeps(NOW),
    );

    // Assess
    expect(metricsOf(emitted)[0]?.values).toEqual({ Executions: 1 });
    expect(emitted[0]).toMatchObject({ Outcome: 'failed' });
    expect(emitted.some((d) => 'Ready' in d)).toBe(false);
    expect(output.report.failure).toEqual({
      error: 'TargetNotReadyError',
      cause: 'us-west-2 is not ready; nothing was changed: aurora-target-cluster: orders-usw2 is headless',
    });
    expect(output.timeline).toEqual([
      expect.objectContaining({
        step: 'report',
        phase: 'failed',
        facts: { outcome: 'failed', rtoSeconds: null, rpoSeconds: null },
      }),
    ]);
  });

  it('returns the report with its own event closing the timeline', async () => {
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
      facts: { outcome: 'succeeded', rtoSeconds: 210, rpoSeconds: 0.42 },
    };
    expect(output.timeline).toEqual([closing]);
    expect(output.report.timeline[0]).toMatchObject({ step: 'normalize-input' });
    expect(output.report.timeline.at(-1)).toEqual(closing);
  });

  describe('outcome event', () => {
    it('publishes "Failover Succeeded" on the default bus with RTO, RPO, the summary and a console link', async () => {
      // Prepare
      eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

      // Act
      const output = await report(
        { state: completedWithArn(), outcome: 'succeeded', ...EXECUTION },
        depsWithEvents(),
      );

      // Assess
      const [call] = eventBridgeMock.commandCalls(PutEventsCommand);
      expect(await regionOf(call?.thisValue)).toBe('us-west-2');
      const [entry] = call?.args[0].input.Entries ?? [];
      expect(entry).toMatchObject({
        Source: 'failover.orchestrator',
        DetailType: 'Failover Succeeded',
        Resources: [ARN],
      });
      expect(entry?.EventBusName).toBeUndefined();
      expect(JSON.parse(entry?.Detail ?? '{}')).toEqual({
        schemaVersion: 1,
        eventId: `${ARN}/outcome`,
        at: NOW,
        plan: 'orders',
        execution: {
          name: 'exec-1',
          arn: ARN,
          consoleUrl: `https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/v2/executions/details/${ARN}`,
        },
        mode: 'automatic',
        dryRun: false,
        regions: { from: 'us-east-1', to: 'us-west-2', orchestrator: 'us-west-2' },
        outcome: 'succeeded',
        rtoSeconds: 210,
        userFacingRtoSeconds: 270,
        rpoSeconds: 0.42,
        summary: 'Failover us-east-1 -> us-west-2 succeeded: RTO 210 s, RPO 0.42 s.',
        summaryTruncated: false,
        failure: null,
        approval: null,
      });
      expect(output.timeline[0]?.facts).toMatchObject({ eventPublished: 'Failover Succeeded' });
    });

    it('publishes "Failover Failed" with the ARN from the state when the input was never understood', async () => {
      // Prepare
      eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
      const state = {
        input: { nonsense: true },
        execution: { name: 'exec-1', arn: ARN },
        failure: { Error: 'InputInvalidError', Cause: 'normalize-input: input is invalid: input: required' },
      };

      // Act
      await report({ state, outcome: 'failed', ...EXECUTION }, depsWithEvents());

      // Assess
      const detail = JSON.parse(
        eventBridgeMock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? '{}',
      );
      expect(detail).toMatchObject({
        plan: 'orders',
        execution: { name: 'exec-1', arn: ARN },
        mode: null,
        outcome: 'failed',
        regions: { from: null, to: null, orchestrator: 'us-west-2' },
      });
    });

    it.each([
      [
        'refuses the call',
        () => Promise.reject(awsError(EventBridgeServiceException, 'AccessDeniedException', 400)),
      ],
      ['does not answer', () => hang<PutEventsCommandOutput>()],
      [
        'does not take the entry (FailedEntryCount 1 in a 200 answer)',
        () =>
          Promise.resolve({
            FailedEntryCount: 1,
            Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error' }],
            $metadata: {},
          }),
      ],
    ])(
      'still returns the report, the event recorded as not published, when EventBridge %s',
      async (_case, answer) => {
        // Prepare
        vi.useFakeTimers();
        eventBridgeMock.on(PutEventsCommand).callsFake(answer);

        // Act
        const run = report(
          { state: completedWithArn(), outcome: 'succeeded', ...EXECUTION },
          depsWithEvents(),
        );
        await vi.advanceTimersByTimeAsync(PUBLISH_BOUND_MS);
        const output = await run;

        // Assess
        expect(output.report).toMatchObject({ outcome: 'succeeded', rtoSeconds: 210 });
        expect(output.timeline[0]?.facts).toMatchObject({
          eventNotPublished: 'Failover Succeeded',
          eventError: expect.stringMatching(/^PutEvents: /),
        });
      },
    );
  });

  describe('handler', () => {
    const invoke = (event: unknown) => handler(event, lambdaContext({ functionName: 'orders-report' }));

    it('runs the step with the packaged plan and publishes its outcome event in its own region', async () => {
      // Prepare
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(NOW));
      vi.stubEnv('FAILOVER_PLAN_FILE', 'plans/dev.json');
      vi.stubEnv('AWS_REGION', 'us-east-1');
      eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

      // Act
      const output = await invoke({ state: completedWithArn(), outcome: 'succeeded', ...EXECUTION });

      // Assess
      expect(output.report).toMatchObject({ outcome: 'succeeded', rtoSeconds: 210 });
      expect(output.timeline).toEqual([expect.objectContaining({ at: NOW, step: 'report' })]);
      const [call] = eventBridgeMock.commandCalls(PutEventsCommand);
      expect(await regionOf(call?.thisValue)).toBe('us-east-1');
      expect(call?.args[0].input.Entries?.[0]?.DetailType).toBe('Failover Succeeded');
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
      expect(eventBridgeMock).not.toHaveReceivedAnyCommand();
      expect(emitted).toEqual([]);
    });
  });
});
