import {
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  LambdaServiceException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { InputInvalidError } from '../../src/errors.js';
import { handler } from '../../src/handlers/invoke-hook.js';
import type { InvokeHookOutput } from '../../src/hooks/contracts.js';
import type { HooksPlan } from '../../src/plan/hooks.js';
import { runHook } from '../../src/steps/invoke-hook.js';
import type { FailoverRequest } from '../../src/steps/request.js';
import { awsError } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { lambdaContext } from '../support/lambda-context.js';
import { examplePlan } from '../support/plan.js';
import { failoverRequest } from '../support/request.js';

const NOW = '2024-05-14T10:07:30.000Z';
const FLAGS = {
  beforeFencing: true,
  afterPromotion: true,
  afterScaleUp: false,
  afterTrafficShift: true,
  afterReport: false,
};

function invokeOutput(name: string): InvokeCommandOutput {
  const raw = fixture<InvokeCommandOutput & { Payload: string }>(`lambda/${name}.json`);
  return { ...raw, Payload: new TextEncoder().encode(raw.Payload) } as InvokeCommandOutput;
}

/** The example plan's hooks plus these; deps at NOW. */
function depsWith(hooks: HooksPlan = {}) {
  const plan = examplePlan();
  plan.hooks = { ...plan.hooks, ...hooks };
  return testDeps(NOW, plan);
}

/** The invoke-hook input the state machine passes at a point before the report. */
function atPoint(
  point: 'beforeFencing' | 'afterPromotion' | 'afterTrafficShift',
  request: Partial<FailoverRequest> = {},
  state: { sofar?: Record<string, unknown>; recovery?: unknown } = {},
) {
  return {
    point,
    request: failoverRequest({ hooks: FLAGS, ...request }),
    sofar: state.sofar ?? {
      readiness: {
        timeline: [
          { at: '2024-05-14T10:06:00.000Z', step: 'check-readiness', phase: 'succeeded', message: 'ready' },
        ],
      },
    },
    takeover: { fence: null },
    recovery: state.recovery ?? null,
  };
}

/** A succeeded failover's report, as the report step returns it; `changes` for other runs. */
function reportOf(changes: Record<string, unknown> = {}) {
  return {
    planName: 'orders',
    executionName: 'orders-20240514T100512Z',
    outcome: 'succeeded',
    mode: 'automatic',
    sourceRegion: 'us-east-1',
    targetRegion: 'us-west-2',
    reason: 'alarm',
    requestedBy: 'alarm:orders-primary-unhealthy-from-us-west-2',
    detectedAt: '2024-05-14T10:05:12.000Z',
    verifiedAt: '2024-05-14T10:07:20.000Z',
    rtoSeconds: 128,
    userFacingRtoSeconds: 188,
    dnsTtlSeconds: 60,
    rpo: { seconds: 0.4, basis: 'estimate' },
    writeUnavailableSeconds: null,
    steps: [],
    fencing: [],
    failure: null,
    readiness: { ready: true, problems: [] },
    actions: [],
    recovery: { kind: 'none', complete: true, notes: [] },
    lock: { state: 'cooldown', detail: 'cool-down', freeCommand: null },
    summary: 'Failover us-east-1 -> us-west-2 succeeded: RTO 128 s, RPO 0.4 s.',
    timeline: [],
    ...changes,
  };
}

describe('invoke-hook', () => {
  const lambda = mockClient(LambdaClient);
  afterEach(() => lambda.reset());

  it('invokes the plan hook in the orchestrator region with the timeline so far, and records ok and its duration', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('invoke-ok'));

    const out = await runHook(atPoint('afterPromotion'), depsWith());

    expect(out).toMatchObject({
      point: 'afterPromotion',
      function: 'orders-cache-warmup',
      onFailure: 'continue',
      status: 'ok',
      detail: 'returned {"warmedKeys":12000}',
      stopNow: false,
      cause: null,
    });
    expect(out.timeline.map((e) => [e.step, e.phase])).toEqual([
      ['hook-after-promotion', 'started'],
      ['hook-after-promotion', 'succeeded'],
    ]);
    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    const payload = JSON.parse(new TextDecoder().decode(sent?.Payload as Uint8Array));
    expect(payload.timeline).toEqual([
      { at: '2024-05-14T10:06:00.000Z', step: 'check-readiness', phase: 'succeeded', message: 'ready' },
    ]);
    expect(payload.idempotencyKey).toBe('orders-20240514T100512Z:afterPromotion');
    expect(await lambda.call(0).thisValue.config.region()).toBe(process.env.AWS_REGION ?? 'us-west-2');
  });

  it('asks the state machine to stop when an abort hook fails, saying what that means at its point', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('invoke-function-error'));
    const deps = depsWith({
      beforeFencing: {
        function: 'orders-pause-queue',
        timeoutSeconds: 10,
        onFailure: 'abort',
        plannedOnly: false,
      },
    });

    const out = await runHook(atPoint('beforeFencing'), deps);

    expect(out).toMatchObject({ status: 'failed', onFailure: 'abort', stopNow: true });
    expect(out.cause).toBe(
      'beforeFencing hook orders-pause-queue failed: RedisConnectionError: connect ETIMEDOUT 10.0.3.17:6379 (Unhandled); onFailure abort: the failover stops before its first change: nothing was changed',
    );
    expect(out.timeline.at(-1)).toMatchObject({ step: 'hook-before-fencing', phase: 'failed' });
  });

  it('goes on when a continue hook fails', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('invoke-function-error'));

    const out = await runHook(atPoint('afterPromotion'), depsWith());

    expect(out).toMatchObject({ status: 'failed', onFailure: 'continue', stopNow: false, cause: null });
  });

  it.each<[string, Parameters<typeof atPoint>[1], Parameters<typeof atPoint>[2], RegExp]>([
    ['a recovering execution', {}, { recovery: { decision: 'shift' } }, /the execution is recovering/],
  ])('invokes nothing in %s and records the skip', async (_case, request, state, why) => {
    const out = await runHook(atPoint('afterPromotion', request, state), depsWith());

    expect(lambda).not.toHaveReceivedAnyCommand();
    expect(out).toMatchObject({ status: 'skipped', stopNow: false, durationMs: 0 });
    expect(out.detail).toMatch(why);
    expect(out.timeline).toHaveLength(1);
    expect(out.timeline[0]).toMatchObject({ step: 'hook-after-promotion', phase: 'skipped' });
  });

  it('checks the function in a dry run with Invoke DryRun, runs nothing, and records what a real run would do', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 204, $metadata: { httpStatusCode: 204 } });

    const out = await runHook(atPoint('afterPromotion', { dryRun: true }), depsWith());

    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: 'orders-cache-warmup',
      InvocationType: 'DryRun',
    });
    expect(out).toMatchObject({ status: 'skipped', stopNow: false });
    expect(out.timeline).toMatchObject([
      {
        step: 'hook-after-promotion',
        phase: 'dry-run',
        message: expect.stringMatching(
          /^would invoke hook orders-cache-warmup in .*: it exists and may be invoked/,
        ),
        facts: { wouldDo: true },
      },
    ]);
  });

  it('reports in a dry run an abort hook that cannot be invoked, without stopping the dry run', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(
        awsError(
          LambdaServiceException,
          'ResourceNotFoundException',
          404,
          'Function not found: orders-pause-queue',
        ),
      );
    const deps = depsWith({
      beforeFencing: {
        function: 'orders-pause-queue',
        timeoutSeconds: 10,
        onFailure: 'abort',
        plannedOnly: false,
      },
    });

    const out = await runHook(atPoint('beforeFencing', { dryRun: true }), deps);

    expect(out).toMatchObject({ status: 'failed', stopNow: false, cause: null });
    expect(out.detail).toMatch(
      /^dry run: hook orders-pause-queue cannot be invoked in .*: ResourceNotFoundException: Function not found: orders-pause-queue; a real failover would abort here/,
    );
  });

  it('skips a plannedOnly hook in an unplanned failover and runs it in a planned one', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('invoke-ok'));
    const deps = depsWith({
      afterTrafficShift: {
        function: 'orders-notify-partner',
        timeoutSeconds: 15,
        onFailure: 'continue',
        plannedOnly: true,
      },
    });

    const unplanned = await runHook(atPoint('afterTrafficShift', { mode: 'manual' }), deps);
    const planned = await runHook(atPoint('afterTrafficShift', { mode: 'planned' }), deps);

    expect(unplanned).toMatchObject({
      status: 'skipped',
      detail: 'plannedOnly: skipped in a manual (unplanned) failover',
    });
    expect(planned).toMatchObject({ status: 'ok', function: 'orders-notify-partner' });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
  });

  it('keeps the first result, and does not stop again, when recovery comes back through the point', async () => {
    const first: InvokeHookOutput = {
      point: 'afterTrafficShift',
      function: 'orders-notify-partner',
      onFailure: 'abort',
      status: 'timed-out',
      detail: 'no answer within 15 s',
      durationMs: 15_000,
      stopNow: true,
      cause: 'afterTrafficShift hook orders-notify-partner timed out',
      timeline: [],
    };
    const deps = depsWith({
      afterTrafficShift: {
        function: 'orders-notify-partner',
        timeoutSeconds: 15,
        onFailure: 'abort',
        plannedOnly: true,
      },
    });

    const again = await runHook(
      atPoint(
        'afterTrafficShift',
        { mode: 'planned' },
        { sofar: { hookAfterTrafficShift: first }, recovery: {} },
      ),
      deps,
    );

    expect(lambda).not.toHaveReceivedAnyCommand();
    expect(again).toEqual({ ...first, stopNow: false });
  });

  it('records a skip when the plan no longer names a hook at the point', async () => {
    const plan = examplePlan();
    delete plan.hooks;

    const out = await runHook(atPoint('afterPromotion'), testDeps(NOW, plan));

    expect(out).toMatchObject({ status: 'skipped', function: null, stopNow: false });
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  it('gives an afterReport hook the report, and never stops anything', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('invoke-function-error'));
    const deps = depsWith({
      afterReport: {
        function: 'orders-post-report',
        timeoutSeconds: 10,
        onFailure: 'continue',
        plannedOnly: false,
      },
    });
    const report = reportOf();

    const out = await runHook({ point: 'afterReport', report }, deps);

    expect(out).toMatchObject({ point: 'afterReport', status: 'failed', stopNow: false });
    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    const payload = JSON.parse(new TextDecoder().decode(sent?.Payload as Uint8Array));
    expect(payload.report).toMatchObject({ outcome: 'succeeded', rtoSeconds: 128, summary: report.summary });
    expect(payload.request).toMatchObject({ mode: 'automatic', targetRegion: 'us-west-2', dryRun: false });
  });

  it('checks an afterReport hook with Invoke DryRun after a dry run that a real error stopped (outcome failed)', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 204 });
    const deps = depsWith({
      afterReport: {
        function: 'orders-post-report',
        timeoutSeconds: 10,
        onFailure: 'continue',
        plannedOnly: false,
      },
    });
    const report = reportOf({
      executionName: 'orders-readiness-20240514T100512Z',
      outcome: 'failed',
      mode: 'manual',
      dryRun: true,
      reason: 'scheduled readiness check',
      requestedBy: 'schedule',
      verifiedAt: null,
      rtoSeconds: null,
      userFacingRtoSeconds: null,
      rpo: { seconds: null, basis: 'none' },
      failure: { error: 'AwsTransientError', cause: 'check-readiness: throttled' },
      readiness: { ready: null, problems: [] },
      lock: { state: 'released', detail: 'released', freeCommand: null },
      summary: 'Dry run failed.',
    });

    await runHook({ point: 'afterReport', report }, deps);

    const sent = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input.InvocationType);
    expect(sent).toEqual(['DryRun']);
  });

  it('refuses an input with no point, naming the step', async () => {
    await expect(handler({ request: failoverRequest() }, lambdaContext())).rejects.toThrow(InputInvalidError);
    await expect(handler({ request: failoverRequest() }, lambdaContext())).rejects.toThrow(
      /^invoke-hook: input is invalid: point/,
    );
  });
});
