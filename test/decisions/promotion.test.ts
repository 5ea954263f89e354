import { describe, expect, it } from 'vitest';
import type { FailoverStateView, GlobalClusterView } from '../../src/aws/rds.js';
import {
  assessPromotion,
  classifyPromotionRefusal,
  decidePromotion,
  engineMismatch,
  isPastDeadline,
  NOT_VISIBLE_GRACE_MS,
  type PromotionDecision,
  type PromotionProgress,
} from '../../src/decisions/promotion.js';
import type { FailoverRequest } from '../../src/steps/request.js';
import { examplePlan, onlyDatabase } from '../support/plan.js';

const USE1 = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';
const OTHER = 'arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1';

interface Shape {
  writer?: string | null;
  state?: Partial<FailoverStateView> | null;
  members?: string[];
  status?: string;
}

/** A global cluster as DescribeGlobalClusters shows it, us-east-1 the writer unless told otherwise. */
function view({
  writer = USE1,
  state = null,
  members = [USE1, USW2],
  status = 'available',
}: Shape = {}): GlobalClusterView {
  return {
    identifier: 'orders-global',
    status,
    engineVersion: '17.7',
    members: members.map((arn) => ({
      arn,
      region: arn.split(':')[3] ?? '',
      isWriter: arn === writer,
      synchronizationStatus: 'connected',
    })),
    failoverState: state
      ? { status: 'pending', fromArn: USE1, toArn: USW2, isDataLossAllowed: true, ...state }
      : null,
  };
}

const move = (mode: FailoverRequest['mode']) => ({
  mode,
  sourceRegion: 'us-east-1',
  targetRegion: 'us-west-2',
});

describe('decidePromotion', () => {
  const plan = examplePlan();

  it.each<{
    name: string;
    request: ReturnType<typeof move>;
    cluster: GlobalClusterView;
    expected: PromotionDecision;
  }>([
    {
      name: 'fails over to the target region for an automatic move',
      request: move('automatic'),
      cluster: view(),
      expected: {
        kind: 'failover',
        targetArn: USW2,
        fromArn: USE1,
        endpointRegion: 'us-west-2',
        allowDataLoss: true,
      },
    },
    {
      name: 'fails over with data loss allowed for a manual move',
      request: move('manual'),
      cluster: view(),
      expected: {
        kind: 'failover',
        targetArn: USW2,
        fromArn: USE1,
        endpointRegion: 'us-west-2',
        allowDataLoss: true,
      },
    },
    {
      name: 'fails over even when the target region lists no writer',
      request: move('automatic'),
      cluster: view({ writer: null }),
      expected: {
        kind: 'failover',
        targetArn: USW2,
        fromArn: null,
        endpointRegion: 'us-west-2',
        allowDataLoss: true,
      },
    },
    {
      name: "switches over through the primary's region for a planned move",
      request: move('planned'),
      cluster: view(),
      expected: {
        kind: 'switchover',
        targetArn: USW2,
        fromArn: USE1,
        endpointRegion: 'us-east-1',
        allowDataLoss: false,
      },
    },
    {
      name: 'does nothing when the target is already the writer',
      request: move('automatic'),
      cluster: view({ writer: USW2 }),
      expected: { kind: 'already-writer', targetArn: USW2 },
    },
    {
      name: 'polls a failover towards the target instead of sending it again',
      request: move('automatic'),
      cluster: view({ state: { status: 'failing-over' } }),
      expected: {
        kind: 'in-progress',
        action: 'failover',
        status: 'failing-over',
        fromArn: USE1,
        targetArn: USW2,
      },
    },
    {
      name: 'polls a switchover towards the target that already writes',
      request: move('planned'),
      cluster: view({ writer: USW2, state: { status: 'switching-over', isDataLossAllowed: false } }),
      expected: {
        kind: 'in-progress',
        action: 'switchover',
        status: 'switching-over',
        fromArn: USE1,
        targetArn: USW2,
      },
    },
  ])('$name', ({ request, cluster, expected }) => {
    // Act
    const decision = decidePromotion(request, onlyDatabase(plan), cluster);

    // Assess
    expect(decision).toEqual(expected);
  });

  it.each<{ name: string; request: ReturnType<typeof move>; cluster: GlobalClusterView; reason: RegExp }>([
    {
      name: 'refuses when an operation moves the writer to another cluster',
      request: move('automatic'),
      cluster: view({ members: [USE1, USW2, OTHER], state: { toArn: OTHER } }),
      reason: /already pending towards .*orders-euw1/,
    },
    {
      name: 'refuses when the target is not a member of the global cluster',
      request: move('automatic'),
      cluster: view({ members: [USE1] }),
      reason: /orders-usw2 is not a member of global cluster orders-global/,
    },
    {
      name: 'refuses a target Aurora is still resynchronising',
      request: move('manual'),
      cluster: {
        ...view(),
        members: view().members.map((m) =>
          m.arn === USW2 ? { ...m, synchronizationStatus: 'pending-resync' } : m,
        ),
      },
      reason: /orders-usw2 is pending-resync, not connected/,
    },
    {
      name: 'refuses a switchover with no writer to switch from',
      request: move('planned'),
      cluster: view({ writer: null }),
      reason: /no writer to switch over from/,
    },
    {
      name: 'refuses a target region the plan does not name',
      request: { ...move('automatic'), targetRegion: 'eu-west-1' },
      cluster: view(),
      reason: /names no cluster in eu-west-1/,
    },
  ])('$name', ({ request, cluster, reason }) => {
    // Act
    const decision = decidePromotion(request, onlyDatabase(plan), cluster);

    // Assess
    expect(decision.kind).toBe('refuse');
    expect(decision.kind === 'refuse' && decision.reason).toMatch(reason);
  });
});

