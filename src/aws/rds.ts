import {
  type DBCluster,
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { AwsRequestError } from '../errors.js';
import { registerClient } from './clients.js';
import { awsCall } from './translate.js';

// Builds this service's clients in ClientRegistry: bundled only where this module is (src/aws/clients.ts).
registerClient('rds', RDSClient);

/**
 * Compact, typed views of the Aurora Global Database API. The SDK marks every field optional;
 * these views say once what a missing field means, so the steps that read the global cluster
 * (readiness, fencing, promotion, verification) agree on it.
 */

/** `abortSignal` goes to every request, so a bounded caller's deadline stops the SDK's retries too. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

export interface GlobalClusterMemberView {
  arn: string;
  /** Parsed from the cluster ARN: the region whose endpoint serves this member. */
  region: string;
  isWriter: boolean;
  /** connected | pending-resync; null when RDS does not report it (older engines). */
  synchronizationStatus: string | null;
}

/**
 * Present only while a FailoverGlobalCluster or SwitchoverGlobalCluster is under way.
 * `status` is a plain string: RDS reports `switching-over`, which the SDK's enum leaves out.
 */
export interface FailoverStateView {
  status: string;
  fromArn: string | null;
  toArn: string | null;
  /** true for a failover, false for a switchover. */
  isDataLossAllowed: boolean;
}

export interface GlobalClusterView {
  identifier: string;
  status: string;
  engineVersion: string | null;
  members: GlobalClusterMemberView[];
  failoverState: FailoverStateView | null;
}

export interface ClusterView {
  arn: string;
  identifier: string;
  status: string;
  engineVersion: string | null;
  /** 0 means headless: a secondary without instances cannot be promoted. */
  instanceCount: number;
  /** Identifiers of the instances that currently accept writes (empty on a secondary). */
  writerInstances: string[];
  globalClusterIdentifier: string | null;
}

/** `arn:aws:rds:us-east-2:123456789012:cluster:name` → `us-east-2`. */
export function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** `arn:aws:rds:us-east-2:123456789012:cluster:name` → `name`; a plain identifier is returned as is. */
export function clusterIdentifierOfArn(arnOrId: string): string {
  return arnOrId.startsWith('arn:') ? (arnOrId.split(':')[6] ?? arnOrId) : arnOrId;
}

export function toGlobalClusterView(cluster: GlobalCluster): GlobalClusterView {
  const state = cluster.FailoverState;
  return {
    identifier: cluster.GlobalClusterIdentifier ?? '',
    status: cluster.Status ?? 'unknown',
    engineVersion: cluster.EngineVersion ?? null,
    members: (cluster.GlobalClusterMembers ?? [])
      .filter((m) => m.DBClusterArn)
      .map((m) => {
        const arn = m.DBClusterArn as string;
        return {
          arn,
          region: regionOfArn(arn),
          isWriter: m.IsWriter === true,
          synchronizationStatus: m.SynchronizationStatus ?? null,
        };
      }),
    // RDS may return an empty FailoverState object when no operation is running.
    failoverState: state?.Status
      ? {
          status: state.Status,
          fromArn: state.FromDbClusterArn ?? null,
          toArn: state.ToDbClusterArn ?? null,
          isDataLossAllowed: state.IsDataLossAllowed === true,
        }
      : null,
  };
}

export function toClusterView(cluster: DBCluster): ClusterView {
  const members = cluster.DBClusterMembers ?? [];
  return {
    arn: cluster.DBClusterArn ?? '',
    identifier: cluster.DBClusterIdentifier ?? '',
    status: cluster.Status ?? 'unknown',
    engineVersion: cluster.EngineVersion ?? null,
    instanceCount: members.length,
    writerInstances: members.filter((m) => m.IsClusterWriter).map((m) => m.DBInstanceIdentifier ?? ''),
    globalClusterIdentifier: cluster.GlobalClusterIdentifier ?? null,
  };
}

export async function describeGlobalCluster(
  rds: RDSClient,
  id: string,
  options: CallOptions = {},
): Promise<GlobalClusterView> {
  const operation = 'rds:DescribeGlobalClusters';
  const out = await awsCall(operation, () =>
    rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }), options),
  );
  const cluster = out.GlobalClusters?.[0];
  if (!cluster) throw new AwsRequestError(`${operation}: global cluster ${id} not found`);
  return toGlobalClusterView(cluster);
}

/**
 * Accepts a cluster ARN or identifier, as DescribeDBClusters does. `options.abortSignal` lets
 * best-effort callers bound a read of the failed region's cluster.
 */
export async function describeCluster(
  rds: RDSClient,
  arnOrId: string,
  options: CallOptions = {},
): Promise<ClusterView> {
  const operation = 'rds:DescribeDBClusters';
  const out = await awsCall(operation, () =>
    rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: arnOrId }), options),
  );
  const cluster = out.DBClusters?.[0];
  if (!cluster) throw new AwsRequestError(`${operation}: DB cluster ${arnOrId} not found`);
  return toClusterView(cluster);
}

export interface PromotionRequest {
  globalClusterIdentifier: string;
  /** ARN of the secondary cluster to promote. */
  targetArn: string;
}

/**
 * Unplanned failover. Send it to the target region's client: that endpoint answers while the
 * primary's region is down. With AllowDataLoss absent RDS would run a switchover instead.
 */
export async function startFailover(
  rds: RDSClient,
  request: PromotionRequest & { allowDataLoss: boolean },
): Promise<GlobalClusterView | null> {
  const out = await awsCall('rds:FailoverGlobalCluster', () =>
    rds.send(
      new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: request.globalClusterIdentifier,
        TargetDbClusterIdentifier: request.targetArn,
        AllowDataLoss: request.allowDataLoss,
      }),
    ),
  );
  return out.GlobalCluster ? toGlobalClusterView(out.GlobalCluster) : null;
}

/** Planned switchover: RDS waits for full synchronisation first, so no data is lost. */
export async function startSwitchover(
  rds: RDSClient,
  request: PromotionRequest,
): Promise<GlobalClusterView | null> {
  const out = await awsCall('rds:SwitchoverGlobalCluster', () =>
    rds.send(
      new SwitchoverGlobalClusterCommand({
        GlobalClusterIdentifier: request.globalClusterIdentifier,
        TargetDbClusterIdentifier: request.targetArn,
      }),
    ),
  );
  return out.GlobalCluster ? toGlobalClusterView(out.GlobalCluster) : null;
}
