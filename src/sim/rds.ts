import type {
  DescribeDBClustersMessage,
  DescribeGlobalClustersMessage,
  FailoverGlobalClusterMessage,
  RemoveFromGlobalClusterMessage,
  SwitchoverGlobalClusterMessage,
} from '@aws-sdk/client-rds';
import { databasesOf } from '../plan/databases.js';
import { type AuroraCluster, AuroraGlobalDatabase, type AuroraOptions } from './aurora.js';
import { SimFault } from './errors.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

const notFoundGlobal = (id: string | undefined) =>
  new SimFault('GlobalClusterNotFoundFault', `Global cluster ${id} not found.`, 404);
const notFoundCluster = (id: string | undefined) =>
  new SimFault('DBClusterNotFoundFault', `DBCluster ${id} not found.`, 404);
const invalidGlobalState = (message: string) => new SimFault('InvalidGlobalClusterStateFault', message);

/**
 * RDS: the Aurora global database commands the orchestrator uses, over one AuroraGlobalDatabase
 * per plan database. Each request names its global cluster (GlobalClusterIdentifier) or its
 * cluster (identifier or ARN), and goes to that database alone.
 */
export class RdsModel implements ServiceModel {
  readonly service = 'rds' as const;
  /** One per plan database, in plan order. */
  readonly dbs: readonly AuroraGlobalDatabase[];
  readonly handlers: Record<string, Handler>;

