import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import {
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { boundedCall } from '../../src/aws/bounded.js';
import { CLIENT_TIMEOUTS } from '../../src/aws/clients.js';
import { retryTransient } from '../../src/aws/retry.js';
import type { FaultRule } from '../../src/sim/cloud.js';
import { seedMathRandom } from '../../src/sim/random.js';
import { type Drill, elapsed, PRIMARY, STANDBY, startDrill, T0 } from './harness.js';

const describeGlobal = new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'orders-global' });
const describeApi = (cluster: string) => new DescribeServicesCommand({ cluster, services: ['orders-api'] });

describe('simulated faults and outages', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const outcomes = () => drill.cloud.calls.map((c) => `${c.command}:${c.outcome}`);

  it('throttles with the name RDS uses, and the SDK retries until it succeeds', async () => {
    drill = startDrill({ faults: [{ command: 'DescribeGlobalClusters', error: 'throttle', count: 2 }] });
    const out = await drill.run(drill.standby.rds.send(describeGlobal));
    expect(out.GlobalClusters).toHaveLength(1);
    expect(out.$metadata.attempts).toBe(3);
    expect(out.$metadata.totalRetryDelay).toBeGreaterThan(0);
    expect(outcomes()).toEqual([
      'DescribeGlobalClusters:Throttling',
      'DescribeGlobalClusters:Throttling',
      'DescribeGlobalClusters:ok',
    ]);
  });

  it('repeats the SDK backoff when Math.random is seeded', async () => {
    const delays: number[] = [];
    for (const _run of [1, 2]) {
      const restore = seedMathRandom(3);
      try {
        drill = startDrill({ faults: [{ command: 'DescribeGlobalClusters', error: 'throttle', count: 2 }] });
        delays.push((await drill.run(drill.standby.rds.send(describeGlobal))).$metadata.totalRetryDelay ?? 0);
      } finally {
        restore();
        drill.stop();
      }
    }
    expect(delays[1]).toBe(delays[0]);
  });

  it.each<[string, FaultRule['error'], string]>([
    ['a throttle', 'throttle', 'ThrottlingException'],
    ['a server error', 'server-error', 'InternalFailure'],
  ])('retries %s from ECS inside the SDK', async (_case, error, name) => {
    drill = startDrill({ faults: [{ command: 'DescribeServices', region: STANDBY, error, count: 1 }] });
    const out = await drill.run(drill.standby.ecs.send(describeApi('orders-usw2')));
    expect(out.$metadata.attempts).toBe(2);
    expect(outcomes()).toEqual([`DescribeServices:${name}`, 'DescribeServices:ok']);
  });

  it('throws a custom client fault once, without retry', async () => {
    const fault = { name: 'AccessDenied', message: 'not authorized', fault: 'client' as const, status: 403 };
    drill = startDrill({ faults: [{ command: 'DescribeGlobalClusters', error: fault, count: 1 }] });
    const error = await drill.failure(drill.standby.rds.send(describeGlobal));
    expect(error).toMatchObject({ name: 'AccessDenied', message: 'not authorized', $fault: 'client' });
    expect(error.$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 });
    await drill.run(drill.standby.rds.send(describeGlobal));
    expect(outcomes()).toEqual(['DescribeGlobalClusters:AccessDenied', 'DescribeGlobalClusters:ok']);
  });

  it('holds a fault back until its start time', async () => {
    drill = startDrill({
      faults: [{ command: 'DescribeGlobalClusters', error: 'server-error', count: 1, from: T0 + 60_000 }],
    });
    await drill.run(drill.standby.rds.send(describeGlobal));
    await drill.clock.tickAsync(60_000);
    await drill.run(drill.standby.rds.send(describeGlobal));
    expect(outcomes()).toEqual([
      'DescribeGlobalClusters:ok',
      'DescribeGlobalClusters:InternalFailure',
      'DescribeGlobalClusters:ok',
    ]);
  });

  it("times out every attempt into a region whose APIs are unreachable, each at the client's connection timeout", async () => {
    drill = startDrill({ incidents: [{ region: PRIMARY, kind: 'apis-unreachable', from: T0 - 60_000 }] });
    const error = await drill.failure(drill.primary.ecs.send(describeApi('orders-use1')));
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toContain('did not establish a connection');
    expect(error.$fault).toBeUndefined();
    expect(error.$metadata).toMatchObject({ attempts: 3 });
    expect(outcomes()).toEqual(Array(3).fill('DescribeServices:TimeoutError'));
    expect(drill.cloud.calls.map((c) => c.durationMs)).toEqual(
      Array(3).fill(CLIENT_TIMEOUTS.connectionTimeout),
    );
    // Three attempts and the SDK's two short backoffs (50 and 100 ms at most after a timeout).
    expect(elapsed()).toBeGreaterThanOrEqual(3 * CLIENT_TIMEOUTS.connectionTimeout);
    expect(elapsed()).toBeLessThanOrEqual(3 * CLIENT_TIMEOUTS.connectionTimeout + 150);
    // The standby region answers as usual.
    await drill.run(drill.standby.ecs.send(describeApi('orders-usw2')));
    expect(outcomes().at(-1)).toBe('DescribeServices:ok');
  });

  it('gives up a bounded call at its deadline and leaves no timer behind', async () => {
    drill = startDrill({ incidents: [{ region: PRIMARY, kind: 'apis-unreachable', from: T0 }] });
    const outcome = await drill.run(
      boundedCall(
        (abortSignal) => drill.primary.ecs.send(describeApi('orders-use1'), { abortSignal }),
        3_000,
      ),
    );
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout' });
    expect(elapsed()).toBe(3_000);
    expect(outcomes()).toEqual(['DescribeServices:AbortError']);
    expect(drill.clock.countTimers()).toBe(0);
  });

  it("stops the SDK's own retries at the abort: nothing is sent after the deadline", async () => {
    drill = startDrill({ incidents: [{ region: PRIMARY, kind: 'apis-unreachable', from: T0 }] });
    // Two SDK attempts hang 3 s each and time out; the third is in flight at 7 s.
    const outcome = await drill.run(
      boundedCall(
        (abortSignal) => drill.primary.ecs.send(describeApi('orders-use1'), { abortSignal }),
        7_000,
      ),
    );
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout' });
    await drill.clock.tickAsync(120_000);
    expect(outcomes()).toEqual([
      'DescribeServices:TimeoutError',
      'DescribeServices:TimeoutError',
      'DescribeServices:AbortError',
    ]);
    expect(drill.clock.countTimers()).toBe(0);
  });

  it('never applies a change whose request was aborted before it arrived', async () => {
    drill = startDrill();
    const route53 = drill.registry.route53();
    const change = new ChangeResourceRecordSetsCommand({
      HostedZoneId: 'Z3M3LMPEXAMPLE',
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'api.orders.example.com.',
              Type: 'CNAME',
              SetIdentifier: 'orders-use1',
              Weight: 0,
              TTL: 60,
              ResourceRecords: [{ Value: 'orders-use1-1234567890.us-east-1.elb.amazonaws.com' }],
            },
          },
        ],
      },
    });
    // Aborted within its latency (50-300 ms): it never reaches the service.
    const outcome = await drill.run(boundedCall((abortSignal) => route53.send(change, { abortSignal }), 10));
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout' });
    await drill.clock.tickAsync(120_000);
    const listed = await drill.run(
      route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z3M3LMPEXAMPLE' })),
    );
    expect(listed.ResourceRecordSets?.find((r) => r.SetIdentifier === 'orders-use1')?.Weight).toBe(100);
    expect(outcomes()).toEqual(['ChangeResourceRecordSets:AbortError', 'ListResourceRecordSets:ok']);
  });

  it('aborts every attempt of a retried call into an unreachable region, and stops after the window', async () => {
    drill = startDrill({ incidents: [{ region: PRIMARY, kind: 'apis-unreachable', from: T0 }] });
    const outcome = await drill.run(
      retryTransient((abortSignal) => drill.primary.ecs.send(describeApi('orders-use1'), { abortSignal }), {
        attemptMs: 3_000,
        silenceWindowMs: 20_000,
        deadlineMs: 40_000,
      }),
    );
    expect(outcome).toMatchObject({ ok: false, unreachable: true });
    expect(elapsed()).toBeGreaterThanOrEqual(20_000);
    expect(elapsed()).toBeLessThan(24_000);
    expect(new Set(outcomes())).toEqual(new Set(['DescribeServices:AbortError']));
    expect(outcomes().length).toBe(outcome.attempts);
    expect(drill.clock.countTimers()).toBe(0);
  });

  it('routes Route 53 to us-east-1, so only an unreachable us-east-1 affects it', async () => {
    drill = startDrill({ incidents: [{ region: STANDBY, kind: 'apis-unreachable', from: T0 }] });
    await drill.run(
      drill.registry.route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z3M3LMPEXAMPLE' })),
    );
    expect(drill.cloud.calls.at(-1)).toMatchObject({ region: 'us-east-1', outcome: 'ok' });
    drill.stop();

    drill = startDrill({ incidents: [{ region: 'us-east-1', kind: 'apis-unreachable', from: T0 }] });
    const error = await drill.failure(drill.registry.route53().send(new GetChangeCommand({ Id: 'C123' })));
    expect(error.name).toBe('TimeoutError');
  });

  it('applies a call whose answer it then loses: the SDK retries, and the retry meets the change already made', async () => {
    drill = startDrill({ faults: [{ command: 'FailoverGlobalCluster', error: 'lost-response', count: 1 }] });
    const error = await drill.failure(
      drill.standby.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: 'orders-global',
          TargetDbClusterIdentifier: 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2',
          AllowDataLoss: true,
        }),
      ),
    );
    // The first attempt landed (the cloud is failing over); its answer never came, so the client
    // waited out its requestTimeout; the SDK sent it again, and RDS refused the repeat: one
    // failover applied, two sent.
    expect(['pending', 'failing-over']).toContain(drill.cloud.snapshot().database.failoverState);
    expect(drill.cloud.calls[0]?.durationMs).toBe(CLIENT_TIMEOUTS.requestTimeout);
    expect(error.name).toBe('InvalidGlobalClusterStateFault');
    expect(error.$metadata).toMatchObject({ attempts: 2 });
    expect(drill.cloud.calls.map((c) => [c.command, c.outcome, c.lostResponse ?? false])).toEqual([
      ['FailoverGlobalCluster', 'TimeoutError', true],
      ['FailoverGlobalCluster', 'InvalidGlobalClusterStateFault', false],
    ]);
  });

  it('fails loudly on a command it does not simulate', async () => {
    drill = startDrill();
    const rds = await drill.failure(drill.standby.rds.send(new DescribeDBInstancesCommand({})));
    expect(rds).toMatchObject({
      name: 'SimulatorGapError',
      message: expect.stringContaining('DescribeDBInstances'),
    });
    const sfn = await drill.failure(drill.standby.sfn.send(new ListExecutionsCommand({})));
    expect(sfn.message).toContain('SFNClient ListExecutions');
    expect(outcomes()).toEqual(['DescribeDBInstances:SimulatorGapError', 'ListExecutions:SimulatorGapError']);
  });
});
