import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { eventBridgePublisher } from '../../src/events/publish.js';
import { type Drill, PRIMARY, STANDBY, startDrill, T0 } from './harness.js';

const entry = (over: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'failover.orchestrator',
  DetailType: 'Failover Started',
  Detail: JSON.stringify({ eventId: 'exec-1/started' }),
  Resources: ['arn:aws:states:us-west-2:123456789012:execution:failover-dev:exec-1'],
  ...over,
});

describe('simulated EventBridge', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  it('records each entry taken, with its region, bus and virtual time, and answers with EventIds', async () => {
    // Prepare
    drill = startDrill();

    // Act
    const out = await drill.run(
      drill.standby.eventbridge.send(
        new PutEventsCommand({ Entries: [entry(), entry({ DetailType: 'Failover Succeeded' })] }),
      ),
    );

    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toEqual([
      { EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      { EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    ]);
    const published = drill.cloud.publishedEvents();
    expect(published.map((e) => [e.region, e.eventBusName, e.detailType, e.eventId])).toEqual([
      [STANDBY, 'default', 'Failover Started', out.Entries?.[0]?.EventId],
      [STANDBY, 'default', 'Failover Succeeded', out.Entries?.[1]?.EventId],
    ]);
    expect(published[0]?.detail).toEqual({ eventId: 'exec-1/started' });
    expect(published[0]?.at).toBeGreaterThan(T0);
  });

  it.each([
    ['a source AWS reserves', entry({ Source: 'aws.cloudwatch' }), 'NotAuthorizedForSourceException'],
    ['a Detail that is not a JSON object', entry({ Detail: '[1]' }), 'MalformedDetail'],
    [
      "another region's default bus",
      entry({ EventBusName: `arn:aws:events:${PRIMARY}:123456789012:event-bus/default` }),
      'NotAuthorizedForEventBusException',
    ],
  ])('refuses %s per entry, in a 200 answer with FailedEntryCount', async (_case, bad, code) => {
    // Prepare
    drill = startDrill();

    // Act
    const out = await drill.run(
      drill.standby.eventbridge.send(new PutEventsCommand({ Entries: [bad, entry()] })),
    );

    // Assess
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[0]).toMatchObject({ ErrorCode: code });
    expect(out.Entries?.[1]?.EventId).toBeDefined();
    expect(drill.cloud.publishedEvents()).toHaveLength(1);
  });

  it('refuses an entry of 256 KB or more, and more than 10 entries, as the whole request', async () => {
    // Prepare
    drill = startDrill();
    const big = entry({ Detail: JSON.stringify({ summary: 'x'.repeat(256 * 1024) }) });

    // Act
    const tooBig = await drill.failure(
      drill.standby.eventbridge.send(new PutEventsCommand({ Entries: [big] })),
    );
    const tooMany = await drill.failure(
      drill.standby.eventbridge.send(
        new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) }),
      ),
    );

    // Assess
    expect(tooBig.name).toBe('ValidationException');
    expect(tooMany.name).toBe('ValidationException');
    expect(drill.cloud.publishedEvents()).toEqual([]);
  });

  it("fails the entries it is told to, then takes the publisher's one retry", async () => {
    // Prepare
    drill = startDrill({ eventBridge: { failedEntries: 1 } });
    const publisher = eventBridgePublisher(drill.registry, STANDBY);

    // Act
    const outcome = await drill.run(
      publisher.publish('Failover Started', {
        schemaVersion: 1,
        eventId: 'exec-1/started',
        at: '2026-11-22T03:00:00.000Z',
        plan: 'orders',
        execution: { name: 'exec-1', arn: null, consoleUrl: null },
        mode: 'manual',
        dryRun: false,
        regions: { from: PRIMARY, to: STANDBY, orchestrator: STANDBY },
        outcome: null,
        rtoSeconds: null,
        userFacingRtoSeconds: null,
        rpoSeconds: null,
        summary: 'started',
        summaryTruncated: false,
        failure: null,
        approval: null,
      }),
    );

    // Assess
    expect(outcome).toMatchObject({ published: true });
    expect(drill.cloud.calls.filter((c) => c.command === 'PutEvents')).toHaveLength(2);
    expect(drill.cloud.publishedEvents()).toHaveLength(1);
  });

  it('is throttled by a fault rule like any service, and the SDK retries it', async () => {
    // Prepare
    drill = startDrill({ faults: [{ command: 'PutEvents', error: 'throttle', count: 1 }] });

    // Act
    const out = await drill.run(drill.standby.eventbridge.send(new PutEventsCommand({ Entries: [entry()] })));

    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(drill.cloud.calls.filter((c) => c.command === 'PutEvents').map((c) => c.outcome)).toEqual([
      'ThrottlingException',
      'ok',
    ]);
  });
});
