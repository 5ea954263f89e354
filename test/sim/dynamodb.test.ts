import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type Drill, PRIMARY, STANDBY, startDrill, T0 } from './harness.js';

const TABLE = 'failover-locks';
const KEY = { plan: { S: 'orders' } };
const LEASE_MS = 60_000;

describe('simulated DynamoDB, used as a failover lock', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  /** Takes the lock when absent or expired; each grant increments the fencing token. */
  const acquire = (owner: string, region = STANDBY) => {
    const clients = region === STANDBY ? drill.standby : drill.primary;
    const now = Date.now();
    return clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: KEY,
        UpdateExpression: 'SET #owner = :me, expiresAt = :until ADD fencingToken :one',
        ConditionExpression: 'attribute_not_exists(#plan) OR expiresAt < :now',
        ExpressionAttributeNames: { '#owner': 'owner', '#plan': 'plan' },
        ExpressionAttributeValues: {
          ':me': { S: owner },
          ':until': { N: String(now + LEASE_MS) },
          ':now': { N: String(now) },
          ':one': { N: '1' },
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  };

  const release = (owner: string) =>
    drill.standby.dynamodb.send(
      new DeleteItemCommand({
        TableName: TABLE,
        Key: KEY,
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':me': { S: owner } },
      }),
    );

  it('grants the lock when absent, with fencing token 1', async () => {
    drill = startDrill();
    const out = await drill.run(acquire('exec-1'));
    expect(out.Attributes).toEqual({
      plan: { S: 'orders' },
      owner: { S: 'exec-1' },
      expiresAt: { N: String(T0 + LEASE_MS) },
      fencingToken: { N: '1' },
    });
    expect(drill.cloud.snapshot().tables).toContainEqual({
      region: STANDBY,
      table: TABLE,
      items: [{ plan: 'orders', owner: 'exec-1', expiresAt: expect.any(Number), fencingToken: 1 }],
    });
  });

  it('refuses the lock while another holder has it and the lease has not expired', async () => {
    drill = startDrill();
    await drill.run(acquire('exec-1'));
    await drill.clock.tickAsync(30_000);
    const error = await drill.failure(acquire('exec-2'));
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    expect(error.Item).toMatchObject({ owner: { S: 'exec-1' }, fencingToken: { N: '1' } });
  });

  it('hands an expired lock to the next holder with the next fencing token', async () => {
    drill = startDrill();
    await drill.run(acquire('exec-1'));
    await drill.clock.tickAsync(LEASE_MS + 1_000);
    const out = await drill.run(acquire('exec-2'));
    expect(out.Attributes).toMatchObject({ owner: { S: 'exec-2' }, fencingToken: { N: '2' } });
  });

  it('deletes the lock only for its holder', async () => {
    drill = startDrill();
    await drill.run(acquire('exec-1'));
    const error = await drill.failure(release('exec-2'));
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error.Item).toBeUndefined();
    await drill.run(release('exec-1'));
    expect(drill.cloud.snapshot().tables.find((t) => t.region === STANDBY)?.items).toEqual([]);
  });

  it('keeps each region its own table: a lock in one region is absent from the other', async () => {
    drill = startDrill();
    await drill.run(acquire('exec-1', PRIMARY));
    const other = await drill.run(
      drill.standby.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: KEY, ConsistentRead: true })),
    );
    expect(other.Item).toBeUndefined();
    const out = await drill.run(acquire('exec-2', STANDBY));
    expect(out.Attributes?.fencingToken).toEqual({ N: '1' });
  });

  it('creates with PutItem only when absent, and returns the old item with ALL_OLD', async () => {
    drill = startDrill();
    const put = (owner: string, condition?: string) =>
      drill.standby.dynamodb.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { ...KEY, holder: { S: owner }, active: { BOOL: true }, meta: { M: { n: { N: '2' } } } },
          ...(condition ? { ConditionExpression: condition } : {}),
          ReturnValues: 'ALL_OLD',
        }),
      );
    expect((await drill.run(put('a', 'attribute_not_exists(holder)'))).Attributes).toBeUndefined();
    expect(await drill.failure(put('b', 'attribute_not_exists(holder)'))).toBeInstanceOf(
      ConditionalCheckFailedException,
    );
    // A path against a path of another type is "not equal".
    const replaced = await drill.run(put('c', 'NOT (holder = active)'));
    expect(replaced.Attributes).toMatchObject({ holder: { S: 'a' } });
    expect(drill.cloud.snapshot().tables.find((t) => t.region === STANDBY)?.items).toEqual([
      { plan: 'orders', holder: 'c', active: true, meta: { n: 2 } },
    ]);
  });

  it('sees a write at once with ConsistentRead, and within a second without it', async () => {
    drill = startDrill();
    await drill.run(acquire('exec-1'));
    const get = (ConsistentRead: boolean) =>
      drill.run(
        drill.standby.dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: KEY, ConsistentRead })),
      );
    expect((await get(true)).Item?.owner).toEqual({ S: 'exec-1' });
    const early: boolean[] = [];
    for (let i = 0; i < 5; i++) early.push((await get(false)).Item !== undefined);
    expect(early).toContain(false);
    await drill.clock.tickAsync(1_000);
    expect((await get(false)).Item?.owner).toEqual({ S: 'exec-1' });
  });

  it('evaluates NOT, AND, OR, parentheses and numeric comparisons', async () => {
    drill = startDrill();
    await drill.run(acquire('exec-1'));
    const update = (condition: string, values: Record<string, { N: string } | { S: string }>) =>
      drill.standby.dynamodb.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: KEY,
          UpdateExpression: 'SET checkedAt = :t',
          ConditionExpression: condition,
          ExpressionAttributeValues: { ':t': { N: '1' }, ...values },
        }),
      );
    // N compares as a number: 9 < 10, although "9" > "10" as a string.
    await drill.run(
      update('fencingToken < :ten AND fencingToken >= :one', { ':ten': { N: '10' }, ':one': { N: '1' } }),
    );
    await drill.run(
      update('NOT (fencingToken = :two) AND (absent <> :two OR fencingToken > :two)', {
        ':two': { N: '2' },
      }),
    );
    const error = await drill.failure(update('fencingToken > :x OR absent = :x', { ':x': { N: '1' } }));
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
  });
});

