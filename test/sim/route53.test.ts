import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandInput,
  GetChangeCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
} from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import { type Drill, elapsed, NAME, startDrill, USE1_VALUE, USW2_VALUE, weighted, ZONE } from './harness.js';

const shiftToStandby: ChangeResourceRecordSetsCommandInput = {
  HostedZoneId: `/hostedzone/${ZONE}`,
  ChangeBatch: {
    Comment: 'failover to us-west-2',
    Changes: [
      { Action: 'UPSERT', ResourceRecordSet: weighted('orders-use1', USE1_VALUE, 0) },
      { Action: 'UPSERT', ResourceRecordSet: weighted('orders-usw2', USW2_VALUE, 100) },
    ],
  },
};

describe('simulated Route 53', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const weights = () =>
    Object.fromEntries(drill.cloud.snapshot().dns.map((r) => [r.setIdentifier ?? '', r.weight]));

  it('lists the plan records in Route 53 order with weights favouring the primary', async () => {
    drill = startDrill();
    const out = await drill.run(
      drill.registry.route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE })),
    );
    expect(out.ResourceRecordSets).toEqual([
      weighted('orders-use1', USE1_VALUE, 100),
      weighted('orders-usw2', USW2_VALUE, 0),
    ]);
    expect(out.IsTruncated).toBe(false);

    const page = await drill.run(
      drill.registry.route53().send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          StartRecordName: NAME,
          StartRecordType: 'CNAME',
          MaxItems: 1,
        }),
      ),
    );
    expect(page).toMatchObject({
      IsTruncated: true,
      NextRecordName: NAME,
      NextRecordType: 'CNAME',
      NextRecordIdentifier: 'orders-usw2',
    });
  });

  it('reports a change PENDING, then INSYNC within 30-60 s, and serves it only then', async () => {
    drill = startDrill();
    const route53 = drill.registry.route53();
    const { ChangeInfo } = await drill.run(route53.send(new ChangeResourceRecordSetsCommand(shiftToStandby)));
    expect(ChangeInfo).toMatchObject({ Status: 'PENDING', Comment: 'failover to us-west-2' });
    expect(ChangeInfo?.Id).toMatch(/^\/change\/C[A-Z0-9]{13}$/);
    expect(ChangeInfo?.SubmittedAt).toBeInstanceOf(Date);
    expect(weights()).toEqual({ 'orders-use1': 100, 'orders-usw2': 0 });

    // The control plane shows the new weights at once.
    const listed = await drill.run(route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE })));
    expect(listed.ResourceRecordSets?.map((r) => r.Weight)).toEqual([0, 100]);

    let status = ChangeInfo?.Status;
    while (status === 'PENDING') {
      await drill.clock.tickAsync(5_000);
      const change = await drill.run(route53.send(new GetChangeCommand({ Id: ChangeInfo?.Id })));
      status = change.ChangeInfo?.Status;
    }
    expect(status).toBe('INSYNC');
    expect(elapsed()).toBeGreaterThanOrEqual(30_000);
    expect(elapsed()).toBeLessThanOrEqual(70_000);
    expect(weights()).toEqual({ 'orders-use1': 0, 'orders-usw2': 100 });
  });

  it.each([
    [
      'creating a record that exists',
      'CREATE' as const,
      weighted('orders-use1', USE1_VALUE, 100),
      /already exists/,
    ],
    [
      'deleting a record that does not exist',
      'DELETE' as const,
      weighted('orders-euw1', USE1_VALUE, 0),
      /not found/,
    ],
    [
      'deleting with values that differ',
      'DELETE' as const,
      weighted('orders-use1', USE1_VALUE, 5),
      /do not match/,
    ],
  ])('rejects %s with InvalidChangeBatch', async (_case, Action, ResourceRecordSet, message) => {
    drill = startDrill();
    const error = await drill.failure(
      drill.registry.route53().send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: ZONE,
          ChangeBatch: { Changes: [{ Action, ResourceRecordSet }] },
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidChangeBatch);
    expect(error.message).toMatch(message);
    expect(weights()).toEqual({ 'orders-use1': 100, 'orders-usw2': 0 });
  });

  it('rejects an unknown hosted zone with NoSuchHostedZone', async () => {
    drill = startDrill();
    const error = await drill.failure(
      drill.registry.route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: 'ZNOTAZONE1' })),
    );
    expect(error).toBeInstanceOf(NoSuchHostedZone);
  });

  it('takes exactly route53SyncMs to reach INSYNC when set', async () => {
    drill = startDrill({ route53SyncMs: 180_000 });
    const route53 = drill.registry.route53();
    const { ChangeInfo } = await drill.run(route53.send(new ChangeResourceRecordSetsCommand(shiftToStandby)));
    const submitted = ChangeInfo?.SubmittedAt?.getTime() ?? 0;
    await drill.clock.tickAsync(submitted + 179_000 - Date.now());
    const pending = await drill.run(route53.send(new GetChangeCommand({ Id: ChangeInfo?.Id })));
    expect(pending.ChangeInfo?.Status).toBe('PENDING');
    expect(weights()).toEqual({ 'orders-use1': 100, 'orders-usw2': 0 });
    await drill.clock.tickAsync(submitted + 180_000 - Date.now());
    const insync = await drill.run(route53.send(new GetChangeCommand({ Id: ChangeInfo?.Id })));
    expect(insync.ChangeInfo?.Status).toBe('INSYNC');
    expect(weights()).toEqual({ 'orders-use1': 0, 'orders-usw2': 100 });
  });
});
