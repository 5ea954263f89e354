import { describe, expect, it } from 'vitest';
import type { ClusterView, GlobalClusterView } from '../../src/aws/rds.js';
import {
  assessDetach,
  type DetachDecision,
  type DetachSafety,
  decideDetach,
  decideDetachSafety,
  type FencingOutcome,
  type OldRegionReach,
  rebuildInstructions,
} from '../../src/decisions/detach.js';
import { examplePlan, onlyDatabase } from '../support/plan.js';

const USE1 = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';
const DETACH = `aws rds remove-from-global-cluster --region us-west-2 --global-cluster-identifier orders-global --db-cluster-identifier ${USW2}`;
const FOLLOW_UP =
  'When us-east-1 answers, run: aws ecs update-service --region us-east-1 --cluster orders-use1 --service orders-api --desired-count 0';

const fenced = (outcome: string): FencingOutcome => ({
  resource: 'ecs us-east-1/orders-use1/orders-api',
  outcome,
  detail:
    outcome === 'unconfirmed'
      ? 'us-east-1 did not confirm: timeout: no answer within 3000 ms'
      : 'desired 6 -> 0',
});
const worker = (outcome: string): FencingOutcome => ({
  resource: 'ecs us-east-1/orders-use1/orders-worker',
  outcome,
  detail: 'desired 3 -> 0',
});

describe('decideDetachSafety', () => {
  it.each<{
    name: string;
    mode: 'automatic' | 'manual' | 'planned';
    fencing: FencingOutcome[];
    oldRegion: OldRegionReach;
    oldTasksRunning?: number | null;
    expected: Partial<DetachSafety>;
  }>([
    {
      name: 'allows it when every old-region service was fenced and no task still runs',
      mode: 'automatic',
      fencing: [fenced('fenced'), worker('already')],
      oldRegion: { kind: 'not-probed' },
      oldTasksRunning: 0,
      expected: { safe: true, basis: 'fenced' },
    },
    {
      name: 'refuses while fenced tasks are still draining, saying it is worth waiting for',
      mode: 'automatic',
      fencing: [fenced('fenced'), worker('already')],
      oldRegion: { kind: 'not-probed' },
      oldTasksRunning: 2,
      expected: { safe: false, draining: true },
    },
    {
      name: 'refuses when the fenced tasks cannot be read, with nothing to wait for',
      mode: 'automatic',
      fencing: [fenced('fenced'), worker('already')],
      oldRegion: { kind: 'not-probed' },
      oldTasksRunning: null,
      expected: { safe: false },
    },
    {
      name: 'refuses when the old region does not answer: silence is not evidence its writer stopped',
      mode: 'manual',
      fencing: [fenced('unconfirmed'), worker('fenced')],
      oldRegion: { kind: 'silent', detail: 'no answer within 3000 ms' },
      expected: { safe: false },
    },
    {
      name: 'refuses when the old region answers but its services are not fenced',
      mode: 'automatic',
      fencing: [fenced('unconfirmed'), worker('fenced')],
      oldRegion: { kind: 'answered', detail: 'DescribeDBClusters answered: orders-use1 is available' },
      expected: { safe: false },
    },
    {
      name: "refuses on a dry run's would-fence: nothing was fenced",
      mode: 'automatic',
      fencing: [fenced('would-fence'), worker('would-fence')],
      oldRegion: { kind: 'answered', detail: 'answered' },
      expected: { safe: false },
    },
    {
      name: 'refuses when nothing tells whether the old region answers',
      mode: 'automatic',
      fencing: [],
      oldRegion: { kind: 'not-probed' },
      expected: { safe: false },
    },
    {
      name: 'refuses a planned move, fenced or not: its old writer is up',
      mode: 'planned',
      fencing: [fenced('fenced'), worker('fenced')],
      oldRegion: { kind: 'silent', detail: 'x' },
      expected: { safe: false },
    },
  ])('$name', ({ mode, fencing, oldRegion, oldTasksRunning, expected }) => {
    // Act
    const safety = decideDetachSafety({
      request: { mode, sourceRegion: 'us-east-1', targetRegion: 'us-west-2' },
      serviceFencing: fencing,
      oldRegion,
      oldTasksRunning,
      followUps: [FOLLOW_UP],
      detachCommand: DETACH,
    });

    // Assess
    expect(safety).toMatchObject(expected);
    // Only draining tasks are worth waiting for: every other refusal says nothing of it.
    expect('draining' in safety && safety.draining).toBe('draining' in expected ? expected.draining : false);
  });

  it('tells the operator what to check and how to detach by hand when it refuses', () => {
    // Act
    const safety = decideDetachSafety({
      request: { mode: 'automatic', sourceRegion: 'us-east-1', targetRegion: 'us-west-2' },
      serviceFencing: [fenced('unconfirmed')],
      oldRegion: { kind: 'answered', detail: 'DescribeDBClusters answered HTTP 503' },
      followUps: [FOLLOW_UP],
      detachCommand: DETACH,
    });

    // Assess
    expect(safety.safe).toBe(false);
    const reason = safety.safe ? '' : safety.reason;
    expect(reason).toContain('us-east-1 answers (DescribeDBClusters answered HTTP 503)');
    expect(reason).toContain('ecs us-east-1/orders-use1/orders-api (unconfirmed:');
    expect(reason).toContain('two writers');
    expect(reason).toContain(FOLLOW_UP);
    expect(reason).toContain(DETACH);
  });

  it('tells the operator to fence first and how to detach by hand when the old region is silent', () => {
    // Act
    const safety = decideDetachSafety({
      request: { mode: 'automatic', sourceRegion: 'us-east-1', targetRegion: 'us-west-2' },
      serviceFencing: [fenced('unconfirmed')],
      oldRegion: { kind: 'silent', detail: 'no answer within 3000 ms' },
      followUps: [FOLLOW_UP],
      detachCommand: DETACH,
    });

    // Assess
    expect(!safety.safe && safety.reason).toMatch(
      /us-east-1 does not answer \(no answer within 3000 ms\).*two writers/,
    );
    expect(!safety.safe && safety.reason).toContain(DETACH);
  });
});

