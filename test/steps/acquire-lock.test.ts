import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { type LockItem, lockAttributes, TAKE_CONDITION } from '../../src/aws/lock.js';
import { epochSeconds } from '../../src/decisions/lock.js';
import { AwsTransientError } from '../../src/errors.js';
import { acquireLock } from '../../src/steps/acquire-lock.js';
import { acquireLockOutput } from '../../src/steps/contracts-lock.js';
import { commandsSent, mutatingCommandsSent } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { failoverRequest } from '../support/request.js';

const NOW = '2026-11-22T03:00:00.000Z';
const NOW_S = epochSeconds(new Date(NOW));
const ME = 'orders-20240514T100512Z';
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** A lock another execution took ten minutes ago and still holds, unless told otherwise. */
function lock(overrides: Partial<LockItem> = {}): LockItem {
  return {
    plan: 'orders',
    holder: 'orders-20261122T0250Z',
    token: 6,
    mode: 'automatic',
    targetRegion: 'us-west-2',
    acquiredAt: '2026-11-22T02:50:00.000Z',
    expiresAt: NOW_S + 5400,
    state: 'held',
    cooldownUntil: null,
    ...overrides,
  };
}
const item = (overrides: Partial<LockItem> = {}) => ({ Item: lockAttributes(lock(overrides)) });
/** What UpdateItem answers when this execution's take succeeds with `token`. */
const takenWith = (token: number, mode: LockItem['mode'] = 'automatic') => ({
  Attributes: lockAttributes(
    lock({ holder: ME, token, mode, acquiredAt: NOW, expiresAt: NOW_S + 7800, state: 'held' }),
  ),
});

