import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientRegistry } from '../../src/aws/clients.js';
import {
  AwsTransientError,
  ControlPlaneUnavailableError,
  PlanInvalidError,
  TargetNotReadyError,
} from '../../src/errors.js';
import type { StepDeps } from '../../src/handlers/define-step.js';
import type { DatabasePlan, DnsRecordPlan, FailoverPlan } from '../../src/plan/schema.js';
import type { DrainTrafficOutput } from '../../src/steps/contracts-operators.js';
import { drainTraffic } from '../../src/steps/drain-traffic.js';
import { commandsSent, hang, regionOf } from '../support/aws.js';
import { inVirtualTime } from '../support/clock.js';
import { fixture } from '../support/fixtures.js';
import { examplePlan, onlyDatabase, USE1_ALB, USW2_ALB } from '../support/plan.js';
import { failoverRequest } from '../support/request.js';

const NOW = new Date('2026-11-22T03:00:00.000Z');
const planned = failoverRequest({
  mode: 'planned',
  reason: 'quarterly drill',
  requestedBy: 'jane',
  executionName: 'drill-20261122',
});

function drainingPlan(overrides: Partial<DatabasePlan> = {}): FailoverPlan {
  const plan = examplePlan();
  return {
    ...plan,
    database: { ...onlyDatabase(plan), writesVia: 'global-writer-endpoint', ...overrides },
    dns: { ...plan.dns, drain: { sourceWeights: [75, 50, 25], intervalSeconds: 120 } },
  };
}
const deps = (plan: FailoverPlan = drainingPlan()): StepDeps => ({
  plan,
  clients: new ClientRegistry(),
  now: () => NOW,
});
const first = { timeline: [] };
const appliedUpTo = (stepIndex: number) => ({ timeline: [], stepIndex });

/** A weighted record set as Route 53 lists it, with its health check. */
const weightedSet = (setIdentifier: string, weight: number, value: string, healthCheckId: string) => ({
  Name: 'api.orders.example.com.',
  Type: 'CNAME' as const,
  SetIdentifier: setIdentifier,
  Weight: weight,
  TTL: 60,
  ResourceRecords: [{ Value: value }],
  HealthCheckId: healthCheckId,
});
const SOURCE_HC = 'abcdef11-2222-3333-4444-555555fedcba';
const TARGET_HC = 'abcdef66-7777-8888-9999-000000fedcba';