const member = (arn: string, isWriter: boolean) => ({
  arn,
  region: arn.split(':')[3] ?? '',
  isWriter,
  synchronizationStatus: 'connected',
});
const globalView = (overrides: Partial<GlobalClusterView> = {}): GlobalClusterView => ({
  identifier: 'orders-global',
  status: 'failing-over',
  engineVersion: '17.7',
  members: [member(USE1, false), member(USW2, false)],
  failoverState: { status: 'failing-over', fromArn: USE1, toArn: USW2, isDataLossAllowed: true },
  ...overrides,
});
const cluster = (overrides: Partial<ClusterView> = {}): ClusterView => ({
  arn: USW2,
  identifier: 'orders-usw2',
  status: 'available',
  engineVersion: '17.7',
  instanceCount: 2,
  writerInstances: [],
  globalClusterIdentifier: 'orders-global',
  ...overrides,
});

describe('decideDetach', () => {
  it.each<{
    name: string;
    global: GlobalClusterView | null;
    target: ClusterView;
    expected: Partial<DetachDecision>;
  }>([
    {
      name: 'detaches a stuck target through its own region',
      global: globalView(),
      target: cluster(),
      expected: {
        kind: 'detach',
        targetArn: USW2,
        endpointRegion: 'us-west-2',
        failoverStatus: 'failing-over',
      },
    },
    {
      name: 'detaches when no managed operation is visible at all',
      global: globalView({ failoverState: null, members: [member(USE1, true), member(USW2, false)] }),
      target: cluster(),
      expected: { kind: 'detach', failoverStatus: null },
    },
    {
      name: 'sends nothing when the managed failover finished after all',
      global: globalView({ failoverState: null, members: [member(USE1, false), member(USW2, true)] }),
      target: cluster({ writerInstances: ['orders-usw2-instance-1'] }),
      expected: { kind: 'already-writer', targetArn: USW2 },
    },
    {
      name: "trusts the cluster's own read over a global view that still lists it (eventually consistent)",
      global: globalView({ failoverState: null, members: [member(USE1, true), member(USW2, false)] }),
      target: cluster({ globalClusterIdentifier: null, status: 'promoting' }),
      expected: { kind: 'already-detached', writing: false, status: 'promoting' },
    },
    {
      name: 'sends nothing when the target left the global cluster and writes',
      global: globalView({ failoverState: null, members: [member(USE1, true)] }),
      target: cluster({ globalClusterIdentifier: null, writerInstances: ['orders-usw2-instance-1'] }),
      expected: { kind: 'already-detached', writing: true },
    },
    {
      name: 'sends nothing while an earlier detach is still promoting the target',
      global: globalView({ failoverState: null, members: [member(USE1, true)] }),
      target: cluster({ globalClusterIdentifier: null, status: 'promoting' }),
      expected: { kind: 'already-detached', writing: false, status: 'promoting' },
    },
    {
      name: 'counts a deleted global cluster as detached',
      global: null,
      target: cluster({ globalClusterIdentifier: null, writerInstances: ['orders-usw2-instance-1'] }),
      expected: { kind: 'already-detached', writing: true },
    },
    {
      name: 'refuses a headless target: it would have nothing to write with',
      global: globalView(),
      target: cluster({ instanceCount: 0 }),
      expected: { kind: 'refuse' },
    },
    {
      name: 'refuses while someone moves the writer to another cluster',
      global: globalView({
        failoverState: {
          status: 'switching-over',
          fromArn: USE1,
          toArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:x',
          isDataLossAllowed: false,
        },
      }),
      target: cluster(),
      expected: { kind: 'refuse' },
    },
    {
      name: 'refuses a target that belongs to another global cluster',
      global: null,
      target: cluster({ globalClusterIdentifier: 'other-global' }),
      expected: { kind: 'refuse' },
    },
  ])('$name', ({ global, target, expected }) => {
    // Act
    const decision = decideDetach({ targetRegion: 'us-west-2' }, onlyDatabase(examplePlan()), global, target);

    // Assess
    expect(decision).toMatchObject(expected);
  });

  it('refuses a target region the plan does not name', () => {
    // Act
    const decision = decideDetach(
      { targetRegion: 'eu-west-1' },
      onlyDatabase(examplePlan()),
      globalView(),
      cluster(),
    );

    // Assess
    expect(decision).toEqual({ kind: 'refuse', reason: 'the plan names no cluster in eu-west-1' });
  });
});

