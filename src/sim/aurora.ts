import type { DBCluster, FailoverStatus, GlobalCluster } from '@aws-sdk/client-rds';
import type { DatabaseMemberSnapshot } from './types.js';
import type { World } from './world.js';

export interface AuroraCluster {
  readonly id: string;
  readonly arn: string;
  readonly region: string;
  readonly resourceId: string;
  readonly endpointHash: string;
  instances: number;
  inGlobal: boolean;
  /** Global writer, or (once detached) a standalone cluster that takes writes. */
  isWriter: boolean;
  sync: 'connected' | 'pending-resync';
  /** Set by RemoveFromGlobalCluster: the cluster is `promoting` until then. */
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

const ENGINE = 'aurora-postgresql';
const ENGINE_VERSION = '16.6';

/**
 * The Aurora global database: one member cluster per plan region, the primary's member the
 * writer. Transitions are computed from timestamps and applied when observed, so the simulator
 * needs no timers of its own.
 *
 *   request ── pending (a few s) ── failing-over / switching-over ── done: target IsWriter,
 *                                                                     FailoverState gone
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

  constructor(
    private readonly world: World,
    private readonly options: AuroraOptions,
  ) {
    const { plan } = world;
    const writerRegion = options.initialWriter === 'standby' ? plan.regions.standby : plan.regions.primary;
    const ids = world.rng('identifiers');
    this.id = plan.database.globalClusterIdentifier;
    this.arn = `arn:aws:rds::${world.account}:global-cluster:${this.id}`;
    this.resourceId = `cluster-${ids.hex(14)}`;
    this.#created = new Date(world.t0 - 30 * 86_400_000);
    this.clusters = world.regions.map((region) => {
      const arn = plan.database.members[region] ?? '';
      const writer = region === writerRegion;
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
        ...(sync === 'pending-resync' ? { rebuildAt: this.#rebuildAt(region, world.t0) } : {}),
      };
    });
    for (const c of this.clusters)
      this.#replicating.push({
        at: Number.NEGATIVE_INFINITY,
        arn: c.arn,
        replicating: !c.isWriter && c.sync === 'connected',
      });
  }

  advance(now: number): void {
    const op = this.operation;
    if (op && now >= op.doneAt) {
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
    for (const cluster of this.clusters) {
      if (cluster.detachDoneAt !== undefined && now >= cluster.detachDoneAt) {
        cluster.isWriter = true;
        cluster.detachDoneAt = undefined;
      }
      if (cluster.rebuildAt !== undefined && now >= cluster.rebuildAt) {
        if (cluster.inGlobal && !cluster.isWriter) {
          cluster.sync = 'connected';
          this.#replicating.push({ at: cluster.rebuildAt, arn: cluster.arn, replicating: true });
        }
        cluster.rebuildAt = undefined;
      }
    }
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

  #rebuildAt(region: string, from: number): number {
    const rebuild =
      this.options.rebuildAfterMs ??
      this.world.rng('aurora-rebuild').latency(this.world.latencies.auroraRebuild);
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
    if (now < op.pendingUntil) return 'pending';
    return op.kind === 'failover' ? 'failing-over' : 'switching-over';
  }

  start(kind: AuroraOperation['kind'], from: AuroraCluster, to: AuroraCluster, now: number): void {
    const rng = this.world.rng('aurora');
    const pendingUntil = now + rng.latency(this.world.latencies.auroraFailoverPending);
    const catchUp =
      kind === 'switchover'
        ? this.world.rpoLagMs + rng.latency(this.world.latencies.auroraSwitchoverCatchUp)
        : 0;
    const promotion = rng.latency(this.world.latencies.auroraPromotion);
    this.operation = {
      kind,
      from,
      to,
      pendingUntil,
      doneAt: this.options.promotionStuck ? Number.POSITIVE_INFINITY : pendingUntil + catchUp + promotion,
    };
  }

  /** Abandons the operation in flight (its target is being detached instead). */
  cancel(): void {
    this.operation = undefined;
  }

  detach(cluster: AuroraCluster, now: number): void {
    cluster.inGlobal = false;
    this.#replicating.push({ at: now, arn: cluster.arn, replicating: false });
    if (!cluster.isWriter)
      cluster.detachDoneAt = now + this.world.rng('aurora').latency(this.world.latencies.auroraPromotion);
  }

  globalView(now: number): GlobalCluster {
    const op = this.operation;
    const members = this.clusters.filter((c) => c.inGlobal);
    return {
      GlobalClusterIdentifier: this.id,
      GlobalClusterResourceId: this.resourceId,
      GlobalClusterArn: this.arn,
      Status: op ? (op.kind === 'failover' ? 'failing-over' : 'switching-over') : 'available',
      Engine: ENGINE,
      EngineVersion: ENGINE_VERSION,
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
              Status: this.failoverStatus(now) as FailoverStatus,
              FromDbClusterArn: op.from.arn,
              ToDbClusterArn: op.to.arn,
              IsDataLossAllowed: op.kind === 'failover',
            },
          }
        : {}),
      TagList: [],
    };
  }

  clusterView(c: AuroraCluster): DBCluster {
    const host = `${c.endpointHash}.${c.region}.rds.amazonaws.com`;
    return {
      DBClusterIdentifier: c.id,
      DBClusterArn: c.arn,
      DbClusterResourceId: c.resourceId,
      Status: c.detachDoneAt !== undefined ? 'promoting' : 'available',
      Engine: ENGINE,
      EngineVersion: ENGINE_VERSION,
      EngineMode: 'provisioned',
      Port: 5432,
      MultiAZ: c.instances > 1,
      StorageEncrypted: true,
      AvailabilityZones: ['a', 'b', 'c'].map((az) => `${c.region}${az}`),
      Endpoint: `${c.id}.cluster-${host}`,
      ReaderEndpoint: `${c.id}.cluster-ro-${host}`,
      ClusterCreateTime: this.#created,
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
      })),
    };
  }
}
