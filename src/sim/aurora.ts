import type { DBCluster, FailoverStatus, GlobalCluster } from '@aws-sdk/client-rds';
import type { DatabasePlan } from '../plan/databases.js';
import type { DatabaseMemberSnapshot } from './types.js';
import type { World } from './world.js';

export interface AuroraCluster {
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  readonly resourceId: string;
  readonly endpointHash: string;
  instances: number;
  /** A member of the global cluster (listed in GlobalClusterMembers, GlobalClusterIdentifier set). */
  inGlobal: boolean;
  /** Global writer, or (once detached and promoted) a standalone cluster that takes writes. */
  isWriter: boolean;
  sync: 'connected' | 'pending-resync';
  /** DescribeDBClusters EngineVersion; a managed failover or switchover needs the writer's. */
  engineVersion: string;
  /**
   * Set by RemoveFromGlobalCluster: the cluster leaves the global cluster at this time. Until then
   * it is still listed as a secondary, still `available`, and takes no writes.
   */
  detachRemovedAt?: number;
  /** Set by RemoveFromGlobalCluster on a secondary: `promoting` after it left, until this time. */
  detachDoneAt?: number;
  /** While pending-resync: when Aurora has rebuilt it as a connected secondary (+Infinity: never). */
  rebuildAt?: number;
  /** An old writer cut off by an unplanned failover takes local writes until Aurora can fence it, at this time. */
  fencedAt?: number;
}

export interface AuroraOptions {
  /** The secondary cluster has no DB instance. */
  headlessSecondary: boolean;
  initialWriter: 'primary' | 'standby';
  oldPrimarySync: 'connected' | 'pending-resync';
  rebuildAfterMs: number | undefined;
  promotionStuck: boolean;
  /** Engine version per plan role; a missing one is DEFAULT_ENGINE_VERSION. */
  engineVersions?: { primary?: string; standby?: string };
  /** A fixed DescribeGlobalClusters lag instead of LATENCIES.auroraGlobalReadLag. */
  globalReadLagMs?: number;
  /** A fixed promotion duration instead of LATENCIES.auroraPromotion. */
  promotionMs?: number;
}

/** A managed failover or switchover in flight; its phase follows from the clock. */
export interface AuroraOperation {
  readonly kind: 'failover' | 'switchover';
  readonly from: AuroraCluster;
  readonly to: AuroraCluster;
  readonly pendingUntil: number;
  /** +Infinity when the operation is stuck. */
  readonly doneAt: number;
}

/** The global cluster as DescribeGlobalClusters renders it: a copy taken at each change. */
interface GlobalState {
  members: { arn: string; isWriter: boolean; sync: AuroraCluster['sync'] }[];
  op: { kind: AuroraOperation['kind']; fromArn: string; toArn: string; pendingUntil: number } | null;
  engineVersion: string;
}

const ENGINE = 'aurora-postgresql';
export const DEFAULT_ENGINE_VERSION = '16.6';

/**
 * The Aurora global database: one member cluster per plan region, the primary's member the
 * writer. Transitions are computed from timestamps and applied, in time order, when observed, so
 * the simulator needs no timers of its own.
 *
 *   managed:  request ── pending (a few s) ── failing-over / switching-over ── done: target
 *             IsWriter, FailoverState gone
 *   detach:   RemoveFromGlobalCluster ── still listed, available (auroraDetachRemoval) ── gone from
 *             the global cluster, `promoting` (auroraDetachPromotion) ── standalone writer, available
 *
 * DescribeGlobalClusters is eventually consistent: each change to the global cluster shows there
 * only LATENCIES.auroraGlobalReadLag after it happened (reads are monotonic: once a change shows,
 * it keeps showing). The answer to the call that made a change, DescribeDBClusters and snapshot()
 * are the truth at once.
 *
 * After an unplanned failover the old primary is pending-resync; once its region has had no
 * incident for LATENCIES.auroraRebuild it is a connected secondary again. Write acceptance (the
 * truth, not the API's view) is in acceptsWrites().
 */
