import {
  DescribeDBClustersCommand,
  type DescribeDBClustersCommandOutput,
  DescribeGlobalClustersCommand,
  type DescribeGlobalClustersCommandOutput,
  FailoverGlobalClusterCommand,
  RDSClient,
  RDSServiceException,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clusterIdentifierOfArn,
  describeCluster,
  describeGlobalCluster,
  regionOfArn,
  startFailover,
  startSwitchover,
} from '../../src/aws/rds.js';
import { AwsRequestError, AwsTransientError } from '../../src/errors.js';
import { awsError } from '../support/aws.js';
import { fixture } from '../support/fixtures.js';

const USE1 = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-use1';
const USW2 = 'arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2';

describe('rds', () => {
  const rdsMock = mockClient(RDSClient);
  const rds = new RDSClient({ region: 'us-west-2' });

  afterEach(() => {
    rdsMock.reset();
  });

  it('parses the region and identifier out of a cluster ARN', () => {
    // Act & Assess
    expect(regionOfArn(USW2)).toBe('us-west-2');
    expect(clusterIdentifierOfArn(USW2)).toBe('orders-usw2');
    expect(clusterIdentifierOfArn('orders-usw2')).toBe('orders-usw2');
  });

  it('describes a global cluster with its members and no failover state', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));

    // Act
    const view = await describeGlobalCluster(rds, 'orders-global');

    // Assess
    expect(rdsMock).toHaveReceivedCommandWith(DescribeGlobalClustersCommand, {
      GlobalClusterIdentifier: 'orders-global',
    });
    expect(view).toEqual({
      identifier: 'orders-global',
      status: 'available',
      engineVersion: '17.7',
      members: [
        { arn: USE1, region: 'us-east-1', isWriter: true, synchronizationStatus: 'connected' },
        { arn: USW2, region: 'us-west-2', isWriter: false, synchronizationStatus: 'connected' },
      ],
      failoverState: null,
    });
  });

  it('reports the failover state while a failover runs', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-failover-pending.json'));

    // Act
    const view = await describeGlobalCluster(rds, 'orders-global');

    // Assess
    expect(view.status).toBe('failing-over');
    expect(view.failoverState).toEqual({
      status: 'pending',
      fromArn: USE1,
      toArn: USW2,
      isDataLossAllowed: true,
    });
  });

  it('treats an empty FailoverState object as no operation running', async () => {
    // Prepare
    const out = fixture<DescribeGlobalClustersCommandOutput>(
      'rds/describe-global-clusters-primary-writer.json',
    );
    const [global] = out.GlobalClusters ?? [];
    if (!global) throw new Error('the primary-writer fixture lists the global cluster');
    global.FailoverState = {};
    rdsMock.on(DescribeGlobalClustersCommand).resolves(out);

    // Act
    const view = await describeGlobalCluster(rds, 'orders-global');

    // Assess
    expect(view.failoverState).toBeNull();
  });

  it('raises AwsRequestError when the global cluster is not returned', async () => {
    // Prepare
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });

    // Act & Assess
    await expect(describeGlobalCluster(rds, 'orders-global')).rejects.toBeInstanceOf(AwsRequestError);
  });

  it('turns a Throttling error into AwsTransientError', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .rejects(awsError(RDSServiceException, 'Throttling', 400, 'Rate exceeded'));

    // Act & Assess
    await expect(describeGlobalCluster(rds, 'orders-global')).rejects.toMatchObject({
      name: 'AwsTransientError',
      message: expect.stringContaining('rds:DescribeGlobalClusters: Throttling'),
    });
  });

  it('turns a GlobalClusterNotFoundFault into AwsRequestError', async () => {
    // Prepare
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .rejects(
        awsError(
          RDSServiceException,
          'GlobalClusterNotFoundFault',
          404,
          'Global cluster orders-global not found',
        ),
      );

    // Act & Assess
    const error = await describeGlobalCluster(rds, 'orders-global').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsRequestError);
    expect(error).not.toBeInstanceOf(AwsTransientError);
  });

  it('describes a secondary cluster with its instances and no writer', async () => {
    // Prepare
    rdsMock.on(DescribeDBClustersCommand).resolves(fixture('rds/describe-db-clusters-secondary.json'));

    // Act
    const view = await describeCluster(rds, USW2);

    // Assess
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBClustersCommand, { DBClusterIdentifier: USW2 });
    expect(view).toEqual({
      arn: USW2,
      identifier: 'orders-usw2',
      status: 'available',
      engineVersion: '17.7',
      instanceCount: 2,
      writerInstances: [],
      globalClusterIdentifier: 'orders-global',
    });
  });

  it('reports a headless cluster as having no instances', async () => {
    // Prepare
    const out = fixture<DescribeDBClustersCommandOutput>('rds/describe-db-clusters-secondary.json');
    const [cluster] = out.DBClusters ?? [];
    if (!cluster) throw new Error('the secondary fixture lists the cluster');
    cluster.DBClusterMembers = [];
    rdsMock.on(DescribeDBClustersCommand).resolves(out);

    // Act
    const view = await describeCluster(rds, 'orders-usw2');

    // Assess
    expect(view.instanceCount).toBe(0);
  });

  it('starts a failover with data loss allowed and returns the new state', async () => {
    // Prepare
    rdsMock.on(FailoverGlobalClusterCommand).resolves(fixture('rds/failover-global-cluster-pending.json'));

    // Act
    const view = await startFailover(rds, {
      globalClusterIdentifier: 'orders-global',
      targetArn: USW2,
      allowDataLoss: true,
    });

    // Assess
    expect(rdsMock).toHaveReceivedCommandExactlyOnceWith(FailoverGlobalClusterCommand, {
      GlobalClusterIdentifier: 'orders-global',
      TargetDbClusterIdentifier: USW2,
      AllowDataLoss: true,
    });
    expect(view?.failoverState?.status).toBe('pending');
  });

  it('starts a switchover without any data-loss flag', async () => {
    // Prepare
    rdsMock
      .on(SwitchoverGlobalClusterCommand)
      .resolves(fixture('rds/switchover-global-cluster-pending.json'));

    // Act
    const view = await startSwitchover(rds, { globalClusterIdentifier: 'orders-global', targetArn: USW2 });

    // Assess
    expect(rdsMock).toHaveReceivedCommandExactlyOnceWith(SwitchoverGlobalClusterCommand, {
      GlobalClusterIdentifier: 'orders-global',
      TargetDbClusterIdentifier: USW2,
    });
    expect(view?.failoverState).toMatchObject({ status: 'pending', isDataLossAllowed: false });
  });
});