describe('drainTraffic', () => {
  const route53Mock = mockClient(Route53Client);

  afterEach(() => {
    route53Mock.reset();
    vi.useRealTimers();
  });

  it('moves the first step, 75/25, in one UPSERT batch through the control plane', async () => {
    // Prepare
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'));
    route53Mock
      .on(ChangeResourceRecordSetsCommand)
      .resolves(fixture('route53/change-resource-record-sets-pending.json'));

    // Act
    const output = await drainTraffic({ request: planned, previous: first }, deps());

    // Assess
    expect(route53Mock).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z3M3LMPEXAMPLE',
      ChangeBatch: {
        Comment: 'drain drill-20261122 step 1/3: us-east-1 75 % -> us-west-2 25 % (planned)',
        Changes: [
          { Action: 'UPSERT', ResourceRecordSet: weightedSet('orders-usw2', 25, USW2_ALB, TARGET_HC) },
          { Action: 'UPSERT', ResourceRecordSet: weightedSet('orders-use1', 75, USE1_ALB, SOURCE_HC) },
        ],
      },
    });
    const [call] = route53Mock.commandCalls(ChangeResourceRecordSetsCommand);
    expect(await regionOf(call?.thisValue)).toBe('us-east-1');
    expect(output).toEqual({
      done: false,
      stepIndex: 0,
      sourceWeight: 75,
      targetWeight: 25,
      waitSeconds: 120,
      changeIds: ['C2682N5HXP0BZ4'],
      timeline: [
        expect.objectContaining({
          step: 'drain-traffic',
          phase: 'started',
          message: 'step 1/3: us-east-1 75 % / us-west-2 25 % of DNS answers; next step in 120 s',
        }),
        expect.objectContaining({
          step: 'drain-traffic',
          phase: 'progress',
          facts: {
            record: 'api.orders.example.com. CNAME',
            from: 'orders-use1=100 orders-usw2=0',
            to: 'orders-use1=75 orders-usw2=25',
            changeId: 'C2682N5HXP0BZ4',
            sourcePercentBefore: 100,
          },
        }),
      ],
    });
  });

  it('sends nothing when the records already show this step (a retried invocation)', async () => {
    // Prepare
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-weighted-draining.json'));

    // Act
    const output = await drainTraffic({ request: planned, previous: first }, deps());

    // Assess
    expect(route53Mock).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    expect(output).toMatchObject({ done: false, stepIndex: 0, sourceWeight: 75, changeIds: [] });
    expect(output.timeline[1]).toMatchObject({
      phase: 'skipped',
      message: expect.stringMatching(/already at/),
    });
  });

  it('carries the earlier steps forward and finishes on the last configured weight', async () => {
    // Prepare
    route53Mock.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        weightedSet('orders-use1', 50, USE1_ALB, SOURCE_HC),
        weightedSet('orders-usw2', 50, USW2_ALB, TARGET_HC),
      ],
      IsTruncated: false,
      MaxItems: 300,
    });
    route53Mock
      .on(ChangeResourceRecordSetsCommand)
      .resolves(fixture('route53/change-resource-record-sets-pending.json'));
    const earlier = {
      ...appliedUpTo(1),
      timeline: [{ at: 'x', step: 'drain-traffic' as const, phase: 'started' as const, message: 'step 1/3' }],
    };

    // Act
    const output = await drainTraffic({ request: planned, previous: earlier }, deps());

    // Assess
    const changes = route53Mock.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.ChangeBatch
      ?.Changes;
    expect(changes?.map((c) => [c.ResourceRecordSet?.SetIdentifier, c.ResourceRecordSet?.Weight])).toEqual([
      ['orders-usw2', 75],
      ['orders-use1', 25],
    ]);
    expect(output).toMatchObject({ done: true, stepIndex: 2, sourceWeight: 25, targetWeight: 75 });
    expect(output.timeline.map((e) => e.phase)).toEqual(['started', 'progress', 'succeeded']);
    expect(output.timeline.at(-1)?.message).toMatch(/last drain step; the cut to 0 % follows the switchover/);
  });

  it('reads nothing once every step was applied', async () => {
    // Act
    const output = await drainTraffic({ request: planned, previous: appliedUpTo(2) }, deps());

    // Assess
    expect(commandsSent(route53Mock)).toEqual([]);
    expect(output).toMatchObject({ done: true, stepIndex: 2, sourceWeight: 25, waitSeconds: 0 });
  });

  it('never moves answers back to the source', async () => {
    // Prepare
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-weighted-target.json'));

    // Act
    const output = await drainTraffic({ request: planned, previous: first }, deps());

    // Assess
    expect(route53Mock).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    expect(output.timeline[1]?.message).toMatch(/already gives the source 0 %.*never moves answers back/);
  });

  it('sends one batch per hosted zone', async () => {
    // Prepare
    const plan = drainingPlan();
    const [api] = plan.dns.records as [DnsRecordPlan];
    const privateApi: DnsRecordPlan = { ...api, hostedZoneId: 'Z1D633PJN98FT9' };
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'));
    route53Mock
      .on(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z3M3LMPEXAMPLE' })
      .resolves({ ChangeInfo: { Id: '/change/CPUBLIC1', Status: 'PENDING', SubmittedAt: NOW } })
      .on(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z1D633PJN98FT9' })
      .resolves({ ChangeInfo: { Id: '/change/CPRIVATE2', Status: 'PENDING', SubmittedAt: NOW } });

    // Act
    const output = await drainTraffic(
      { request: planned, previous: first },
      deps({ ...plan, dns: { ...plan.dns, records: [api, privateApi] } }),
    );

    // Assess
    expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
    expect(output.changeIds).toEqual(['CPUBLIC1', 'CPRIVATE2']);
  });

  it('refuses, changing nothing, when the target tasks could not write during the drain', async () => {
    // Act
    const drained = drainTraffic(
      { request: planned, previous: first },
      deps(drainingPlan({ writesVia: 'regional-writer' })),
    );

    // Assess
    await expect(drained).rejects.toThrow(TargetNotReadyError);
    await expect(drained).rejects.toThrow(/writesVia "regional-writer"/);
    expect(commandsSent(route53Mock)).toEqual([]);
  });

  it('refuses weights that cannot express a share', async () => {
    // Prepare
    const plan = drainingPlan();

    // Act
    const drained = drainTraffic(
      { request: planned, previous: first },
      deps({ ...plan, dns: { ...plan.dns, drain: { sourceWeights: [120, 60], intervalSeconds: 60 } } }),
    );

    // Assess
    await expect(drained).rejects.toThrow(PlanInvalidError);
  });

  it('does nothing for an unplanned failover', async () => {
    // Act
    const output = await drainTraffic({ request: failoverRequest(), previous: first }, deps());

    // Assess
    expect(commandsSent(route53Mock)).toEqual([]);
    expect(output).toEqual<DrainTrafficOutput>({
      done: true,
      stepIndex: -1,
      sourceWeight: null,
      targetWeight: null,
      waitSeconds: 0,
      changeIds: [],
      timeline: [expect.objectContaining({ phase: 'skipped' })],
    });
  });

  it('reads and records in a dry run, and sends nothing', async () => {
    // Prepare
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'));

    // Act
    const output = await drainTraffic({ request: { ...planned, dryRun: true }, previous: first }, deps());

    // Assess
    expect(commandsSent(route53Mock)).toEqual(['ListResourceRecordSetsCommand']);
    expect(output).toMatchObject({
      done: false,
      stepIndex: 0,
      sourceWeight: 75,
      changeIds: [],
      dryRun: true,
    });
    expect(output.timeline).toEqual([
      expect.objectContaining({ phase: 'dry-run', message: expect.stringMatching(/^step 1\/3/) }),
      expect.objectContaining({
        phase: 'dry-run',
        message:
          'would set api.orders.example.com. CNAME: orders-use1=100 orders-usw2=0 -> orders-use1=75 orders-usw2=25 (step 1/3)',
        facts: expect.objectContaining({ wouldDo: true, changeId: null }),
      }),
    ]);
  });

  it('records a refusal in a dry run and lets the later steps show theirs', async () => {
    // Act
    const output = await drainTraffic(
      { request: { ...planned, dryRun: true }, previous: first },
      deps(drainingPlan({ writesVia: 'regional-writer' })),
    );

    // Assess
    expect(commandsSent(route53Mock)).toEqual([]);
    expect(output).toMatchObject({ done: true, dryRun: true });
    expect(output.timeline[0]?.message).toMatch(
      /^would stop here with TargetNotReadyError, sending nothing:/,
    );
  });

  it('takes a silent control plane for a transient error in a planned move, never an outage', async () => {
    // Prepare: both regions are healthy by readiness; us-east-1's Route 53 does not answer this time
    vi.useFakeTimers();
    route53Mock.on(ListResourceRecordSetsCommand).callsFake(() => hang());

    // Act
    const drained = inVirtualTime(drainTraffic({ request: planned, previous: first }, deps()));

    // Assess
    await expect(drained).rejects.toThrow(AwsTransientError);
    await expect(drained).rejects.not.toThrow(ControlPlaneUnavailableError);
    expect(route53Mock).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    const options = route53Mock
      .commandCalls(ListResourceRecordSetsCommand)
      .map((call) => (call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined);
    expect(options.map((o) => o?.abortSignal?.aborted)).toEqual([true]);
  });
});
