import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  Route53ServiceException,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsTransientError, ControlPlaneUnavailableError } from '../../src/errors.js';
import type { DnsRecordPlan, FailoverPlan } from '../../src/plan/schema.js';
import { shiftTraffic } from '../../src/steps/shift-traffic.js';
import { awsError, hang, mutatingCommandsSent } from '../support/aws.js';
import { inVirtualTime } from '../support/clock.js';
import { testDeps } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { apiRecord, recordUpsertPlan, USE1_ALB, USW2_ALB } from '../support/plan.js';
import { may20Request } from '../support/request.js';

const NOW = new Date('2024-05-20T14:09:00.000Z');
const request = may20Request();

function withRecords(...records: DnsRecordPlan[]): FailoverPlan {
  const plan = recordUpsertPlan();
  return { ...plan, dns: { ...plan.dns, records } };
}
const wwwRecord = (): DnsRecordPlan => {
  const { setIdentifier: _, ...record } = apiRecord();
  return { ...record, name: 'www.orders.example.com.', routing: 'simple' };
};

describe('shiftTraffic', () => {
  const route53Mock = mockClient(Route53Client);

  afterEach(() => {
    route53Mock.reset();
    vi.useRealTimers();
  });

  it('moves the weighted record to target 100 and source 0 in one UPSERT batch', async () => {
    // Prepare
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'));
    route53Mock
      .on(ChangeResourceRecordSetsCommand)
      .resolves(fixture('route53/change-resource-record-sets-pending.json'));

    // Act
    const output = await shiftTraffic({ request }, testDeps(NOW));

    // Assess
    expect(route53Mock).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z3M3LMPEXAMPLE',
      ChangeBatch: {
        Comment: 'failover orders-20240520T1401Z: us-east-1 -> us-west-2 (automatic)',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'api.orders.example.com.',
              Type: 'CNAME',
              SetIdentifier: 'orders-usw2',
              Weight: 100,
              HealthCheckId: 'abcdef66-7777-8888-9999-000000fedcba',
              TTL: 60,
              ResourceRecords: [{ Value: USW2_ALB }],
            },
          },
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'api.orders.example.com.',
              Type: 'CNAME',
              SetIdentifier: 'orders-use1',
              Weight: 0,
              HealthCheckId: 'abcdef11-2222-3333-4444-555555fedcba',
              TTL: 60,
              ResourceRecords: [{ Value: USE1_ALB }],
            },
          },
        ],
      },
    });
    expect(output).toEqual({
      records: [{ name: 'api.orders.example.com.', action: 'changed', changeId: 'C2682N5HXP0BZ4' }],
      startedAt: '2024-05-20T14:09:00.000Z',
      deadline: '2024-05-20T14:14:00.000Z',
      maxTtlSeconds: 60,
      timeline: [
        expect.objectContaining({
          step: 'shift-traffic',
          phase: 'started',
          facts: {
            record: 'api.orders.example.com. CNAME',
            from: 'orders-use1=100 orders-usw2=0',
            to: 'orders-use1=0 orders-usw2=100',
            changeId: 'C2682N5HXP0BZ4',
          },
        }),
      ],
    });
  });

  it('sends no change when the record already points at the target', async () => {
    // Prepare
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-weighted-target.json'));

    // Act
    const output = await shiftTraffic({ request }, testDeps(NOW));

    // Assess
    expect(route53Mock).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    expect(output.records).toEqual([{ name: 'api.orders.example.com.', action: 'already', changeId: null }]);
    expect(output.maxTtlSeconds).toBe(60);
    expect(output.timeline).toEqual([expect.objectContaining({ phase: 'skipped' })]);
  });

  it('replaces the value of a simple record with the target region value', async () => {
    // Prepare
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-simple-primary.json'));
    route53Mock
      .on(ChangeResourceRecordSetsCommand)
      .resolves(fixture('route53/change-resource-record-sets-pending.json'));

    // Act
    const output = await shiftTraffic({ request }, testDeps(NOW, withRecords(wwwRecord())));

    // Assess
    expect(route53Mock).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      ChangeBatch: expect.objectContaining({
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'www.orders.example.com.',
              Type: 'CNAME',
              TTL: 60,
              ResourceRecords: [{ Value: USW2_ALB }],
            },
          },
        ],
      }),
    });
    // Clients may hold the old answer for the TTL it was served with, longer than the plan's.
    expect(output.maxTtlSeconds).toBe(300);
  });

  it('sends one change batch per hosted zone, so records of a zone move together', async () => {
    // Prepare
    const privateApi: DnsRecordPlan = { ...apiRecord(), hostedZoneId: 'Z1D633PJN98FT9' };
    route53Mock
      .on(ListResourceRecordSetsCommand, { StartRecordName: 'api.orders.example.com.' })
      .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'))
      .on(ListResourceRecordSetsCommand, { StartRecordName: 'www.orders.example.com.' })
      .resolves(fixture('route53/list-resource-record-sets-simple-primary.json'));
    route53Mock
      .on(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z3M3LMPEXAMPLE' })
      .resolves({ ChangeInfo: { Id: '/change/CPUBLIC1', Status: 'PENDING', SubmittedAt: NOW } })
      .on(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z1D633PJN98FT9' })
      .resolves({ ChangeInfo: { Id: '/change/CPRIVATE2', Status: 'PENDING', SubmittedAt: NOW } });

    // Act
    const output = await shiftTraffic(
      { request },
      testDeps(NOW, withRecords(apiRecord(), privateApi, wwwRecord())),
    );

    // Assess
    expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
    const publicBatch = route53Mock
      .commandCalls(ChangeResourceRecordSetsCommand, { HostedZoneId: 'Z3M3LMPEXAMPLE' })[0]
      ?.args[0].input.ChangeBatch?.Changes?.map((c) => c.ResourceRecordSet?.Name);
    expect(publicBatch).toEqual([
      'api.orders.example.com.',
      'api.orders.example.com.',
      'www.orders.example.com.',
    ]);
    expect(output.records.map((r) => r.changeId)).toEqual(['CPUBLIC1', 'CPRIVATE2', 'CPUBLIC1']);
  });

  describe('in a dry run', () => {
    const dryRun = may20Request({ dryRun: true });

    it('reads and decides, sends nothing, records what it would do', async () => {
      // Prepare
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'));

      // Act
      const output = await shiftTraffic({ request: dryRun }, testDeps(NOW));

      // Assess
      expect(route53Mock).toHaveReceivedCommandTimes(ListResourceRecordSetsCommand, 1);
      expect(route53Mock).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
      expect(mutatingCommandsSent(route53Mock)).toEqual([]);
      expect(output).toEqual({
        records: [{ name: 'api.orders.example.com.', action: 'changed', changeId: null }],
        startedAt: '2024-05-20T14:09:00.000Z',
        deadline: '2024-05-20T14:14:00.000Z',
        maxTtlSeconds: 60,
        dryRun: true,
        timeline: [
          {
            at: '2024-05-20T14:09:00.000Z',
            step: 'shift-traffic',
            phase: 'dry-run',
            message: 'would UPSERT api.orders.example.com. weights orders-use1=0 orders-usw2=100',
            facts: {
              record: 'api.orders.example.com. CNAME',
              from: 'orders-use1=100 orders-usw2=0',
              to: 'orders-use1=0 orders-usw2=100',
              hostedZoneId: 'Z3M3LMPEXAMPLE',
              wouldDo: true,
            },
          },
        ],
      });
    });

    it('names the value a simple record would get', async () => {
      // Prepare
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .resolves(fixture('route53/list-resource-record-sets-simple-primary.json'));

      // Act
      const output = await shiftTraffic({ request: dryRun }, testDeps(NOW, withRecords(wwwRecord())));

      // Assess
      expect(mutatingCommandsSent(route53Mock)).toEqual([]);
      expect(output.timeline[0]?.message).toBe(
        `would UPSERT www.orders.example.com. CNAME ${USW2_ALB} (was ${USE1_ALB})`,
      );
      expect(output.maxTtlSeconds).toBe(300);
    });

    it('records a record already pointing at the target as already done', async () => {
      // Prepare
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .resolves(fixture('route53/list-resource-record-sets-weighted-target.json'));

      // Act
      const output = await shiftTraffic({ request: dryRun }, testDeps(NOW));

      // Assess
      expect(output.records).toEqual([
        { name: 'api.orders.example.com.', action: 'already', changeId: null },
      ]);
      expect(output.timeline).toEqual([expect.objectContaining({ phase: 'skipped' })]);
    });
  });

  it('turns Route 53 throttling into AwsTransientError', async () => {
    // Prepare
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'));
    route53Mock
      .on(ChangeResourceRecordSetsCommand)
      .rejects(awsError(Route53ServiceException, 'Throttling', 400, 'Rate exceeded'));

    vi.useFakeTimers();

    // Act: the control plane answers (with throttles): retried until the step's budget, then the state machine's
    const shifted = inVirtualTime(shiftTraffic({ request }, testDeps(NOW)));

    // Assess
    await expect(shifted).rejects.toThrow(AwsTransientError);
    await expect(shifted).rejects.toThrow(/Throttling: Rate exceeded; answered, so not an outage/);
    expect(route53Mock.commandCalls(ChangeResourceRecordSetsCommand).length).toBeGreaterThan(1);
  });

  it('stops with ControlPlaneUnavailableError when us-east-1 stays silent, saying what DNS shows afterwards', async () => {
    // Prepare: the change batch never gets an answer; a last read does
    vi.useFakeTimers();
    route53Mock
      .on(ListResourceRecordSetsCommand)
      .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'));
    route53Mock.on(ChangeResourceRecordSetsCommand).callsFake(() => hang());

    // Act
    const shifted = inVirtualTime(shiftTraffic({ request }, testDeps(NOW)));

    // Assess
    await expect(shifted).rejects.toThrow(ControlPlaneUnavailableError);
    await expect(shifted).rejects.toThrow(
      /Read back afterwards: DNS was not changed \(api\.orders\.example\.com\. CNAME orders-use1=100 orders-usw2=0\)/,
    );
    const sent = route53Mock.commandCalls(ChangeResourceRecordSetsCommand);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.every((c) => (c.args as unknown[])[1] !== undefined)).toBe(true);
    expect(
      sent.every((c) => ((c.args as unknown[])[1] as { abortSignal?: AbortSignal }).abortSignal?.aborted),
    ).toBe(true);
  });
});
