import { alarmEvent, type DrillScenario, MINUTE, primaryDown } from '../scenario-types.js';

/** The execution's EventBridge events (docs/events.md) when the bus does not take them. */
export const EVENT_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'event-bus-refuses',
    summary:
      'The primary region fails and EventBridge answers every PutEvents with the entry failed (FailedEntryCount 1, InternalFailure), retries included. Events are best effort: the failover goes on, and the timeline says which event was not published.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      eventBridge: { failedEntries: 100 },
    }),
    expected: { outcome: 'succeeded', writer: 'target', events: [] },
  },
  {
    name: 'event-bus-silent',
    summary:
      "The primary region fails and the orchestrator's own EventBridge endpoint stops answering (blackholed) for the whole run: each publication waits at most its bound, then the failover goes on without its events.",
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      blackholes: [{ region: ctx.plan.regions.standby, service: 'eventbridge', from: ctx.t0 - MINUTE }],
    }),
    expected: { outcome: 'succeeded', writer: 'target', events: [] },
  },
];
