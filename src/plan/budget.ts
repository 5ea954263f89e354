import { MAX_RESHIFTS, MAX_WAIT_FOR_WRITER_MS, REASSESS_AFTER_SECONDS } from '../recovery/decide.js';
import { MAX_ROLLBACK_ROUNDS } from '../recovery/limits.js';
import type { FailoverPlan } from './schema.js';

/**
 * One time budget. Every wait a plan allows (rechecks, approval, drain, deadlines, retries) must
 * fit the execution timeout: an execution that times out runs no report step and keeps the lock
 * until it expires. The state machine's own times are constants here, kept equal to
 * statemachines/failover.asl.json by test/plan/budget.test.ts; the plan's come from the plan.
 *
 * The worst case is summed along each way through the state machine, and the longest counts:
 *
 *   automatic: start, failure check (+ rechecks), readiness, [approval], take-over (detach fallback),
 *   manual:    start, failure check,              readiness,             take-over (detach fallback),
 *   planned:   start, failure check,              readiness, [drain],    take-over (no fallback),
 *              ... then traffic shift, verification, rollback or roll-forward, lock release and report,
 *              and the transient-error retries of every task on the way.
 */

/** statemachines/failover.asl.json's TimeoutSeconds. */
export const EXECUTION_TIMEOUT_SECONDS = 7200;

export interface RetryPolicy {
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds?: number;
}

/** The state machine's own times, as statemachines/failover.asl.json sets them. */
export const STATE_MACHINE = {
  /** Every Task's TimeoutSeconds (the Lambda timeout), AwaitApproval's aside (the plan's). */
  taskSeconds: 60,
  /** The longest fixed Wait of a polling loop (detach and pre-scale 15 s; promotion, scale-up and traffic 5 s, since those are on the outage's critical path). */
  pollSeconds: 15,
  /** The Retry every Task has for transient errors (throttling, Lambda service errors, timeouts). */
  transientRetry: { intervalSeconds: 2, maxAttempts: 4, backoffRate: 2, maxDelaySeconds: 20 },
  /** VerifyTarget's Retry on TargetUnhealthyError while the new region warms up. */
  warmUpRetry: { intervalSeconds: 15, maxAttempts: 4, backoffRate: 1.5 },
} as const satisfies Record<string, number | RetryPolicy>;

/**
 * After a failure (src/recovery/decide.ts): one look at the writer, then the longest of rolling
 * back (MAX_ROLLBACK_ROUNDS restore-and-read-back rounds) and waiting for a moving writer,
 * then rolling forward: MAX_RESHIFTS more shifts, each with its DNS deadline and verification.
 */
function recovery(plan: BudgetPlan, verifySeconds: number): Stretch {
  const rollBack = MAX_ROLLBACK_ROUNDS * (T + ROLLBACK_WAIT_SECONDS);
  const waitForWriter = MAX_WAIT_FOR_WRITER_MS / 1000 + REASSESS_AFTER_SECONDS + T;
  const reshift = T + plan.timeouts.dnsSyncSeconds + OVERRUN + verifySeconds;
  return {
    name: 'recovery',
    seconds: T + Math.max(rollBack, waitForWriter) + MAX_RESHIFTS * reshift,
    fields: ['timeouts.dnsSyncSeconds'],
    how: `assess ${T} s + max(rollback ${MAX_ROLLBACK_ROUNDS} rounds ${rollBack} s, wait for a moving writer ${waitForWriter} s) + ${MAX_RESHIFTS} re-shift(s) x ${reshift} s`,
    tasks: 1 + MAX_ROLLBACK_ROUNDS + MAX_RESHIFTS * 3,
  };
}

/** RollBack's Wait between rounds (statemachines/failover.asl.json WaitForRollBack). */
export const ROLLBACK_WAIT_SECONDS = 15;

/** The longest a Retry waits between attempts in all, with FULL jitter's upper bound. */
export function retryWaitSeconds(policy: RetryPolicy): number {
  let total = 0;
  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    const wait = policy.intervalSeconds * policy.backoffRate ** attempt;
    total += Math.min(wait, policy.maxDelaySeconds ?? Number.POSITIVE_INFINITY);
  }
  return Math.ceil(total);
}

/** What the budget reads of a plan (schema.ts calls it on the parsed plan, inside its checks). */
export type BudgetPlan = Pick<FailoverPlan, 'sustained' | 'approval' | 'timeouts'> & {
  dns: Pick<FailoverPlan['dns'], 'drain'>;
  hooks?: FailoverPlan['hooks'];
};

