import { readFileSync } from 'node:fs';
import { RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLIENT_RETRIES, CLIENT_TIMEOUTS, ClientRegistry } from '../../src/aws/clients.js';
import { type HttpTimeouts, unansweredEnd } from '../../src/sim/endpoints.js';

/**
 * No SDK call may outlive the invocation that makes it (DESIGN.md, "A deadline cancels"): for
 * every client the registry builds, the worst case of one call, every attempt unanswered until
 * the client's own timeout ends it plus the longest backoff between attempts, must stay below the
 * smallest timeout of any step (each step may use any client of the shared registry). A step's
 * timeout is its function's Lambda timeout (serverless.yml) or its Task's TimeoutSeconds
 * (statemachines/failover.asl.json), whichever is smaller.
 */

interface AslState {
  Type: string;
  Resource?: unknown;
  Parameters?: { FunctionName?: unknown };
  TimeoutSeconds?: number;
  Branches?: { States: Record<string, AslState> }[];
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
}

interface ServerlessConfig {
  provider: { timeout?: number };
  functions: Record<string, { timeout?: number }>;
}

/** Lambda's default when neither the provider nor the function sets one (Lambda Developer Guide). */
const LAMBDA_DEFAULT_TIMEOUT_S = 3;

const serverless = parse(readFileSync('serverless.yml', 'utf8')) as ServerlessConfig;
const definition = JSON.parse(readFileSync('statemachines/failover.asl.json', 'utf8')) as {
  States: Record<string, AslState>;
};

function lambdaTimeoutSeconds(fn: string): number {
  return serverless.functions[fn]?.timeout ?? serverless.provider.timeout ?? LAMBDA_DEFAULT_TIMEOUT_S;
}

function functionOf(state: AslState): string | undefined {
  const ref = (value: unknown) => {
    const getAtt = (value as { 'Fn::GetAtt'?: unknown[] } | undefined)?.['Fn::GetAtt'];
    return Array.isArray(getAtt) ? String(getAtt[0]) : undefined;
  };
  return ref(state.Resource) ?? ref(state.Parameters?.FunctionName);
}

function tasks(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, AslState]] : []),
    ...(state.Branches ?? []).flatMap((b) => tasks(b.States)),
    ...[state.ItemProcessor, state.Iterator].flatMap((inner) => (inner ? tasks(inner.States) : [])),
  ]);
}

/** Every Task with the time its step has: Lambda timeout, capped by the Task's TimeoutSeconds. */
const steps = tasks(definition.States).map(([state, task]) => {
  const fn = functionOf(task) ?? '';
  const seconds = Math.min(lambdaTimeoutSeconds(fn), task.TimeoutSeconds ?? Number.POSITIVE_INFINITY);
  return { state, fn, timeoutMs: seconds * 1000 };
});

/**
 * The longest wait before retry i (0-based) of the standard retry strategy (@smithy/core
 * 3.41 retry: full jitter up to min(20 s, base x 2^i), base 1 s after a throttle, 50 ms after
 * any other transient error; a Retry-After hint adds up to 5 s more).
 */
const MAX_RETRY_DELAY_MS = 20_000;
const THROTTLING_BASE_MS = 1_000;
const RETRY_AFTER_EXTRA_MS = 5_000;
const maxBackoffMs = (attempts: number) =>
  Array.from(
    { length: Math.max(0, attempts - 1) },
    (_, i) => Math.min(MAX_RETRY_DELAY_MS, THROTTLING_BASE_MS * 2 ** i) + RETRY_AFTER_EXTRA_MS,
  ).reduce((a, b) => a + b, 0);

/** How long one unanswered attempt can last: blackholed or accepted-and-silent, whichever is longer. */
function attemptBoundMs(timeouts: HttpTimeouts): number {
  const ends = (['no-connection', 'no-answer'] as const).map(
    (how) => unansweredEnd(how, timeouts)?.afterMs ?? Number.POSITIVE_INFINITY,
  );
  return Math.max(...ends);
}

interface BuiltClient {
  config: {
    requestHandler?: unknown;
    maxAttempts: () => Promise<number>;
    retryStrategy: () => Promise<{ mode?: string }>;
  };
}

