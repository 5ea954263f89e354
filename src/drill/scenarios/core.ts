import { alarmEvent, type DrillScenario, MINUTE, primaryDown } from '../scenario-types.js';

/** The workflow's main paths: an outage, a blip, a planned move, and the basic error paths. */
export const CORE_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'region-outage',
    summary: 'The primary region stops serving; its APIs still answer. Unplanned failover to the standby.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)] }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'transient-blip',
    summary: 'The primary fails for 90 s and recovers. The alarm fires; nothing must move.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -180_000, -90_000)] }),
    expected: { outcome: 'no-action', writer: 'source' },
  },
  {
    name: 'planned-switchover',
    summary: 'Both regions healthy; an operator moves the service to the standby with no data loss.',
    input: (ctx) => ({
      version: 1,
      mode: 'planned',
      targetRegion: ctx.plan.regions.standby,
      reason: 'quarterly failover drill',
      requestedBy: 'drill@example.com',
    }),
    cloud: () => ({}),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'region-unreachable',
    summary:
      "us-east-1's service and APIs are down, Route 53's control plane and ARC's us-east-1 endpoint with them: fencing is unconfirmed, the database and compute move, and traffic follows through ARC routing controls (data plane), verified from the name servers' answers.",
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [
        primaryDown(ctx, -6 * MINUTE),
        { region: ctx.plan.regions.primary, kind: 'apis-unreachable', from: ctx.t0 - 6 * MINUTE },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'throttled-promotion',
    summary: 'RDS throttles the failover call five times: the SDK and then the state machine retry it.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      faults: [{ command: 'FailoverGlobalCluster', error: 'throttle', count: 5 }],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'promotion-refused',
    summary:
      'RDS refuses the failover (invalid state): the execution reports and fails; traffic is not moved.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      faults: [
        {
          command: 'FailoverGlobalCluster',
          error: {
            name: 'InvalidGlobalClusterStateFault',
            message: 'The global cluster orders-global is not in a valid state for failover.',
            fault: 'client',
            status: 400,
          },
          count: 1,
        },
      ],
    }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'headless-standby',
    summary: 'The standby Aurora cluster has no DB instance: readiness stops the failover before any change.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)], headlessStandby: true }),
    expected: { outcome: 'failed', writer: 'source' },
  },
];
