import '../../src/aws/all-clients.js';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeGlobalClustersCommand } from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { isTransientAwsError } from '../../src/aws/translate.js';
import { seedMathRandom } from '../../src/sim/random.js';
import {
  RATE_LIMITS,
  type RateLimit,
  RateLimiter,
  rateLimitsFor,
  route53ChangeTokens,
} from '../../src/sim/rate-limits.js';
import { STATE_CHANGES_PER_SECOND } from '../../src/traffic-modes/simulated.js';
import { type Drill, NAME, PRIMARY, STANDBY, startDrill, T0, ZONE } from './harness.js';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:orders-failover';
const update = (desiredCount: number) =>
  new UpdateServiceCommand({ cluster: 'orders-usw2', service: 'orders-api', desiredCount });
const upsert = (value: string) =>
  new ChangeResourceRecordSetsCommand({
    HostedZoneId: ZONE,
    ChangeBatch: {
      Changes: [
        {
          Action: 'UPSERT',
          ResourceRecordSet: {
            Name: `other.${NAME}`,
            Type: 'CNAME',
            TTL: 60,
            ResourceRecords: [{ Value: value }],
          },
        },
      ],
    },
  });

describe('the rate limit table', () => {
  const entries = Object.entries(RATE_LIMITS) as [string, RateLimit][];

  it('gives every bucket a positive rate and burst, an error and a source', () => {
    for (const [name, limit] of entries) {
      expect(limit.ratePerSecond, name).toBeGreaterThan(0);
      expect(limit.burst, name).toBeGreaterThanOrEqual(1);
      expect(limit.source.length, name).toBeGreaterThan(40);
      expect([400, 429], name).toContain(limit.error.status);
    }
  });

  it('answers only with errors the orchestrator retries as transient', () => {
    for (const [name, limit] of entries) {
      expect(isTransientAwsError({ name: limit.error.name }), name).toBe(true);
    }
  });

  it('says so where AWS publishes no figure', () => {
    for (const name of ['route53PriorRequest', 'autoscalingRead', 'autoscalingWrite', 'arcReads'] as const) {
      expect(RATE_LIMITS[name].source).toMatch(/modelling choice/);
    }
  });

  it('keeps ARC state changes where the ARC model enforces them, at its figure', () => {
    expect(RATE_LIMITS.arcStateChanges.ratePerSecond).toBe(STATE_CHANGES_PER_SECOND);
    expect(RATE_LIMITS.arcStateChanges.enforcedBy).toMatch(/traffic-modes\/simulated\.ts/);
  });

  it('counts Route 53 change tokens: 1 per CREATE or DELETE, 2 per UPSERT', () => {
    expect(
      route53ChangeTokens({
        ChangeBatch: { Changes: [{ Action: 'UPSERT' }, { Action: 'CREATE' }, { Action: 'DELETE' }] },
      }),
    ).toBe(4);
  });

  it("'none' switches every bucket off; an override changes or drops one entry", () => {
    expect(rateLimitsFor('none')).toEqual({});
    const changed = rateLimitsFor({
      overrides: {
        ecsServiceModify: { burst: 2 },
        route53PriorRequest: 'none',
        snsPublish: { ratePerSecond: 1 },
      },
    });
    expect(changed.ecsServiceModify).toMatchObject({ burst: 2, ratePerSecond: 5 });
    expect(changed.route53PriorRequest).toBeUndefined();
    expect(changed.snsPublish?.regional).toBeUndefined();
    expect(changed.rdsAccount).toBe(RATE_LIMITS.rdsAccount);
  });
});

