import type { ClusterView, GlobalClusterView } from '../aws/rds.js';
import type { DatabasePlan } from '../plan/databases.js';
import type { FailoverRequest } from '../steps/request.js';

/**
 * The detach fallback (RemoveFromGlobalCluster on the target) when the managed failover is
 * stuck. Pure: detach-target reads the global cluster, the target cluster and, when it must, asks
 * whether the old region answers; these functions decide. The one thing they guard against is a
 * second writer: a detached target takes writes at once, whatever the old writer still does.
 */

/** One fencing outcome as FenceOldPrimary recorded it (fenceOutcomeSchema). */
export interface FencingOutcome {
  resource: string;
  outcome: string;
  detail: string;
}

/** Whether the old region answered a bounded probe just now; not-probed when the services were fenced. */
export type OldRegionReach =
  | { kind: 'silent'; detail: string }
  | { kind: 'answered'; detail: string }
  | { kind: 'not-probed' };

export type DetachSafety =
  | { safe: true; basis: 'fenced'; note: string }
  /**
   * `draining`: the old region's services were fenced and answer, but some of their tasks still
   * run (the load balancer's deregistration delay, the stop timeout): it will be safe soon, so
   * the step may wait and look again instead of giving up.
   */
  | { safe: false; reason: string; draining?: true };

const FENCED = new Set(['fenced', 'already']);

/** `arn:aws:rds:REGION:ACCOUNT:cluster:NAME` → `NAME` (kept here so decisions load no SDK). */
function clusterIdentifierOfArn(arn: string): string {
  return arn.startsWith('arn:') ? (arn.split(':')[6] ?? arn) : arn;
}

/** Every service of the old region confirmed at zero (a dry run's would-fence is not fenced). */
export function servicesFenced(serviceFencing: readonly FencingOutcome[]): boolean {
  return serviceFencing.length > 0 && serviceFencing.every((f) => FENCED.has(f.outcome));
}

export interface SafetyInput {
  request: Pick<FailoverRequest, 'mode' | 'sourceRegion' | 'targetRegion'>;
  /** The old region's services only (not the Aurora entry, which stays unconfirmed while the failover is stuck). */
  serviceFencing: readonly FencingOutcome[];
  oldRegion: OldRegionReach;
  /** FenceOldPrimary's follow-up commands, quoted when the operator must fence by hand. */
  followUps: readonly string[];
  /** The command an operator would run to detach by hand once it is safe. */
  detachCommand: string;
  /** Tasks still running in the old region's fenced services; null when they could not be read. */
  oldTasksRunning?: number | null;
}

/**
 * May the target be detached without risking two writers? Only in an unplanned move, and only
 * when the old region's services were fenced and none of their tasks still runs. A silent old
 * region is not enough: its writer may still serve, and detaching does not demote it.
 */
export function decideDetachSafety(input: SafetyInput): DetachSafety {
  const { request, serviceFencing, oldRegion } = input;
  const source = request.sourceRegion;
  if (request.mode === 'planned') {
    return {
      safe: false,
      reason:
        `detaching is the fallback of an unplanned failover only. In a planned move ${source} is up and its writer keeps ` +
        `taking writes, so a detached ${request.targetRegion} cluster would be a second writer. Check the switchover ` +
        `(aws rds describe-global-clusters --region ${source}) and wait for it, or start the move again later.`,
    };
  }
  if (servicesFenced(serviceFencing)) {
    // desiredCount 0 was accepted, but tasks drain for the deregistration delay and stop timeout:
    // only none running means none writes.
    const running = input.oldTasksRunning;
    if (running === undefined || running === null) {
      return {
        safe: false,
        reason: `not detaching: the services in ${source} were fenced, but whether their tasks stopped cannot be read now. Check (aws ecs describe-services --region ${source}), then detach by hand: ${input.detachCommand}`,
      };
    }
    if (running > 0) {
      return {
        safe: false,
        draining: true,
        reason: `not detaching: the services in ${source} were fenced but ${running} task(s) still run (draining). Detach by hand once none runs: ${input.detachCommand}`,
      };
    }
    return {
      safe: true,
      basis: 'fenced',
      note:
        `every service in ${source} was fenced (desired count and autoscaling minimum 0), so none of them writes to the old writer. ` +
        `Anything else that writes to the ${source} cluster (jobs, consoles) must be stopped too until the global database is rebuilt.`,
    };
  }
  const notFenced = serviceFencing.filter((f) => !FENCED.has(f.outcome));
  const listed =
    notFenced.length > 0
      ? notFenced.map((f) => `${f.resource} (${f.outcome}: ${f.detail})`).join('; ')
      : 'none recorded';
  if (oldRegion.kind === 'silent') {
    // Silence from the old region's API is not evidence that its writer stopped: control planes
    // fail while databases keep serving. RemoveFromGlobalCluster would not demote it either.
    return {
      safe: false,
      reason:
        `not detaching: ${source} does not answer (${oldRegion.detail}), so nothing shows its services stopped writing, and ` +
        `detaching does not demote its writer: two writers. Not fenced: ${listed}. Fence ${source} the moment it answers ` +
        `(${input.followUps.join(' ; ') || 'see the fencing follow-ups'}), or detach by hand once you have confirmed its ` +
        `writer takes no writes: ${input.detachCommand}`,
    };
  }
  const heard =
    oldRegion.kind === 'answered'
      ? `${source} answers (${oldRegion.detail})`
      : `whether ${source} answers is unknown`;
  return {
    safe: false,
    reason:
      `not detaching: ${heard}, but its services were not confirmed fenced: ${listed}. A detached target would take writes ` +
      `while the old writer in ${source} may still take them from its own tasks: two writers. Check that each service in ` +
      `${source} is at desired count 0 with autoscaling minimum 0, then detach by hand and move DNS ` +
      '(runbooks/automated-failover.md, section Promotion failed). ' +
      `Fence: ${input.followUps.join(' ; ') || `aws ecs describe-services --region ${source}`} ; detach: ${input.detachCommand}`,
  };
}

