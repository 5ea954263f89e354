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
import {
  assertLockHeld,
  deleteLock,
  type LockItem,
  lockAttributes,
  lockTable,
  readLock,
  setCooldown,
  takeLock,
} from '../../src/aws/lock.js';
import { AwsRequestError, AwsTransientError, LockLostError, PlanInvalidError } from '../../src/errors.js';
import { awsError, regionOf } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { failoverRequest } from '../support/request.js';

const TABLE = { region: 'us-west-2', name: 'failover-locks' };
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function lock(overrides: Partial<LockItem> = {}): LockItem {
  return {
    plan: 'orders',
    holder: 'orders-20240514T100512Z',
    token: 3,
    mode: 'automatic',
    targetRegion: 'us-west-2',
    acquiredAt: '2026-11-22T03:00:00.000Z',
    expiresAt: 1_795_338_000,
    state: 'held',
    cooldownUntil: null,
    ...overrides,
  };
}

describe('lockTable', () => {
  it('lives in the region the function runs in, named by FAILOVER_LOCK_TABLE', () => {
    // Act & Assess
    expect(lockTable({ AWS_REGION: 'us-west-2', FAILOVER_LOCK_TABLE: 'orders-locks' })).toEqual({
      region: 'us-west-2',
      name: 'orders-locks',
    });
    expect(lockTable({ AWS_REGION: 'us-east-1' })).toEqual({ region: 'us-east-1', name: 'failover-locks' });
  });

  it('fails naming AWS_REGION when it is not set', () => {
    // Act & Assess
    expect(() => lockTable({})).toThrow(PlanInvalidError);
    expect(() => lockTable({})).toThrow(/AWS_REGION/);
  });
});

/** One mock for the whole file: a second mockClient of the same class would replace the first. */
const ddbMock = mockClient(DynamoDBClient);

afterEach(() => {
  ddbMock.reset();
});

