import { alarmEvent, type DrillScenario, MINUTE, primaryDown } from '../scenario-types.js';

const outage = (ctx: Parameters<typeof primaryDown>[0]) => [primaryDown(ctx, -6 * MINUTE)];

/** Aurora as AWS runs it: slow and eventually consistent promotions, asynchronous detach, engine versions. */
export const AURORA_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'slow-promotion',
    summary:
      'A regional outage on a slow day (pessimistic profile): the managed Aurora failover takes 8 minutes past its pending phase and DescribeGlobalClusters lags behind it. The orchestrator waits it out inside timeouts.promotionSeconds and never detaches.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      profile: 'pessimistic',
      incidents: outage(ctx),
      // The slow end of the pessimistic profile, pinned: "about 8 minutes" (src/sim/latencies.ts).
      promotionMs: 8 * MINUTE,
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'promotion-retry-after-lost-response',
    summary:
      "FailoverGlobalCluster lands but its answer is lost, and DescribeGlobalClusters shows the failover only 20 s later: the SDK's retry is refused as already under way, which the orchestrator reads as under way, not as a failure. Exactly one failover is applied, and check-promotion confirms it.",
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: outage(ctx),
      faults: [{ command: 'FailoverGlobalCluster', error: 'lost-response', count: 1 }],
      globalClusterReadLagMs: 20_000,
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'engine-version-mismatch',
    summary:
      "An outage in the middle of a rolling minor upgrade: the standby already runs 16.6, the primary still 16.4, so RDS would refuse a managed failover. The orchestrator fences the old region, waits until its tasks have stopped, detaches the standby and promotes it (AWS's documented way out), and the report says why and what to rebuild.",
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: outage(ctx), engineVersions: { primary: '16.4', standby: '16.6' } }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
];
