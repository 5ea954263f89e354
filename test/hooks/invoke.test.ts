import {
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  LambdaServiceException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_TIMEOUTS, ClientRegistry, HOOK_CLIENT } from '../../src/aws/clients.js';
import { invokeHook, validateHook } from '../../src/hooks/invoke.js';
import { buildHookPayload } from '../../src/hooks/payload.js';
import { MAX_HOOK_TIMEOUT_SECONDS } from '../../src/plan/hooks.js';
import { awsError, hang } from '../support/aws.js';
import { fixture } from '../support/fixtures.js';
import { failoverRequest } from '../support/request.js';

/** A recorded Invoke answer; its Payload as the bytes the SDK hands out. */
function invokeOutput(name: string): InvokeCommandOutput {
  const raw = fixture<InvokeCommandOutput & { Payload: string }>(`lambda/${name}.json`);
  return { ...raw, Payload: new TextEncoder().encode(raw.Payload) } as InvokeCommandOutput;
}

const payload = buildHookPayload('afterPromotion', failoverRequest(), []);

// One mock for the file: a second mockClient of the same class would undo the first.
const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

describe('invokeHook', () => {
  const client = new ClientRegistry().lambda('us-west-2');

  it('invokes synchronously with the payload and reports what the function returned', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('invoke-ok'));

    const result = await invokeHook(client, 'orders-cache-warmup', payload, 20_000);

    expect(result).toEqual({ status: 'ok', detail: 'returned {"warmedKeys":12000}' });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ FunctionName: 'orders-cache-warmup', InvocationType: 'RequestResponse' });
    expect(JSON.parse(new TextDecoder().decode(sent?.Payload as Uint8Array))).toEqual(payload);
  });

  it('reads a function error from the 200 answer (FunctionError and the error document)', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('invoke-function-error'));

    expect(await invokeHook(client, 'orders-cache-warmup', payload, 20_000)).toEqual({
      status: 'failed',
      detail: 'RedisConnectionError: connect ETIMEDOUT 10.0.3.17:6379 (Unhandled)',
    });
  });

  it("reports the function's own timeout, which Lambda answers as an Unhandled function error", async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('invoke-timed-out'));

    const result = await invokeHook(client, 'orders-cache-warmup', payload, 20_000);

    expect(result.status).toBe('failed');
    expect(result.detail).toMatch(
      /^Sandbox\.Timedout: RequestId: .* Task timed out after 3\.00 seconds \(Unhandled\)$/,
    );
  });

  it('reports an unknown function as failed, with the error Lambda names', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(
        awsError(
          LambdaServiceException,
          'ResourceNotFoundException',
          404,
          'Function not found: arn:aws:lambda:us-west-2:123456789012:function:orders-cache-warmpu',
        ),
      );

    expect(await invokeHook(client, 'orders-cache-warmpu', payload, 20_000)).toEqual({
      status: 'failed',
      detail:
        'ResourceNotFoundException: Function not found: arn:aws:lambda:us-west-2:123456789012:function:orders-cache-warmpu',
    });
  });

  it('stops waiting at the timeout and aborts the request, saying the function may still run', async () => {
    let signal: AbortSignal | undefined;
    lambda.on(InvokeCommand).callsFake(() => hang());
    // The mock does not see the abort signal: record what invokeHook passes to send.
    const send = client.send.bind(client);
    client.send = ((command: InvokeCommand, options?: { abortSignal?: AbortSignal }) => {
      signal = options?.abortSignal;
      return send(command, options as never);
    }) as typeof client.send;

    const result = await invokeHook(client, 'orders-cache-warmup', payload, 50);
    client.send = send as typeof client.send;

    expect(result).toEqual({
      status: 'timed-out',
      detail:
        'no answer within 0.05 s; the function may still be running (Lambda cannot cancel an invocation): check its logs',
    });
    expect(signal?.aborted).toBe(true);
  });
});

describe('validateHook', () => {
  const client = new ClientRegistry().lambda('us-west-2');

  it('asks Lambda to validate the invocation (DryRun, 204) and runs nothing', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 204, $metadata: { httpStatusCode: 204 } });

    expect(await validateHook(client, 'orders-cache-warmup', 10_000)).toEqual({
      status: 'ok',
      detail: 'exists and may be invoked (Invoke DryRun)',
    });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { InvocationType: 'DryRun' });
    expect(lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload).toBeUndefined();
  });

  it('reports a function the role may not invoke', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(
        awsError(
          LambdaServiceException,
          'AccessDeniedException',
          403,
          'not authorized to perform: lambda:InvokeFunction',
        ),
      );

    expect(await validateHook(client, 'orders-cache-warmup', 10_000)).toEqual({
      status: 'failed',
      detail: 'AccessDeniedException: not authorized to perform: lambda:InvokeFunction',
    });
  });
});

describe('the hook Lambda client', () => {
  it('makes one attempt (a repeated Invoke would run the hook twice) and gives up before the 60 s step does', async () => {
    const client = new ClientRegistry().lambda('us-west-2');
    const handler = client.config.requestHandler as unknown as {
      configProvider: Promise<Record<string, unknown>>;
    };

    expect(await client.config.maxAttempts()).toBe(1);
    expect(await handler.configProvider).toMatchObject({
      ...CLIENT_TIMEOUTS,
      requestTimeout: HOOK_CLIENT.requestTimeout,
    });
    // The hook's own timeout aborts first; the client's is the backstop, both inside the step's 60 s.
    expect(HOOK_CLIENT.requestTimeout).toBeGreaterThan(MAX_HOOK_TIMEOUT_SECONDS * 1000);
    expect(CLIENT_TIMEOUTS.connectionTimeout + HOOK_CLIENT.requestTimeout).toBeLessThan(60_000);
  });

  it('builds one client per region and only for hooks', () => {
    const registry = new ClientRegistry();

    expect(registry.lambda('us-west-2')).toBe(registry.lambda('us-west-2'));
    expect(registry.lambda('us-east-1')).not.toBe(registry.lambda('us-west-2'));
  });
});