describe('simulated DynamoDB validation and gaps', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  const update = (input: Partial<ConstructorParameters<typeof UpdateItemCommand>[0]>) =>
    drill.standby.dynamodb.send(new UpdateItemCommand({ TableName: TABLE, Key: KEY, ...input }));

  it.each([
    [
      'a reserved word as a bare attribute name',
      { UpdateExpression: 'SET owner = :v' },
      /reserved keyword: owner/,
    ],
    [
      'an unused expression value',
      { UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': { S: 'x' }, ':w': { S: 'y' } } },
      /unused in expressions: keys: \{:w\}/,
    ],
    ['an undefined expression value', { UpdateExpression: 'SET a = :nope' }, /attribute value: :nope/],
    [
      'updating a key attribute',
      { UpdateExpression: 'SET #p = :v', ExpressionAttributeNames: { '#p': 'plan' } },
      /part of the key/,
    ],
    ['a syntax error', { UpdateExpression: 'SET a :v' }, /Syntax error/],
    ['ADD of a string', { UpdateExpression: 'ADD a :v' }, /operator: ADD, operand type: STRING/],
  ])('rejects %s with ValidationException', async (_case, input, message) => {
    drill = startDrill();
    const values =
      'ExpressionAttributeValues' in input ? {} : { ExpressionAttributeValues: { ':v': { S: 'x' } } };
    const error = await drill.failure(update({ ...values, ...input }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(message);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
  });

  it('rejects a key that does not match the table schema', async () => {
    drill = startDrill({ tables: [{ name: 'locks', partitionKey: { name: 'lockId', type: 'S' } }] });
    const error = await drill.failure(
      drill.standby.dynamodb.send(new GetItemCommand({ TableName: 'locks', Key: KEY, ConsistentRead: true })),
    );
    expect(error.message).toBe('The provided key element does not match the schema');
  });

  it('answers an unknown table with ResourceNotFoundException', async () => {
    drill = startDrill();
    const error = await drill.failure(
      drill.standby.dynamodb.send(new GetItemCommand({ TableName: 'nope', Key: KEY })),
    );
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it.each([
    ['BETWEEN', 'a BETWEEN :v AND :v'],
    ['begins_with', 'begins_with(a, :v)'],
    ['nested paths', 'a.b = :v'],
  ])('fails loudly on %s, which it does not model', async (_case, condition) => {
    drill = startDrill();
    const error = await drill.failure(
      update({
        UpdateExpression: 'SET a = :v',
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':v': { S: 'x' } },
      }),
    );
    expect(error.name).toBe('SimulatorGapError');
  });

  describe('TransactWriteItems (Put and Delete)', () => {
    const get = (plan: string) =>
      drill.run(
        drill.standby.dynamodb.send(
          new GetItemCommand({ TableName: TABLE, Key: { plan: { S: plan } }, ConsistentRead: true }),
        ),
      );
    const holdLock = (owner: string) =>
      drill.standby.dynamodb.send(
        new PutItemCommand({ TableName: TABLE, Item: { plan: { S: 'orders' }, owner: { S: owner } } }),
      );
    /** Delete the lock if `owner` holds it, and put a record of it: both or neither. */
    const removeWithRecord = (owner: string, recordKey = 'audit#1') =>
      drill.standby.dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Delete: {
                TableName: TABLE,
                Key: KEY,
                ConditionExpression: '#owner = :me',
                ExpressionAttributeNames: { '#owner': 'owner' },
                ExpressionAttributeValues: { ':me': { S: owner } },
              },
            },
            {
              Put: {
                TableName: TABLE,
                Item: { plan: { S: recordKey }, by: { S: owner } },
                ConditionExpression: 'attribute_not_exists(#plan)',
                ExpressionAttributeNames: { '#plan': 'plan' },
              },
            },
          ],
        }),
      );

    it('applies every action when every condition holds', async () => {
      drill = startDrill();
      await drill.run(holdLock('exec-1'));

      await drill.run(removeWithRecord('exec-1'));

      expect((await get('orders')).Item).toBeUndefined();
      expect((await get('audit#1')).Item).toEqual({ plan: { S: 'audit#1' }, by: { S: 'exec-1' } });
    });

    it('applies none when one condition fails, with a reason per action in order', async () => {
      drill = startDrill();
      await drill.run(holdLock('exec-1'));

      const error = await drill.failure(removeWithRecord('exec-2'));

      expect(error).toBeInstanceOf(TransactionCanceledException);
      expect(error.CancellationReasons).toEqual([
        { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
        { Code: 'None' },
      ]);
      expect((await get('orders')).Item?.owner).toEqual({ S: 'exec-1' });
      expect((await get('audit#1')).Item).toBeUndefined();
    });

    it('refuses two actions on one item', async () => {
      drill = startDrill();
      await drill.run(holdLock('exec-1'));

      const error = await drill.failure(removeWithRecord('exec-1', 'orders'));

      expect(error.name).toBe('ValidationException');
      expect(error.message).toBe('Transaction request cannot include multiple operations on one item');
      expect((await get('orders')).Item?.owner).toEqual({ S: 'exec-1' });
    });
  });
});
