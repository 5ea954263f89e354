import { describe, expect, it } from 'vitest';
import {
  type DrainPlanDecision,
  decideDrainPlan,
  decideDrainRecord,
  sourceShare,
} from '../../src/decisions/drain.js';
import type { RecordSetState } from '../../src/decisions/traffic.js';
import { PlanInvalidError } from '../../src/errors.js';
import type { DatabasePlan, FailoverPlan } from '../../src/plan/schema.js';
import { apiRecord, examplePlan, onlyDatabase, USE1_ALB, USW2_ALB } from '../support/plan.js';

const weighted = apiRecord();

const source = (weight: number): RecordSetState => ({
  name: 'api.orders.example.com.',
  type: 'CNAME',
  setIdentifier: 'orders-use1',
  weight,
  ttl: 60,
  values: [USE1_ALB],
  healthCheckId: 'hc-use1',
});
const target = (weight: number): RecordSetState => ({
  name: 'api.orders.example.com.',
  type: 'CNAME',
  setIdentifier: 'orders-usw2',
  weight,
  ttl: 60,
  values: [USW2_ALB],
  healthCheckId: 'hc-usw2',
});

function drainingPlan(overrides: {
  writesVia?: DatabasePlan['writesVia'];
  drain?: FailoverPlan['dns']['drain'] | null;
}): FailoverPlan {
  const plan = examplePlan();
  const drain =
    overrides.drain === null
      ? undefined
      : (overrides.drain ?? { sourceWeights: [75, 50, 25], intervalSeconds: 120 });
  return {
    ...plan,
    database: { ...onlyDatabase(plan), writesVia: overrides.writesVia ?? 'global-writer-endpoint' },
    dns: { ...plan.dns, ...(drain ? { drain } : {}) },
  };
}

describe('decideDrainPlan', () => {
  it.each<{
    name: string;
    mode: 'automatic' | 'manual' | 'planned';
    plan: FailoverPlan;
    previous: number | undefined;
    expected: Partial<DrainPlanDecision>;
  }>([
    {
      name: 'skips an unplanned move: traffic moves in one cut',
      mode: 'automatic',
      plan: drainingPlan({}),
      previous: undefined,
      expected: { kind: 'skip' },
    },
    {
      name: 'skips a planned move whose plan sets no drain',
      mode: 'planned',
      plan: drainingPlan({ drain: null }),
      previous: undefined,
      expected: { kind: 'skip' },
    },
    {
      name: 'refuses when the target tasks would write to their own read-only cluster',
      mode: 'planned',
      plan: drainingPlan({ writesVia: 'regional-writer' }),
      previous: undefined,
      expected: { kind: 'refuse', error: 'TargetNotReadyError' },
    },
    {
      name: 'refuses source weights that leave the target nothing',
      mode: 'planned',
      plan: drainingPlan({ drain: { sourceWeights: [150, 100, 50], intervalSeconds: 60 } }),
      previous: undefined,
      expected: { kind: 'refuse', error: 'PlanInvalidError' },
    },
    {
      name: 'starts with the first weight',
      mode: 'planned',
      plan: drainingPlan({}),
      previous: undefined,
      expected: {
        kind: 'step',
        index: 0,
        of: 3,
        sourceWeight: 75,
        targetWeight: 25,
        last: false,
        intervalSeconds: 120,
      },
    },
    {
      name: 'goes on from the step the previous invocation applied',
      mode: 'planned',
      plan: drainingPlan({}),
      previous: 0,
      expected: { kind: 'step', index: 1, sourceWeight: 50, targetWeight: 50, last: false },
    },
    {
      name: 'marks the last configured step',
      mode: 'planned',
      plan: drainingPlan({}),
      previous: 1,
      expected: { kind: 'step', index: 2, sourceWeight: 25, targetWeight: 75, last: true },
    },
    {
      name: 'reports completion when every step was applied',
      mode: 'planned',
      plan: drainingPlan({}),
      previous: 2,
      expected: { kind: 'complete', index: 2, sourceWeight: 25, targetWeight: 75 },
    },
  ])('$name', ({ mode, plan, previous, expected }) => {
    // Act
    const decision = decideDrainPlan({ mode, targetRegion: 'us-west-2' }, plan, previous);

    // Assess
    expect(decision).toMatchObject(expected);
  });

  it('says what to change in the plan when it refuses to drain', () => {
    // Act
    const decision = decideDrainPlan(
      { mode: 'planned', targetRegion: 'us-west-2' },
      drainingPlan({ writesVia: 'regional-writer' }),
      undefined,
    );

    // Assess
    expect(decision.kind === 'refuse' && decision.reason).toMatch(
      /writesVia "regional-writer".*us-west-2 would write to their own cluster.*"global-writer-endpoint".*remove dns\.drain/,
    );
  });
});