describe('acquireLock', () => {
  const ddbMock = mockClient(DynamoDBClient);

  afterEach(() => {
    ddbMock.reset();
  });

  it('takes a free lock with token 1, expiring after the execution timeout', async () => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves({});
    ddbMock.on(UpdateItemCommand).resolves(takenWith(1));

    // Act
    const output = await acquireLock({ request: failoverRequest() }, testDeps(NOW));

    // Assess
    expect(acquireLockOutput.parse(output)).toEqual(output);
    expect(output).toMatchObject({ acquired: true, token: 1, suppressedReason: null, holder: ME });
    expect(ddbMock).toHaveReceivedCommandExactlyOnceWith(UpdateItemCommand, {
      TableName: 'failover-locks',
      Key: { plan: { S: 'orders' } },
      ConditionExpression: TAKE_CONDITION.automatic,
      ExpressionAttributeValues: expect.objectContaining({
        ':holder': { S: ME },
        ':now': { N: String(NOW_S) },
        ':expiresAt': { N: String(NOW_S + 7800) },
        ':one': { N: '1' },
      }),
    });
    expect(output.timeline).toEqual([
      expect.objectContaining({
        step: 'acquire-lock',
        phase: 'succeeded',
        facts: expect.objectContaining({ token: 1, lockRegion: 'us-west-2' }),
      }),
    ]);
  });

  it('records, and does not act on, a request while another failover holds the lock', async () => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves(item());

    // Act
    const output = await acquireLock({ request: failoverRequest() }, testDeps(NOW));

    // Assess
    expect(output).toEqual({
      acquired: false,
      token: null,
      suppressedReason:
        'failover orders-20261122T0250Z (automatic, to us-west-2) has held the lock since 2026-11-22T02:50:00.000Z',
      holder: 'orders-20261122T0250Z',
      timeline: [
        expect.objectContaining({
          phase: 'suppressed',
          facts: expect.objectContaining({ holder: 'orders-20261122T0250Z' }),
        }),
      ],
    });
    expect(mutatingCommandsSent(ddbMock)).toEqual([]);
  });

  it('keeps its token when a retried attempt finds this execution already holds the lock', async () => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves(item({ holder: ME, token: 6 }));

    // Act
    const output = await acquireLock({ request: failoverRequest() }, testDeps(NOW));

    // Assess
    expect(output).toMatchObject({ acquired: true, token: 6, holder: ME, suppressedReason: null });
    expect(ddbMock).not.toHaveReceivedCommand(UpdateItemCommand);
  });

  it('keeps its token when its own earlier write landed between this read and write', async () => {
    // Prepare: the first attempt's answer was lost; its write lands just after this attempt's read.
    ddbMock
      .on(GetItemCommand)
      .resolvesOnce({})
      .resolves(item({ holder: ME, token: 7, acquiredAt: NOW }));
    ddbMock.on(UpdateItemCommand).rejects(conditionFailed());

    // Act
    const output = await acquireLock({ request: failoverRequest() }, testDeps(NOW));

    // Assess
    expect(output).toMatchObject({ acquired: true, token: 7 });
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(ddbMock).toHaveReceivedCommandTimes(GetItemCommand, 2);
  });

  it('reads the winner again and names it when another execution takes the lock first', async () => {
    // Prepare
    ddbMock
      .on(GetItemCommand)
      .resolvesOnce({})
      .resolves(item({ acquiredAt: NOW }));
    ddbMock.on(UpdateItemCommand).rejects(conditionFailed());

    // Act
    const output = await acquireLock({ request: failoverRequest() }, testDeps(NOW));

    // Assess
    expect(output).toMatchObject({
      acquired: false,
      holder: 'orders-20261122T0250Z',
      suppressedReason: `failover orders-20261122T0250Z (automatic, to us-west-2) has held the lock since ${NOW}`,
    });
    expect(commandsSent(ddbMock)).toEqual(['GetItemCommand', 'UpdateItemCommand', 'GetItemCommand']);
    expect(ddbMock.commandCalls(GetItemCommand)[1]?.args[0].input.ConsistentRead).toBe(true);
  });

  it('takes over a lock whose holder died, with the next token', async () => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves(item({ expiresAt: NOW_S - 60 }));
    ddbMock.on(UpdateItemCommand).resolves(takenWith(7));

    // Act
    const output = await acquireLock({ request: failoverRequest() }, testDeps(NOW));

    // Assess
    expect(output).toMatchObject({ acquired: true, token: 7, holder: ME });
    expect(output.timeline[0]?.message).toMatch(
      /took the lock; takes over from failover orders-20261122T0250Z .* whose hold expired at 2026-11-22T02:59:00.000Z/,
    );
    expect(output.timeline[0]?.facts).toMatchObject({ previousHolder: 'orders-20261122T0250Z', token: 7 });
  });

  it('suppresses an automatic request during the cool-down after a failover', async () => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves(item({ state: 'cooldown', cooldownUntil: NOW_S + 1800 }));

    // Act
    const output = await acquireLock({ request: failoverRequest() }, testDeps(NOW));

    // Assess
    expect(output).toMatchObject({
      acquired: false,
      token: null,
      suppressedReason:
        'cool-down after failover orders-20261122T0250Z until 2026-11-22T03:30:00.000Z (a manual or planned start may override it)',
    });
    expect(output.timeline[0]?.phase).toBe('suppressed');
    expect(ddbMock).not.toHaveReceivedCommand(UpdateItemCommand);
  });

  it('lets a human override the cool-down, and says so', async () => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves(item({ state: 'cooldown', cooldownUntil: NOW_S + 1800 }));
    ddbMock.on(UpdateItemCommand).resolves(takenWith(7, 'manual'));
    const request = failoverRequest({ mode: 'manual', requestedBy: 'alice@example.com' });

    // Act
    const output = await acquireLock({ request }, testDeps(NOW));

    // Assess
    expect(output).toMatchObject({ acquired: true, token: 7 });
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      ConditionExpression: TAKE_CONDITION.human,
      ExpressionAttributeValues: expect.objectContaining({ ':mode': { S: 'manual' } }),
    });
    expect(output.timeline[0]?.message).toContain(
      'overrides the cool-down after failover orders-20261122T0250Z (until 2026-11-22T03:30:00.000Z): manual start by alice@example.com',
    );
  });

  it('suppresses an automatic failback without reading the lock', async () => {
    // Act
    const output = await acquireLock(
      { request: failoverRequest({ sourceRegion: 'us-west-2', targetRegion: 'us-east-1' }) },
      testDeps(NOW),
    );

    // Assess
    expect(output).toMatchObject({ acquired: false, token: null, holder: null });
    expect(output.suppressedReason).toMatch(/^no automatic failback: us-east-1 is the plan's primary region/);
    expect(output.timeline[0]?.phase).toBe('suppressed');
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it.each<{ name: string; current: Partial<LockItem> | null; reason: string | null; message: RegExp }>([
    { name: 'a free lock', current: null, reason: null, message: /^would take the lock \(token 1\)/ },
    {
      name: 'a lock another failover holds',
      current: {},
      reason:
        'failover orders-20261122T0250Z (automatic, to us-west-2) has held the lock since 2026-11-22T02:50:00.000Z',
      message: /^would be suppressed: failover orders-20261122T0250Z/,
    },
  ])(
    'only reads in a dry run, and says what would happen with $name',
    async ({ current, reason, message }) => {
      // Prepare
      ddbMock.on(GetItemCommand).resolves(current ? item(current) : {});

      // Act
      const output = await acquireLock({ request: failoverRequest({ dryRun: true }) }, testDeps(NOW));

      // Assess
      expect(mutatingCommandsSent(ddbMock)).toEqual([]);
      expect(output).toMatchObject({ acquired: false, token: null, suppressedReason: reason });
      expect(output.timeline).toEqual([
        expect.objectContaining({ phase: 'dry-run', message: expect.stringMatching(message) }),
      ]);
    },
  );

  it('leaves endless contention to the state machine’s retry', async () => {
    // Prepare
    ddbMock.on(GetItemCommand).resolves({});
    ddbMock.on(UpdateItemCommand).rejects(conditionFailed());

    // Act
    const acquired = acquireLock({ request: failoverRequest() }, testDeps(NOW));

    // Assess
    await expect(acquired).rejects.toThrow(AwsTransientError);
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 3);
  });
});
