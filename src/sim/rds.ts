import type {
  DescribeDBClustersMessage,
  DescribeGlobalClustersMessage,
  FailoverGlobalClusterMessage,
  RemoveFromGlobalClusterMessage,
  SwitchoverGlobalClusterMessage,
} from '@aws-sdk/client-rds';
import { type AuroraCluster, AuroraGlobalDatabase, type AuroraOptions } from './aurora.js';
import { SimFault } from './errors.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

const notFoundGlobal = (id: string | undefined) =>
  new SimFault('GlobalClusterNotFoundFault', `Global cluster ${id} not found.`, 404);
const notFoundCluster = (id: string | undefined) =>
  new SimFault('DBClusterNotFoundFault', `DBCluster ${id} not found.`, 404);
const invalidGlobalState = (message: string) => new SimFault('InvalidGlobalClusterStateFault', message);

/** RDS: the Aurora global database commands the orchestrator uses. */
export class RdsModel implements ServiceModel {
  readonly service = 'rds' as const;
  readonly db: AuroraGlobalDatabase;
  readonly handlers: Record<string, Handler>;

  constructor(
    private readonly world: World,
    options: AuroraOptions,
  ) {
    this.db = new AuroraGlobalDatabase(world, options);
    this.handlers = {
      // Eventually consistent: a change shows only after its read lag (AuroraGlobalDatabase.globalView).
      DescribeGlobalClusters: op<DescribeGlobalClustersMessage>((input, _region, now) => {
        const id = input.GlobalClusterIdentifier;
        if (id !== undefined && id !== this.db.id) throw notFoundGlobal(id);
        return { GlobalClusters: [this.db.globalView(now)] };
      }),
      // Clusters are regional: a cluster in another region is not found, as with AWS.
      DescribeDBClusters: op<DescribeDBClustersMessage>((input, region) => {
        const id = input.DBClusterIdentifier;
        const inRegion = this.db.clusters.filter((c) => c.region === region);
        const found = id === undefined ? inRegion : inRegion.filter((c) => c.id === id || c.arn === id);
        if (id !== undefined && found.length === 0) throw notFoundCluster(id);
        return { DBClusters: found.map((c) => this.db.clusterView(c)) };
      }),
      FailoverGlobalCluster: op<FailoverGlobalClusterMessage>((input, region, now) => {
        if (input.AllowDataLoss && input.Switchover) {
          throw new SimFault(
            'InvalidParameterCombination',
            'AllowDataLoss and Switchover cannot be specified together.',
          );
        }
        const target = this.#target(input.GlobalClusterIdentifier, input.TargetDbClusterIdentifier);
        // Without AllowDataLoss the API performs a switchover (RDS API Reference, FailoverGlobalCluster).
        if (!input.AllowDataLoss) return this.#switchover(target, now);
        // The unplanned path runs against the target's region, the one that answers in an outage.
        if (target.region !== region) {
          throw new SimFault(
            'InvalidParameterValue',
            `FailoverGlobalCluster with AllowDataLoss must be sent to the target cluster's region ${target.region}, not ${region}.`,
          );
        }
        this.#checkPromotable(target);
        const from = this.db.writer();
        if (!from) throw invalidGlobalState(`Global cluster ${this.db.id} has no writer.`);
        this.#checkEngineVersions(target, from);
        this.db.start('failover', from, target, now);
        return { GlobalCluster: this.db.globalView(now, true) };
      }),
      SwitchoverGlobalCluster: op<SwitchoverGlobalClusterMessage>((input, _region, now) =>
        this.#switchover(this.#target(input.GlobalClusterIdentifier, input.TargetDbClusterIdentifier), now),
      ),
      RemoveFromGlobalCluster: op<RemoveFromGlobalClusterMessage>((input, region, now) => {
        if (input.GlobalClusterIdentifier !== this.db.id) throw notFoundGlobal(input.GlobalClusterIdentifier);
        const cluster = this.db.find(input.DbClusterIdentifier, true);
        if (!cluster) {
          // Modelling choice: AWS documents DBClusterNotFoundFault for a cluster it cannot find
          // in the global cluster (RDS API Reference, RemoveFromGlobalCluster, Errors).
          const known = this.db.find(input.DbClusterIdentifier);
          if (!known) throw notFoundCluster(input.DbClusterIdentifier);
          throw new SimFault(
            'DBClusterNotFoundFault',
            `DB cluster ${known.id} is not a member of global cluster ${this.db.id}.`,
            404,
          );
        }
        if (this.db.isLeaving(cluster)) {
          // Modelling choice: a second removal while the first is under way is refused (the
          // removal is asynchronous; AWS names no error for it, InvalidDBClusterStateFault is listed).
          throw new SimFault(
            'InvalidDBClusterStateFault',
            `DB cluster ${cluster.id} is already being removed from global cluster ${this.db.id}.`,
          );
        }
        if (cluster.region !== region) {
          throw new SimFault(
            'InvalidParameterValue',
            `RemoveFromGlobalCluster must be sent to the region of ${cluster.id} (${cluster.region}), not ${region}.`,
          );
        }
        // Detach-and-promote is the documented way out of a managed failover that makes no
        // progress: removing the stuck operation's target abandons the operation.
        const op = this.db.operation;
        if (op && !(op.doneAt === Number.POSITIVE_INFINITY && op.to === cluster))
          throw invalidGlobalState(`Global cluster ${this.db.id} is ${this.db.failoverStatus(now)}.`);
        if (op) this.db.cancel(now);
        if (cluster.isWriter && this.db.clusters.some((c) => c.inGlobal && c !== cluster)) {
          throw invalidGlobalState(
            `The primary cluster ${cluster.id} can be removed only after every secondary.`,
          );
        }
        // Asynchronous: the answer still lists the cluster (AuroraGlobalDatabase.detach).
        this.db.detach(cluster, now);
        return { GlobalCluster: this.db.globalView(now, true) };
      }),
    };
  }

