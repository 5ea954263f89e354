import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  budgetFor,
  describeBudget,
  EXECUTION_TIMEOUT_SECONDS,
  type RetryPolicy,
  retryWaitSeconds,
  STATE_MACHINE,
  timeBudget,
} from '../../src/plan/budget.js';
import { loadPlanFile, parsePlan } from '../../src/plan/load.js';
import { failoverPlanSchema } from '../../src/plan/schema.js';

// biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, changed freely to build plans
type RawPlan = any;
const example = (): RawPlan => JSON.parse(readFileSync('plans/dev.json', 'utf8'));
const TOPIC = 'arn:aws:sns:us-west-2:123456789012:orders-failover-approvals';

interface AslState {
  Type: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Seconds?: number;
  Retry?: (RetryPolicy & { ErrorEquals: string[] } & Record<string, unknown>)[];
  Branches?: { States: Record<string, AslState> }[];
}

/** Every state of the definition, those inside Parallel branches included. */
function allStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...(state.Branches ?? []).flatMap((b) => allStates(b.States)),
  ]);
}

const definition = JSON.parse(readFileSync('statemachines/failover.asl.json', 'utf8'));
const states = allStates(definition.States);
const asPolicy = (r: NonNullable<AslState['Retry']>[number]): RetryPolicy => ({
  intervalSeconds: r.IntervalSeconds as number,
  maxAttempts: r.MaxAttempts as number,
  backoffRate: r.BackoffRate as number,
  ...(r.MaxDelaySeconds === undefined ? {} : { maxDelaySeconds: r.MaxDelaySeconds as number }),
});

describe('the state machine times the budget counts on', () => {
  it('has the execution timeout of statemachines/failover.asl.json', () => {
    expect(definition.TimeoutSeconds).toBe(EXECUTION_TIMEOUT_SECONDS);
  });

  it('gives no task more than taskSeconds, except the approval wait the plan sets', () => {
    const tasks = states.filter(([, s]) => s.Type === 'Task');
    const over = tasks.filter(([, s]) =>
      s.TimeoutSecondsPath
        ? false
        : (s.TimeoutSeconds ?? Number.POSITIVE_INFINITY) > STATE_MACHINE.taskSeconds,
    );

    expect(over.map(([name]) => name)).toEqual([]);
  });

  it('waits no longer than pollSeconds in any fixed Wait', () => {
    const waits = states.filter(([, s]) => s.Type === 'Wait' && s.Seconds !== undefined);
    const over = waits.filter(([, s]) => (s.Seconds ?? 0) > STATE_MACHINE.pollSeconds);

    expect(waits.length).toBeGreaterThan(0);
    expect(over.map(([name]) => name)).toEqual([]);
  });

  it('retries transient errors no longer than transientRetry, on every task', () => {
    const allowed = retryWaitSeconds(STATE_MACHINE.transientRetry);
    const transient = states.flatMap(([name, s]) =>
      (s.Retry ?? [])
        .filter((r) => r.ErrorEquals.includes('AwsTransientError'))
        .map((r) => [name, r] as const),
    );

    expect(transient.length).toBeGreaterThan(0);
    expect(
      transient.filter(([, r]) => retryWaitSeconds(asPolicy(r)) > allowed).map(([name]) => name),
    ).toEqual([]);
  });

  it("waits for the target to warm up as warmUpRetry says (VerifyTarget's TargetUnhealthyError)", () => {
    const warmUp = states.flatMap(([, s]) =>
      (s.Retry ?? []).filter((r) => r.ErrorEquals.includes('TargetUnhealthyError')),
    );

    expect(warmUp.map(asPolicy)).toEqual([STATE_MACHINE.warmUpRetry]);
  });

  it.each<[string, RetryPolicy, number]>([
    [
      'doubles from 2 s, capped at 20 s',
      { intervalSeconds: 2, maxAttempts: 4, backoffRate: 2, maxDelaySeconds: 20 },
      30,
    ],
    [
      'caps every wait at MaxDelaySeconds',
      { intervalSeconds: 10, maxAttempts: 3, backoffRate: 3, maxDelaySeconds: 20 },
      50,
    ],
    ['grows by 1.5 from 15 s, rounded up', { intervalSeconds: 15, maxAttempts: 4, backoffRate: 1.5 }, 122],
  ])('sums a Retry that %s', (_case, policy, expected) => {
    expect(retryWaitSeconds(policy)).toBe(expected);
  });
});

