import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  type RDSClient,
  RemoveFromGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { AwsRequestError } from '../errors.js';
import { boundedCall } from './bounded.js';
import {
  type CallOptions,
  type ClusterView,
  clusterIdentifierOfArn,
  type GlobalClusterView,
  toClusterView,
  toGlobalClusterView,
} from './rds.js';
import { awsCall, translateAwsError } from './translate.js';

/**
 * The Aurora calls of the detach fallback: detaching the target from its global cluster
 * (RemoveFromGlobalCluster promotes it to a standalone writer) when the managed failover is stuck.
 */

/** A cluster as the detach step needs it: the shared view plus what rebuilding the global database takes. */
export interface ClusterDetailView extends ClusterView {
  engine: string | null;
  storageEncrypted: boolean;
}

export async function describeClusterDetail(
  rds: RDSClient,
  arnOrId: string,
  options: CallOptions = {},
): Promise<ClusterDetailView> {
  const operation = 'rds:DescribeDBClusters';
  const out = await awsCall(operation, () =>
    rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: arnOrId }), options),
  );
  const cluster = out.DBClusters?.[0];
  if (!cluster) throw new AwsRequestError(`${operation}: DB cluster ${arnOrId} not found`);
  return {
    ...toClusterView(cluster),
    engine: cluster.Engine ?? null,
    storageEncrypted: cluster.StorageEncrypted === true,
  };
}

/**
 * The global cluster, or null when it no longer exists: after a detach an operator may already
 * have removed the last member and deleted it, which leaves the target detached all the same.
 */
export async function findGlobalCluster(
  rds: RDSClient,
  id: string,
  options: CallOptions = {},
): Promise<GlobalClusterView | null> {
  const operation = 'rds:DescribeGlobalClusters';
  try {
    const out = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }), options);
    const cluster = out.GlobalClusters?.[0];
    return cluster ? toGlobalClusterView(cluster) : null;
  } catch (error) {
    if ((error as { name?: string }).name === 'GlobalClusterNotFoundFault') return null;
    throw translateAwsError(error, operation);
  }
}

/**
 * Detaches `clusterArn` from the global cluster. Send it to the detached cluster's own region:
 * that endpoint answers while the old primary's region is down. RDS wants the member's ARN here,
 * not its name.
 */
export async function removeFromGlobalCluster(
  rds: RDSClient,
  request: { globalClusterIdentifier: string; clusterArn: string },
): Promise<void> {
  await awsCall('rds:RemoveFromGlobalCluster', () =>
    rds.send(
      new RemoveFromGlobalClusterCommand({
        GlobalClusterIdentifier: request.globalClusterIdentifier,
        DbClusterIdentifier: request.clusterArn,
      }),
    ),
  );
}

export type RegionProbe = { answered: boolean; detail: string };

/**
 * Whether the old primary's region answers at all, asked with one bounded DescribeDBClusters of
 * its cluster. Any HTTP answer counts as answering, an error included (the region is reachable,
 * so its writer may be too); only silence, or a connection that never got an HTTP response, does not.
 */
export async function probeRegion(
  rds: RDSClient,
  clusterArn: string,
  deadlineMs: number,
): Promise<RegionProbe> {
  const id = clusterIdentifierOfArn(clusterArn);
  const outcome = await boundedCall(async (abortSignal): Promise<RegionProbe> => {
    try {
      const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterArn }), {
        abortSignal,
      });
      const cluster = out.DBClusters?.[0];
      const writers = (cluster?.DBClusterMembers ?? []).filter((m) => m.IsClusterWriter).length;
      return {
        answered: true,
        detail: `DescribeDBClusters answered: ${id} is ${cluster?.Status ?? 'unknown'} with ${writers} writer instance(s)`,
      };
    } catch (error) {
      const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      const what = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
      return status === undefined
        ? { answered: false, detail: `no HTTP answer (${what})` }
        : { answered: true, detail: `DescribeDBClusters answered HTTP ${status} (${what})` };
    }
  }, deadlineMs);
  return outcome.ok ? outcome.value : { answered: false, detail: outcome.detail };
}
