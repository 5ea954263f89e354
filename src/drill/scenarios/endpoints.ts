import { alarmEvent, type DrillScenario, MINUTE, primaryDown, startInput } from '../scenario-types.js';

/**
 * When the standby's RDS endpoint goes dark in `blackholed-endpoint` (virtual ms after t0): after
 * the first promotion poll (about 13 s in) and inside the polling in both latency profiles
 * (typical: promotion done after about 70 s; pessimistic: minutes).
 */
export const STANDBY_RDS_DARK = { fromMs: 20_000, toMs: 65_000 } as const;

/** Endpoints that do not answer: a blackholed endpoint mid-step, bounded by the clients' timeouts. */
export const ENDPOINT_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'blackholed-endpoint',
    summary:
      "The standby's RDS endpoint stops answering (no TCP answer) 20 s into a manual failover out of a failed region, while promotion is being polled, and comes back 45 s later; Aurora promotes all along. Each SDK attempt ends at the client's connection timeout (the first, on a pooled connection, at its request timeout), each poll ends as a retried AwsTransientError well inside its Lambda, and once RDS answers the poll finds the promotion done: the failover completes, RTO longer by the blackout.",
    // A manual start: no wait for more datapoints, so promotion is polled at the same moment in
    // both latency profiles and the blackout lands in it.
    input: (ctx) => startInput(ctx, 'manual', { reason: 'us-east-1 is down' }),
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      blackholes: [
        {
          region: ctx.plan.regions.standby,
          service: 'rds',
          mode: 'no-connection',
          from: ctx.t0 + STANDBY_RDS_DARK.fromMs,
          to: ctx.t0 + STANDBY_RDS_DARK.toMs,
        },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'old-primary-ecs-silent',
    summary:
      "The old primary's services are down and its ECS endpoint accepts connections but never answers, from just before fencing on (its RDS answers). Fencing bounds every attempt into the failed region and gives up on ECS after its silence window: compute fencing is recorded unconfirmed, Aurora's own fencing and the move go on, and the report tells the operator what to check.",
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      blackholes: [
        { region: ctx.plan.regions.primary, service: 'ecs', mode: 'no-answer', from: ctx.t0 + 1_500 },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
];
