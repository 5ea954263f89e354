import {
  alarmEvent,
  type DrillScenario,
  MINUTE,
  primaryDown,
  startInput,
  withRecordUpsert,
} from '../scenario-types.js';

const outage = (ctx: Parameters<typeof primaryDown>[0]) => [primaryDown(ctx, -6 * MINUTE)];

/** The worst day of the year: faults the orchestrator must survive, ending safe and reported. */
export const FAULT_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'throttling-burst',
    summary:
      'RDS, ECS, Route 53 and CloudWatch throttle bursts of calls: retried with backoff, the failover completes.',
    input: (ctx) => alarmEvent(ctx),
    plan: withRecordUpsert,
    cloud: (ctx) => ({
      incidents: outage(ctx),
      faults: [
        { command: 'GetMetricData', error: 'throttle', count: 4 },
        { command: 'DescribeGlobalClusters', error: 'throttle', count: 4 },
        { command: 'DescribeServices', error: 'throttle', count: 6 },
        { command: 'ChangeResourceRecordSets', error: 'throttle', count: 3 },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'api-timeouts',
    summary:
      'Calls time out or fail on the AWS side now and then (5xx, timeouts): retried, the failover completes.',
    input: (ctx) => alarmEvent(ctx),
    plan: withRecordUpsert,
    cloud: (ctx) => ({
      incidents: outage(ctx),
      faults: [
        { command: 'UpdateService', region: ctx.plan.regions.standby, error: 'timeout', count: 1 },
        { command: 'DescribeDBClusters', error: 'server-error', count: 2 },
        { command: 'GetChange', error: 'timeout', count: 1 },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'metrics-missing',
    summary:
      "The standby's CloudWatch returns no data for the canary during an outage: one signal is not evidence enough, no automatic action.",
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: outage(ctx), metricsMissing: [{ region: ctx.plan.regions.standby }] }),
    expected: { outcome: 'no-action', writer: 'source' },
  },
  {
    name: 'promotion-stuck',
    summary:
      'The managed Aurora failover never finishes: after its deadline the target is detached and promoted (the old primary already fenced).',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: outage(ctx), promotionStuck: true }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'ecs-capacity-short',
    summary:
      'The standby cannot place enough tasks: the database moves, the scale-up misses its deadline; traffic follows the writer to partial capacity and the report says what is short.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: outage(ctx), ecsCapacity: { [ctx.plan.regions.standby]: 5 } }),
    expected: {
      outcome: 'partial',
      writer: 'target',
      recovery: { kind: 'rolled-forward', complete: false },
      events: ['Failover Started', 'Failover Step Failed', 'Failover Partial'],
    },
  },
  {
    name: 'route53-change-rejected',
    summary:
      'Route 53 rejects the first change batch after the writer moved: the orchestrator rolls forward and shifts again.',
    input: (ctx) => alarmEvent(ctx),
    plan: withRecordUpsert,
    cloud: (ctx) => ({
      incidents: outage(ctx),
      faults: [
        {
          command: 'ChangeResourceRecordSets',
          error: {
            name: 'InvalidChangeBatch',
            message: 'RRSet with DNS name api.orders.example.com. is not permitted in zone',
            fault: 'client',
            status: 400,
          },
          count: 1,
        },
      ],
    }),
    expected: {
      outcome: 'succeeded',
      writer: 'target',
      recovery: { kind: 'rolled-forward', complete: true },
    },
  },
  {
    name: 'route53-slow-sync',
    summary:
      'The record change takes 3 minutes to reach INSYNC: the orchestrator waits, RTO grows accordingly.',
    input: (ctx) => alarmEvent(ctx),
    plan: withRecordUpsert,
    cloud: (ctx) => ({ incidents: outage(ctx), route53SyncMs: 3 * MINUTE }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'crash-after-acting',
    summary:
      'PromoteDatabase crashes right after sending the failover, and is retried: the retry finds it running and sends nothing twice.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: outage(ctx) }),
    crashAfter: { state: 'PromoteDatabase', times: 1 },
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'dns-retry-slow-sync',
    summary:
      'ShiftTraffic crashes right after sending the change, which takes 3 minutes to reach INSYNC: the retry finds the records already changed, and traffic counts as moved only once the name servers answer the target.',
    input: (ctx) => alarmEvent(ctx),
    plan: withRecordUpsert,
    cloud: (ctx) => ({ incidents: outage(ctx), route53SyncMs: 3 * MINUTE }),
    crashAfter: { state: 'ShiftTraffic', times: 1 },
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'target-unhealthy',
    summary:
      'Both regions are failing: the orchestrator does not fail over into a sick region; it stops and pages.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [
        ...outage(ctx),
        { region: ctx.plan.regions.standby, kind: 'service-down', from: ctx.t0 - 6 * MINUTE },
      ],
    }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'alarm-flapping',
    summary:
      'The alarm goes ALARM, OK, ALARM: the second ALARM starts a second execution, which is suppressed by the lock.',
    input: (ctx) => alarmEvent(ctx),
    alsoStart: (ctx) => [{ input: alarmEvent(ctx, { at: ctx.t0 + 90_000 }), afterMs: 90_000 }],
    cloud: (ctx) => ({ incidents: outage(ctx) }),
    expected: { outcome: 'succeeded', writer: 'target', others: ['suppressed'] },
  },
  {
    name: 'duplicate-alarm',
    summary:
      'EventBridge delivers the same alarm event twice a second apart: exactly one failover, the other suppressed.',
    input: (ctx) => alarmEvent(ctx),
    alsoStart: (ctx) => [{ input: alarmEvent(ctx), afterMs: 1_000 }],
    cloud: (ctx) => ({ incidents: outage(ctx) }),
    expected: { outcome: 'succeeded', writer: 'target', others: ['suppressed'], racing: true },
  },
  {
    name: 'manual-races-automatic',
    summary:
      'An operator starts a manual failover 2 s after the alarm did: one failover, the manual start suppressed with the reason.',
    input: (ctx) => alarmEvent(ctx),
    alsoStart: (ctx) => [
      { input: startInput(ctx, 'manual', { reason: 'us-east-1 is down' }), afterMs: 2_000 },
    ],
    cloud: (ctx) => ({ incidents: outage(ctx) }),
    expected: { outcome: 'succeeded', writer: 'target', others: ['suppressed'], racing: true },
  },
  {
    name: 'cooldown',
    summary:
      'A new alarm 20 minutes after a completed failover falls in the cool-down: suppressed, no flapping back and forth.',
    input: (ctx) => alarmEvent(ctx),
    alsoStart: (ctx) => [{ input: alarmEvent(ctx, { at: ctx.t0 + 20 * MINUTE }), afterMs: 20 * MINUTE }],
    cloud: (ctx) => ({ incidents: outage(ctx) }),
    expected: { outcome: 'succeeded', writer: 'target', others: ['suppressed'] },
  },
  {
    name: 'fence-throttled-read',
    summary:
      "The old region's services are down but its APIs answer, and its DescribeServices throttles ten calls in a row (more than the SDK's own retries absorb): fencing retries until it gets through, and the old region ends at 0 with autoscaling minimum 0.",
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: outage(ctx),
      // Each SDK attempt consumes one: the first reads of the old region fail after three attempts.
      faults: [
        { command: 'DescribeServices', region: ctx.plan.regions.primary, error: 'throttle', count: 10 },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'control-plane-slow-planned',
    summary:
      "A planned switchover out of us-east-1 while Route 53's control plane is slow: record reads, the change and a GetChange time out now and then. Both regions are healthy, so this is retried, never taken for an outage: the move completes.",
    input: (ctx) => startInput(ctx, 'planned', { reason: 'quarterly failover drill' }),
    plan: withRecordUpsert,
    cloud: (ctx) => {
      // From 90 s on: after readiness has read the records, before the shift does.
      const from = ctx.t0 + 90_000;
      return {
        faults: [
          { command: 'ListResourceRecordSets', error: 'timeout', count: 2, from },
          { command: 'ChangeResourceRecordSets', error: 'timeout', count: 1, from },
          { command: 'GetChange', error: 'timeout', count: 1, from },
        ],
      };
    },
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'dns-change-late',
    summary:
      'An unplanned failover out of us-east-1 whose first ChangeResourceRecordSets requests hang past the bound: each is aborted at the bound (never arriving), the next attempt lands inside the same step, and no change lands after any step gave up.',
    input: (ctx) => alarmEvent(ctx),
    plan: withRecordUpsert,
    cloud: (ctx) => ({
      incidents: outage(ctx),
      faults: [{ command: 'ChangeResourceRecordSets', error: 'timeout', count: 2 }],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
];