describe('assessDetach', () => {
  it.each<{
    name: string;
    target: ClusterView;
    action: 'detached' | 'already-detached' | 'already-writer';
    done: boolean;
  }>([
    {
      name: 'done once available, writing and out of the global cluster',
      target: cluster({ globalClusterIdentifier: null, writerInstances: ['i-1'] }),
      action: 'detached',
      done: true,
    },
    {
      name: 'not done while promoting',
      target: cluster({ globalClusterIdentifier: null, status: 'promoting' }),
      action: 'detached',
      done: false,
    },
    {
      name: 'not done while still listed as a member',
      target: cluster({ writerInstances: ['i-1'] }),
      action: 'detached',
      done: false,
    },
    {
      name: 'not done without a writer instance',
      target: cluster({ globalClusterIdentifier: null }),
      action: 'already-detached',
      done: false,
    },
    {
      name: 'a target the managed failover made writer stays a member and is done',
      target: cluster({ writerInstances: ['i-1'] }),
      action: 'already-writer',
      done: true,
    },
  ])('$name', ({ target, action, done }) => {
    // Act
    const progress = assessDetach(target, action);

    // Assess
    expect(progress.done).toBe(done);
  });
});

describe('rebuildInstructions', () => {
  it('lists the commands in order, with the failed region values named rather than guessed', () => {
    // Act
    const lines = rebuildInstructions({
      globalClusterIdentifier: 'orders-global',
      sourceRegion: 'us-east-1',
      targetRegion: 'us-west-2',
      sourceArn: USE1,
      targetArn: USW2,
      engine: 'aurora-postgresql',
      engineVersion: '17.7',
      storageEncrypted: true,
      stamp: '202511220030',
    });

    // Assess
    const commands = lines.map((line) => line.slice(line.indexOf('aws rds')));
    expect(commands.filter((c) => c.startsWith('aws rds'))).toEqual([
      'aws rds create-db-cluster-snapshot --region us-east-1 --db-cluster-identifier orders-use1 --db-cluster-snapshot-identifier orders-use1-old-202511220030',
      `aws rds remove-from-global-cluster --region us-east-1 --global-cluster-identifier orders-global --db-cluster-identifier ${USE1} && aws rds delete-global-cluster --region us-west-2 --global-cluster-identifier orders-global`,
      'aws rds modify-db-cluster --region us-east-1 --db-cluster-identifier orders-use1 --new-db-cluster-identifier orders-use1-old-202511220030 --apply-immediately',
      `aws rds create-global-cluster --region us-west-2 --global-cluster-identifier orders-global --source-db-cluster-identifier ${USW2}`,
      'aws rds create-db-cluster --region us-east-1 --db-cluster-identifier orders-use1 --global-cluster-identifier orders-global --engine aurora-postgresql --engine-version 17.7 --db-subnet-group-name <DB subnet group in us-east-1> --vpc-security-group-ids <security groups in us-east-1> --kms-key-id <KMS key in us-east-1>',
      'aws rds create-db-instance --region us-east-1 --db-cluster-identifier orders-use1 --db-instance-identifier orders-use1-instance-1 --engine aurora-postgresql --db-instance-class <class of the us-west-2 writer>',
      "aws rds describe-global-clusters --region us-west-2 --global-cluster-identifier orders-global --query 'GlobalClusters[0].GlobalClusterMembers[].[DBClusterArn,IsWriter,SynchronizationStatus]'",
      `aws rds create-global-cluster --region us-west-2 --global-cluster-identifier orders-global-rebuilt --source-db-cluster-identifier ${USW2}) and update the plan's database.globalClusterIdentifier and members.`,
    ]);
    expect(lines[0]).toMatch(/standalone writer with no replica.*do not fail back/);
  });

  it('leaves out the KMS key for an unencrypted cluster', () => {
    // Act
    const lines = rebuildInstructions({
      globalClusterIdentifier: 'orders-global',
      sourceRegion: 'us-east-1',
      targetRegion: 'us-west-2',
      sourceArn: USE1,
      targetArn: USW2,
      engine: 'aurora-mysql',
      engineVersion: '8.0.mysql_aurora.3.08.0',
      storageEncrypted: false,
      stamp: '202511220030',
    });

    // Assess
    expect(lines.join('\n')).not.toContain('--kms-key-id');
  });
});
