import { alarmEvent, type DrillScenario, MINUTE, primaryDown, startInput } from '../scenario-types.js';

/** The scheduled action of `scaler-suspended-on-fence`: the old primary's weekday peak. */
export const PEAK_ACTION = { name: 'weekday-peak', afterMs: 4 * MINUTE, minCapacity: 8, maxCapacity: 12 };
/** The scheduled action of `failback-resumes-scaler`, due once the failback is done. */
export const LATE_PEAK_ACTION = {
  name: 'evening-peak',
  afterMs: 12 * MINUTE,
  minCapacity: 10,
  maxCapacity: 12,
};
/** Demand on orders-api in the primary (tasks' worth at the policy's target), above its active count of 6. */
export const SURGE_TASKS = 9;

/** ECS and Application Auto Scaling as AWS runs them: scaling activities, suspended scalers. */
export const SCALING_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'scaler-suspended-on-fence',
    summary:
      "us-east-1 fails during a load surge, with a scheduled action due at 03:04 that raises orders-api's minimum to 8 there. The fence suspends scale-out and scheduled scaling with the minimum lowered to 0: the action is skipped, no scale-out runs, and the old primary stays at 0.",
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      // Clients retrying against the failing region: 9 tasks' worth of load on 6 tasks, so the
      // target tracking policy wants a scale-out while the fenced tasks still drain.
      ecsDemand: [{ region: ctx.plan.regions.primary, service: 'orders-api', tasks: SURGE_TASKS }],
      scheduledActions: [
        {
          region: ctx.plan.regions.primary,
          service: 'orders-api',
          name: PEAK_ACTION.name,
          at: ctx.t0 + PEAK_ACTION.afterMs,
          minCapacity: PEAK_ACTION.minCapacity,
          maxCapacity: PEAK_ACTION.maxCapacity,
        },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'failback-resumes-scaler',
    summary:
      'Failback to us-east-1, whose orders-api the earlier failover fenced (minimum 0, scale-out and scheduled scaling suspended): the scale-up resumes them, so traffic above the active count scales it out and an evening scheduled action runs.',
    runsIn: 'primary',
    input: (ctx) => startInput(ctx, 'planned', { to: 'primary', reason: 'failback after the outage' }),
    cloud: (ctx) => ({
      initialWriter: 'standby',
      ecsDemand: [{ region: ctx.plan.regions.primary, service: 'orders-api', tasks: SURGE_TASKS }],
      scheduledActions: [
        {
          region: ctx.plan.regions.primary,
          service: 'orders-api',
          name: LATE_PEAK_ACTION.name,
          at: ctx.t0 + LATE_PEAK_ACTION.afterMs,
          minCapacity: LATE_PEAK_ACTION.minCapacity,
          maxCapacity: LATE_PEAK_ACTION.maxCapacity,
        },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'shift-at-half-capacity',
    summary:
      'The primary stops serving; the plan lets traffic move once half of each service runs in the standby (capacity.shiftAtPercent 50): a shorter outage, the rest still starting.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)] }),
    plan: (raw) => {
      raw.capacity = { shiftAtPercent: 50 };
    },
    expected: { outcome: 'succeeded', writer: 'target' },
  },
];
