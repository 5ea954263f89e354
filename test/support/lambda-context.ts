import type { Context } from 'aws-lambda';

/**
 * A Lambda context for invoking handlers in tests. Middy reads getRemainingTimeInMillis to
 * answer before Lambda's own timeout; without it the early-timeout guard misbehaves.
 */
export function lambdaContext(overrides: Partial<Context> = {}, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  const functionName = overrides.functionName ?? 'failover-orchestrator-test';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-west-2:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2024/05/14/[$LATEST]6f1c2b3a4d5e6f708192a3b4c5d6e7f8',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
