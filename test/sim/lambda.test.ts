import { InvokeCommand, RequestTooLargeException, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { invokeHook } from '../../src/hooks/invoke.js';
import { buildHookPayload } from '../../src/hooks/payload.js';
import { COLD_START_MS } from '../../src/sim/lambda.js';
import { failoverRequest } from '../support/request.js';
import { type Drill, elapsed, PRIMARY, STANDBY, startDrill } from './harness.js';

const payload = buildHookPayload('afterPromotion', failoverRequest(), []);
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const text = (value: Uint8Array | undefined) => new TextDecoder().decode(value);

describe('simulated Lambda', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  it("runs the default world's cache warm-up: cold the first time, warm after, and records each invocation", async () => {
    drill = startDrill();
    const client = drill.registry.lambda(STANDBY);

    const first = await drill.run(
      client.send(new InvokeCommand({ FunctionName: 'orders-cache-warmup', Payload: bytes(payload) })),
    );
    const firstMs = elapsed();
    await drill.run(
      client.send(new InvokeCommand({ FunctionName: 'orders-cache-warmup', Payload: bytes(payload) })),
    );

    expect(first).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(first.FunctionError).toBeUndefined();
    expect(JSON.parse(text(first.Payload))).toEqual({ warmedKeys: 12_000 });
    expect(firstMs).toBeGreaterThanOrEqual(4_000 + COLD_START_MS);
    expect(elapsed() - firstMs).toBeLessThan(firstMs - COLD_START_MS / 2);
    const invocations = drill.cloud.lambdaInvocations();
    expect(invocations.map((i) => [i.region, i.functionName, i.outcome])).toEqual([
      [STANDBY, 'orders-cache-warmup', 'ok'],
      [STANDBY, 'orders-cache-warmup', 'ok'],
    ]);
    expect(invocations[0]?.payload).toEqual(payload);
  });

  it('answers a failing function with 200, FunctionError Unhandled and the error document', async () => {
    drill = startDrill({
      lambdaFunctions: [
        {
          name: 'orders-cache-warmup',
          behaviour: 'fail',
          runMs: 500,
          error: { type: 'TypeError', message: 'x is undefined' },
        },
      ],
    });

    const out = await drill.run(
      drill.registry
        .lambda(STANDBY)
        .send(new InvokeCommand({ FunctionName: 'orders-cache-warmup', Payload: bytes({}) })),
    );

    expect(out).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(JSON.parse(text(out.Payload))).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'x is undefined',
    });
  });

  it("ends a hanging function at its own timeout with Lambda's timeout error", async () => {
    drill = startDrill({
      lambdaFunctions: [{ name: 'orders-cache-warmup', behaviour: 'hang', timeoutSeconds: 5 }],
    });

    const out = await drill.run(
      drill.registry
        .lambda(STANDBY)
        .send(new InvokeCommand({ FunctionName: 'orders-cache-warmup', Payload: bytes({}) })),
    );

    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(out.Payload))).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 5\.00 seconds$/),
    });
    expect(elapsed()).toBeGreaterThanOrEqual(5_000);
  });

  it('lets the caller give up on a hanging function (the function runs on; the call is aborted)', async () => {
    drill = startDrill({
      lambdaFunctions: [{ name: 'orders-cache-warmup', behaviour: 'hang', timeoutSeconds: 900 }],
    });

    const result = await drill.run(
      invokeHook(drill.registry.lambda(STANDBY), 'orders-cache-warmup', payload, 20_000),
    );

    expect(result.status).toBe('timed-out');
    expect(elapsed()).toBeGreaterThanOrEqual(20_000);
    expect(elapsed()).toBeLessThan(21_000);
    expect(drill.cloud.lambdaInvocations()[0]?.outcome).toBe('aborted');
  });

  it.each([
    [
      'a function that does not exist',
      STANDBY,
      'orders-cache-warmpu',
      'arn:aws:lambda:us-west-2:123456789012:function:orders-cache-warmpu',
    ],
    [
      'an ARN of another region than the endpoint',
      STANDBY,
      'arn:aws:lambda:us-east-1:123456789012:function:orders-cache-warmup',
      'arn:aws:lambda:us-west-2:123456789012:function:orders-cache-warmup',
    ],
    [
      'a version that was never published',
      STANDBY,
      'orders-cache-warmup:3',
      'arn:aws:lambda:us-west-2:123456789012:function:orders-cache-warmup:3',
    ],
  ])(
    'answers %s with ResourceNotFoundException (404), as Lambda names it',
    async (_case, region, name, arn) => {
      drill = startDrill();

      const error = await drill.failure(
        drill.registry.lambda(region).send(new InvokeCommand({ FunctionName: name })),
      );

      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.message).toBe(`Function not found: ${arn}`);
      expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(404);
    },
  );

  it('finds the function by name in either region it is deployed in', async () => {
    drill = startDrill();

    const out = await drill.run(
      drill.registry
        .lambda(PRIMARY)
        .send(new InvokeCommand({ FunctionName: 'orders-cache-warmup', Payload: bytes({}) })),
    );

    expect(out.StatusCode).toBe(200);
  });

  it('refuses a payload over the 6 MB synchronous limit', async () => {
    drill = startDrill();

    const error = await drill.failure(
      drill.registry.lambda(STANDBY).send(
        new InvokeCommand({
          FunctionName: 'orders-cache-warmup',
          Payload: bytes({ x: 'y'.repeat(6 * 1024 * 1024) }),
        }),
      ),
    );

    expect(error).toBeInstanceOf(RequestTooLargeException);
  });
});