describe('timeBudget', () => {
  it('fits the default plan, item by item on an automatic start', () => {
    // Act
    const budget = budgetFor(loadPlanFile('plans/dev.json'), 'automatic');

    // Assess
    expect(budget).toMatchObject({ mode: 'automatic', fits: true, executionTimeoutSeconds: 7200 });
    expect(budget.items.map((i) => [i.name, i.seconds])).toEqual([
      ['start', 120],
      ['failure check', 420], // 5 checks x 60 s + 4 waits x 30 s
      ['readiness', 120], // readiness + RecordFound
      ['take-over', 2010], // fence 60 + promotion 900 + poll 75 + detach 900 + poll 75
      ['traffic shift', 375], // DNS deadline 300 + poll 75
      ['verification', 422], // 5 attempts x 60 s + 15 + 22.5 + 33.75 + 50.6 s
      ['recovery', 1592], // assess 60 + max(rollback 5 x 75, writer wait 600 + 15 + 60) + 1 re-shift (60 + 300 + 75 + 422)
      ['lock release and report', 120],
      ['hooks', 60], // the cache warm-up after promotion: one task
      ['retries', 870], // 29 tasks x 30 s
    ]);
    expect(budget.worstCaseSeconds).toBe(6109);
    expect(describeBudget(budget)).toMatch(
      /^worst case 102 min of 120 min \(automatic start\): start 120 s, /,
    );
  });

  it('finds the automatic start the longest way for the default plan; a planned one scales the target before the switchover', () => {
    const plan = loadPlanFile('plans/dev.json');

    // The detach fallback doubles the promotion deadline (900 s) of an unplanned move.
    expect(timeBudget(plan)).toMatchObject({ mode: 'automatic', fits: true, worstCaseSeconds: 6109 });
    const planned = budgetFor(plan, 'planned');
    expect(planned.worstCaseSeconds).toBe(5629);
    expect(planned.items.find((i) => i.name === 'pre-scale')?.seconds).toBe(975); // scale 900 + poll 75
  });

  it('counts the approval wait only for automatic starts, and only when the plan asks for one', () => {
    const plan = parsePlan(
      { ...example(), approval: { automatic: 'wait', timeoutSeconds: 900, topicArn: TOPIC } },
      'x',
    );

    expect(budgetFor(plan, 'automatic').items.find((i) => i.name === 'approval')?.seconds).toBe(900);
    expect(budgetFor(plan, 'manual').items.map((i) => i.name)).not.toContain('approval');
    expect(budgetFor(loadPlanFile('plans/dev.json'), 'automatic').items.map((i) => i.name)).not.toContain(
      'approval',
    );
  });

  it('counts the drain, with the scale-up before it, only for planned starts', () => {
    const raw = example();
    raw.database.writesVia = 'global-writer-endpoint';
    raw.dns.drain = { sourceWeights: [75, 50, 25], intervalSeconds: 60 };
    const plan = parsePlan(raw, 'x');

    // scale deadline 900 + poll 75, then 3 x (60 + 60) + 60
    expect(budgetFor(plan, 'planned').items.find((i) => i.name === 'drain')?.seconds).toBe(1395);
    expect(budgetFor(plan, 'automatic').items.map((i) => i.name)).not.toContain('drain');
  });

  it('leaves out the detach fallback for a planned switchover (a stuck switchover fails)', () => {
    const plan = loadPlanFile('plans/dev.json');

    // fence 60 + promotion 900 + poll 75, no detach: longer than the scale-up (900 s + poll).
    expect(budgetFor(plan, 'planned').items.find((i) => i.name === 'take-over')).toMatchObject({
      seconds: 1035,
      fields: ['timeouts.promotionSeconds'],
    });
  });

  it('never finds a manual start longer than an automatic one', () => {
    const plan = loadPlanFile('plans/dev.json');

    expect(budgetFor(plan, 'manual').worstCaseSeconds).toBeLessThanOrEqual(
      budgetFor(plan, 'automatic').worstCaseSeconds,
    );
  });
});

describe('the plan schema keeps the plan inside the budget', () => {
  const issuesOf = (raw: RawPlan) => {
    const result = failoverPlanSchema.safeParse(raw);
    return result.success
      ? []
      : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it('refuses a day-long approval wait, naming the field and what adds up', () => {
    // Prepare
    const raw = { ...example(), approval: { automatic: 'wait', timeoutSeconds: 86_400, topicArn: TOPIC } };

    // Act
    const issues = issuesOf(raw);

    // Assess
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('approval.timeoutSeconds');
    expect(issues[0]?.message).toMatch(
      /^86,400 s of waits do not fit the 7,200 s execution timeout \(worst case 92,539 s for an automatic start: approval 86,400 s, take-over 2,010 s, recovery 1,592 s, /,
    );
    expect(issues[0]?.message).toMatch(
      /; lower approval\.timeoutSeconds, .*: an execution that times out ends with no report and keeps the lock$/,
    );
    expect(() => parsePlan(raw, 'plans/prod.json')).toThrow(
      /plans\/prod\.json is invalid:\n {2}- approval\.timeoutSeconds: 86,400 s of waits do not fit/,
    );
  });

  it('refuses a drain too long for the execution timeout, naming the drain', () => {
    // Prepare: nine steps an hour apart
    const raw = example();
    raw.database.writesVia = 'global-writer-endpoint';
    raw.dns.drain = { sourceWeights: [90, 80, 70, 60, 50, 40, 30, 20, 10], intervalSeconds: 3600 };

    // Act
    const issues = issuesOf(raw);

    // Assess
    expect(issues.map((i) => i.path)).toEqual(['dns.drain.intervalSeconds']);
    // scale-up 900 s + poll 75 s, then 9 x (60 s + 3,600 s) + 60 s
    expect(issues[0]?.message).toMatch(/for a planned start: drain 33,975 s, /);
    expect(issues[0]?.message).toMatch(
      /lower dns\.drain\.intervalSeconds, dns\.drain\.sourceWeights, timeouts\.scaleSeconds/,
    );
  });

  it('accepts a 15-minute approval wait with the default deadlines', () => {
    const raw = { ...example(), approval: { automatic: 'wait', timeoutSeconds: 900, topicArn: TOPIC } };

    expect(issuesOf(raw)).toEqual([]);
  });

  it.each(
    [
      ...readdirSync('plans').map((f) => `plans/${f}`),
      ...readdirSync('test/fixtures/plans').map((f) => `test/fixtures/plans/${f}`),
    ].filter((f) => f.endsWith('.json')),
  )('keeps %s inside the budget', (file) => {
    expect(timeBudget(loadPlanFile(file)).fits).toBe(true);
  });
});