export type DetachDecision =
  /** Send RemoveFromGlobalCluster for the target to its own region. */
  | { kind: 'detach'; targetArn: string; endpointRegion: string; failoverStatus: string | null }
  /** The target has left the global cluster already; `writing` once it has its own writer instance. */
  | { kind: 'already-detached'; targetArn: string; writing: boolean; status: string }
  /** The managed failover completed after all: the target is the global writer, nothing to detach. */
  | { kind: 'already-writer'; targetArn: string }
  | { kind: 'refuse'; reason: string };

/**
 * What detach-target does for one of the plan's databases, decided from its global cluster (null:
 * gone) and its target cluster, both read in the target region.
 */
export function decideDetach(
  request: Pick<FailoverRequest, 'targetRegion'>,
  database: Pick<DatabasePlan, 'globalClusterIdentifier' | 'members'>,
  global: GlobalClusterView | null,
  cluster: ClusterView,
): DetachDecision {
  const globalId = database.globalClusterIdentifier;
  const targetArn = database.members[request.targetRegion];
  if (!targetArn) return { kind: 'refuse', reason: `the plan names no cluster in ${request.targetRegion}` };
  const targetId = clusterIdentifierOfArn(targetArn);
  const headless = {
    kind: 'refuse' as const,
    reason:
      `${targetId} has no DB instance: detached, it would have nothing to take writes. Add one first ` +
      `(aws rds create-db-instance --region ${request.targetRegion} --db-cluster-identifier ${targetId} --db-instance-identifier ${targetId}-instance-1 --engine <engine> --db-instance-class <class>)`,
  };
  // DescribeDBClusters in the target's own region is current; DescribeGlobalClusters is eventually
  // consistent and may still list a cluster that has left: the cluster's own read wins.
  const member =
    cluster.globalClusterIdentifier === null ? undefined : global?.members.find((m) => m.arn === targetArn);

  if (!member) {
    if (cluster.globalClusterIdentifier !== null && cluster.globalClusterIdentifier !== globalId) {
      return {
        kind: 'refuse',
        reason: `${targetId} belongs to global cluster ${cluster.globalClusterIdentifier}, not ${globalId}: the plan does not match the account`,
      };
    }
    if (cluster.instanceCount === 0) return headless;
    // Left the global cluster already: an earlier attempt whose answer was lost, or an operator.
    return {
      kind: 'already-detached',
      targetArn,
      writing: cluster.writerInstances.length > 0,
      status: cluster.status,
    };
  }
  if (member.isWriter) return { kind: 'already-writer', targetArn };
  if (cluster.instanceCount === 0) return headless;
  const state = global?.failoverState ?? null;
  if (state && state.toArn !== targetArn) {
    return {
      kind: 'refuse',
      reason: `global cluster ${globalId} is ${state.status} towards ${state.toArn ?? 'an unknown cluster'}, not ${targetId}: someone else is moving the writer; a human decides`,
    };
  }
  return {
    kind: 'detach',
    targetArn,
    endpointRegion: member.region || request.targetRegion,
    failoverStatus: state?.status ?? null,
  };
}