export class AuroraGlobalDatabase {
  readonly id: string;
  readonly arn: string;
  readonly resourceId: string;
  readonly clusters: AuroraCluster[];
  operation: AuroraOperation | undefined;
  readonly #created: Date;
  /** When each cluster started or stopped replicating as a secondary, for its RPO-lag history. */
  readonly #replicating: { at: number; arn: string; replicating: boolean }[] = [];
  /** Each state of the global cluster, from when DescribeGlobalClusters shows it. */
  readonly #published: { visibleAt: number; state: GlobalState; print: string }[] = [];

  /**
   * `stream` names this database's random streams apart from the others' (the first database's
   * are the world's own, so a plan with one database draws exactly what it always drew).
   */
  constructor(
    private readonly world: World,
    private readonly options: AuroraOptions,
    private readonly database: DatabasePlan,
    private readonly stream = '',
  ) {
    const { plan } = world;
    const writerRegion = options.initialWriter === 'standby' ? plan.regions.standby : plan.regions.primary;
    const ids = this.#rng('identifiers');
    this.id = database.globalClusterIdentifier;
    this.arn = `arn:aws:rds::${world.account}:global-cluster:${this.id}`;
    this.resourceId = `cluster-${ids.hex(14)}`;
    this.#created = new Date(world.t0 - 30 * 86_400_000);
    this.clusters = world.regions.map((region) => {
      const arn = database.members[region] ?? '';
      const writer = region === writerRegion;
      const role = region === plan.regions.primary ? 'primary' : 'standby';
      // The old primary of a failover that happened before the drill may still await its rebuild.
      const sync = writer || region !== plan.regions.primary ? 'connected' : options.oldPrimarySync;
      return {
        id: arn.split(':').pop() ?? arn,
        arn,
        region,
        resourceId: `cluster-${ids.chars(26)}`,
        endpointHash: ids.chars(12).toLowerCase(),
        instances: !writer && options.headlessSecondary ? 0 : region === plan.regions.primary ? 2 : 1,
        inGlobal: true,
        isWriter: writer,
        sync,
        engineVersion: options.engineVersions?.[role] ?? DEFAULT_ENGINE_VERSION,
        ...(sync === 'pending-resync' ? { rebuildAt: this.#rebuildAt(region, world.t0) } : {}),
      };
    });
    for (const c of this.clusters)
      this.#replicating.push({
        at: Number.NEGATIVE_INFINITY,
        arn: c.arn,
        replicating: !c.isWriter && c.sync === 'connected',
      });
    this.#publish(Number.NEGATIVE_INFINITY);
  }

