import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuthoritativeResolver, ResolverRegistry } from '../../src/dns-answers/resolver.js';
import type { SimOptions } from '../../src/sim/cloud.js';
import { type Drill, NAME, PRIMARY, startDrill, USE1_VALUE, USW2_VALUE, weighted, ZONE } from './harness.js';

const NS = 'ns-1324.awsdns-37.org';

const setWeights = (use1: number, usw2: number) =>
  new ChangeResourceRecordSetsCommand({
    HostedZoneId: ZONE,
    ChangeBatch: {
      Changes: [
        { Action: 'UPSERT', ResourceRecordSet: weighted('orders-use1', USE1_VALUE, use1) },
        { Action: 'UPSERT', ResourceRecordSet: weighted('orders-usw2', USW2_VALUE, usw2) },
      ],
    },
  });

describe('simulated name servers', () => {
  let drill: Drill;
  let dns: AuthoritativeResolver;
  afterEach(() => drill.stop());

  function start(options: Partial<SimOptions> = {}) {
    drill = startDrill(options);
    const registry = new ResolverRegistry(() => {
      throw new Error('the drill must not reach node:dns');
    });
    drill.cloud.attachResolver(registry);
    dns = registry.current();
  }

  /** `count` answers of one name server, as a weighted set picks them. */
  const ask = async (count: number, nameServer = NS) => {
    const answers: string[] = [];
    for (let i = 0; i < count; i++) answers.push(...(await dns.query(nameServer, NAME, 'CNAME')));
    return answers;
  };

  it('answers a change only once it has propagated, although the control plane lists it at once', async () => {
    // Prepare
    start({ route53SyncMs: 120_000 });
    const route53 = drill.registry.route53();

    // Act
    const { ChangeInfo } = await drill.run(route53.send(setWeights(0, 100)));
    const listed = await drill.run(route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE })));
    const whilePending = await ask(8);
    await drill.clock.tickAsync(119_000);
    const justBefore = await ask(8);
    await drill.clock.tickAsync(1_000);
    const change = await drill.run(route53.send(new GetChangeCommand({ Id: ChangeInfo?.Id })));
    const afterSync = await ask(8);

    // Assess
    expect(listed.ResourceRecordSets?.map((r) => r.Weight)).toEqual([0, 100]);
    expect(new Set(whilePending)).toEqual(new Set([USE1_VALUE]));
    expect(new Set(justBefore)).toEqual(new Set([USE1_VALUE]));
    expect(change.ChangeInfo?.Status).toBe('INSYNC');
    expect(new Set(afterSync)).toEqual(new Set([USW2_VALUE]));
  });

  it('answers by weight, one record per query, never a weight-0 record', async () => {
    // Prepare
    start({ route53SyncMs: 1_000 });
    await drill.run(drill.registry.route53().send(setWeights(25, 75)));
    await drill.clock.tickAsync(1_000);

    // Act
    const answers = await ask(400);

    // Assess
    const toSource = answers.filter((a) => a === USE1_VALUE).length;
    expect(answers).toHaveLength(400);
    expect(toSource).toBeGreaterThan(60);
    expect(toSource).toBeLessThan(140);
  });

  it('answers every record of a set with equal chance when all weights are 0', async () => {
    // Prepare
    start({ route53SyncMs: 1_000 });
    await drill.run(drill.registry.route53().send(setWeights(0, 0)));
    await drill.clock.tickAsync(1_000);

    // Act
    const answers = await ask(200);

    // Assess
    expect(new Set(answers)).toEqual(new Set([USE1_VALUE, USW2_VALUE]));
  });

  it('gives the same answers for the same seed', async () => {
    // Prepare
    start({ route53SyncMs: 1_000 });
    await drill.run(drill.registry.route53().send(setWeights(50, 50)));
    await drill.clock.tickAsync(1_000);
    const first = await ask(20);
    drill.stop();
    start({ route53SyncMs: 1_000 });
    await drill.run(drill.registry.route53().send(setWeights(50, 50)));
    await drill.clock.tickAsync(1_000);

    // Act
    const second = await ask(20);

    // Assess
    expect(second).toEqual(first);
  });

  it('keeps answering while the control plane region is unreachable', async () => {
    // Prepare
    start({ incidents: [{ region: PRIMARY, kind: 'apis-unreachable', from: 0 }] });

    // Act
    const answers = await ask(4, 'ns-718.awsdns-25.net.');

    // Assess
    expect(answers).toEqual([USE1_VALUE, USE1_VALUE, USE1_VALUE, USE1_VALUE]);
  });

  it('refuses a name server that does not host the zone, and answers nothing for a name it lacks', async () => {
    // Prepare
    start();

    // Act
    const refused = dns.query('ns-1.awsdns-00.com', NAME, 'CNAME');
    const missing = await dns.query(NS, 'www.orders.example.com.', 'CNAME');

    // Assess
    await expect(refused).rejects.toMatchObject({ code: 'EREFUSED' });
    expect(missing).toEqual([]);
  });
});
