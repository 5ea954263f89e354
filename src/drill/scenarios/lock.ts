import { type DrillScenario, MINUTE, startInput, withRecordUpsert } from '../scenario-types.js';

const ONCALL = 'oncall@example.com';
/**
 * A stopped execution never reaches the steps that publish its outcome: "Failover Started" is
 * all it sends. Step Functions' own "Step Functions Execution Status Change" event (ABORTED) is
 * what a rule can route for it.
 */
const STOPPED_EVENTS = ['Failover Started'] as const;

/**
 * A planned switchover with a gradual drain: minutes of weight steps, so the operator has time
 * to notice it is the wrong move and stop it mid-way (as planned-drain in operators.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
function withDrain(raw: any): void {
  withRecordUpsert(raw);
  raw.database.writesVia = 'global-writer-endpoint';
  raw.dns.drain = { sourceWeights: [75, 50, 25], intervalSeconds: 60 };
}

/** The plan's lock after an operator stops a failover (issue 11: no stuck lock). */
export const LOCK_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'stop-then-start',
    summary:
      'On-call stops a planned switchover mid-drain with failover stop, which frees its lock; the manual failover started next takes the lock and succeeds, with no hand edit of DynamoDB.',
    input: (ctx) => startInput(ctx, 'planned', { reason: 'maintenance in us-east-1' }),
    plan: withDrain,
    cloud: () => ({}),
    operators: () => [
      {
        command: 'stop',
        execution: 0,
        afterMs: 90_000,
        by: ONCALL,
        reason: 'the vendor says a switchover now cannot finish: fail over instead',
      },
    ],
    alsoStart: (ctx) => [
      {
        input: startInput(ctx, 'manual', { reason: 'fail over instead of the switchover' }),
        afterMs: 3 * MINUTE,
      },
    ],
    expected: { outcome: 'failed', writer: 'target', others: ['succeeded'], events: STOPPED_EVENTS },
  },
  {
    name: 'unlock-after-console-stop',
    summary:
      'failover unlock refuses while the switchover runs; stopped from the console, it keeps its lock and the next manual start is suppressed; failover unlock (the holder is ABORTED now) frees it, and the manual failover started after it succeeds.',
    input: (ctx) => startInput(ctx, 'planned', { reason: 'maintenance in us-east-1' }),
    plan: withDrain,
    cloud: () => ({}),
    operators: () => [
      // Too early: the holder still runs, so the lock is not stuck; unlock names it and refuses.
      { command: 'unlock', afterMs: 60_000, by: ONCALL, reason: 'the switchover blocks the failover' },
      { command: 'console-stop', execution: 0, afterMs: 90_000, by: ONCALL, reason: 'wrong window' },
      {
        command: 'unlock',
        afterMs: 4 * MINUTE,
        by: ONCALL,
        reason: 'holder stopped from the console; its lock blocks the failover',
      },
    ],
    alsoStart: (ctx) => [
      { input: startInput(ctx, 'manual', { reason: 'fail over instead' }), afterMs: 3 * MINUTE },
      { input: startInput(ctx, 'manual', { reason: 'fail over, lock freed' }), afterMs: 5 * MINUTE },
    ],
    expected: {
      outcome: 'failed',
      writer: 'target',
      others: ['suppressed', 'succeeded'],
      events: STOPPED_EVENTS,
    },
  },
];