  advance(now: number): void {
    this.db.advance(now);
  }

  #target(globalId: string | undefined, targetId: string | undefined): AuroraCluster {
    if (globalId !== this.db.id) throw notFoundGlobal(globalId);
    const target = this.db.find(targetId, true);
    if (!target) throw notFoundCluster(targetId);
    return target;
  }

  #checkPromotable(target: AuroraCluster): void {
    if (this.db.operation) {
      throw invalidGlobalState(
        `Global cluster ${this.db.id} is already ${this.db.operation.kind === 'failover' ? 'failing over' : 'switching over'}.`,
      );
    }
    if (target.isWriter)
      throw invalidGlobalState(`${target.id} is already the primary cluster of ${this.db.id}.`);
    if (target.sync !== 'connected') {
      throw invalidGlobalState(
        `${target.id} is ${target.sync}: it must be rebuilt as a secondary before it can be promoted.`,
      );
    }
    if (target.instances === 0) {
      throw new SimFault(
        'InvalidDBClusterStateFault',
        `DB cluster ${target.id} has no DB instances: add a DB instance before promoting it.`,
      );
    }
  }

  /**
   * "You can only perform a managed cross-Region database failover on an Aurora global database if
   * the primary and secondary DB clusters have the same major, minor, and patch level engine
   * versions" (Aurora User Guide, upgrading a global database); some minor versions allow
   * different patch levels, which this refuses too (leaning pessimistic). The message is the one
   * AWS Knowledge Center quotes ("The target cluster ... must have the same engine version as
   * that of the current primary cluster", re:Post, aurora-postgresql-global-mismatch); AWS names
   * no error code for it: InvalidGlobalClusterStateFault is a modelling choice, the pessimistic
   * one, since it is also the code of "already failing over", so a caller cannot tell the two
   * apart by the code alone.
   */
  #checkEngineVersions(target: AuroraCluster, primary: AuroraCluster): void {
    if (target.engineVersion === primary.engineVersion) return;
    throw invalidGlobalState(
      `The target cluster ${target.id} must have the same engine version as that of the current primary cluster ${primary.id} (${target.engineVersion}, primary ${primary.engineVersion}).`,
    );
  }

  /** Planned: both regions must be healthy and every secondary in sync, so that RPO is 0. */
  #switchover(target: AuroraCluster, now: number): object {
    this.#checkPromotable(target);
    const from = this.db.writer();
    if (!from) throw invalidGlobalState(`Global cluster ${this.db.id} has no writer.`);
    for (const region of new Set([from.region, target.region])) {
      if (
        this.world.isDown(region, 'service-down', now) ||
        this.world.isDown(region, 'apis-unreachable', now)
      ) {
        throw invalidGlobalState(`Switchover needs both regions available; ${region} is not.`);
      }
    }
    const behind = this.db.clusters.find((c) => c.inGlobal && !c.isWriter && c.sync !== 'connected');
    if (behind)
      throw invalidGlobalState(
        `Secondary ${behind.id} is ${behind.sync}; switchover needs every secondary in sync.`,
      );
    this.#checkEngineVersions(target, from);
    this.db.start('switchover', from, target, now);
    return { GlobalCluster: this.db.globalView(now, true) };
  }
}