export type BudgetMode = 'automatic' | 'manual' | 'planned';

export interface BudgetItem {
  name: string;
  seconds: number;
  /** The plan fields that set it; empty when only the state machine's constants do. */
  fields: string[];
  /** The arithmetic, for a reader to check. */
  how: string;
}

export interface TimeBudget {
  /** The way through the state machine these items follow. */
  mode: BudgetMode;
  items: BudgetItem[];
  worstCaseSeconds: number;
  executionTimeoutSeconds: number;
  fits: boolean;
}

/** A stretch of the way, with the tasks in it whose transient errors may be retried. */
type Stretch = BudgetItem & { tasks: number };

const T = STATE_MACHINE.taskSeconds;
/** A deadline is noticed by the first poll after it: one more wait and check. */
const OVERRUN = STATE_MACHINE.pollSeconds + STATE_MACHINE.taskSeconds;

function takeOver(plan: BudgetPlan, mode: BudgetMode): Stretch {
  const { promotionSeconds: promotion, scaleSeconds: scale } = plan.timeouts;
  // A stuck managed failover falls back to detaching the target, which has a deadline of its own;
  // a stuck switchover fails instead.
  const fallback = mode === 'planned' ? 0 : promotion + OVERRUN;
  const database = T + promotion + OVERRUN + fallback;
  const compute = scale + OVERRUN;
  const how = `max(fence ${T} s + promotion ${promotion} s${fallback ? ` + detach fallback ${promotion} s` : ''} + polls, scale-up ${scale} s + poll)`;
  return database >= compute
    ? {
        name: 'take-over',
        seconds: database,
        fields: ['timeouts.promotionSeconds'],
        how,
        tasks: fallback ? 5 : 3,
      }
    : { name: 'take-over', seconds: compute, fields: ['timeouts.scaleSeconds'], how, tasks: 2 };
}

function stretches(plan: BudgetPlan, mode: BudgetMode): Stretch[] {
  const { maxRechecks, recheckIntervalSeconds } = plan.sustained;
  const out: Stretch[] = [
    { name: 'start', seconds: 2 * T, fields: [], how: 'input and lock tasks', tasks: 2 },
    mode === 'automatic'
      ? {
          name: 'failure check',
          seconds: (maxRechecks + 1) * T + maxRechecks * recheckIntervalSeconds,
          fields: ['sustained.maxRechecks', 'sustained.recheckIntervalSeconds'],
          how: `${maxRechecks + 1} checks x ${T} s + ${maxRechecks} waits x ${recheckIntervalSeconds} s`,
          tasks: maxRechecks + 1,
        }
      : { name: 'failure check', seconds: T, fields: [], how: 'skipped: an operator decided', tasks: 1 },
    {
      name: 'readiness',
      seconds: 2 * T,
      fields: [],
      how: 'readiness and the undo record (RecordFound)',
      tasks: 2,
    },
  ];
  if (mode === 'automatic' && plan.approval.automatic !== 'proceed') {
    out.push({
      name: 'approval',
      seconds: plan.approval.timeoutSeconds,
      fields: ['approval.timeoutSeconds'],
      how: `policy ${plan.approval.automatic}: up to the approval deadline`,
      tasks: 1,
    });
  }
  const drain = plan.dns.drain;
  if (mode === 'planned' && !drain) {
    out.push({
      name: 'pre-scale',
      seconds: plan.timeouts.scaleSeconds + OVERRUN,
      fields: ['timeouts.scaleSeconds'],
      how: `planned moves scale the target first (${plan.timeouts.scaleSeconds} s + poll)`,
      tasks: 2,
    });
  }
  if (mode === 'planned' && drain) {
    const steps = drain.sourceWeights.length;
    out.push({
      name: 'drain',
      seconds: plan.timeouts.scaleSeconds + OVERRUN + steps * (T + drain.intervalSeconds) + T,
      fields: ['dns.drain.intervalSeconds', 'dns.drain.sourceWeights', 'timeouts.scaleSeconds'],
      how: `scale-up first (${plan.timeouts.scaleSeconds} s + poll), then ${steps} steps x (${T} s + ${drain.intervalSeconds} s) + ${T} s`,
      tasks: 2 + steps + 1,
    });
  }
  const { dnsSyncSeconds } = plan.timeouts;
  const verifyWaits = retryWaitSeconds(STATE_MACHINE.warmUpRetry);
  const verifyAttempts = STATE_MACHINE.warmUpRetry.maxAttempts + 1;
  out.push(
    takeOver(plan, mode),
    {
      name: 'traffic shift',
      seconds: dnsSyncSeconds + OVERRUN,
      fields: ['timeouts.dnsSyncSeconds'],
      how: `DNS deadline ${dnsSyncSeconds} s + poll`,
      tasks: 2,
    },
    {
      name: 'verification',
      seconds: verifyAttempts * T + verifyWaits,
      fields: [],
      how: `${verifyAttempts} attempts x ${T} s + ${verifyWaits} s of warm-up waits`,
      tasks: 1,
    },
    recovery(plan, verifyAttempts * T + verifyWaits),
    { name: 'lock release and report', seconds: 2 * T, fields: [], how: 'two tasks', tasks: 2 },
  );
  // Each hook is one invoke-hook task (its Invoke is bounded inside the task's 60 s, plan/hooks.ts).
  // Counted in full even where it runs beside the scale-up: the budget errs long.
  const hooks = Object.keys(plan.hooks ?? {}).filter(
    (point) => plan.hooks?.[point as keyof typeof plan.hooks],
  );
  if (hooks.length > 0) {
    out.push({
      name: 'hooks',
      seconds: hooks.length * T,
      fields: hooks.map((point) => `hooks.${point}`),
      how: `${hooks.length} hook task(s) x ${T} s`,
      tasks: hooks.length,
    });
  }
  return out;
}