describe('assessPromotion', () => {
  const startedAt = '2025-11-22T00:20:00.000Z';
  const at = (ms: number) => new Date(Date.parse(startedAt) + ms);

  it.each<{ name: string; cluster: GlobalClusterView; now: Date; expected: PromotionProgress }>([
    {
      name: 'is done when the target writes and no operation is left',
      cluster: view({ writer: USW2 }),
      now: at(90_000),
      expected: { state: 'done', status: 'complete' },
    },
    {
      name: 'is going while the failover is pending',
      cluster: view({ state: { status: 'pending' } }),
      now: at(10_000),
      expected: { state: 'going', status: 'pending', targetIsWriter: false },
    },
    {
      name: 'is going while the failover promotes the target',
      cluster: view({ writer: null, state: { status: 'failing-over' } }),
      now: at(30_000),
      expected: { state: 'going', status: 'failing-over', targetIsWriter: false },
    },
    {
      name: 'is going while a switchover resynchronises after the target writes',
      cluster: view({ writer: USW2, state: { status: 'switching-over', isDataLossAllowed: false } }),
      now: at(60_000),
      expected: { state: 'going', status: 'switching-over', targetIsWriter: true },
    },
    {
      name: 'is going when the request is not visible yet',
      cluster: view(),
      now: at(NOT_VISIBLE_GRACE_MS - 1),
      expected: { state: 'going', status: 'requested', targetIsWriter: false },
    },
    {
      name: 'is going when no member writes and no operation shows',
      cluster: view({ writer: null, status: 'modifying' }),
      now: at(NOT_VISIBLE_GRACE_MS * 2),
      expected: { state: 'going', status: 'modifying', targetIsWriter: false },
    },
  ])('$name', ({ cluster, now, expected }) => {
    // Act
    const progress = assessPromotion(cluster, USW2, { startedAt, now });

    // Assess
    expect(progress).toEqual(expected);
  });

  it.each<{ name: string; cluster: GlobalClusterView; reason: RegExp }>([
    {
      name: 'fails when RDS cancels the operation',
      cluster: view({ state: { status: 'cancelling' } }),
      reason: /cancelling/,
    },
    {
      name: 'fails when the old writer still writes after the grace period',
      cluster: view(),
      reason: /orders-use1 is still the writer/,
    },
    {
      name: 'fails when a writer that is neither source nor target appears',
      cluster: view({ writer: OTHER, members: [USE1, USW2, OTHER] }),
      reason: /orders-euw1 is still the writer/,
    },
    {
      name: 'fails when an operation moves the writer elsewhere',
      cluster: view({ members: [USE1, USW2, OTHER], state: { status: 'failing-over', toArn: OTHER } }),
      reason: /another operation is moving the writer to .*orders-euw1/,
    },
    {
      name: 'fails when the target was detached',
      cluster: view({ members: [USE1] }),
      reason: /no longer a member/,
    },
  ])('$name', ({ cluster, reason }) => {
    // Act
    const progress = assessPromotion(cluster, USW2, { startedAt, now: at(NOT_VISIBLE_GRACE_MS + 1) });

    // Assess
    expect(progress.state).toBe('failed');
    expect(progress.state === 'failed' && progress.reason).toMatch(reason);
  });
});

