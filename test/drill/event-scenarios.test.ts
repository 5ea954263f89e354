import { describe, expect, it } from 'vitest';
import { eventsPerExecution } from '../../src/drill/event-invariants.js';
import { expectedEvents, meetsExpectation, publishedDetailTypes } from '../../src/drill/expectations.js';
import { checkedDrill } from '../../src/drill/invariants.js';
import { runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { EVENT_SOURCE, type FailoverEventDetail } from '../../src/events/detail.js';

/**
 * The EventBridge events of whole drills, read from the simulated EventBridge: what each
 * execution published, in order, with what detail; and that a bus that does not take them
 * never holds a failover up.
 */
const drill = (name: string) => runDrill(findScenario(name), { seed: 1 });
const details = (r: Awaited<ReturnType<typeof drill>>) =>
  r.cloud.publishedEvents().map((e) => e.detail as unknown as FailoverEventDetail);

describe('events of a drill', () => {
  it('region-outage: Started then Succeeded on the default bus of us-west-2, with RTO, RPO and a console link', async () => {
    const r = await drill('region-outage');

    const events = r.cloud.publishedEvents();
    expect(events.map((e) => [e.source, e.region, e.eventBusName, e.detailType])).toEqual([
      [EVENT_SOURCE, 'us-west-2', 'default', 'Failover Started'],
      [EVENT_SOURCE, 'us-west-2', 'default', 'Failover Succeeded'],
    ]);
    const [started, succeeded] = details(r);
    const arn = `arn:aws:states:us-west-2:123456789012:execution:failover-dev:${r.name}`;
    expect(started).toMatchObject({
      eventId: `${arn}/started`,
      execution: { name: r.name, arn },
      mode: 'automatic',
      regions: { from: 'us-east-1', to: 'us-west-2', orchestrator: 'us-west-2' },
      outcome: null,
    });
    expect(succeeded).toMatchObject({
      eventId: `${arn}/outcome`,
      outcome: 'succeeded',
      rtoSeconds: r.report?.rtoSeconds,
      userFacingRtoSeconds: r.report?.userFacingRtoSeconds,
      rpoSeconds: r.report?.rpo.seconds,
      summary: r.report?.summary,
    });
    expect(succeeded?.execution.consoleUrl).toContain('us-west-2.console.aws.amazon.com/states/home');
    // Published when the report ran: the last event, after the target was verified.
    expect(Date.parse(succeeded?.at ?? '')).toBeGreaterThan(Date.parse(r.report?.verifiedAt ?? ''));
  });

  it('approval-granted: the approval request is published between Started and the outcome', async () => {
    const r = await drill('approval-granted');

    expect(publishedDetailTypes(r)).toEqual([
      'Failover Started',
      'Failover Approval Requested',
      'Failover Succeeded',
    ]);
    expect(details(r)[1]?.approval).toMatchObject({ policy: 'wait' });
  });

  it('ecs-capacity-short: the compute failure is published with its step and error', async () => {
    const r = await drill('ecs-capacity-short');

    const failed = details(r).find((d) => d.failure !== null);
    expect(failed?.failure).toMatchObject({ step: 'scale-target', error: expect.any(String) });
    expect(publishedDetailTypes(r).at(-1)).toBe('Failover Partial');
  });

  it.each(['event-bus-refuses', 'event-bus-silent'])(
    '%s: the failover succeeds without its events, and the timeline says which were not published',
    async (name) => {
      const { result: r, checks } = await checkedDrill(findScenario(name), 1);

      expect(r.report?.outcome).toBe('succeeded');
      expect(r.cloud.publishedEvents()).toEqual([]);
      const unpublished = (r.report?.timeline ?? []).flatMap((e) =>
        e.facts?.eventNotPublished ? [[e.step, e.facts.eventNotPublished]] : [],
      );
      expect(unpublished).toEqual([
        ['acquire-lock', 'Failover Started'],
        ['report', 'Failover Succeeded'],
      ]);
      expect(checks.filter((c) => !c.held)).toEqual([]);
    },
  );

  it('a suppressed duplicate alarm publishes its own Started and Suppressed; every invariant holds', async () => {
    const scenario = findScenario('duplicate-alarm');
    const { result: r, checks } = await checkedDrill(scenario, 1);

    expect(publishedDetailTypes(r, r.executions[1]?.name)).toEqual([
      'Failover Started',
      'Failover Suppressed',
    ]);
    expect(checks.find((c) => c.name === 'events-per-execution')).toMatchObject({ held: true });
  });

  it("does not ask for Started when acquire-lock never returned: the orchestrator's own region's APIs are down", async () => {
    const region = findScenario('region-outage');
    const scenario = {
      ...region,
      name: 'own-region-apis-down',
      cloud: (ctx: Parameters<typeof region.cloud>[0]) => ({
        incidents: [
          ...(region.cloud(ctx).incidents ?? []),
          { region: ctx.plan.regions.standby, kind: 'apis-unreachable' as const, from: ctx.t0 },
        ],
      }),
    };

    const { result: r, checks } = await checkedDrill(scenario, 1);

    const attempts = r.records.filter((x) => x.functionName === 'acquireLock');
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((x) => x.outcome.kind !== 'succeeded')).toBe(true);
    expect(r.report?.outcome).toBe('failed');
    expect(r.cloud.publishedEvents()).toEqual([]);
    expect(checks.find((c) => c.name === 'events-per-execution')).toMatchObject({ held: true });
  });

  it('the invariant catches an outcome event that does not match the report', async () => {
    const r = await drill('region-outage');
    const report = r.report;
    if (!report) throw new Error('no report');

    const wrong = {
      ...r,
      executions: [{ ...r.executions[0], report: { ...report, outcome: 'failed' as const } }],
    };

    expect(eventsPerExecution(r as never, 'us-west-2').held).toBe(true);
    const broken = eventsPerExecution(wrong as never, 'us-west-2');
    expect(broken.held).toBe(false);
    expect(broken.detail).toMatch(/Failover Succeeded for a failed report/);
    expect(eventsPerExecution(r as never, 'us-east-1').detail).toMatch(/on default in us-west-2/);
  });

  it('an expectation with other events is not met', async () => {
    const r = await drill('region-outage');
    const expected = { outcome: 'succeeded' as const, writer: 'target' as const };

    expect(expectedEvents(expected)).toEqual(['Failover Started', 'Failover Succeeded']);
    expect(meetsExpectation(r, expected)).toBe(true);
    expect(meetsExpectation(r, { ...expected, events: ['Failover Succeeded'] })).toBe(false);
  });
});