/** The itemised worst case of one way through the state machine. */
export function budgetFor(plan: BudgetPlan, mode: BudgetMode): TimeBudget {
  const parts = stretches(plan, mode);
  const tasks = parts.reduce((sum, p) => sum + p.tasks, 0);
  const perTask = retryWaitSeconds(STATE_MACHINE.transientRetry);
  const items: BudgetItem[] = [
    ...parts.map(({ tasks: _, ...item }) => item),
    {
      name: 'retries',
      seconds: tasks * perTask,
      fields: [],
      how: `${tasks} tasks x ${perTask} s of transient-error backoff`,
    },
  ];
  const worstCaseSeconds = items.reduce((sum, item) => sum + item.seconds, 0);
  return {
    mode,
    items,
    worstCaseSeconds,
    executionTimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    fits: worstCaseSeconds <= EXECUTION_TIMEOUT_SECONDS,
  };
}

/** The itemised worst case of the plan: its longest way through the state machine. */
export function timeBudget(plan: BudgetPlan): TimeBudget {
  const ways = (['automatic', 'manual', 'planned'] as const).map((mode) => budgetFor(plan, mode));
  return ways.reduce((worst, way) => (way.worstCaseSeconds > worst.worstCaseSeconds ? way : worst));
}

const seconds = (n: number) => `${n.toLocaleString('en-US')} s`;
const minutes = (n: number) => `${Math.ceil(n / 60)} min`;

/** `worst case 101 min of 120 min (automatic start): start 120 s, ...`, for `failover validate`. */
export function describeBudget(budget: TimeBudget): string {
  const items = budget.items.map((i) => `${i.name} ${seconds(i.seconds)}`).join(', ');
  return `worst case ${minutes(budget.worstCaseSeconds)} of ${minutes(budget.executionTimeoutSeconds)} (${budget.mode} start): ${items}`;
}

/**
 * Why the plan's waits do not fit the execution timeout, at the field that weighs most, or null
 * when they fit. The fields the plan sets are named largest first: those are what to lower.
 */
export function budgetProblem(plan: BudgetPlan): { path: string[]; message: string } | null {
  const budget = timeBudget(plan);
  if (budget.fits) return null;
  const byWeight = [...budget.items].sort((a, b) => b.seconds - a.seconds);
  const heaviest = byWeight.find((i) => i.fields.length > 0);
  const fields = [...new Set(byWeight.flatMap((i) => i.fields))];
  const items = byWeight.map((i) => `${i.name} ${seconds(i.seconds)}`).join(', ');
  const message =
    `${seconds(heaviest?.seconds ?? budget.worstCaseSeconds)} of waits do not fit the ${seconds(budget.executionTimeoutSeconds)} execution timeout ` +
    `(worst case ${seconds(budget.worstCaseSeconds)} for ${budget.mode === 'automatic' ? 'an' : 'a'} ${budget.mode} start: ${items}); ` +
    `lower ${fields.join(', ')}: an execution that times out ends with no report and keeps the lock`;
  return { path: (heaviest?.fields[0] ?? 'timeouts').split('.'), message };
}