describe('isPastDeadline', () => {
  it.each([
    { name: 'is not past a deadline still ahead', now: '2025-11-22T00:29:59.999Z', past: false },
    { name: 'is not past a deadline at the very instant', now: '2025-11-22T00:30:00.000Z', past: false },
    { name: 'is past a deadline behind', now: '2025-11-22T00:30:00.001Z', past: true },
  ])('$name', ({ now, past }) => {
    // Act & Assess
    expect(isPastDeadline(new Date(now), '2025-11-22T00:30:00.000Z')).toBe(past);
  });
});

describe('decidePromotion with the engine versions readiness read', () => {
  const plan = examplePlan();
  const differ = { source: '16.4', target: '16.6' };

  it('detaches instead of a managed failover in an unplanned move during a rolling upgrade', () => {
    expect(decidePromotion(move('automatic'), onlyDatabase(plan), view(), differ)).toEqual({
      kind: 'detach',
      targetArn: USW2,
      fromArn: USE1,
      reason:
        'engine versions differ (source 16.4, target 16.6): RDS refuses a managed failover or switchover between them',
    });
    expect(decidePromotion(move('manual'), onlyDatabase(plan), view(), differ).kind).toBe('detach');
  });

  it('refuses a planned move: a switchover waits for the upgrade', () => {
    expect(decidePromotion(move('planned'), onlyDatabase(plan), view(), differ)).toMatchObject({
      kind: 'refuse',
      reason: expect.stringMatching(/^engine versions differ .*a planned move waits for the upgrade/),
    });
  });

  it('still waits for an operation under way, and still skips a target that already writes', () => {
    expect(
      decidePromotion(
        move('automatic'),
        onlyDatabase(plan),
        view({ state: { status: 'failing-over' } }),
        differ,
      ).kind,
    ).toBe('in-progress');
    expect(decidePromotion(move('automatic'), onlyDatabase(plan), view({ writer: USW2 }), differ).kind).toBe(
      'already-writer',
    );
  });

  it.each([
    ['equal versions', { source: '16.6', target: '16.6' }],
    [
      'patch levels only (RDS decides)',
      { source: '8.0.mysql_aurora.3.04.0', target: '8.0.mysql_aurora.3.04.1' },
    ],
    ['a source it could not read', { source: null, target: '16.6' }],
  ])('sends the managed failover with %s', (_case, engines) => {
    expect(decidePromotion(move('automatic'), onlyDatabase(plan), view(), engines).kind).toBe('failover');
    expect(engineMismatch(engines)).toBeNull();
  });
});

describe('classifyPromotionRefusal', () => {
  it.each<[string, { name: string; message: string }, ReturnType<typeof classifyPromotionRefusal>]>([
    [
      'a failover already running',
      {
        name: 'InvalidGlobalClusterStateFault',
        message: 'Global cluster orders-global is already failing over.',
      },
      'under-way',
    ],
    [
      'a switchover already running',
      {
        name: 'InvalidGlobalClusterStateFault',
        message: 'Global cluster orders-global is already switching over.',
      },
      'under-way',
    ],
    [
      'a target that already writes',
      {
        name: 'InvalidGlobalClusterStateFault',
        message: 'orders-usw2 is already the primary cluster of orders-global.',
      },
      'under-way',
    ],
    [
      'the engine versions',
      {
        name: 'InvalidGlobalClusterStateFault',
        message:
          'The target cluster orders-usw2 must have the same engine version as that of the current primary cluster orders-use1.',
      },
      'engine-versions',
    ],
    [
      'an invalid state that says nothing of an operation under way',
      {
        name: 'InvalidGlobalClusterStateFault',
        message: 'The global cluster orders-global is not in a valid state for failover.',
      },
      'refused',
    ],
    [
      'a target Aurora is still rebuilding',
      {
        name: 'InvalidGlobalClusterStateFault',
        message:
          'orders-use1 is pending-resync: it must be rebuilt as a secondary before it can be promoted.',
      },
      'refused',
    ],
    ['access denied', { name: 'AccessDenied', message: 'already failing over' }, 'refused'],
  ])('reads %s', (_case, error, expected) => {
    expect(classifyPromotionRefusal(error)).toBe(expected);
  });
});
