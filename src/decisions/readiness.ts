/**
 * What check-readiness refuses on Aurora's side, decided from what it read: the same things
 * FailoverGlobalCluster and SwitchoverGlobalCluster would refuse, found before anything is
 * fenced. No AWS here, and no AWS views: each function says the little it needs.
 */

export interface Verdict {
  ok: boolean;
  detail: string;
}

/** The global cluster as DescribeGlobalClusters shows it, as far as readiness needs it. */
export interface GlobalMembership {
  identifier: string;
  members: readonly { arn: string; isWriter: boolean; synchronizationStatus: string | null }[];
  failoverState: {
    status: string;
    fromArn: string | null;
    toArn: string | null;
    /** true for a failover, false for a switchover. */
    isDataLossAllowed: boolean;
  } | null;
}

/** A member cluster's engine, as DescribeDBClusters shows it in its own region. */
export interface EngineFacts {
  identifier: string;
  region: string;
  /** null when the cluster could not be read or RDS did not report it. */
  engineVersion: string | null;
}

const describeGlobal = (id: string, region: string) =>
  `aws rds describe-global-clusters --region ${region} --global-cluster-identifier ${id}`;

/**
 * Can promotion take the target? In the order RDS refuses:
 *
 *   not a member ─▶ refuse          (detached, or never added)
 *   FailoverState towards another ─▶ refuse   (two moves at once: two writers or none)
 *   FailoverState towards target  ─▶ ready    (promote-database waits for it, sends nothing)
 *   target is the writer          ─▶ ready    (a re-run after success)
 *   SynchronizationStatus not connected ─▶ refuse (pending-resync: Aurora is still rebuilding it)
 *
 * A status RDS does not report (older engines) is not a refusal: only what is read refuses.
 */
export function judgeMembership(view: GlobalMembership, targetArn: string, targetRegion: string): Verdict {
  const check = describeGlobal(view.identifier, targetRegion);
  const member = view.members.find((m) => m.arn === targetArn);
  if (!member) {
    return {
      ok: false,
      detail: `${targetArn} is not a member of ${view.identifier} (detached or never added), so promotion would refuse it: add it back as a secondary, or fail over by hand (${check})`,
    };
  }
  const state = view.failoverState;
  if (state && state.toArn !== targetArn) {
    return {
      ok: false,
      detail: `a ${state.isDataLossAllowed ? 'failover' : 'switchover'} of ${view.identifier} towards ${state.toArn ?? 'an unknown cluster'} is under way (${state.status}), so promotion would refuse a second one: wait until FailoverState is gone, then decide again (${check})`,
    };
  }
  if (state) {
    return {
      ok: true,
      detail: `a ${state.isDataLossAllowed ? 'failover' : 'switchover'} towards the target is already under way (${state.status}): promote-database sends nothing again and waits for it`,
    };
  }
  if (member.isWriter) return { ok: true, detail: 'target is already the writer' };
  const sync = member.synchronizationStatus;
  if (sync !== null && sync !== 'connected') {
    return {
      ok: false,
      detail: `target member ${targetArn} is ${sync}, not connected, so promotion would refuse it: wait until Aurora has resynchronised it (after a failover it is rebuilt as a secondary, minutes to hours) and SynchronizationStatus reads connected (${check})`,
    };
  }
  return { ok: true, detail: 'target is a secondary member' };
}

/**
 * The part of an engine version a managed failover or switchover requires equal: major and
 * minor. Aurora PostgreSQL reports `16.6`; Aurora MySQL `8.0.mysql_aurora.3.04.1`, whose own
 * version (3.04) is the one that counts, its last number the patch level.
 */
export function majorMinor(version: string): string {
  const aurora = /^(.*)\.mysql_aurora\.(\d+)\.(\d+)/.exec(version);
  if (aurora) return `${aurora[1]}.mysql_aurora.${aurora[2]}.${aurora[3]}`;
  return version.split('.').slice(0, 2).join('.');
}

/**
 * Would RDS take a managed failover or switchover between these two engines? Different major
 * or minor versions: no. Different patch levels only: RDS allows it for some minor versions
 * and not others, so it is said, not refused (an outage is no time to refuse on a maybe).
 */
export function judgeEngineVersions(source: EngineFacts, target: EngineFacts): Verdict {
  if (source.engineVersion === null || target.engineVersion === null) {
    const unknown = source.engineVersion === null ? source : target;
    return { ok: true, detail: `engine version of ${unknown.identifier} unknown: not compared` };
  }
  const both = `${source.engineVersion} in ${source.region}, ${target.engineVersion} in ${target.region}`;
  if (majorMinor(source.engineVersion) !== majorMinor(target.engineVersion)) {
    return {
      ok: false,
      detail: `engine versions differ: ${both}; a managed failover or switchover needs the same major and minor version: upgrade the older cluster first (minor upgrades: the secondaries before the primary), then start again (aws rds describe-db-clusters --region ${target.region} --db-cluster-identifier ${target.identifier} --query 'DBClusters[0].EngineVersion')`,
    };
  }
  if (source.engineVersion !== target.engineVersion) {
    return {
      ok: true,
      detail: `patch levels differ (${both}): RDS allows that for some minor versions only; if it refuses, upgrade the older cluster`,
    };
  }
  return { ok: true, detail: `engine ${target.engineVersion} in both regions` };
}

/**
 * The same comparison for an unplanned move, which does not stop on a mismatch: during a rolling
 * upgrade (secondaries first, Aurora User Guide, upgrading a global database) an outage must
 * still be survivable, and detaching the target and promoting it is AWS's documented way out
 * when the managed failover is not available. So a mismatch passes, and says which way the
 * database will move; promote-database decides the same from the same versions.
 */
export function judgeEngineVersionsUnplanned(source: EngineFacts, target: EngineFacts): Verdict {
  const verdict = judgeEngineVersions(source, target);
  if (verdict.ok) return verdict;
  const both = `${source.engineVersion} in ${source.region}, ${target.engineVersion} in ${target.region}`;
  return {
    ok: true,
    detail: `engine versions differ (${both}): FailoverGlobalCluster would refuse them, so this unplanned move goes by detach-and-promote: ${target.identifier} is detached from the global cluster (RemoveFromGlobalCluster) once the old region's services are fenced and stopped, and the global database must be rebuilt afterwards`,
  };
}
