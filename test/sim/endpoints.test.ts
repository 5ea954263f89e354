import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_TIMEOUTS, type ClientDecorator, type ClientRegistry } from '../../src/aws/clients.js';
import { LATENCIES } from '../../src/sim/latencies.js';
import { type Drill, elapsed, PRIMARY, STANDBY, startDrill, T0 } from './harness.js';

const describeGlobal = () => new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'orders-global' });
const describeApi = (cluster: string) => new DescribeServicesCommand({ cluster, services: ['orders-api'] });
const { connectionTimeout, requestTimeout } = CLIENT_TIMEOUTS;

describe('endpoints that do not answer: ended by the calling client’s own timeouts', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const rdsCalls = () =>
    drill.cloud.calls
      .filter((c) => c.command === 'DescribeGlobalClusters')
      .map((c) => ({ outcome: c.outcome, durationMs: c.durationMs }));

  /** A client of the simulated cloud built with other options than the registry's. */
  function bareRds(options: ConstructorParameters<typeof RDSClient>[0]): RDSClient {
    const client = new RDSClient({ region: STANDBY, ...options });
    const registry = { decorate: (decorator: ClientDecorator) => decorator(client as never) };
    drill.cloud.attach(registry as unknown as ClientRegistry);
    return client;
  }

  it('blackholed (no TCP answer): each SDK attempt ends at connectionTimeout with TimeoutError', async () => {
    drill = startDrill({ blackholes: [{ region: STANDBY, service: 'rds', from: T0 }] });
    const error = await drill.failure(drill.standby.rds.send(describeGlobal()));

    expect(error).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 3 } });
    expect(error.message).toContain(`within the configured timeout of ${connectionTimeout} ms`);
    expect(rdsCalls()).toEqual(Array(3).fill({ outcome: 'TimeoutError', durationMs: connectionTimeout }));
    expect(drill.clock.countTimers()).toBe(0);
  });

  it('blackholes one service only: the same region’s other endpoints answer', async () => {
    drill = startDrill({ blackholes: [{ region: STANDBY, service: 'rds', from: T0 }] });
    const out = await drill.run(drill.standby.ecs.send(describeApi('orders-usw2')));
    expect(out.services).toHaveLength(1);
    const primary = await drill.run(drill.primary.rds.send(describeGlobal()));
    expect(primary.GlobalClusters).toHaveLength(1);
  });

  it('accepted and never answered: requestTimeout ends each attempt, because it throws', async () => {
    drill = startDrill({ blackholes: [{ region: STANDBY, service: 'rds', mode: 'no-answer', from: T0 }] });
    const error = await drill.failure(drill.standby.rds.send(describeGlobal()));

    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 3 } });
    expect(error.message).toContain(`configured ${requestTimeout} ms requestTimeout`);
    expect(rdsCalls()).toEqual(Array(3).fill({ outcome: 'TimeoutError', durationMs: requestTimeout }));
  });

  it('goes dark mid-step: the first request rides the pooled connection (requestTimeout), new connections hit connectionTimeout', async () => {
    drill = startDrill({ blackholes: [{ region: STANDBY, service: 'rds', from: T0 + 1_000 }] });
    await drill.run(drill.standby.rds.send(describeGlobal()));
    await drill.clock.tickAsync(1_000);
    const error = await drill.failure(drill.standby.rds.send(describeGlobal()));

    expect(error.name).toBe('TimeoutError');
    expect(rdsCalls().map((c) => c.durationMs)).toEqual([
      expect.any(Number),
      requestTimeout,
      connectionTimeout,
      connectionTimeout,
    ]);
  });

  it('an idle pooled connection older than keepAliveIdle is gone: a new connection, connectionTimeout', async () => {
    const idle = LATENCIES.keepAliveIdle.maxMs;
    drill = startDrill({ blackholes: [{ region: STANDBY, service: 'rds', from: T0 + idle + 5_000 }] });
    await drill.run(drill.standby.rds.send(describeGlobal()));
    await drill.clock.tickAsync(idle + 5_000);
    await drill.failure(drill.standby.rds.send(describeGlobal()));
    expect(rdsCalls().slice(1)).toEqual(
      Array(3).fill({ outcome: 'TimeoutError', durationMs: connectionTimeout }),
    );
  });

  it('recovers at `to`: a request started after it is answered', async () => {
    drill = startDrill({ blackholes: [{ region: STANDBY, service: 'rds', from: T0, to: T0 + 20_000 }] });
    await drill.failure(drill.standby.rds.send(describeGlobal()));
    await drill.clock.tickAsync(20_000 - elapsed());
    const out = await drill.run(drill.standby.rds.send(describeGlobal()));
    expect(out.GlobalClusters).toHaveLength(1);
    expect(rdsCalls().at(-1)?.outcome).toBe('ok');
  });

  it('a blackhole of every API in a region covers Route 53 when the region is us-east-1', async () => {
    drill = startDrill({ blackholes: [{ region: 'us-east-1', from: T0 }] });
    const { ListResourceRecordSetsCommand } = await import('@aws-sdk/client-route-53');
    const error = await drill.failure(
      drill.registry.route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z3M3LMPEXAMPLE' })),
    );
    expect(error.name).toBe('TimeoutError');
    await drill.run(drill.standby.rds.send(describeGlobal()));
  });

  it("a 'timeout' fault is one request accepted and never answered: requestTimeout", async () => {
    drill = startDrill({ faults: [{ command: 'DescribeGlobalClusters', error: 'timeout', count: 1 }] });
    const out = await drill.run(drill.standby.rds.send(describeGlobal()));
    expect(out.$metadata.attempts).toBe(2);
    expect(rdsCalls()).toEqual([
      { outcome: 'TimeoutError', durationMs: requestTimeout },
      { outcome: 'ok', durationMs: expect.any(Number) },
    ]);
  });

  it('apis-unreachable takes no connection: connectionTimeout, as before the pool matters', async () => {
    drill = startDrill({ incidents: [{ region: PRIMARY, kind: 'apis-unreachable', from: T0 }] });
    await drill.failure(drill.primary.rds.send(describeGlobal()));
    expect(rdsCalls()).toEqual(Array(3).fill({ outcome: 'TimeoutError', durationMs: connectionTimeout }));
  });

  describe('a client with no timeout that ends the wait', () => {
    it('hangs until aborted, with no timer of its own', async () => {
      drill = startDrill({ blackholes: [{ region: STANDBY, service: 'rds', from: T0 }] });
      const client = bareRds({});
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 600_000);
      const error = await drill.failure(client.send(describeGlobal(), { abortSignal: controller.signal }));
      expect(error.name).toBe('AbortError');
      expect(rdsCalls()).toEqual([{ outcome: 'AbortError', durationMs: 600_000 }]);
      client.destroy();
    });

    it('never ends without an abort: the step would outlive its Lambda', async () => {
      drill = startDrill({ blackholes: [{ region: STANDBY, service: 'rds', mode: 'no-answer', from: T0 }] });
      // What the registry had before: requestTimeout without throwOnRequestTimeout only warns.
      const client = bareRds({ requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 } });
      let settled = false;
      client.send(describeGlobal()).then(
        () => {
          settled = true;
        },
        () => {
          settled = true;
        },
      );
      await drill.clock.tickAsync(30 * 60_000);
      expect(settled).toBe(false);
      expect(rdsCalls()).toEqual([]);
      expect(drill.clock.countTimers()).toBe(0);
      client.destroy();
    });
  });
});
