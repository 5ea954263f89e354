import { describe, expect, it } from 'vitest';
import {
  type EngineFacts,
  type GlobalMembership,
  judgeEngineVersions,
  judgeEngineVersionsUnplanned,
  judgeMembership,
  majorMinor,
} from '../../src/decisions/readiness.js';

const USE1 = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';
const EUW1 = 'arn:aws:rds:eu-west-1:123456789012:cluster:orders-euw1';

/** us-east-1 writes, us-west-2 is a connected secondary, nothing under way, unless told otherwise. */
function cluster(patch: {
  target?: Partial<GlobalMembership['members'][number]> | null;
  state?: Partial<NonNullable<GlobalMembership['failoverState']>>;
}): GlobalMembership {
  const target = { arn: USW2, isWriter: false, synchronizationStatus: 'connected', ...patch.target };
  return {
    identifier: 'orders-global',
    members: [
      { arn: USE1, isWriter: true, synchronizationStatus: 'connected' },
      ...(patch.target === null ? [] : [target]),
    ],
    failoverState: patch.state
      ? { status: 'failing-over', fromArn: USE1, toArn: USW2, isDataLossAllowed: true, ...patch.state }
      : null,
  };
}

describe('judgeMembership', () => {
  it.each<[string, GlobalMembership, { ok: boolean; detail: RegExp }]>([
    ['accepts a connected secondary', cluster({}), { ok: true, detail: /^target is a secondary member$/ }],
    [
      'accepts a secondary whose status RDS does not report (older engines)',
      cluster({ target: { synchronizationStatus: null } }),
      { ok: true, detail: /secondary member/ },
    ],
    [
      'accepts the writer itself (a re-run after success)',
      cluster({ target: { isWriter: true, synchronizationStatus: null } }),
      { ok: true, detail: /already the writer/ },
    ],
    [
      'accepts a failover towards the target already under way, and says so',
      cluster({ state: { status: 'pending' } }),
      {
        ok: true,
        detail:
          /^a failover towards the target is already under way \(pending\): promote-database sends nothing again/,
      },
    ],
    [
      'refuses a pending-resync target, naming it, the status and what to do',
      cluster({ target: { synchronizationStatus: 'pending-resync' } }),
      {
        ok: false,
        detail: new RegExp(
          `^target member ${USW2} is pending-resync, not connected, so promotion would refuse it: wait until Aurora has resynchronised it .*aws rds describe-global-clusters --region us-west-2 --global-cluster-identifier orders-global`,
        ),
      },
    ],
    [
      'refuses a target that is not a member',
      cluster({ target: null }),
      {
        ok: false,
        detail: new RegExp(`^${USW2} is not a member of orders-global \\(detached or never added\\)`),
      },
    ],
    [
      'refuses while a switchover towards another member is under way',
      cluster({ state: { status: 'switching-over', toArn: EUW1, isDataLossAllowed: false } }),
      {
        ok: false,
        detail: new RegExp(
          `^a switchover of orders-global towards ${EUW1} is under way \\(switching-over\\), so promotion would refuse a second one: wait`,
        ),
      },
    ],
    [
      'refuses a move under way even when the target is pending-resync, naming the move first',
      cluster({ target: { synchronizationStatus: 'pending-resync' }, state: { toArn: EUW1 } }),
      { ok: false, detail: /^a failover of orders-global towards .*orders-euw1 is under way/ },
    ],
  ])('%s', (_case, view, expected) => {
    // Act
    const verdict = judgeMembership(view, USW2, 'us-west-2');

    // Assess
    expect(verdict.ok).toBe(expected.ok);
    expect(verdict.detail).toMatch(expected.detail);
  });
});

describe('majorMinor', () => {
  it.each([
    ['16.6', '16.6'],
    ['13.12', '13.12'],
    ['8.0.mysql_aurora.3.04.1', '8.0.mysql_aurora.3.04'],
    ['5.7.mysql_aurora.2.11.2', '5.7.mysql_aurora.2.11'],
  ])('reads %s as %s', (version, expected) => {
    expect(majorMinor(version)).toBe(expected);
  });
});

describe('judgeEngineVersions', () => {
  const source = (engineVersion: string | null): EngineFacts => ({
    identifier: 'orders-use1',
    region: 'us-east-1',
    engineVersion,
  });
  const target = (engineVersion: string | null): EngineFacts => ({
    identifier: 'orders-usw2',
    region: 'us-west-2',
    engineVersion,
  });

  it.each<[string, string | null, string | null, { ok: boolean; detail: RegExp }]>([
    ['accepts equal versions', '16.6', '16.6', { ok: true, detail: /^engine 16\.6 in both regions$/ }],
    [
      'refuses different major versions',
      '15.8',
      '16.6',
      {
        ok: false,
        detail: /^engine versions differ: 15\.8 in us-east-1, 16\.6 in us-west-2; .*same major and minor/,
      },
    ],
    [
      'refuses different minor versions, saying what to upgrade',
      '16.4',
      '16.6',
      { ok: false, detail: /upgrade the older cluster first .*describe-db-clusters --region us-west-2/ },
    ],
    [
      'refuses different Aurora MySQL minor versions',
      '8.0.mysql_aurora.3.04.1',
      '8.0.mysql_aurora.3.05.2',
      { ok: false, detail: /^engine versions differ/ },
    ],
    [
      'accepts patch levels that differ, and says RDS may still refuse',
      '8.0.mysql_aurora.3.04.0',
      '8.0.mysql_aurora.3.04.1',
      { ok: true, detail: /^patch levels differ .*some minor versions only/ },
    ],
    [
      'does not refuse an engine it could not read',
      null,
      '16.6',
      { ok: true, detail: /^engine version of orders-use1 unknown: not compared$/ },
    ],
  ])('%s', (_case, from, to, expected) => {
    // Act
    const verdict = judgeEngineVersions(source(from), target(to));

    // Assess
    expect(verdict.ok).toBe(expected.ok);
    expect(verdict.detail).toMatch(expected.detail);
  });
});

describe('judgeEngineVersionsUnplanned', () => {
  const facts = (identifier: string, region: string, engineVersion: string | null): EngineFacts => ({
    identifier,
    region,
    engineVersion,
  });

  it('lets an unplanned move through different versions, naming the detach-and-promote way it will take', () => {
    // Act
    const verdict = judgeEngineVersionsUnplanned(
      facts('orders-use1', 'us-east-1', '16.4'),
      facts('orders-usw2', 'us-west-2', '16.6'),
    );

    // Assess
    expect(verdict.ok).toBe(true);
    expect(verdict.detail).toMatch(
      /^engine versions differ \(16\.4 in us-east-1, 16\.6 in us-west-2\): FailoverGlobalCluster would refuse them, so this unplanned move goes by detach-and-promote: orders-usw2 is detached/,
    );
  });

  it('says the same as the planned judgement when the versions match', () => {
    const source = facts('orders-use1', 'us-east-1', '16.6');
    const target = facts('orders-usw2', 'us-west-2', '16.6');

    expect(judgeEngineVersionsUnplanned(source, target)).toEqual(judgeEngineVersions(source, target));
  });
});