  #rng(purpose: string) {
    return this.world.rng(this.stream ? `${purpose}|${this.stream}` : purpose);
  }

  /** Applies every transition due at or before `now`, earliest first, publishing each change. */
  advance(now: number): void {
    for (;;) {
      const next = this.#nextTransition(now);
      if (!next) return;
      next.apply();
      this.#publish(next.at);
    }
  }

  #nextTransition(now: number): { at: number; apply: () => void } | null {
    const due: { at: number; apply: () => void }[] = [];
    const op = this.operation;
    if (op && op.doneAt <= now) due.push({ at: op.doneAt, apply: () => this.#finish(op) });
    for (const cluster of this.clusters) {
      const removedAt = cluster.detachRemovedAt;
      if (removedAt !== undefined && removedAt <= now) {
        due.push({
          at: removedAt,
          apply: () => {
            cluster.inGlobal = false;
            cluster.detachRemovedAt = undefined;
            this.#replicating.push({ at: removedAt, arn: cluster.arn, replicating: false });
          },
        });
      } else if (
        removedAt === undefined &&
        cluster.detachDoneAt !== undefined &&
        cluster.detachDoneAt <= now
      ) {
        due.push({
          at: cluster.detachDoneAt,
          apply: () => {
            cluster.isWriter = true;
            cluster.detachDoneAt = undefined;
          },
        });
      }
      const rebuildAt = cluster.rebuildAt;
      if (rebuildAt !== undefined && rebuildAt <= now) {
        due.push({
          at: rebuildAt,
          apply: () => {
            if (cluster.inGlobal && !cluster.isWriter) {
              cluster.sync = 'connected';
              this.#replicating.push({ at: rebuildAt, arn: cluster.arn, replicating: true });
            }
            cluster.rebuildAt = undefined;
          },
        });
      }
    }
    return due.reduce<{ at: number; apply: () => void } | null>(
      (first, t) => (first === null || t.at < first.at ? t : first),
      null,
    );
  }

  #finish(op: AuroraOperation): void {
    op.to.isWriter = true;
    op.to.sync = 'connected';
    op.to.fencedAt = undefined;
    op.from.isWriter = false;
    op.from.sync = op.kind === 'failover' ? 'pending-resync' : 'connected';
    if (op.kind === 'failover') {
      // The old primary keeps its old volume: Aurora rebuilds it (snapshot, new volume, re-add)
      // once its region has recovered. Until Aurora can reach it, nothing fences it.
      op.from.rebuildAt = this.#rebuildAt(op.from.region, op.doneAt);
      op.from.fencedAt = this.world.clearFrom(op.from.region, op.doneAt, ['apis-unreachable']);
    }
    this.operation = undefined;
    this.#replicating.push({ at: op.doneAt, arn: op.to.arn, replicating: false });
    this.#replicating.push({ at: op.doneAt, arn: op.from.arn, replicating: op.kind === 'switchover' });
  }

  /**
   * Records the global cluster as it is now, to show in DescribeGlobalClusters from `at` plus the
   * read lag. Nothing is recorded when nothing DescribeGlobalClusters shows has changed.
   */
  #publish(at: number): void {
    const op = this.operation;
    const state: GlobalState = {
      members: this.clusters
        .filter((c) => c.inGlobal)
        .map((c) => ({ arn: c.arn, isWriter: c.isWriter, sync: c.sync })),
      op: op
        ? { kind: op.kind, fromArn: op.from.arn, toArn: op.to.arn, pendingUntil: op.pendingUntil }
        : null,
      engineVersion:
        this.writer()?.engineVersion ?? this.clusters[0]?.engineVersion ?? DEFAULT_ENGINE_VERSION,
    };
    const print = JSON.stringify(state);
    if (this.#published.at(-1)?.print === print) return;
    const lag =
      at === Number.NEGATIVE_INFINITY
        ? 0
        : (this.options.globalReadLagMs ??
          this.#rng('aurora-read-lag').latency(this.world.latencies.auroraGlobalReadLag));
    this.#published.push({ visibleAt: at + lag, state, print });
  }

  /**
   * Whether a write sent to this cluster commits now. A switchover demotes the old writer once
   * its pending phase is over, so nobody takes writes until the target is promoted (the
   * write-unavailable window); a failover leaves the old writer writable until it is done, and
   * then for as long as its region stays unreachable (write fencing is best effort).
   */
  acceptsWrites(cluster: AuroraCluster, now: number): boolean {
    const op = this.operation;
    if (op?.to === cluster) return false;
    if (op?.from === cluster) return op.kind === 'failover' || now < op.pendingUntil;
    if (cluster.isWriter) return true;
    return cluster.fencedAt !== undefined && now < cluster.fencedAt;
  }

  /**
   * rds.global_db_rpo (the plan database's globalDbRpoSeconds, set in the primary's cluster parameter
   * group): "Aurora PostgreSQL blocks transaction commits if there is no secondary DB cluster that
   * has an RPO lag time less than the RPO time", and allows them again once one has (Aurora User
   * Guide, managing RPOs for Aurora PostgreSQL-based global databases). Only the primary region's
   * cluster carries the parameter here: AWS advises leaving the secondary's at the default in a
   * two-Region global database, so a promoted secondary with no secondary of its own keeps taking
   * commits. The lag is the world's steady RPO lag.
   */
  commitsPaused(cluster: AuroraCluster): boolean {
    const rpoSeconds = this.database.globalDbRpoSeconds;
    if (rpoSeconds === undefined || cluster.region !== this.world.plan.regions.primary) return false;
    if (!cluster.isWriter || !cluster.inGlobal) return false;
    const secondaries = this.clusters.filter((c) => c.inGlobal && !c.isWriter && c.sync === 'connected');
    return !secondaries.some(() => this.world.rpoLagMs < rpoSeconds * 1000);
  }

  /**
   * AuroraGlobalDBRPOLag as reported: with rds.global_db_rpo set, no commit completes that would
   * leave a secondary further behind than it, so the lag of committed data stays at or below it.
   */
  reportedRpoLagMs(rawMs: number): number {
    const rpoSeconds = this.database.globalDbRpoSeconds;
    return rpoSeconds === undefined ? rawMs : Math.min(rawMs, rpoSeconds * 1000);
  }

  #rebuildAt(region: string, from: number): number {
    const rebuild =
      this.options.rebuildAfterMs ?? this.#rng('aurora-rebuild').latency(this.world.latencies.auroraRebuild);
    return this.world.clearFrom(region, from, ['service-down', 'apis-unreachable']) + rebuild;
  }

  /** Whether `cluster` replicated from the writer at `at` (so had an RPO lag to report). */
  wasReplicating(cluster: AuroraCluster, at: number): boolean {
    const last = this.#replicating.filter((e) => e.arn === cluster.arn && e.at <= at).at(-1);
    return last?.replicating ?? false;
  }

  find(identifier: string | undefined, inGlobal?: boolean): AuroraCluster | undefined {
    return this.clusters.find(
      (c) =>
        (c.arn === identifier || c.id === identifier) && (inGlobal === undefined || c.inGlobal === inGlobal),
    );
  }

  writer(): AuroraCluster | undefined {
    return this.clusters.find((c) => c.inGlobal && c.isWriter);
  }

  failoverStatus(now: number): string | null {
    const op = this.operation;
    if (!op) return null;
    return statusOf(op, now);
  }

  start(kind: AuroraOperation['kind'], from: AuroraCluster, to: AuroraCluster, now: number): void {
    const rng = this.#rng('aurora');
    const pendingUntil = now + rng.latency(this.world.latencies.auroraFailoverPending);
    const catchUp =
      kind === 'switchover'
        ? this.world.rpoLagMs + rng.latency(this.world.latencies.auroraSwitchoverCatchUp)
        : 0;
    const promotion = this.options.promotionMs ?? rng.latency(this.world.latencies.auroraPromotion);
    this.operation = {
      kind,
      from,
      to,
      pendingUntil,
      doneAt: this.options.promotionStuck ? Number.POSITIVE_INFINITY : pendingUntil + catchUp + promotion,
    };
    this.#publish(now);
  }

  /** Abandons the operation in flight (its target is being detached instead). */
  cancel(now: number): void {
    this.operation = undefined;
    this.#publish(now);
  }

  /**
   * RemoveFromGlobalCluster accepted: asynchronous. The cluster stays listed (and `available`)
   * for LATENCIES.auroraDetachRemoval, then leaves the global cluster and stops replicating; a
   * secondary is then `promoting` for LATENCIES.auroraDetachPromotion before it takes writes.
   */
  detach(cluster: AuroraCluster, now: number): void {
    const rng = this.#rng('aurora-detach');
    cluster.detachRemovedAt = now + rng.latency(this.world.latencies.auroraDetachRemoval);
    if (!cluster.isWriter)
      cluster.detachDoneAt =
        cluster.detachRemovedAt + rng.latency(this.world.latencies.auroraDetachPromotion);
  }

  /** Being removed: RemoveFromGlobalCluster was accepted and the cluster is still listed. */
  isLeaving(cluster: AuroraCluster): boolean {
    return cluster.detachRemovedAt !== undefined;
  }

  /**
   * The global cluster as DescribeGlobalClusters shows it at `now`: the latest state whose read
   * lag has passed. `fresh` shows the truth, as the answer of the call that changed it does.
   */
  globalView(now: number, fresh = false): GlobalCluster {
    const published = fresh
      ? this.#published.at(-1)
      : this.#published.filter((p) => p.visibleAt <= now).at(-1);
    const state = published?.state ?? this.#published[0]?.state;
    const op = state?.op ?? null;
    const members = state?.members ?? [];
    const status = op ? statusOf(op, now) : null;
    return {
      GlobalClusterIdentifier: this.id,
      GlobalClusterResourceId: this.resourceId,
      GlobalClusterArn: this.arn,
      Status: op ? (op.kind === 'failover' ? 'failing-over' : 'switching-over') : 'available',
      Engine: ENGINE,
      EngineVersion: state?.engineVersion ?? DEFAULT_ENGINE_VERSION,
      EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
      StorageEncrypted: true,
      DeletionProtection: false,
      GlobalClusterMembers: members.map((c) => ({
        DBClusterArn: c.arn,
        Readers: c.isWriter ? members.filter((m) => m !== c).map((m) => m.arn) : [],
        IsWriter: c.isWriter,
        ...(c.isWriter ? {} : { GlobalWriteForwardingStatus: 'disabled' as const }),
        SynchronizationStatus: c.sync,
      })),
      Endpoint: `${this.id}.global-${this.resourceId.slice(8, 16)}.global.rds.amazonaws.com`,
      ...(op
        ? {
            FailoverState: {
              // The SDK's enum predates 'switching-over', which the API reference documents.
              Status: status as FailoverStatus,
              FromDbClusterArn: op.fromArn,
              ToDbClusterArn: op.toArn,
              IsDataLossAllowed: op.kind === 'failover',
            },
          }
        : {}),
      TagList: [],
    };
  }

  /**
   * DescribeDBClusters in the cluster's own region: not delayed. GlobalClusterIdentifier while it
   * is a member (also while being removed); `promoting` from leaving until it is a standalone
   * writer (github.com/hashicorp/terraform-provider-aws pull 40333).
   */
  clusterView(c: AuroraCluster): DBCluster {
    const host = `${c.endpointHash}.${c.region}.rds.amazonaws.com`;
    return {
      DBClusterIdentifier: c.id,
      DBClusterArn: c.arn,
      DbClusterResourceId: c.resourceId,
      Status: !c.inGlobal && c.detachDoneAt !== undefined ? 'promoting' : 'available',
      Engine: ENGINE,
      EngineVersion: c.engineVersion,
      EngineMode: 'provisioned',
      Port: 5432,
      MultiAZ: c.instances > 1,
      StorageEncrypted: true,
      AvailabilityZones: ['a', 'b', 'c'].map((az) => `${c.region}${az}`),
      Endpoint: `${c.id}.cluster-${host}`,
      ReaderEndpoint: `${c.id}.cluster-ro-${host}`,
      ClusterCreateTime: this.#created,
      ...(c.inGlobal ? { GlobalClusterIdentifier: this.id } : {}),
      DBClusterMembers: Array.from({ length: c.instances }, (_, i) => ({
        DBInstanceIdentifier: `${c.id}-instance-${i + 1}`,
        IsClusterWriter: c.isWriter && i === 0,
        DBClusterParameterGroupStatus: 'in-sync',
        PromotionTier: 1,
      })),
    };
  }

  snapshot(now: number): {
    writerRegion: string | null;
    writerRegions: string[];
    failoverState: string | null;
    members: DatabaseMemberSnapshot[];
  } {
    const writers = this.clusters.filter((c) => c.isWriter);
    return {
      writerRegion: writers.length === 1 ? (writers[0]?.region ?? null) : null,
      writerRegions: this.clusters.filter((c) => this.acceptsWrites(c, now)).map((c) => c.region),
      failoverState: this.failoverStatus(now),
      members: this.clusters.map((c) => ({
        region: c.region,
        arn: c.arn,
        isWriter: c.isWriter,
        acceptsWrites: this.acceptsWrites(c, now),
        status: this.clusterView(c).Status ?? 'available',
        synchronizationStatus: c.inGlobal ? c.sync : 'detached',
        instances: c.instances,
        engineVersion: c.engineVersion,
        ...(this.commitsPaused(c) ? { commitsPaused: true } : {}),
      })),
    };
  }
}

function statusOf(op: { kind: AuroraOperation['kind']; pendingUntil: number }, now: number): string {
  if (now < op.pendingUntil) return 'pending';
  return op.kind === 'failover' ? 'failing-over' : 'switching-over';
}