describe('sourceShare', () => {
  it.each<{ name: string; s: RecordSetState | undefined; t: RecordSetState | undefined; share: number }>([
    { name: 'weight over the sum', s: source(75), t: target(25), share: 0.75 },
    { name: 'all answers to a lone source', s: source(100), t: undefined, share: 1 },
    { name: 'no answers from a missing source', s: undefined, t: target(100), share: 0 },
    { name: 'equal answers when every weight is 0', s: source(0), t: target(0), share: 0.5 },
    { name: 'all answers to a lone source of weight 0', s: source(0), t: undefined, share: 1 },
  ])('$name', ({ s, t, share }) => {
    // Act
    const { num, den } = sourceShare(s, t);

    // Assess
    expect(num / den).toBe(share);
  });
});

describe('decideDrainRecord', () => {
  it.each<{
    name: string;
    current: RecordSetState[];
    weight: number;
    state: 'change' | 'already' | 'ahead';
    upserts: RecordSetState[];
  }>([
    {
      name: 'moves 100/0 to 75/25, keeping TTL, values and health checks',
      current: [source(100), target(0)],
      weight: 75,
      state: 'change',
      upserts: [target(25), source(75)],
    },
    {
      name: 'sends nothing when the records show this step already (a retried step)',
      current: [source(75), target(25)],
      weight: 75,
      state: 'already',
      upserts: [],
    },
    {
      name: 'never moves answers back towards the source',
      current: [source(50), target(50)],
      weight: 75,
      state: 'ahead',
      upserts: [],
    },
    {
      name: 'leaves a record that already points at the target alone',
      current: [source(0), target(100)],
      weight: 25,
      state: 'ahead',
      upserts: [],
    },
    {
      name: 'treats the same share with other weights as done',
      current: [source(150), target(50)],
      weight: 75,
      state: 'ahead',
      upserts: [],
    },
    {
      name: 'changes only the record that differs',
      current: [source(75), target(0)],
      weight: 75,
      state: 'change',
      upserts: [target(25)],
    },
    {
      name: 'steps down from equal answers (all weights 0)',
      current: [source(0), target(0)],
      weight: 25,
      state: 'change',
      upserts: [target(75), source(25)],
    },
    {
      name: "creates the target's record from the plan when it is missing",
      current: [source(100)],
      weight: 75,
      state: 'change',
      upserts: [
        {
          name: 'api.orders.example.com.',
          type: 'CNAME',
          setIdentifier: 'orders-usw2',
          weight: 25,
          ttl: 60,
          values: [USW2_ALB],
        },
        source(75),
      ],
    },
    {
      name: 'has nothing to drain without a source record',
      current: [target(100)],
      weight: 75,
      state: 'ahead',
      upserts: [],
    },
  ])('$name', ({ current, weight, state, upserts }) => {
    // Act
    const shift = decideDrainRecord(weighted, current, 'us-east-1', 'us-west-2', weight);

    // Assess
    expect(shift.state).toBe(state);
    expect(shift.upserts).toEqual(upserts);
  });

  it('describes the step for the timeline', () => {
    // Act
    const shift = decideDrainRecord(weighted, [source(100), target(0)], 'us-east-1', 'us-west-2', 75);

    // Assess
    expect(shift).toMatchObject({
      from: 'orders-use1=100 orders-usw2=0',
      to: 'orders-use1=75 orders-usw2=25',
      sourcePercentBefore: 100,
      ttlSeconds: 60,
    });
  });

  it('refuses a simple record: only weights can be stepped', () => {
    // Prepare
    const { setIdentifier: _, ...rest } = weighted;

    // Act
    const decide = () => decideDrainRecord({ ...rest, routing: 'simple' }, [], 'us-east-1', 'us-west-2', 75);

    // Assess
    expect(decide).toThrow(PlanInvalidError);
  });
});