  /** `options(id)`: the simulator options of the database with that global cluster identifier. */
  constructor(
    private readonly world: World,
    options: (globalClusterIdentifier: string) => AuroraOptions,
  ) {
    this.dbs = databasesOf(world.plan).map(
      (database, i) =>
        new AuroraGlobalDatabase(
          world,
          options(database.globalClusterIdentifier),
          database,
          i === 0 ? '' : database.globalClusterIdentifier,
        ),
    );
    this.handlers = {
      // Eventually consistent: a change shows only after its read lag (AuroraGlobalDatabase.globalView).
      DescribeGlobalClusters: op<DescribeGlobalClustersMessage>((input, _region, now) => {
        const id = input.GlobalClusterIdentifier;
        if (id === undefined) return { GlobalClusters: this.dbs.map((db) => db.globalView(now)) };
        return { GlobalClusters: [this.#global(id).globalView(now)] };
      }),
      // Clusters are regional: a cluster in another region is not found, as with AWS.
      DescribeDBClusters: op<DescribeDBClustersMessage>((input, region) => {
        const id = input.DBClusterIdentifier;
        const inRegion = this.dbs.flatMap((db) =>
          db.clusters.filter((c) => c.region === region).map((c) => ({ db, c })),
        );
        const found = id === undefined ? inRegion : inRegion.filter(({ c }) => c.id === id || c.arn === id);
        if (id !== undefined && found.length === 0) throw notFoundCluster(id);
        return { DBClusters: found.map(({ db, c }) => db.clusterView(c)) };
      }),
      FailoverGlobalCluster: op<FailoverGlobalClusterMessage>((input, region, now) => {
        if (input.AllowDataLoss && input.Switchover) {
          throw new SimFault(
            'InvalidParameterCombination',
            'AllowDataLoss and Switchover cannot be specified together.',
          );
        }
        const { db, target } = this.#target(input.GlobalClusterIdentifier, input.TargetDbClusterIdentifier);
        // Without AllowDataLoss the API performs a switchover (RDS API Reference, FailoverGlobalCluster).
        if (!input.AllowDataLoss) return this.#switchover(db, target, now);
        // The unplanned path runs against the target's region, the one that answers in an outage.
        if (target.region !== region) {
          throw new SimFault(
            'InvalidParameterValue',
            `FailoverGlobalCluster with AllowDataLoss must be sent to the target cluster's region ${target.region}, not ${region}.`,
          );
        }
        this.#checkPromotable(db, target);
        const from = db.writer();
        if (!from) throw invalidGlobalState(`Global cluster ${db.id} has no writer.`);
        this.#checkEngineVersions(target, from);
        db.start('failover', from, target, now);
        return { GlobalCluster: db.globalView(now, true) };
      }),
      SwitchoverGlobalCluster: op<SwitchoverGlobalClusterMessage>((input, _region, now) => {
        const { db, target } = this.#target(input.GlobalClusterIdentifier, input.TargetDbClusterIdentifier);
        return this.#switchover(db, target, now);
      }),
      RemoveFromGlobalCluster: op<RemoveFromGlobalClusterMessage>((input, region, now) => {
        const db = this.#global(input.GlobalClusterIdentifier);
        const cluster = db.find(input.DbClusterIdentifier, true);
        if (!cluster) {
          // Modelling choice: AWS documents DBClusterNotFoundFault for a cluster it cannot find
          // in the global cluster (RDS API Reference, RemoveFromGlobalCluster, Errors).
          const known = db.find(input.DbClusterIdentifier);
          if (!known) throw notFoundCluster(input.DbClusterIdentifier);
          throw new SimFault(
            'DBClusterNotFoundFault',
            `DB cluster ${known.id} is not a member of global cluster ${db.id}.`,
            404,
          );
        }
        if (db.isLeaving(cluster)) {
          // Modelling choice: a second removal while the first is under way is refused (the
          // removal is asynchronous; AWS names no error for it, InvalidDBClusterStateFault is listed).
          throw new SimFault(
            'InvalidDBClusterStateFault',
            `DB cluster ${cluster.id} is already being removed from global cluster ${db.id}.`,
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
        const op = db.operation;
        if (op && !(op.doneAt === Number.POSITIVE_INFINITY && op.to === cluster))
          throw invalidGlobalState(`Global cluster ${db.id} is ${db.failoverStatus(now)}.`);
        if (op) db.cancel(now);
        if (cluster.isWriter && db.clusters.some((c) => c.inGlobal && c !== cluster)) {
          throw invalidGlobalState(
            `The primary cluster ${cluster.id} can be removed only after every secondary.`,
          );
        }
        // Asynchronous: the answer still lists the cluster (AuroraGlobalDatabase.detach).
        db.detach(cluster, now);
        return { GlobalCluster: db.globalView(now, true) };
      }),
    };
  }

  /** The plan's first database (a plan with one database has only this one). */
  get db(): AuroraGlobalDatabase {
    const first = this.dbs[0];
    if (!first) throw new Error('the plan names no database');
    return first;
  }

  advance(now: number): void {
    for (const db of this.dbs) db.advance(now);
  }

  #global(globalId: string | undefined): AuroraGlobalDatabase {
    const db = this.dbs.find((d) => d.id === globalId);
    if (!db) throw notFoundGlobal(globalId);
    return db;
  }

  #target(
    globalId: string | undefined,
    targetId: string | undefined,
  ): { db: AuroraGlobalDatabase; target: AuroraCluster } {
    const db = this.#global(globalId);
    const target = db.find(targetId, true);
    if (!target) throw notFoundCluster(targetId);
    return { db, target };
  }

  #checkPromotable(db: AuroraGlobalDatabase, target: AuroraCluster): void {
    if (db.operation) {
      throw invalidGlobalState(
        `Global cluster ${db.id} is already ${db.operation.kind === 'failover' ? 'failing over' : 'switching over'}.`,
      );
    }
    if (target.isWriter) throw invalidGlobalState(`${target.id} is already the primary cluster of ${db.id}.`);
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
  #switchover(db: AuroraGlobalDatabase, target: AuroraCluster, now: number): object {
    this.#checkPromotable(db, target);
    const from = db.writer();
    if (!from) throw invalidGlobalState(`Global cluster ${db.id} has no writer.`);
    for (const region of new Set([from.region, target.region])) {
      if (
        this.world.isDown(region, 'service-down', now) ||
        this.world.isDown(region, 'apis-unreachable', now)
      ) {
        throw invalidGlobalState(`Switchover needs both regions available; ${region} is not.`);
      }
    }
    const behind = db.clusters.find((c) => c.inGlobal && !c.isWriter && c.sync !== 'connected');
    if (behind)
      throw invalidGlobalState(
        `Secondary ${behind.id} is ${behind.sync}; switchover needs every secondary in sync.`,
      );
    this.#checkEngineVersions(target, from);
    db.start('switchover', from, target, now);
    return { GlobalCluster: db.globalView(now, true) };
  }
}