describe('lock item', () => {
  const dynamodb = new DynamoDBClient({ region: 'us-west-2' });

  it('reads the lock with a strongly consistent read', async () => {
    // Prepare
    ddbMock
      .on(GetItemCommand)
      .resolves({ Item: lockAttributes(lock({ state: 'cooldown', cooldownUntil: 9 })) });

    // Act
    const read = await readLock(dynamodb, TABLE, 'orders');

    // Assess
    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(GetItemCommand, {
      TableName: 'failover-locks',
      Key: { plan: { S: 'orders' } },
      ConsistentRead: true,
    });
    expect(read).toEqual(lock({ state: 'cooldown', cooldownUntil: 9 }));
  });

  it('reads no item as a free lock', async () => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves({});

    // Act & Assess
    await expect(readLock(dynamodb, TABLE, 'orders')).resolves.toBeNull();
  });

  it('refuses a malformed item, naming the fields', async () => {
    // Prepare
    const item = lockAttributes(lock());
    delete item.token;
    item.state = { S: 'free' };
    ddbMock.on(GetItemCommand).resolves({ Item: item });

    // Act
    const read = readLock(dynamodb, TABLE, 'orders');

    // Assess
    await expect(read).rejects.toThrow(AwsRequestError);
    await expect(read).rejects.toThrow(
      /lock item orders in failover-locks \(us-west-2\) is malformed \(token, state\)/,
    );
  });

  it('takes the lock with one conditional update that adds one to the token', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).resolves({ Attributes: lockAttributes(lock({ token: 4 })) });

    // Act
    const taken = await takeLock(dynamodb, TABLE, {
      plan: 'orders',
      holder: 'orders-20240514T100512Z',
      mode: 'automatic',
      targetRegion: 'us-west-2',
      acquiredAt: '2026-11-22T03:00:00.000Z',
      expiresAt: 1_795_338_000,
      now: 1_795_332_000,
      overrideCooldown: false,
    });

    // Assess
    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(UpdateItemCommand, {
      TableName: 'failover-locks',
      Key: { plan: { S: 'orders' } },
      UpdateExpression:
        'SET #holder = :holder, #mode = :mode, #targetRegion = :targetRegion, #acquiredAt = :acquiredAt, #expiresAt = :expiresAt, #state = :held REMOVE #cooldownUntil ADD #token :one',
      ConditionExpression:
        'attribute_not_exists(#plan) OR (#state = :held AND #expiresAt <= :now) OR (#state = :cooldown AND #cooldownUntil <= :now)',
      ExpressionAttributeNames: {
        '#plan': 'plan',
        '#holder': 'holder',
        '#token': 'token',
        '#mode': 'mode',
        '#targetRegion': 'targetRegion',
        '#acquiredAt': 'acquiredAt',
        '#expiresAt': 'expiresAt',
        '#state': 'state',
        '#cooldownUntil': 'cooldownUntil',
      },
      ExpressionAttributeValues: {
        ':holder': { S: 'orders-20240514T100512Z' },
        ':mode': { S: 'automatic' },
        ':targetRegion': { S: 'us-west-2' },
        ':acquiredAt': { S: '2026-11-22T03:00:00.000Z' },
        ':expiresAt': { N: '1795338000' },
        ':held': { S: 'held' },
        ':cooldown': { S: 'cooldown' },
        ':now': { N: '1795332000' },
        ':one': { N: '1' },
      },
      ReturnValues: 'ALL_NEW',
    });
    expect(taken).toEqual(lock({ token: 4 }));
  });

  it('lets a human’s take end a running cool-down', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).resolves({ Attributes: lockAttributes(lock({ mode: 'manual' })) });

    // Act
    await takeLock(dynamodb, TABLE, {
      plan: 'orders',
      holder: 'orders-20240514T100512Z',
      mode: 'manual',
      targetRegion: 'us-west-2',
      acquiredAt: '2026-11-22T03:00:00.000Z',
      expiresAt: 1_795_338_000,
      now: 1_795_332_000,
      overrideCooldown: true,
    });

    // Assess
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      ConditionExpression:
        'attribute_not_exists(#plan) OR (#state = :held AND #expiresAt <= :now) OR #state = :cooldown',
    });
  });

  it('answers null when someone else holds the lock', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).rejects(conditionFailed());

    // Act
    const taken = await takeLock(dynamodb, TABLE, {
      plan: 'orders',
      holder: 'orders-20240514T100512Z',
      mode: 'automatic',
      targetRegion: 'us-west-2',
      acquiredAt: '2026-11-22T03:00:00.000Z',
      expiresAt: 1_795_338_000,
      now: 1_795_332_000,
      overrideCooldown: false,
    });

    // Assess
    expect(taken).toBeNull();
  });

  it('translates throttling into a transient error', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).rejects(awsError(DynamoDBServiceException, 'ThrottlingException', 400));

    // Act
    const released = setCooldown(dynamodb, TABLE, {
      plan: 'orders',
      holder: 'h',
      token: 3,
      cooldownUntil: 1,
    });

    // Assess
    await expect(released).rejects.toThrow(AwsTransientError);
  });

  it('sets the cool-down only with the holder’s own token', async () => {
    // Prepare
    ddbMock.on(UpdateItemCommand).resolves({});

    // Act
    const done = await setCooldown(dynamodb, TABLE, {
      plan: 'orders',
      holder: 'orders-20240514T100512Z',
      token: 3,
      cooldownUntil: 1_795_335_600,
    });

    // Assess
    expect(done).toBe(true);
    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(UpdateItemCommand, {
      TableName: 'failover-locks',
      Key: { plan: { S: 'orders' } },
      UpdateExpression: 'SET #state = :cooldown, #cooldownUntil = :cooldownUntil',
      ConditionExpression: '#token = :token AND #holder = :holder AND #state = :held',
      ExpressionAttributeNames: {
        '#token': 'token',
        '#holder': 'holder',
        '#state': 'state',
        '#cooldownUntil': 'cooldownUntil',
      },
      ExpressionAttributeValues: {
        ':token': { N: '3' },
        ':holder': { S: 'orders-20240514T100512Z' },
        ':held': { S: 'held' },
        ':cooldown': { S: 'cooldown' },
        ':cooldownUntil': { N: '1795335600' },
      },
    });
  });

  it('deletes the lock only with the holder’s own token, and answers false otherwise', async () => {
    // Prepare
    ddbMock.on(DeleteItemCommand).rejects(conditionFailed());

    // Act
    const done = await deleteLock(dynamodb, TABLE, {
      plan: 'orders',
      holder: 'orders-20240514T100512Z',
      token: 3,
    });

    // Assess
    expect(done).toBe(false);
    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(DeleteItemCommand, {
      TableName: 'failover-locks',
      Key: { plan: { S: 'orders' } },
      ConditionExpression: '#token = :token AND #holder = :holder AND #state = :held',
      ExpressionAttributeNames: { '#token': 'token', '#holder': 'holder', '#state': 'state' },
      ExpressionAttributeValues: {
        ':token': { N: '3' },
        ':holder': { S: 'orders-20240514T100512Z' },
        ':held': { S: 'held' },
      },
    });
  });
});

describe('assertLockHeld', () => {
  const request = failoverRequest();

  it('passes while this execution holds the lock with its token, reading in its own region', async () => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves({ Item: lockAttributes(lock()) });

    // Act
    const held = await assertLockHeld(testDeps(), request, 3);

    // Assess
    expect(held.token).toBe(3);
    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(GetItemCommand, {
      TableName: 'failover-locks',
      Key: { plan: { S: 'orders' } },
      ConsistentRead: true,
    });
    const call = ddbMock.commandCalls(GetItemCommand)[0];
    await expect(regionOf(call?.thisValue)).resolves.toBe('us-west-2');
  });

  it.each<{ name: string; item: LockItem | null; token: number | null; message: RegExp }>([
    {
      name: 'another execution took the lock over',
      item: lock({ holder: 'orders-later', token: 4 }),
      token: 3,
      message: /failover orders-later took it at .* \(token 4\): nothing more is changed/,
    },
    {
      name: 'the token moved on (same name, a later acquisition)',
      item: lock({ token: 5 }),
      token: 3,
      message: /token 3, but failover orders-20240514T100512Z took it/,
    },
    { name: 'the lock item is gone', item: null, token: 3, message: /the lock is gone/ },
    {
      name: 'the lock was already released into a cool-down',
      item: lock({ state: 'cooldown', cooldownUntil: 1 }),
      token: 3,
      message: /already released into a cool-down/,
    },
    { name: 'this execution never took it', item: lock(), token: null, message: /holds no lock/ },
  ])('throws LockLostError when $name', async ({ item, token, message }) => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves(item ? { Item: lockAttributes(item) } : {});

    // Act
    const asserted = assertLockHeld(testDeps(), request, token);

    // Assess
    await expect(asserted).rejects.toThrow(LockLostError);
    await expect(asserted).rejects.toThrow(message);
  });
});