describe('RateLimiter', () => {
  it('lets a burst through, then refills at the sustained rate', () => {
    const limiter = new RateLimiter();
    const at = T0;
    const admitted = (t: number) => limiter.take('ecs', 'UpdateService', STANDBY, {}, t) === undefined;
    for (let i = 0; i < 50; i++) expect(admitted(at)).toBe(true);
    expect(limiter.take('ecs', 'UpdateService', STANDBY, {}, at)).toEqual({
      limit: 'ecsServiceModify',
      error: RATE_LIMITS.ecsServiceModify.error,
    });
    // 5 per second: one token every 200 ms.
    expect(admitted(at + 199)).toBe(false);
    expect(admitted(at + 200)).toBe(true);
    expect(admitted(at + 200)).toBe(false);
    // Another action category, region or account has its own bucket.
    expect(limiter.take('ecs', 'DescribeServices', STANDBY, {}, at + 200)).toBeUndefined();
    expect(limiter.take('ecs', 'UpdateService', PRIMARY, {}, at + 200)).toBeUndefined();
    expect(
      new RateLimiter('aws', '210987654321').take('ecs', 'UpdateService', STANDBY, {}, at),
    ).toBeUndefined();
  });

  it('refills up to the burst only', () => {
    const limiter = new RateLimiter();
    const take = (t: number) => limiter.take('rds', 'DescribeDBClusters', STANDBY, {}, t);
    for (let i = 0; i < 300; i++) expect(take(T0)).toBeUndefined();
    expect(take(T0)?.limit).toBe('rdsAccount');
    // An hour later the bucket holds 300, not 43,200.
    for (let i = 0; i < 300; i++) expect(take(T0 + 3_600_000)).toBeUndefined();
    expect(take(T0 + 3_600_000)?.limit).toBe('rdsAccount');
  });

  it("keeps Route 53's buckets per account, whatever region asks, and a change per hosted zone", () => {
    const limiter = new RateLimiter();
    const change = { HostedZoneId: `/hostedzone/${ZONE}`, ChangeBatch: { Changes: [{ Action: 'UPSERT' }] } };
    expect(limiter.take('route53', 'ChangeResourceRecordSets', 'us-east-1', change, T0)).toBeUndefined();
    expect(limiter.take('route53', 'ChangeResourceRecordSets', 'us-east-1', change, T0 + 1_999)?.limit).toBe(
      'route53PriorRequest',
    );
    // Another zone is not held up by this one.
    expect(
      limiter.take(
        'route53',
        'ChangeResourceRecordSets',
        'us-east-1',
        { ...change, HostedZoneId: 'ZOTHER' },
        T0,
      ),
    ).toBeUndefined();
    expect(
      limiter.take('route53', 'ChangeResourceRecordSets', 'us-east-1', change, T0 + 2_000),
    ).toBeUndefined();
    // The account bucket is shared by every action: 50 at once, whatever the action.
    const fresh = new RateLimiter();
    for (let i = 0; i < 25; i++)
      expect(fresh.take('route53', 'GetChange', 'us-east-1', {}, T0)).toBeUndefined();
    for (let i = 0; i < 25; i++)
      expect(fresh.take('route53', 'ListResourceRecordSets', 'us-east-1', {}, T0)).toBeUndefined();
    expect(fresh.take('route53', 'GetChange', 'us-east-1', {}, T0)?.limit).toBe('route53Account');
  });

  it('charges change throughput by record changes, and a batch larger than the bucket waits for a full one', () => {
    const limiter = new RateLimiter({
      overrides: { route53PriorRequest: 'none', route53Account: 'none', route53PerAction: 'none' },
    });
    const batch = (upserts: number) => ({
      HostedZoneId: ZONE,
      ChangeBatch: { Changes: Array.from({ length: upserts }, () => ({ Action: 'UPSERT' })) },
    });
    expect(limiter.take('route53', 'ChangeResourceRecordSets', 'us-east-1', batch(700), T0)).toBeUndefined();
    // 100 tokens left; 100 changes per second.
    expect(limiter.take('route53', 'ChangeResourceRecordSets', 'us-east-1', batch(51), T0)?.limit).toBe(
      'route53ChangeThroughput',
    );
    expect(limiter.take('route53', 'ChangeResourceRecordSets', 'us-east-1', batch(50), T0)).toBeUndefined();
    expect(
      limiter.take('route53', 'ChangeResourceRecordSets', 'us-east-1', batch(1000), T0 + 14_000)?.limit,
    ).toBe('route53ChangeThroughput');
    expect(
      limiter.take('route53', 'ChangeResourceRecordSets', 'us-east-1', batch(1000), T0 + 15_000),
    ).toBeUndefined();
  });

  it('uses the regional figure where AWS publishes one (SNS Publish)', () => {
    const limiter = new RateLimiter();
    const publish = (region: string, n: number) => {
      let refused = 0;
      for (let i = 0; i < n; i++) if (limiter.take('sns', 'Publish', region, {}, T0)) refused++;
      return refused;
    };
    expect(publish('us-west-2', 9_001)).toBe(1);
    expect(publish('sa-east-1', 301)).toBe(1);
  });

  it("leaves ARC state changes to the ARC model, and throttles nothing for 'none'", () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 10; i++)
      expect(limiter.take('arc', 'UpdateRoutingControlStates', 'eu-west-1', {}, T0)).toBeUndefined();
    const none = new RateLimiter('none');
    for (let i = 0; i < 1_000; i++)
      expect(none.take('ecs', 'UpdateService', STANDBY, {}, T0)).toBeUndefined();
  });
});

