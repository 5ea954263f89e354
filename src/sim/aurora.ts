import type { DBCluster, FailoverStatus, GlobalCluster } from '@aws-sdk/client-rds';
import { LATENCIES } from './latencies.js';
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
}

/** A managed failover or switchover in flight; its phase follows from the clock. */
export interface AuroraOperation {
  readonly kind: 'failover' | 'switchover';
  readonly from: AuroraCluster;
  readonly to: AuroraCluster;
  readonly pendingUntil: number;
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
    headlessStandby: boolean,
  ) {
    const { plan } = world;
    const ids = world.rng('identifiers');
    this.id = plan.database.globalClusterIdentifier;
    this.arn = `arn:aws:rds::${world.account}:global-cluster:${this.id}`;
    this.resourceId = `cluster-${ids.hex(14)}`;
    this.#created = new Date(world.t0 - 30 * 86_400_000);
    this.clusters = world.regions.map((region) => {
      const arn = plan.database.members[region] ?? '';
      const primary = region === plan.regions.primary;
      return {
        id: arn.split(':').pop() ?? arn,
        arn,
        region,
        resourceId: `cluster-${ids.chars(26)}`,
        endpointHash: ids.chars(12).toLowerCase(),
        instances: primary ? 2 : headlessStandby ? 0 : 1,
        inGlobal: true,
        isWriter: primary,
        sync: 'connected' as const,
      };
    });
    for (const c of this.clusters)
      this.#replicating.push({ at: Number.NEGATIVE_INFINITY, arn: c.arn, replicating: !c.isWriter });
  }

  advance(now: number): void {
    const op = this.operation;
    if (op && now >= op.doneAt) {
      op.to.isWriter = true;
      op.to.sync = 'connected';
      op.from.isWriter = false;
      // After an unplanned failover the old primary keeps its old volume: Aurora rebuilds it
      // (snapshot, new volume, re-add) only once its region recovers. Not simulated: it stays out of sync.
      op.from.sync = op.kind === 'failover' ? 'pending-resync' : 'connected';
      this.operation = undefined;
      this.#replicating.push({ at: op.doneAt, arn: op.to.arn, replicating: false });
      this.#replicating.push({ at: op.doneAt, arn: op.from.arn, replicating: op.kind === 'switchover' });
    }
    for (const cluster of this.clusters) {
      if (cluster.detachDoneAt !== undefined && now >= cluster.detachDoneAt) {
        cluster.isWriter = true;
        cluster.detachDoneAt = undefined;
      }
    }
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
    const pendingUntil = now + rng.latency(LATENCIES.auroraFailoverPending);
    const catchUp =
      kind === 'switchover' ? this.world.rpoLagMs + rng.latency(LATENCIES.auroraSwitchoverCatchUp) : 0;
    this.operation = {
      kind,
      from,
      to,
      pendingUntil,
      doneAt: pendingUntil + catchUp + rng.latency(LATENCIES.auroraPromotion),
    };
  }

  detach(cluster: AuroraCluster, now: number): void {
    cluster.inGlobal = false;
    this.#replicating.push({ at: now, arn: cluster.arn, replicating: false });
    if (!cluster.isWriter)
      cluster.detachDoneAt = now + this.world.rng('aurora').latency(LATENCIES.auroraPromotion);
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
    failoverState: string | null;
    members: DatabaseMemberSnapshot[];
  } {
    const writers = this.clusters.filter((c) => c.isWriter);
    return {
      writerRegion: writers.length === 1 ? (writers[0]?.region ?? null) : null,
      failoverState: this.failoverStatus(now),
      members: this.clusters.map((c) => ({
        region: c.region,
        arn: c.arn,
        isWriter: c.isWriter,
        status: this.clusterView(c).Status ?? 'available',
        synchronizationStatus: c.inGlobal ? c.sync : 'detached',
        instances: c.instances,
      })),
    };
  }
}