export type DetachProgress =
  | { done: true; status: string; writers: number }
  | { done: false; status: string; writers: number; stillMember: boolean };

/**
 * Done once the detached target is its own writer: Status available, a writer instance, and no
 * longer a global member. A target that the managed failover made writer (already-writer) stays a
 * member and is done as soon as it is available with a writer.
 */
export function assessDetach(
  cluster: ClusterView,
  action: 'detached' | 'already-detached' | 'already-writer',
): DetachProgress {
  const writers = cluster.writerInstances.length;
  const stillMember = cluster.globalClusterIdentifier !== null && action !== 'already-writer';
  if (cluster.status === 'available' && writers > 0 && !stillMember)
    return { done: true, status: cluster.status, writers };
  return { done: false, status: cluster.status, writers, stillMember };
}

export interface RebuildFacts {
  globalClusterIdentifier: string;
  sourceRegion: string;
  targetRegion: string;
  sourceArn: string;
  targetArn: string;
  engine: string | null;
  engineVersion: string | null;
  storageEncrypted: boolean;
  /** UTC time of the detach, `YYYYMMDDHHmm`, to name snapshots uniquely. */
  stamp: string;
}

/**
 * The commands that rebuild the global database after a detach, in order. The old writer in the
 * source region may hold writes that never replicated (the RPO window): it is kept and renamed,
 * never re-added, because Aurora only adds a secondary as a new cluster on a new volume. Values
 * that live in the failed region (subnet group, security groups, KMS key) are named, not guessed.
 */
export function rebuildInstructions(facts: RebuildFacts): string[] {
  const { globalClusterIdentifier: g, sourceRegion: s, targetRegion: t, sourceArn, targetArn } = facts;
  const oldId = clusterIdentifierOfArn(sourceArn);
  const kept = `${oldId}-old-${facts.stamp}`.slice(0, 63);
  const engine = facts.engine ?? '<engine of the target cluster>';
  const version = facts.engineVersion ?? '<engine version of the target cluster>';
  const kms = facts.storageEncrypted ? ` --kms-key-id <KMS key in ${s}>` : '';
  return [
    `Until the rebuild, ${clusterIdentifierOfArn(targetArn)} in ${t} is a standalone writer with no replica in another region; do not fail back before the rebuild is done.`,
    `When ${s} answers, keep the old writer's data first (writes it took that never replicated): aws rds create-db-cluster-snapshot --region ${s} --db-cluster-identifier ${oldId} --db-cluster-snapshot-identifier ${kept}`,
    `Take the old writer out of the old global cluster, then delete that now empty global cluster: aws rds remove-from-global-cluster --region ${s} --global-cluster-identifier ${g} --db-cluster-identifier ${sourceArn} && aws rds delete-global-cluster --region ${t} --global-cluster-identifier ${g}`,
    `Free the old cluster's name so the new secondary keeps the plan's ARN (delete ${kept} once its data is reconciled): aws rds modify-db-cluster --region ${s} --db-cluster-identifier ${oldId} --new-db-cluster-identifier ${kept} --apply-immediately`,
    `Recreate the global database from the detached cluster: aws rds create-global-cluster --region ${t} --global-cluster-identifier ${g} --source-db-cluster-identifier ${targetArn}`,
    `Add a secondary in ${s} (subnet group and security groups as ${kept}): aws rds create-db-cluster --region ${s} --db-cluster-identifier ${oldId} --global-cluster-identifier ${g} --engine ${engine} --engine-version ${version} --db-subnet-group-name <DB subnet group in ${s}> --vpc-security-group-ids <security groups in ${s}>${kms}`,
    `Give it an instance, or it stays headless and cannot be promoted: aws rds create-db-instance --region ${s} --db-cluster-identifier ${oldId} --db-instance-identifier ${oldId}-instance-1 --engine ${engine} --db-instance-class <class of the ${t} writer>`,
    `Fail back only after the secondary is connected and its AuroraGlobalDBRPOLag is low: aws rds describe-global-clusters --region ${t} --global-cluster-identifier ${g} --query 'GlobalClusters[0].GlobalClusterMembers[].[DBClusterArn,IsWriter,SynchronizationStatus]'`,
    `If ${s} stays down and a cross-region replica is needed sooner, use a new identifier instead (aws rds create-global-cluster --region ${t} --global-cluster-identifier ${g}-rebuilt --source-db-cluster-identifier ${targetArn}) and update the plan's database.globalClusterIdentifier and members.`,
  ];
}
