import {
  ConflictException,
  GetRoutingControlStateCommand,
  ResourceNotFoundException,
  ThrottlingException,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterEndpoint } from '../../src/aws/clients.js';
import type { SimOptions } from '../../src/sim/cloud.js';
import { LATENCIES } from '../../src/sim/latencies.js';
import { healthCheckPlan, ONE_REGION_ON_RULE, USE1_CONTROL, USW2_CONTROL } from '../support/arc.js';
import { examplePlan } from '../support/plan.js';
import { type Drill, elapsed, PRIMARY, startDrill, T0 } from './harness.js';

const USE1_VALUE = 'orders-use1-1234567890.us-east-1.elb.amazonaws.com';
const USW2_VALUE = 'orders-usw2-0987654321.us-west-2.elb.amazonaws.com';
const endpoints = examplePlan().dns.routingControl?.endpoints ?? [];
const endpoint = (region: string) => endpoints.find((e) => e.region === region) as ClusterEndpoint;
const set = (entries: [string, 'On' | 'Off'][], overrides?: string[]) =>
  new UpdateRoutingControlStatesCommand({
    UpdateRoutingControlStateEntries: entries.map(([arn, state]) => ({
      RoutingControlArn: arn,
      RoutingControlState: state,
    })),
    ...(overrides ? { SafetyRulesToOverride: overrides } : {}),
  });