async function boundOf(client: BuiltClient) {
  const handler = client.config.requestHandler as { configProvider?: Promise<HttpTimeouts> };
  const timeouts = (await handler.configProvider) ?? {};
  const attempts = await client.config.maxAttempts();
  const attemptMs = attemptBoundMs(timeouts);
  return {
    timeouts,
    attempts,
    retryMode: (await client.config.retryStrategy()).mode,
    attemptMs,
    worstMs: attempts * attemptMs + maxBackoffMs(attempts),
  };
}

function everyClient(registry: ClientRegistry): [string, BuiltClient][] {
  const regional = registry.forRegion('us-west-2');
  return [
    ['rds', regional.rds],
    ['ecs', regional.ecs],
    ['cloudwatch', regional.cloudwatch],
    ['autoscaling', regional.autoscaling],
    ['sfn', regional.sfn],
    ['dynamodb', regional.dynamodb],
    ['sns', regional.sns],
    ['route53', registry.route53()],
    [
      'arc cluster',
      registry.routingControlCluster({
        region: 'ap-southeast-2',
        url: 'https://abcd1234.route53-recovery-cluster.ap-southeast-2.amazonaws.com/v1',
      }),
    ],
  ] as [string, BuiltClient][];
}

describe('ClientRegistry: no SDK call outlives its step', () => {
  const smallest = steps.reduce((a, b) => (b.timeoutMs < a.timeoutMs ? b : a));

  it('reads every Task of the state machine with its Lambda timeout', () => {
    expect(steps.length).toBeGreaterThan(20);
    expect(steps.every((s) => s.fn !== '' && s.fn in serverless.functions)).toBe(true);
    expect(smallest.timeoutMs).toBe(60_000);
  });

  it.each(everyClient(new ClientRegistry()))(
    '%s: (timeout x maxAttempts) + backoff stays below the smallest step timeout',
    async (_name, client) => {
      const bound = await boundOf(client);
      expect(bound.timeouts).toMatchObject(CLIENT_TIMEOUTS);
      // Adaptive mode adds client-side rate limiting waits; pinned so the environment cannot switch it.
      expect(bound.retryMode).toBe('standard');
      expect(bound.attemptMs).toBe(CLIENT_TIMEOUTS.requestTimeout);
      expect(
        bound.worstMs,
        `${bound.attempts} x ${bound.attemptMs} ms + backoff vs ${smallest.state} (${smallest.timeoutMs} ms)`,
      ).toBeLessThan(smallest.timeoutMs);
    },
  );

  it('pins three attempts (one for the ARC cluster client), whatever AWS_MAX_ATTEMPTS says', async () => {
    const before = process.env.AWS_MAX_ATTEMPTS;
    process.env.AWS_MAX_ATTEMPTS = '10';
    try {
      const bounds = await Promise.all(everyClient(new ClientRegistry()).map(([, c]) => boundOf(c)));
      expect(bounds.map((b) => b.attempts)).toEqual([...Array(8).fill(CLIENT_RETRIES.maxAttempts), 1]);
      // 3 x 10 s + (1 + 5) s + (2 + 5) s.
      expect(bounds[0]?.worstMs).toBe(43_000);
      expect(bounds.at(-1)?.worstMs).toBe(10_000);
    } finally {
      if (before === undefined) delete process.env.AWS_MAX_ATTEMPTS;
      else process.env.AWS_MAX_ATTEMPTS = before;
    }
  });

  it('would catch a requestTimeout that only warns: a silent request then has no bound', async () => {
    // What the registry had before: requestTimeout without throwOnRequestTimeout logs a warning
    // and the request waits on (@smithy/node-http-handler 4.x).
    const client = new RDSClient({
      region: 'us-west-2',
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
    });
    const bound = await boundOf(client as unknown as BuiltClient);
    expect(unansweredEnd('no-connection', bound.timeouts)?.afterMs).toBe(3_000);
    expect(unansweredEnd('no-answer', bound.timeouts)).toBeNull();
    expect(bound.worstMs).toBe(Number.POSITIVE_INFINITY);
    client.destroy();
  });
});
