import { alarmEvent, type DrillScenario, MINUTE, primaryDown, startInput } from '../scenario-types.js';

/**
 * The plan's hooks (src/plan/hooks.ts) against functions that succeed, fail or hang in the
 * simulated Lambda (src/sim/lambda.ts). The example plan already warms the cache after promotion
 * (orders-cache-warmup, onFailure continue); these scenarios change that function or add hooks.
 */

const outage = (ctx: Parameters<DrillScenario['cloud']>[0]) => ({
  incidents: [primaryDown(ctx, -6 * MINUTE)],
});

/** Pauses the order queue's consumers before anything moves; a failure must stop the failover. */
const PAUSE_QUEUE = 'orders-pause-queue';
/** Tells a partner where traffic went; only for planned moves. */
const NOTIFY_PARTNER = 'orders-notify-partner';

/** The plannedOnly hook of the two plannedOnly scenarios: tell a partner once traffic moved. */
// biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
function withPartnerNotice(raw: any): void {
  raw.hooks = {
    ...raw.hooks,
    afterTrafficShift: {
      function: NOTIFY_PARTNER,
      timeoutSeconds: 15,
      onFailure: 'continue',
      plannedOnly: true,
    },
  };
}

/** The partner-notice function as the simulated Lambda runs it. */
const PARTNER_NOTICE_FUNCTION = {
  name: NOTIFY_PARTNER,
  behaviour: 'succeed',
  runMs: 700,
  timeoutSeconds: 15,
  returns: { notified: 2 },
} as const;

export const HOOK_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'hook-warms-cache',
    summary:
      "Region outage with the example plan's cache warm-up after promotion: the function answers in ~5 s (cold start included) while the scale-up goes on beside it.",
    input: (ctx) => alarmEvent(ctx),
    cloud: outage,
    expected: { outcome: 'succeeded', writer: 'target', hooks: { afterPromotion: 'ok' } },
  },
  {
    name: 'hook-fails-continue',
    summary:
      'The cache warm-up throws (a function error: Invoke answers 200 with FunctionError): onFailure continue, so the failover goes on and the report says what a human must still do.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      ...outage(ctx),
      lambdaFunctions: [
        {
          name: 'orders-cache-warmup',
          behaviour: 'fail',
          runMs: 1_500,
          timeoutSeconds: 30,
          error: { type: 'RedisConnectionError', message: 'connect ETIMEDOUT 10.0.3.17:6379' },
        },
      ],
    }),
    expected: { outcome: 'succeeded', writer: 'target', hooks: { afterPromotion: 'failed' } },
  },
  {
    name: 'hook-hangs',
    summary:
      'The cache warm-up never answers (its own timeout is 15 minutes): the orchestrator stops waiting at the hook timeout of 20 s, records it as timed out, and goes on (onFailure continue).',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      ...outage(ctx),
      lambdaFunctions: [{ name: 'orders-cache-warmup', behaviour: 'hang', timeoutSeconds: 900 }],
    }),
    expected: { outcome: 'succeeded', writer: 'target', hooks: { afterPromotion: 'timed-out' } },
  },
  {
    name: 'hook-aborts-before-fencing',
    summary:
      'A beforeFencing hook with onFailure abort (pause the order queue) fails: the failover stops before its first change, releases the lock and reports; nothing was changed.',
    input: (ctx) => alarmEvent(ctx),
    plan: (raw) => {
      raw.hooks = {
        ...raw.hooks,
        beforeFencing: { function: PAUSE_QUEUE, timeoutSeconds: 10, onFailure: 'abort' },
      };
    },
    cloud: (ctx) => ({
      ...outage(ctx),
      lambdaFunctions: [
        {
          name: PAUSE_QUEUE,
          behaviour: 'fail',
          runMs: 800,
          timeoutSeconds: 10,
          error: {
            type: 'AccessDeniedException',
            message: 'not authorized to perform sqs:SetQueueAttributes',
          },
        },
      ],
    }),
    expected: {
      outcome: 'failed',
      writer: 'source',
      recovery: { kind: 'none', complete: true },
      hooks: { beforeFencing: 'failed', afterPromotion: 'not-reached' },
    },
  },
  {
    name: 'hook-aborts-after-promotion',
    summary:
      'The cache warm-up is made onFailure abort and fails after the writer moved: the failover cannot be undone, so it stops, recovery rolls forward (traffic follows the writer) and the execution ends partial, naming the hook.',
    input: (ctx) => alarmEvent(ctx),
    plan: (raw) => {
      raw.hooks.afterPromotion.onFailure = 'abort';
    },
    cloud: (ctx) => ({
      ...outage(ctx),
      lambdaFunctions: [
        {
          name: 'orders-cache-warmup',
          behaviour: 'fail',
          runMs: 1_500,
          timeoutSeconds: 30,
          error: { type: 'RedisConnectionError', message: 'connect ETIMEDOUT 10.0.3.17:6379' },
        },
      ],
    }),
    expected: {
      outcome: 'partial',
      writer: 'target',
      // The abort stops the take-over's scale-up polls. On typical latencies the promotion ends
      // first and verification comes before every task runs (complete: false); on pessimistic
      // ones the scale-up was done before the promotion (complete: true). Either is right.
      recovery: { kind: 'rolled-forward' },
      hooks: { afterPromotion: 'failed' },
    },
  },
  {
    name: 'hook-missing-in-standby',
    summary:
      "The scheduled readiness check (a dry run) finds the plan's beforeFencing hook deployed in us-east-1 only: Invoke DryRun in us-west-2 answers ResourceNotFoundException, the report lists it as a readiness problem and Ready is 0, before an outage needs it.",
    input: (ctx) => startInput(ctx, 'manual', { dryRun: true, reason: 'scheduled readiness check' }),
    plan: (raw) => {
      raw.hooks = {
        ...raw.hooks,
        beforeFencing: { function: PAUSE_QUEUE, timeoutSeconds: 10, onFailure: 'abort' },
      };
    },
    cloud: (ctx) => ({
      lambdaFunctions: [
        {
          name: PAUSE_QUEUE,
          regions: [ctx.plan.regions.primary],
          behaviour: 'succeed',
          runMs: 800,
          timeoutSeconds: 10,
        },
      ],
    }),
    expected: {
      outcome: 'dry-run',
      writer: 'source',
      hooks: { beforeFencing: 'failed', afterPromotion: 'skipped' },
    },
  },
  {
    name: 'hook-planned-only-skipped',
    summary:
      'A plannedOnly hook after the traffic shift (tell a partner) in an unplanned failover: skipped, and the timeline says why (AWS Region switch skips custom Lambda steps in ungraceful mode too).',
    input: (ctx) => alarmEvent(ctx),
    plan: withPartnerNotice,
    cloud: (ctx) => ({
      ...outage(ctx),
      lambdaFunctions: [PARTNER_NOTICE_FUNCTION],
    }),
    expected: {
      outcome: 'succeeded',
      writer: 'target',
      hooks: { afterPromotion: 'ok', afterTrafficShift: 'skipped' },
    },
  },
  {
    name: 'hook-planned-only-runs',
    summary:
      'The same plannedOnly hook in a planned switchover: invoked once the name servers answer the target, before verification.',
    input: (ctx) => startInput(ctx, 'planned', { reason: 'quarterly failover drill' }),
    plan: withPartnerNotice,
    cloud: () => ({
      lambdaFunctions: [PARTNER_NOTICE_FUNCTION],
    }),
    expected: {
      outcome: 'succeeded',
      writer: 'target',
      hooks: { afterPromotion: 'ok', afterTrafficShift: 'ok' },
    },
  },
];
