import { ECSServiceException } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  gotAnswer,
  inFailedRegion,
  retryOrThrow,
  retryTransient,
  STEP_RETRY_BUDGET_MS,
  UNREACHABLE_WINDOW_MS,
} from '../../src/aws/retry.js';
import { awsCall } from '../../src/aws/translate.js';
import { AwsRequestError, AwsTransientError } from '../../src/errors.js';
import { awsError, hang } from '../support/aws.js';
import { elapsedSince, inVirtualTime } from '../support/clock.js';

const throttled = () => awsError(ECSServiceException, 'ThrottlingException', 400, 'Rate exceeded');
const unavailable = () => awsError(ECSServiceException, 'ServiceUnavailableException', 503);
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** A call that plays `answers` in order (the last one again and again) and keeps every signal it got. */
function scripted(answers: (() => Promise<string>)[]) {
  const signals: AbortSignal[] = [];
  const call = vi.fn((signal: AbortSignal) => {
    signals.push(signal);
    const answer = answers[Math.min(signals.length - 1, answers.length - 1)] as () => Promise<string>;
    return answer();
  });
  return { call, signals };
}

describe('retryTransient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries throttles and 5xx with backoff until an attempt answers', async () => {
    // Prepare
    const { call } = scripted([
      () => Promise.reject(throttled()),
      () => Promise.reject(unavailable()),
      () => Promise.resolve('answer'),
    ]);

    // Act
    const outcome = await inVirtualTime(retryTransient(call, { deadlineMs: 10_000 }));

    // Assess
    expect(outcome).toMatchObject({ ok: true, value: 'answer', attempts: 3 });
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('keeps retrying transient errors until the deadline, then says the region answered', async () => {
    // Prepare
    const { call } = scripted([() => awsCall('DescribeServices', () => Promise.reject(throttled()))]);
    const started = Date.now();

    // Act
    const outcome = await inVirtualTime(retryTransient(call, { deadlineMs: 10_000 }));

    // Assess
    expect(outcome).toMatchObject({
      ok: false,
      unreachable: false,
      detail: 'AwsTransientError: DescribeServices: ThrottlingException: Rate exceeded',
    });
    expect(outcome.ok ? null : outcome.lastError).toBeInstanceOf(AwsTransientError);
    expect(call.mock.calls.length).toBeGreaterThan(5);
    expect(elapsedSince(started)).toBeGreaterThanOrEqual(10_000);
    expect(elapsedSince(started)).toBeLessThan(10_500);
  });

  it.each([
    ['an access denial', () => awsError(ECSServiceException, 'AccessDeniedException', 400)],
    ['a refused request (AwsRequestError)', () => new AwsRequestError('UpdateService: invalid state')],
  ])('throws %s at once, without retrying', async (_case, error) => {
    // Prepare
    const thrown = error();
    const { call } = scripted([() => Promise.reject(thrown)]);

    // Act
    const outcome = retryTransient(call, { deadlineMs: 10_000 });

    // Assess
    await expect(outcome).rejects.toBe(thrown);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('aborts each silent attempt at its bound and the one in flight at the deadline', async () => {
    // Prepare
    const { call, signals } = scripted([() => hang()]);
    const started = Date.now();

    // Act
    const outcome = await inVirtualTime(retryTransient(call, { attemptMs: 3_000, deadlineMs: 10_000 }));

    // Assess
    expect(outcome).toMatchObject({ ok: false, unreachable: true });
    expect(outcome.ok ? null : outcome.lastError).toBeUndefined();
    expect(signals.length).toBeGreaterThanOrEqual(3);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(elapsedSince(started)).toBeLessThanOrEqual(10_000);
  });

  it('gives up on a silent endpoint after the silence window, before the deadline', async () => {
    // Prepare
    const { call } = scripted([() => hang()]);
    const started = Date.now();

    // Act
    const outcome = await inVirtualTime(
      retryTransient(call, {
        attemptMs: 3_000,
        silenceWindowMs: UNREACHABLE_WINDOW_MS,
        deadlineMs: STEP_RETRY_BUDGET_MS,
      }),
    );

    // Assess: several bounded attempts, all silent, across the window
    expect(outcome).toMatchObject({
      ok: false,
      unreachable: true,
      detail: expect.stringMatching(/^no answer within/),
    });
    expect(outcome.attempts).toBeGreaterThanOrEqual(4);
    expect(elapsedSince(started)).toBeGreaterThanOrEqual(UNREACHABLE_WINDOW_MS);
    expect(elapsedSince(started)).toBeLessThan(STEP_RETRY_BUDGET_MS);
  });

  it('counts connection errors as silence, and one HTTP answer as reachable until the deadline', async () => {
    // Prepare: refused connections, then one throttle, then silence again
    const { call } = scripted([
      () => Promise.reject(refused()),
      () => Promise.reject(throttled()),
      () => hang(),
    ]);
    const started = Date.now();

    // Act
    const outcome = await inVirtualTime(
      retryTransient(call, { attemptMs: 3_000, silenceWindowMs: 5_000, deadlineMs: 30_000 }),
    );

    // Assess: the throttle proved the endpoint reachable, so the window did not end it early
    expect(outcome).toMatchObject({ ok: false, unreachable: false });
    expect(elapsedSince(started)).toBeGreaterThanOrEqual(30_000 - 1);
  });

  it('reads an HTTP answer through the domain error that carries the SDK error', () => {
    expect(gotAnswer(new AwsTransientError('x', { cause: unavailable() }))).toBe(true);
    expect(gotAnswer(new AwsTransientError('x', { cause: refused() }))).toBe(false);
    expect(gotAnswer(new AwsTransientError('CloudWatch failed query (InternalError)'))).toBe(true);
    expect(gotAnswer(Object.assign(new Error('socket'), { name: 'TimeoutError', $metadata: {} }))).toBe(
      false,
    );
  });
});

describe('retryOrThrow', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns the answer once a throttled read gets through', async () => {
    const { call } = scripted([() => Promise.reject(throttled()), () => Promise.resolve('ok')]);

    await expect(inVirtualTime(retryOrThrow('DescribeServices', call))).resolves.toBe('ok');
  });

  it.each([
    [
      'transient errors',
      () => Promise.reject(throttled()),
      /^DescribeServices: ThrottlingException: .* \(gave up after \d+ attempt\(s\) over \d+ s\)$/,
    ],
    ['silence', () => hang<string>(), /^DescribeServices: no answer \(\d+ attempt\(s\) over \d+ s\)/],
  ])(
    'throws AwsTransientError for the state machine after %s until the deadline',
    async (_case, answer, message) => {
      const { call } = scripted([answer]);

      const read = inVirtualTime(retryOrThrow('DescribeServices', call, { deadlineMs: 5_000 }));

      await expect(read).rejects.toBeInstanceOf(AwsTransientError);
      await expect(read).rejects.toThrow(message);
    },
  );
});

describe('inFailedRegion', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    [
      'silent across the window',
      () => hang<string>(),
      { unreachable: true, why: /^timeout: no answer \(\d+ attempt\(s\) over 2\d s; last: / },
    ],
    [
      'throttling until the deadline',
      () => Promise.reject(throttled()),
      {
        unreachable: false,
        why: /^error: ThrottlingException: Rate exceeded \(\d+ attempt\(s\) over 40 s\)$/,
      },
    ],
    [
      'refusing',
      () => Promise.reject(awsError(ECSServiceException, 'AccessDeniedException', 400)),
      { unreachable: false, why: /^error: AccessDeniedException/ },
    ],
  ])('records a region %s as an outcome, never a throw', async (_case, answer, expected) => {
    const { call } = scripted([answer]);

    const outcome = await inVirtualTime(
      inFailedRegion(call, { attemptMs: 3_000, deadline: Date.now() + STEP_RETRY_BUDGET_MS }),
    );

    expect(outcome).toMatchObject({ ok: false, unreachable: expected.unreachable });
    expect(outcome.ok ? '' : outcome.why).toMatch(expected.why);
  });
});