describe('simulated Route 53 ARC cluster and health checks', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const start = (options: Partial<SimOptions> = {}) => {
    drill = startDrill({ plan: examplePlan(), ...options });
    return (region: string) => drill.registry.routingControlCluster(endpoint(region));
  };
  /** What the name servers answer now: the values of the records Route 53 chooses among. */
  const answered = () => {
    const { dns } = drill.cloud.snapshot();
    const weighted = dns.filter((d) => (d.weight ?? 1) > 0);
    return (weighted.length > 0 ? weighted : dns).map((d) => d.value);
  };

  it('starts with every control On and answers the primary (weighted 100/0, both health checks healthy)', async () => {
    const cluster = start();

    const read = await drill.run(
      cluster('eu-west-1').send(new GetRoutingControlStateCommand({ RoutingControlArn: USE1_CONTROL })),
    );

    expect(read).toMatchObject({ RoutingControlState: 'On', RoutingControlName: 'orders-us-east-1' });
    expect(answered()).toEqual([USE1_VALUE]);
    expect(drill.cloud.snapshot().dns.map((d) => d.healthy)).toEqual([true, true]);
  });

  it('moves the answers only after the propagation delay, while a read on any endpoint shows the new state at once', async () => {
    const cluster = start();

    await drill.run(cluster('us-west-2').send(set([[USE1_CONTROL, 'Off']])));

    const read = await drill.run(
      cluster('ap-northeast-1').send(new GetRoutingControlStateCommand({ RoutingControlArn: USE1_CONTROL })),
    );
    expect(read.RoutingControlState).toBe('Off');
    expect(answered()).toEqual([USE1_VALUE]);
    await drill.clock.tickAsync(LATENCIES.healthToAnswers.maxMs);
    // us-east-1's record is unhealthy: Route 53 turns to the healthy zero-weight record.
    expect(drill.cloud.snapshot().dns.map((d) => [d.setIdentifier, d.weight, d.healthy])).toEqual([
      ['orders-usw2', 0, true],
    ]);
    expect(answered()).toEqual([USW2_VALUE]);
  });

  it('refuses a change that breaks a safety rule with ConflictException naming it, and changes nothing', async () => {
    const cluster = start();

    const refused = await drill.failure(
      cluster('us-west-2').send(
        set([
          [USE1_CONTROL, 'Off'],
          [USW2_CONTROL, 'Off'],
        ]),
      ),
    );

    expect(refused).toBeInstanceOf(ConflictException);
    expect(refused).toMatchObject({ resourceId: ONE_REGION_ON_RULE, resourceType: 'SafetyRule' });
    expect(refused.message).toMatch(/violates safety rule orders-one-region-on/);
    expect(drill.cloud.routingControlStates()).toEqual({ [USE1_CONTROL]: 'On', [USW2_CONTROL]: 'On' });
  });

  it('lets SafetyRulesToOverride through the rule it names', async () => {
    const cluster = start();

    await drill.run(
      cluster('us-west-2').send(
        set(
          [
            [USE1_CONTROL, 'Off'],
            [USW2_CONTROL, 'Off'],
          ],
          [ONE_REGION_ON_RULE],
        ),
      ),
    );

    expect(drill.cloud.routingControlStates()).toEqual({ [USE1_CONTROL]: 'Off', [USW2_CONTROL]: 'Off' });
  });

  it("refuses a request against a rule's controls inside its wait period", async () => {
    const cluster = start({ arc: { initialStates: { [USW2_CONTROL]: 'Off' } } });

    await drill.run(cluster('us-west-2').send(set([[USW2_CONTROL, 'On']])));
    const tooSoon = await drill.failure(cluster('us-west-2').send(set([[USE1_CONTROL, 'Off']])));
    await drill.clock.tickAsync(5_000);
    await drill.run(cluster('eu-west-1').send(set([[USE1_CONTROL, 'Off']])));

    expect(tooSoon).toBeInstanceOf(ConflictException);
    expect(tooSoon.message).toMatch(/wait period/);
    expect(drill.cloud.routingControlStates()).toEqual({ [USE1_CONTROL]: 'Off', [USW2_CONTROL]: 'On' });
  });

  it('throttles a fourth state change within a second on one endpoint, not on another', async () => {
    const cluster = start({ arc: { initialStates: {} } });
    const toggles: [string, 'On' | 'Off'][][] = [
      [[USW2_CONTROL, 'On']],
      [[USW2_CONTROL, 'On']],
      [[USW2_CONTROL, 'On']],
    ];
    for (const t of toggles) await drill.run(cluster('us-west-2').send(set(t)));
    const fourth = await drill.failure(cluster('us-west-2').send(set([[USW2_CONTROL, 'On']])));

    expect(elapsed()).toBeLessThan(1000 + 4 * LATENCIES.apiCall.maxMs);
    expect(fourth).toBeInstanceOf(ThrottlingException);
    await drill.run(cluster('eu-west-1').send(set([[USW2_CONTROL, 'On']])));
  });

  it('answers an unknown control with ResourceNotFoundException', async () => {
    const cluster = start();

    const missing = await drill.failure(
      cluster('us-west-2').send(new GetRoutingControlStateCommand({ RoutingControlArn: `${USE1_CONTROL}0` })),
    );

    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('leaves the endpoint in an apis-unreachable region silent, and the others answering', async () => {
    const cluster = start({ incidents: [{ region: PRIMARY, kind: 'apis-unreachable', from: T0 }] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 3000);

    const silent = await drill.failure(
      cluster('us-east-1').send(new GetRoutingControlStateCommand({ RoutingControlArn: USE1_CONTROL }), {
        abortSignal: controller.signal,
      }),
    );
    const read = await drill.run(
      cluster('ap-southeast-2').send(new GetRoutingControlStateCommand({ RoutingControlArn: USE1_CONTROL })),
    );

    expect(silent.name).toBe('AbortError');
    expect(read.RoutingControlState).toBe('On');
    expect(drill.cloud.calls.filter((c) => c.region === 'us-east-1').map((c) => c.outcome)).toEqual([
      'AbortError',
    ]);
  });

  it("keeps Route 53's control plane silent on a control-plane-silent incident, and every other us-east-1 API answering", async () => {
    drill = startDrill({ incidents: [{ region: 'us-east-1', kind: 'control-plane-silent', from: T0 }] });
    const { ListResourceRecordSetsCommand } = await import('@aws-sdk/client-route-53');
    const { DescribeGlobalClustersCommand } = await import('@aws-sdk/client-rds');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 3000);

    const silent = await drill.failure(
      drill.registry.route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z3M3LMPEXAMPLE' }), {
        abortSignal: controller.signal,
      }),
    );
    await drill.run(drill.primary.rds.send(new DescribeGlobalClustersCommand({})));

    expect(silent.name).toBe('AbortError');
  });

  describe('health-check records', () => {
    it('fail over by themselves: the SECONDARY answers once the primary is down past detection and propagation', async () => {
      drill = startDrill({
        plan: healthCheckPlan(),
        incidents: [{ region: PRIMARY, kind: 'service-down', from: T0 }],
      });
      const answer = () => drill.cloud.snapshot().dns.map((d) => [d.failover, d.value]);

      expect(answer()).toEqual([['PRIMARY', USE1_VALUE]]);
      await drill.clock.tickAsync(
        LATENCIES.route53HealthCheckDetection.minMs + LATENCIES.healthToAnswers.minMs - 1000,
      );
      expect(answer()).toEqual([['PRIMARY', USE1_VALUE]]);
      await drill.clock.tickAsync(LATENCIES.healthToAnswers.maxMs);
      expect(answer()).toEqual([['SECONDARY', USW2_VALUE]]);
    });

    it('answer the PRIMARY again once its region recovers', async () => {
      drill = startDrill({
        plan: healthCheckPlan(),
        incidents: [{ region: PRIMARY, kind: 'service-down', from: T0 - 10 * 60_000, to: T0 }],
      });

      expect(drill.cloud.snapshot().dns[0]?.failover).toBe('SECONDARY');
      await drill.clock.tickAsync(
        LATENCIES.route53HealthCheckDetection.maxMs + LATENCIES.healthToAnswers.maxMs,
      );
      expect(drill.cloud.snapshot().dns[0]?.failover).toBe('PRIMARY');
    });
  });
});
