import {
  DynamoDBClient,
  GetItemCommand,
  ResourceNotFoundException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { type LockItem, lockAttributes, RELEASE_CONDITION } from '../../src/aws/lock.js';
import { aborted, recorded, upTo } from '../history/recorded.js';
import { described, executionArn, run, serviceError, withHistory, withStateMachines } from './harness.js';

const TABLE = 'failover-locks-dev';
const saved = recorded('region-outage');
const STOPPED = saved.execution.name;
const ARN = executionArn(STOPPED);
const CAUSE = 'stopped by jane: wrong region';
/** The lock's delete refused (it changed after the read): the whole transaction is cancelled. */
const lockChanged = () =>
  new TransactionCanceledException({
    message:
      'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
  });
/** The delete and the audit put of the one TransactWriteItems the CLI sent. */
// biome-ignore lint/suspicious/noExplicitAny: the mock's recorded call
const transaction = (dynamodb: any) => {
  const items = dynamodb.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input.TransactItems ?? [];
  return { delete: items[0]?.Delete, put: items[1]?.Put };
};

function lock(overrides: Partial<LockItem> = {}): LockItem {
  return {
    plan: 'orders',
    holder: STOPPED,
    token: 3,
    mode: 'manual',
    targetRegion: 'us-west-2',
    acquiredAt: '2026-11-22T03:00:01.000Z',
    expiresAt: 1_795_338_000,
    state: 'held',
    cooldownUntil: null,
    ...overrides,
  };
}
const item = (overrides: Partial<LockItem> = {}) => ({ Item: lockAttributes(lock(overrides)) });

const running = (patch: Partial<DescribeExecutionCommandOutput> = {}) =>
  described(saved, { status: 'RUNNING', stopDate: undefined, output: undefined, ...patch });
const abortedNow = () =>
  described(saved, { status: 'ABORTED', output: undefined, error: 'StoppedByOperator', cause: CAUSE });

describe('the failover lock from the command line', () => {
  const sfn = mockClient(SFNClient);
  const dynamodb = mockClient(DynamoDBClient);
  afterEach(() => {
    sfn.reset();
    dynamodb.reset();
  });

  describe('failover stop frees the lock the stopped execution holds', () => {
    const stopArgs = ['stop', STOPPED, '--reason', 'wrong region', '--by', 'jane'];

    function stoppable() {
      withStateMachines(sfn);
      sfn.on(DescribeExecutionCommand).resolvesOnce(running()).resolves(abortedNow());
      sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
      withHistory(sfn, ARN, aborted(upTo(saved.events, 'ShiftTraffic'), CAUSE));
    }

    it('deletes it on its holder and token once the stop is confirmed, and records who did it', async () => {
      stoppable();
      dynamodb.on(GetItemCommand).resolves(item());
      dynamodb.on(TransactWriteItemsCommand).resolves({});

      const r = await run(stopArgs);

      expect(r.code).toBe(0);
      expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
        TableName: TABLE,
        Key: { plan: { S: 'orders' } },
        ConsistentRead: true,
      });
      // The delete and its audit record in one transaction: both or neither.
      expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
      const { delete: deleted, put: audit } = transaction(dynamodb);
      expect(deleted).toMatchObject({
        TableName: TABLE,
        Key: { plan: { S: 'orders' } },
        ConditionExpression: RELEASE_CONDITION,
        ExpressionAttributeValues: {
          ':token': { N: '3' },
          ':holder': { S: STOPPED },
          ':held': { S: 'held' },
        },
      });
      expect(audit?.TableName).toBe(TABLE);
      expect(audit?.ConditionExpression).toBe('attribute_not_exists(#plan)');
      expect(audit?.Item).toMatchObject({
        plan: { S: `audit#orders#2026-11-22T03:05:00.000Z#${STOPPED}#3` },
        action: { S: 'release-on-stop' },
        by: { S: 'jane' },
        reason: { S: 'wrong region' },
        removedHolder: { S: STOPPED },
        removedToken: { N: '3' },
        holderStatus: { S: 'ABORTED' },
      });
      expect(r.out[0]).toBe(`Stopped ${STOPPED} at ShiftTraffic (${CAUSE}).`);
      expect(r.out[1]).toBe(
        `Lock: released plan orders's lock held by ${STOPPED} (token 3): another failover may start now.`,
      );
      expect(r.stdout).toContain(
        `record:        item "audit#orders#2026-11-22T03:05:00.000Z#${STOPPED}#3" in ${TABLE} (us-west-2)`,
      );
      expect(r.stdout).toContain('- Failure: StoppedByOperator');
      // The report rebuilt from the history would say "held"; it shows what stop did instead.
      expect(r.stdout).toContain(
        '- Lock: released: released by failover stop (jane): its holder and token matched',
      );
      expect(r.stdout).not.toMatch(/free it with/);
    });

    it('leaves a lock another execution holds alone, and says whose it is', async () => {
      stoppable();
      dynamodb.on(GetItemCommand).resolves(item({ holder: 'manual-20261122T030200Z', token: 4 }));

      const r = await run(stopArgs);

      expect(r.code).toBe(0);
      expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
      expect(r.out[1]).toMatch(
        /^Lock: plan orders's lock is held by manual-20261122T030200Z \(token 4, .*\), not by drill-region-outage-1; left alone\.$/,
      );
    });

    it('leaves the cool-down its own release-lock set while the stop ran (the race), and says so', async () => {
      stoppable();
      dynamodb
        .on(GetItemCommand)
        .resolvesOnce(item())
        .resolves(item({ state: 'cooldown', cooldownUntil: 1_795_330_000 }));
      dynamodb.on(TransactWriteItemsCommand).rejects(lockChanged());

      const r = await run(stopArgs);

      expect(r.code).toBe(0);
      expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
      expect(r.out[1]).toMatch(
        /in its cool-down after drill-region-outage-1 .* \(it changed while this stop ran\); left alone\.$/,
      );
    });

    it('run again on a stopped execution, stops nothing twice and finds the lock already free', async () => {
      withStateMachines(sfn);
      sfn.on(DescribeExecutionCommand).resolves(abortedNow());
      withHistory(sfn, ARN, aborted(upTo(saved.events, 'ShiftTraffic'), CAUSE));
      dynamodb.on(GetItemCommand).resolves({});

      const r = await run(stopArgs);

      expect(r.code).toBe(0);
      expect(sfn).not.toHaveReceivedCommand(StopExecutionCommand);
      expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
      expect(r.out[0]).toBe(`${STOPPED} was already stopped at ShiftTraffic (${CAUSE}); checking its lock.`);
      expect(r.out[1]).toBe("Lock: plan orders's lock is already free: nothing to release.");
    });

    it('run again frees a lock an earlier stop (or a console stop) left behind', async () => {
      withStateMachines(sfn);
      sfn.on(DescribeExecutionCommand).resolves(abortedNow());
      withHistory(sfn, ARN, aborted(upTo(saved.events, 'ShiftTraffic'), CAUSE));
      dynamodb.on(GetItemCommand).resolves(item());
      dynamodb.on(TransactWriteItemsCommand).resolves({});

      const r = await run(stopArgs);

      expect(r.code).toBe(0);
      expect(sfn).not.toHaveReceivedCommand(StopExecutionCommand);
      expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
      expect(r.out[1]).toMatch(/^Lock: released plan orders's lock/);
    });

    it('touches no lock while Step Functions does not say ABORTED', async () => {
      withStateMachines(sfn);
      sfn.on(DescribeExecutionCommand).resolves(running());
      sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
      withHistory(sfn, ARN, upTo(saved.events, 'ShiftTraffic'));

      const r = await run(stopArgs);

      expect(r.code).toBe(0);
      expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 7);
      expect(dynamodb.calls()).toHaveLength(0);
      expect(r.out[1]).toMatch(
        /^Lock: left alone: Step Functions does not say drill-region-outage-1 is ABORTED yet/,
      );
    });

    it('touches no lock when the execution ended on its own as the stop came', async () => {
      withStateMachines(sfn);
      sfn.on(DescribeExecutionCommand).resolvesOnce(running()).resolves(described(saved));
      sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
      withHistory(sfn, ARN, saved.events);

      const r = await run(stopArgs);

      expect(r.code).toBe(0);
      expect(dynamodb.calls()).toHaveLength(0);
      expect(r.out[0]).toMatch(
        /^drill-region-outage-1 ended on its own \(SUCCEEDED\) at .* as the stop came; nothing was stopped\.$/,
      );
      expect(r.out[1]).toMatch(
        /^Lock: left alone: drill-region-outage-1 ended on its own \(SUCCEEDED\) before the stop/,
      );
    });

    it('names the table and what to pass when the lock table is not there, and still prints the report', async () => {
      stoppable();
      dynamodb
        .on(GetItemCommand)
        .rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));

      const r = await run(stopArgs);

      expect(r.code).toBe(1);
      expect(r.err).toEqual([
        "failover stop: lock table failover-locks-dev not found in us-west-2: pass --region (the orchestrator's region, where the failover ran), --stage, or --lock-table NAME",
      ]);
      expect(sfn).toHaveReceivedCommandTimes(StopExecutionCommand, 1);
      // Stopped all the same: the report that says what to check is still printed.
      expect(r.out[1]).toMatch(
        /^Lock: not checked \(lock table failover-locks-dev not found .*\); once fixed, run failover stop drill-region-outage-1 again\.$/,
      );
      expect(r.stdout).toContain('## What a human must still do');
    });
  });

  describe('failover unlock', () => {
    const HOLDER = 'manual-20261122T010000Z';
    const holderArn = executionArn(HOLDER);
    const holderIs = (status: DescribeExecutionCommandOutput['status']) =>
      sfn.on(DescribeExecutionCommand, { executionArn: holderArn }).resolves({
        executionArn: holderArn,
        name: HOLDER,
        status,
        startDate: new Date('2026-11-22T01:00:00Z'),
      } as DescribeExecutionCommandOutput);

    it("refuses an unknown plan, naming the stage's plan, and reads nothing", async () => {
      const r = await run(['unlock', '--plan', 'ordres', '--yes']);

      expect(r.code).toBe(2);
      expect(r.err).toEqual([
        'failover unlock: unknown plan "ordres": the plan of failover-dev (plans/dev.json) is "orders" (see failover unlock --help)',
      ]);
      expect(dynamodb.calls()).toHaveLength(0);
    });

    it('says the lock is free and exits 0 when there is no item', async () => {
      dynamodb.on(GetItemCommand).resolves({});

      const r = await run(['unlock', '--plan', 'orders']);

      expect(r.code).toBe(0);
      expect(r.out).toEqual([
        "Plan orders's lock is free: no lock item in failover-locks-dev (us-west-2). Nothing to unlock.",
      ]);
    });

    it('refuses while the holder runs, naming it and the stop command', async () => {
      withStateMachines(sfn);
      holderIs('RUNNING');
      dynamodb.on(GetItemCommand).resolves(item({ holder: HOLDER }));

      const r = await run(['unlock', '--plan', 'orders', '--yes', '--by', 'jane']);

      expect(r.code).toBe(1);
      expect(r.err[0]).toMatch(
        /^failover unlock: plan orders's lock is held by manual-20261122T010000Z \(token 3, .*\), and manual-20261122T010000Z is RUNNING: nothing removed\. To end it: failover stop manual-20261122T010000Z --reason TEXT --by jane/,
      );
      expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
    });

    it.each([
      ['TIMED_OUT', 'TIMED_OUT'],
      ['ABORTED', 'ABORTED'],
    ] as const)(
      'with --yes removes a lock whose holder is %s, conditional on the token read, and prints the record',
      async (status, recordedStatus) => {
        withStateMachines(sfn);
        holderIs(status);
        dynamodb.on(GetItemCommand).resolves(item({ holder: HOLDER, token: 7 }));
        dynamodb.on(TransactWriteItemsCommand).resolves({});

        const r = await run([
          'unlock',
          '--plan',
          'orders',
          '--yes',
          '--by',
          'jane',
          '--reason',
          'holder timed out',
        ]);

        expect(r.code).toBe(0);
        expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
        expect(transaction(dynamodb).delete).toMatchObject({
          ConditionExpression: RELEASE_CONDITION,
          ExpressionAttributeValues: {
            ':token': { N: '7' },
            ':holder': { S: HOLDER },
            ':held': { S: 'held' },
          },
        });
        expect(transaction(dynamodb).put?.Item).toMatchObject({
          action: { S: 'unlock' },
          by: { S: 'jane' },
          reason: { S: 'holder timed out' },
          holderStatus: { S: recordedStatus },
          removedToken: { N: '7' },
        });
        expect(r.out).toContain(
          `Removed plan orders's lock (holder ${HOLDER}, token 7): a new failover may start now.`,
        );
        expect(r.out).toContain('  by:            jane');
      },
    );

    it('records the OS user when --by is not given, and a holder Step Functions no longer knows', async () => {
      withStateMachines(sfn);
      sfn
        .on(DescribeExecutionCommand, { executionArn: holderArn })
        .rejects(serviceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${holderArn}'`));
      dynamodb.on(GetItemCommand).resolves(item({ holder: HOLDER }));
      dynamodb.on(TransactWriteItemsCommand).resolves({});

      const refused = await run(['unlock', '--plan', 'orders', '--yes'], { user: () => 'oncall-bob' });
      expect(refused.code).toBe(1);
      expect(refused.err.join('\n')).toMatch(
        /has no execution .*nothing removed.*--stage or --state-machine.*--force/,
      );
      expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);

      const r = await run(['unlock', '--plan', 'orders', '--yes', '--force'], { user: () => 'oncall-bob' });

      expect(r.code).toBe(0);
      expect(transaction(dynamodb).put?.Item).toMatchObject({
        by: { S: 'oncall-bob' },
        holderStatus: { S: 'not-found' },
      });
    });

    it('refuses without --yes when nobody is at a terminal to confirm', async () => {
      withStateMachines(sfn);
      holderIs('ABORTED');
      dynamodb.on(GetItemCommand).resolves(item({ holder: HOLDER }));

      const r = await run(['unlock', '--plan', 'orders'], { isInteractive: () => false });

      expect(r.code).toBe(2);
      expect(r.err).toEqual([
        'failover unlock: not a terminal, so nobody can confirm: pass --yes to remove the lock without asking (see failover unlock --help)',
      ]);
      expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
    });

    it.each([
      ['the plan name', 'orders', true],
      ['y', 'y', true],
      ['anything else', 'no', false],
      ['a stray Enter', '', false],
    ])('on a terminal, removes only when the answer is %s', async (_, answer, removes) => {
      withStateMachines(sfn);
      holderIs('FAILED');
      dynamodb.on(GetItemCommand).resolves(item({ holder: HOLDER }));
      dynamodb.on(TransactWriteItemsCommand).resolves({});
      const asked: string[] = [];

      const r = await run(['unlock', '--plan', 'orders'], {
        isInteractive: () => true,
        prompt: async (question) => {
          asked.push(question);
          return answer;
        },
      });

      expect(asked).toEqual(['Remove it? Type the plan name (orders) or y: ']);
      expect(r.code).toBe(removes ? 0 : 1);
      expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, removes ? 1 : 0);
      if (!removes) expect(r.out).toContain('Not confirmed: nothing removed.');
    });

    it('removes nothing when the lock changed after it was read (a new holder took it)', async () => {
      withStateMachines(sfn);
      holderIs('ABORTED');
      dynamodb
        .on(GetItemCommand)
        .resolvesOnce(item({ holder: HOLDER }))
        .resolves(item({ holder: 'manual-20261122T030400Z', token: 1 }));
      dynamodb.on(TransactWriteItemsCommand).rejects(lockChanged());

      const r = await run(['unlock', '--plan', 'orders', '--yes']);

      expect(r.code).toBe(1);
      expect(r.out.at(-1)).toMatch(
        /^Nothing removed: plan orders's lock changed after it was read \(held by manual-20261122T030400Z \(token 1/,
      );
    });

    it('leaves a cool-down alone: it is not a stuck lock', async () => {
      dynamodb.on(GetItemCommand).resolves(item({ state: 'cooldown', cooldownUntil: 1_795_330_000 }));

      const r = await run(['unlock', '--plan', 'orders', '--yes']);

      expect(r.code).toBe(0);
      expect(dynamodb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
      expect(r.out[0]).toMatch(/in its cool-down .* Not a stuck lock: .* Nothing removed\.$/);
    });

    it('removes nothing when the record cannot be written (one transaction), and says which permission', async () => {
      withStateMachines(sfn);
      holderIs('ABORTED');
      dynamodb.on(GetItemCommand).resolves(item({ holder: HOLDER }));
      dynamodb
        .on(TransactWriteItemsCommand)
        .rejects(
          serviceError(
            'AccessDeniedException',
            'User: arn:aws:sts::123456789012:assumed-role/Oncall/jane is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-west-2:123456789012:table/failover-locks-dev',
          ),
        );

      const r = await run(['unlock', '--plan', 'orders', '--yes', '--by', 'jane']);

      expect(r.code).toBe(1);
      expect(r.err).toEqual([
        'failover unlock: access denied: arn:aws:sts::123456789012:assumed-role/Oncall/jane may not call dynamodb:PutItem on arn:aws:dynamodb:us-west-2:123456789012:table/failover-locks-dev (us-west-2); ask for it to be granted, or use another --profile (lock table failover-locks-dev)',
      ]);
      expect(r.out.join('\n')).not.toMatch(/Removed/);
    });
  });
});
