import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeGlobalClustersCommand, RDSClient, RDSServiceException } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assessRecovery } from '../../src/steps/assess-recovery.js';
import { awsError } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { failoverRequest } from '../support/request.js';

const request = failoverRequest();

describe('assessRecovery', () => {
  const rdsMock = mockClient(RDSClient);
  const ecsMock = mockClient(ECSClient);
  const dynamoMock = mockClient(DynamoDBClient);

  beforeEach(() => {
    process.env.AWS_REGION = 'us-west-2';
    ecsMock.on(DescribeServicesCommand).resolves({ services: [] });
    dynamoMock.on(GetItemCommand).resolves({});
  });
  afterEach(() => {
    rdsMock.reset();
    ecsMock.reset();
    dynamoMock.reset();
  });

  it('rolls back when the source is still the global writer', async () => {
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));

    const output = await assessRecovery(
      {
        request,
        phase: 'take-over',
        failure: { Error: 'AwsRequestError', Cause: 'promote-database: refused' },
      },
      testDeps(),
    );

    expect(output).toMatchObject({ decision: 'roll-back', writer: 'source', reshifts: 0 });
    expect(output.failures).toEqual([
      { phase: 'take-over', error: 'AwsRequestError', cause: 'promote-database: refused' },
    ]);
  });

  it('waits while a failover is under way, whichever way it goes', async () => {
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-failing-over.json'));

    const output = await assessRecovery({ request, phase: 'take-over' }, testDeps());

    expect(output).toMatchObject({ decision: 'wait', writer: 'moving' });
  });

  it('reads the compute branch failure noted on the lock item when the database branch stopped it', async () => {
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
    dynamoMock.on(GetItemCommand).resolves({
      Item: {
        plan: { S: 'orders' },
        computeFailure: {
          S: JSON.stringify({
            holder: request.executionName,
            token: 1,
            error: 'AwsRequestError',
            cause: 'scale-target: denied',
          }),
        },
      },
    });

    const output = await assessRecovery({ request, phase: 'take-over' }, testDeps());

    expect(output.failures).toContainEqual({
      phase: 'take-over',
      error: 'AwsRequestError',
      cause: 'scale-target: denied',
    });
  });

  it('ignores a note left by another execution', async () => {
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolves(fixture('rds/describe-global-clusters-primary-writer.json'));
    dynamoMock.on(GetItemCommand).resolves({
      Item: {
        computeFailure: { S: JSON.stringify({ holder: 'someone-else', token: 1, error: 'X', cause: 'y' }) },
      },
    });

    const output = await assessRecovery({ request, phase: 'take-over' }, testDeps());

    expect(output.failures).toEqual([]);
  });

  it('stops, never guessing, when the writer cannot be read', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).rejects(awsError(RDSServiceException, 'AccessDenied', 403));

    const output = await assessRecovery({ request, phase: 'traffic' }, testDeps());

    expect(output).toMatchObject({ decision: 'stop', writer: 'unreadable' });
  });

  it('looks again later, never guessing, when its own region throttles or does not answer', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).rejects(awsError(RDSServiceException, 'Throttling', 400));

    const output = await assessRecovery({ request, phase: 'traffic' }, testDeps());

    expect(output).toMatchObject({ decision: 'wait', writer: 'silent' });
  });
});
