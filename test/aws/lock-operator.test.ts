import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteLock, readLock, setCooldown, takeLock } from '../../src/aws/lock.js';
import {
  AUDIT_TTL_ATTRIBUTE,
  type OperatorRelease,
  releaseStoppedLock,
  unlockStale,
} from '../../src/aws/lock-operator.js';
import { lockExpiresAt } from '../../src/decisions/lock.js';
import { type Drill, STANDBY, startDrill, T0 } from '../sim/harness.js';

// Against the simulated DynamoDB (src/sim/dynamodb.ts), which evaluates the real condition
// expressions: what is tested is the conditions themselves, not a mock's idea of them.
const TABLE = { region: STANDBY, name: 'failover-locks' };
const STOPPED = 'manual-20261122T030000Z';
const NEXT = 'manual-20261122T030500Z';
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('an operator frees the failover lock', () => {
  let drill: Drill;
  let dynamodb: DynamoDBClient;
  beforeEach(() => {
    drill = startDrill();
    dynamodb = drill.standby.dynamodb;
  });
  afterEach(() => drill.stop());

  const take = (holder: string) =>
    drill.run(
      takeLock(dynamodb, TABLE, {
        plan: 'orders',
        holder,
        mode: 'manual',
        targetRegion: STANDBY,
        acquiredAt: new Date().toISOString(),
        expiresAt: lockExpiresAt(nowSeconds()),
        now: nowSeconds(),
        overrideCooldown: true,
      }),
    );
  const operator = (client: DynamoDBClient = dynamodb): OperatorRelease => ({
    dynamodb: client,
    table: TABLE,
    plan: 'orders',
    by: 'jane',
    reason: 'wrong region',
    now: new Date(),
  });
  const read = () => drill.run(readLock(dynamodb, TABLE, 'orders'));

  it("failover stop deletes the stopped holder's lock and leaves an audit item with a TTL", async () => {
    // Prepare
    await take(STOPPED);

    // Act
    const result = await drill.run(releaseStoppedLock(operator(), STOPPED));

    // Assess
    expect(result.kind).toBe('removed');
    expect(await read()).toBeNull();
    if (result.kind !== 'removed') throw new Error('unreachable');
    const audit = await drill.run(
      dynamodb.send(
        new GetItemCommand({
          TableName: TABLE.name,
          Key: { plan: { S: result.audit.key } },
          ConsistentRead: true,
        }),
      ),
    );
    expect(audit.Item).toMatchObject({
      action: { S: 'release-on-stop' },
      by: { S: 'jane' },
      removedHolder: { S: STOPPED },
      removedToken: { N: '1' },
      [AUDIT_TTL_ATTRIBUTE]: { N: String(Math.floor(T0 / 1000) + 400 * 86_400) },
    });
  });

  it("keeps fencing: the stopped execution's late release-lock cannot touch the next holder's lock, though the token restarts at 1", async () => {
    // Prepare: the stopped execution held token 1; stop frees it; the next failover takes token 1 too
    const stopped = await take(STOPPED);
    await drill.run(releaseStoppedLock(operator(), STOPPED));
    const next = await take(NEXT);
    expect([stopped?.token, next?.token]).toEqual([1, 1]);

    // Act: the stopped execution's release-lock Lambda, already running when the stop came, lands now
    const late = { plan: 'orders', holder: STOPPED, token: 1 };
    const deleted = await drill.run(deleteLock(dynamodb, TABLE, late));
    const cooled = await drill.run(
      setCooldown(dynamodb, TABLE, { ...late, cooldownUntil: nowSeconds() + 3600 }),
    );

    // Assess
    expect([deleted, cooled]).toEqual([false, false]);
    expect(await read()).toMatchObject({ holder: NEXT, token: 1, state: 'held' });
  });

  it('a second failover stop finds the lock free and writes no second record', async () => {
    // Prepare
    await take(STOPPED);
    await drill.run(releaseStoppedLock(operator(), STOPPED));
    const writes = drill.cloud.calls.filter((c) => c.command === 'TransactWriteItems').length;
    expect(writes).toBe(1);

    // Act
    const again = await drill.run(releaseStoppedLock(operator(), STOPPED));

    // Assess
    expect(again).toEqual({ kind: 'free', changedMeanwhile: false });
    expect(drill.cloud.calls.filter((c) => c.command === 'TransactWriteItems')).toHaveLength(writes);
  });

  it("when the stopped execution's own release-lock sets its cool-down between the read and the delete, leaves it", async () => {
    // Prepare: the race, interleaved by hand right after stop's first read
    await take(STOPPED);
    let raced = false;
    const racing = {
      send: async (command: Parameters<DynamoDBClient['send']>[0]) => {
        const output = await dynamodb.send(command as never);
        if (!raced && command instanceof GetItemCommand) {
          raced = true;
          await setCooldown(dynamodb, TABLE, {
            plan: 'orders',
            holder: STOPPED,
            token: 1,
            cooldownUntil: nowSeconds() + 900,
          });
        }
        return output;
      },
    } as unknown as DynamoDBClient;

    // Act
    const result = await drill.run(releaseStoppedLock(operator(racing), STOPPED));

    // Assess
    expect(result).toMatchObject({ kind: 'cooldown', changedMeanwhile: true });
    expect(await read()).toMatchObject({ holder: STOPPED, state: 'cooldown' });
  });

  it('leaves a lock another execution holds', async () => {
    // Prepare: the holder is the next failover, not the stopped one
    await take(NEXT);

    // Act
    const result = await drill.run(releaseStoppedLock(operator(), STOPPED));

    // Assess
    expect(result).toMatchObject({ kind: 'held-by-other', changedMeanwhile: false });
    expect(await read()).toMatchObject({ holder: NEXT });
  });

  it('failover unlock removes nothing when the lock it showed was replaced before the delete', async () => {
    // Prepare: the operator read STOPPED's lock; meanwhile it expired and NEXT took it over (token 2)
    const shown = await take(STOPPED);
    await drill.run(deleteLock(dynamodb, TABLE, { plan: 'orders', holder: STOPPED, token: 1 }));
    await take(NEXT);
    if (!shown) throw new Error('not taken');

    // Act
    const result = await drill.run(unlockStale(operator(), shown, 'ABORTED'));

    // Assess
    expect(result).toMatchObject({ kind: 'changed', now: { holder: NEXT } });
    expect(await read()).toMatchObject({ holder: NEXT, state: 'held' });
  });
});
