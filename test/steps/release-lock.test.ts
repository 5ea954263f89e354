import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { COOLDOWN_UPDATE, type LockItem, lockAttributes, RELEASE_CONDITION } from '../../src/aws/lock.js';
import { epochSeconds } from '../../src/decisions/lock.js';
import { AwsTransientError } from '../../src/errors.js';
import { type ReleaseLockInput, releaseLockInput } from '../../src/steps/contracts-lock.js';
import { releaseLock } from '../../src/steps/release-lock.js';
import { awsError, commandsSent } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { failoverRequest } from '../support/request.js';

const NOW = '2026-11-22T03:40:00.000Z';
const NOW_S = epochSeconds(new Date(NOW));
const ME = 'orders-20240514T100512Z';
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const held = { acquired: true, token: 6 };
const input = (overrides: Partial<ReleaseLockInput> = {}): ReleaseLockInput => ({
  request: failoverRequest(),
  lock: held,
  outcome: 'succeeded',
  ...overrides,
});

function lock(overrides: Partial<LockItem> = {}): LockItem {
  return {
    plan: 'orders',
    holder: ME,
    token: 6,
    mode: 'automatic',
    targetRegion: 'us-west-2',
    acquiredAt: '2026-11-22T03:00:00.000Z',
    expiresAt: NOW_S + 3600,
    state: 'held',
    cooldownUntil: null,
    ...overrides,
  };
}

describe('releaseLock', () => {
  const ddbMock = mockClient(DynamoDBClient);

  afterEach(() => {
    ddbMock.reset();
  });

  it('leaves a cool-down of the plan’s minutes after a failover that moved the service', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).resolves({});

    // Act
    const output = await releaseLock(input(), testDeps(NOW));

    // Assess
    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(UpdateItemCommand, {
      TableName: 'failover-locks',
      Key: { plan: { S: 'orders' } },
      UpdateExpression: COOLDOWN_UPDATE,
      ConditionExpression: RELEASE_CONDITION,
      ExpressionAttributeValues: expect.objectContaining({
        ':token': { N: '6' },
        ':holder': { S: ME },
        ':cooldownUntil': { N: String(NOW_S + 60 * 60) },
      }),
    });
    expect(output).toEqual({
      action: 'cooldown',
      cooldownUntil: '2026-11-22T04:40:00.000Z',
      timeline: [
        expect.objectContaining({
          phase: 'succeeded',
          message:
            'released the failover lock into a 60-minute cool-down: automatic failovers are suppressed until 2026-11-22T04:40:00.000Z',
        }),
      ],
    });
  });

  it('leaves a cool-down after a failure that may have changed something', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).resolves({});

    // Act
    const output = await releaseLock(input({ outcome: 'failed' }), testDeps(NOW));

    // Assess
    expect(output.action).toBe('cooldown');
    expect(ddbMock).not.toHaveReceivedCommand(DeleteItemCommand);
  });

  it.each<{ name: string; change: Partial<ReleaseLockInput> }>([
    { name: 'no action', change: { outcome: 'no-action' } },
    { name: 'no approval', change: { outcome: 'not-approved' } },
    { name: 'a failure before the first change', change: { outcome: 'failed', acted: false } },
  ])('deletes the lock without a cool-down after $name', async ({ change }) => {
    // Prepare
    ddbMock.on(DeleteItemCommand).resolves({});

    // Act
    const output = await releaseLock(input(change), testDeps(NOW));

    // Assess
    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(DeleteItemCommand, {
      TableName: 'failover-locks',
      Key: { plan: { S: 'orders' } },
      ConditionExpression: RELEASE_CONDITION,
      ExpressionAttributeValues: { ':token': { N: '6' }, ':holder': { S: ME }, ':held': { S: 'held' } },
    });
    expect(ddbMock).not.toHaveReceivedCommand(UpdateItemCommand);
    expect(output).toMatchObject({ action: 'released', cooldownUntil: null });
    expect(output.timeline[0]?.message).toMatch(/no cool-down: nothing moved/);
  });

  it('records a lock taken over by another execution, writes nothing and does not throw', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).rejects(conditionFailed());
    ddbMock
      .on(GetItemCommand)
      .resolves({ Item: lockAttributes(lock({ holder: 'orders-later', token: 7, acquiredAt: NOW })) });

    // Act
    const output = await releaseLock(input(), testDeps(NOW));

    // Assess
    expect(output).toEqual({
      action: 'taken-over',
      cooldownUntil: null,
      timeline: [
        expect.objectContaining({
          phase: 'unconfirmed',
          message: `lock was taken over by orders-later (token 7, at ${NOW}); this execution's cool-down was not written`,
          facts: expect.objectContaining({ holder: 'orders-later' }),
        }),
      ],
    });
    expect(commandsSent(ddbMock)).toEqual(['UpdateItemCommand', 'GetItemCommand']);
  });

  it('answers a retried release that already set the cool-down as done', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).rejects(conditionFailed());
    ddbMock
      .on(GetItemCommand)
      .resolves({ Item: lockAttributes(lock({ state: 'cooldown', cooldownUntil: NOW_S + 3000 })) });

    // Act
    const output = await releaseLock(input(), testDeps(NOW));

    // Assess
    expect(output).toMatchObject({ action: 'cooldown', cooldownUntil: '2026-11-22T04:30:00.000Z' });
    expect(output.timeline[0]?.phase).toBe('succeeded');
  });

  it('answers a retried delete that already removed the item as done', async () => {
    // Prepare
    ddbMock.on(DeleteItemCommand).rejects(conditionFailed());
    ddbMock.on(GetItemCommand).resolves({});

    // Act
    const output = await releaseLock(input({ outcome: 'no-action' }), testDeps(NOW));

    // Assess
    expect(output).toMatchObject({ action: 'released' });
  });

  it('records a refused release with the command that frees the lock, and does not throw', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).rejects(awsError(DynamoDBServiceException, 'AccessDeniedException', 400));

    // Act
    const output = await releaseLock(input(), testDeps(NOW));

    // Assess
    expect(output.action).toBe('error');
    expect(output.timeline[0]?.phase).toBe('unconfirmed');
    expect(output.timeline[0]?.message).toContain(
      'failover unlock --plan orders --region us-west-2 --lock-table failover-locks',
    );
  });

  it('throws a transient error for the state machine to retry', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).rejects(awsError(DynamoDBServiceException, 'ThrottlingException', 400));

    // Act & Assess
    await expect(releaseLock(input(), testDeps(NOW))).rejects.toThrow(AwsTransientError);
  });

  it('accepts the state machine’s placeholder for a lock never taken', () => {
    // Act
    const parsed = releaseLockInput.parse({
      request: failoverRequest(),
      lock: { acquired: false, token: null, timeline: [] },
      outcome: 'failed',
    });

    // Assess
    expect(parsed.lock).toEqual({ acquired: false, token: null });
  });

  it('has nothing to do when this execution took no lock', async () => {
    // Act
    const output = await releaseLock(
      input({
        lock: { acquired: false, token: null },
        outcome: 'dry-run',
      }),
      testDeps(NOW),
    );

    // Assess
    expect(output).toMatchObject({ action: 'none', cooldownUntil: null });
    expect(output.timeline[0]?.phase).toBe('skipped');
    expect(ddbMock.calls()).toHaveLength(0);
  });
});
