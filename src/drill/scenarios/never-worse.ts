import { alarmEvent, type DrillScenario, MINUTE, primaryDown, startInput } from '../scenario-types.js';

const outage = (ctx: Parameters<typeof primaryDown>[0]) => [primaryDown(ctx, -6 * MINUTE)];
const refusedFailover = {
  command: 'FailoverGlobalCluster',
  error: {
    name: 'InvalidGlobalClusterStateFault',
    message: 'The global cluster orders-global is not in a valid state for failover.',
    fault: 'client' as const,
    status: 400,
  },
  count: 1,
};

/**
 * Drills for the classes of defect that random fault campaigns found (the point of no return,
 * docs/design-notes.md): each must end with the service no worse than it was found. Rolling
 * forward is drilled by `ecs-capacity-short` and `route53-change-rejected` (faults.ts).
 */
export const NEVER_WORSE_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'refused-after-fence-rolls-back',
    summary:
      'A manual failover from a healthy region: the source is fenced, then RDS refuses the failover. Before the point of no return: the source is un-fenced, everything reads back as found, the report says so.',
    input: (ctx) => startInput(ctx, 'manual', { reason: 'drill: promotion refused after fencing' }),
    cloud: () => ({ faults: [refusedFailover] }),
    expected: {
      outcome: 'failed',
      writer: 'source',
      recovery: { kind: 'rolled-back', complete: true },
    },
  },
  {
    name: 'both-branches-fail',
    summary:
      "The target's UpdateService is refused and RDS refuses the failover: both take-over branches fail; the report names both and is written at once, and the source is un-fenced.",
    input: (ctx) => startInput(ctx, 'manual', { reason: 'drill: both branches fail' }),
    cloud: (ctx) => ({
      faults: [
        refusedFailover,
        {
          command: 'UpdateService',
          region: ctx.plan.regions.standby,
          error: {
            name: 'AccessDeniedException',
            message: 'User is not authorized to perform: ecs:UpdateService',
            fault: 'client',
            status: 400,
          },
          count: 1,
        },
      ],
    }),
    expected: {
      outcome: 'failed',
      writer: 'source',
      recovery: { kind: 'rolled-back', complete: true },
      events: ['Failover Started', 'Failover Step Failed', 'Failover Failed'],
    },
  },
  {
    name: 'lock-release-refused',
    summary:
      'The failover succeeds but the lock table refuses the release: the report says the lock is still held, until when, and the command that frees it.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: outage(ctx),
      faults: [
        {
          command: 'UpdateItem',
          error: {
            name: 'AccessDeniedException',
            message: 'User is not authorized to perform: dynamodb:UpdateItem on the lock table',
            fault: 'client',
            status: 400,
          },
          count: 1,
          from: ctx.t0 + 60_000,
        },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
];