describe('rate limits in the simulated cloud', () => {
  let drill: Drill;
  let restore: () => void = () => {};
  afterEach(() => {
    restore();
    drill.stop();
  });

  const outcomes = (command: string) =>
    drill.cloud.calls
      .filter((c) => c.command === command)
      .map((c) => `${c.outcome}${c.throttledBy ? `(${c.throttledBy})` : ''}`);

  it('refuses a request its bucket is short for, without applying it; the SDK retries it', async () => {
    drill = startDrill({
      rateLimits: { overrides: { ecsServiceModify: { burst: 1, ratePerSecond: 0.001 } } },
    });
    await drill.run(drill.standby.ecs.send(update(4)));
    const error = await drill.failure(drill.standby.ecs.send(update(6)));
    expect(error.name).toBe('ThrottlingException');
    expect(error.message).toBe('Rate exceeded');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 3 });
    expect(outcomes('UpdateService')).toEqual([
      'ok',
      'ThrottlingException(ecsServiceModify)',
      'ThrottlingException(ecsServiceModify)',
      'ThrottlingException(ecsServiceModify)',
    ]);
    const out = await drill.run(
      drill.standby.ecs.send(
        new DescribeServicesCommand({ cluster: 'orders-usw2', services: ['orders-api'] }),
      ),
    );
    expect(out.services?.[0]?.desiredCount).toBe(4);
  });

  it('throttles a burst of UpdateService beyond 50 and lets the SDK retries through as the bucket refills', async () => {
    restore = seedMathRandom(7);
    drill = startDrill();
    const results = await drill.run(
      Promise.allSettled(Array.from({ length: 60 }, (_, i) => drill.standby.ecs.send(update(1 + (i % 2))))),
    );
    const calls = drill.cloud.calls.filter((c) => c.command === 'UpdateService');
    const admitted = calls.filter((c) => c.outcome === 'ok');
    const refused = calls.filter((c) => c.throttledBy === 'ecsServiceModify');
    expect(refused.length).toBeGreaterThanOrEqual(10);
    // Never more than the burst plus what refilled since the first call arrived.
    const span = Math.max(...admitted.map((c) => c.at + c.durationMs)) - Math.min(...calls.map((c) => c.at));
    expect(admitted.length).toBeLessThanOrEqual(50 + Math.ceil((span / 1000) * 5) + 1);
    expect(admitted.length + results.filter((r) => r.status === 'rejected').length).toBe(60);
  });

  it('answers a second change to the same hosted zone with PriorRequestNotComplete while the first is processed', async () => {
    drill = startDrill({ rateLimits: { overrides: { route53PriorRequest: { ratePerSecond: 0.001 } } } });
    const route53 = drill.registry.route53();
    await drill.run(route53.send(upsert('a.example.com')));
    const error = await drill.failure(route53.send(upsert('b.example.com')));
    expect(error.name).toBe('PriorRequestNotComplete');
    expect(error.message).toBe(
      'The request was rejected because Route 53 was still processing a prior request.',
    );
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 3 });
    const listed = await drill.run(
      route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, StartRecordName: `other.${NAME}` }),
      ),
    );
    expect(listed.ResourceRecordSets?.[0]?.ResourceRecords).toEqual([{ Value: 'a.example.com' }]);
  });

  it('admits the next change to a zone once the prior one has been processed (2 s)', async () => {
    drill = startDrill();
    const route53 = drill.registry.route53();
    await drill.run(route53.send(upsert('a.example.com')));
    await drill.clock.tickAsync(2_000);
    await drill.run(route53.send(upsert('b.example.com')));
    expect(outcomes('ChangeResourceRecordSets')).toEqual(['ok', 'ok']);
  });

  it('throttles with the name and status each service uses', async () => {
    drill = startDrill({
      rateLimits: {
        overrides: {
          rdsAccount: { burst: 1, ratePerSecond: 0.001 },
          snsPublish: { burst: 1, ratePerSecond: 0.001 },
        },
      },
    });
    const describe = () =>
      drill.standby.rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'orders-global' }));
    await drill.run(describe());
    expect(await drill.failure(describe())).toMatchObject({
      name: 'Throttling',
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });
    const publish = () => drill.standby.sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'x' }));
    await drill.run(publish());
    expect(await drill.failure(publish())).toMatchObject({
      name: 'ThrottledException',
      $metadata: expect.objectContaining({ httpStatusCode: 429 }),
    });
    expect(drill.cloud.snapshot().notifications).toHaveLength(1);
  });

  it("throttles nothing with rateLimits 'none'", async () => {
    drill = startDrill({ rateLimits: 'none' });
    await drill.run(Promise.all(Array.from({ length: 120 }, () => drill.standby.ecs.send(update(2)))));
    expect(drill.cloud.calls.every((c) => c.outcome === 'ok')).toBe(true);
  });
});
