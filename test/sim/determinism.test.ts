import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, GetChangeCommand } from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiCallRecord, CloudSnapshot } from '../../src/sim/cloud.js';
import { type Drill, PRIMARY, startDrill, T0 } from './harness.js';

/** A short unplanned failover, driven by hand the way the state machine drives it. */
async function failoverScenario(
  seed: number,
): Promise<{ timeline: CloudSnapshot[]; calls: ApiCallRecord[] }> {
  const drill: Drill = startDrill({
    seed,
    incidents: [{ region: PRIMARY, kind: 'service-down', from: T0 - 300_000 }],
  });
  const timeline: CloudSnapshot[] = [];
  drill.cloud.onChange((snapshot) => timeline.push(snapshot));
  try {
    const { standby, registry } = drill;
    await drill.run(
      standby.rds.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: 'orders-global',
          TargetDbClusterIdentifier: 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2',
          AllowDataLoss: true,
        }),
      ),
    );
    await drill.run(
      standby.ecs.send(
        new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'orders-api', desiredCount: 6 }),
      ),
    );
    const change = await drill.run(
      registry.route53().send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: 'Z3M3LMPEXAMPLE',
          ChangeBatch: {
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: 'api.orders.example.com.',
                  Type: 'CNAME',
                  SetIdentifier: 'orders-usw2',
                  Weight: 100,
                  TTL: 60,
                  ResourceRecords: [{ Value: 'orders-usw2-0987654321.us-west-2.elb.amazonaws.com' }],
                },
              },
            ],
          },
        }),
      ),
    );
    for (let i = 0; i < 30; i++) {
      await drill.clock.tickAsync(10_000);
      await drill.run(
        standby.rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'orders-global' })),
      );
      await drill.run(registry.route53().send(new GetChangeCommand({ Id: change.ChangeInfo?.Id })));
      drill.cloud.snapshot();
    }
    return { timeline, calls: [...drill.cloud.calls] };
  } finally {
    drill.stop();
  }
}

describe('simulated cloud determinism', () => {
  let drill: Drill | undefined;
  afterEach(() => drill?.stop());

  it('gives the same timeline and calls for the same seed', async () => {
    const first = await failoverScenario(7);
    const second = await failoverScenario(7);
    expect(second).toEqual(first);
    expect(first.timeline.at(-1)).toMatchObject({
      database: { writerRegion: 'us-west-2', failoverState: null },
      dns: [expect.objectContaining({ weight: 100 }), expect.objectContaining({ weight: 100 })],
    });
  });

  it('gives a different timeline for another seed', async () => {
    const first = await failoverScenario(7);
    const other = await failoverScenario(8);
    expect(other.calls.map((c) => c.at)).not.toEqual(first.calls.map((c) => c.at));
  });

  it('notifies each change, time-driven ones included, in order', async () => {
    const { timeline } = await failoverScenario(7);
    const states = timeline.map((s) => s.database.failoverState);
    expect(states).toContain('pending');
    expect(states).toContain('failing-over');
    const running = timeline.map(
      (s) => s.services.find((x) => x.region === 'us-west-2' && x.service === 'orders-api')?.running,
    );
    expect(running[0]).toBe(1);
    expect(running.at(-1)).toBe(6);
    const times = timeline.map((s) => Date.parse(s.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('notifies nothing when nothing changed', async () => {
    drill = startDrill();
    const seen: CloudSnapshot[] = [];
    drill.cloud.onChange((s) => seen.push(s));
    await drill.clock.tickAsync(600_000);
    drill.cloud.snapshot();
    expect(seen).toEqual([]);
  });
});
