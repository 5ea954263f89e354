import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LockTable } from '../aws/lock.js';
import type { LockAuditRecord, OperatorReleaseResult, UnlockResult } from '../aws/lock-operator.js';
import { renderAudit } from '../aws/lock-operator.js';
import { describeCooldown, describeHeld, type HolderStatus } from '../decisions/lock-operator.js';
import type { FailoverReport } from '../report/types.js';
import type { StepFunctions } from './aws.js';
import { CliError, explainAwsError } from './errors.js';

/**
 * The command line's side of the failover lock (`failover stop`, `failover unlock`): which table,
 * a client for it, and every DynamoDB failure as one line naming the table and what to pass.
 */

/** The option both verbs take: the table when it is not `failover-locks-<stage>`. */
export const LOCK_TABLE_OPTION = { 'lock-table': { type: 'string' } } as const;

/**
 * serverless.yml names the table `failover-locks-<stage>` beside the state machine
 * `failover-<stage>`: the stage comes from --stage, or from the state machine's name.
 */
export function lockTableName(sfn: StepFunctions, given: string | undefined): string {
  if (given) return given;
  const stage = /^failover-(.+)$/.exec(sfn.stateMachineName)?.[1];
  if (!stage) {
    throw new CliError(
      `cannot tell the lock table from state machine ${sfn.stateMachineName} (not failover-<stage>): pass --lock-table NAME (the stack's FailoverLockTableName output)`,
      2,
    );
  }
  return `failover-locks-${stage}`;
}

/** The lock table's region is the orchestrator's: the region of the execution that took the lock. */
export function regionOfExecution(executionArn: string): string | null {
  return executionArn.split(':')[3] || null;
}

export function lockClient(sfn: StepFunctions, region: string): DynamoDBClient {
  return sfn.io.dynamodbClient({
    region,
    ...(sfn.options.profile ? { profile: sfn.options.profile } : {}),
  });
}

/** Runs a lock call; an AWS failure becomes one line naming the table and what to do. */
export async function onLockTable<T>(table: LockTable, action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CliError) throw error;
    // src/aws/lock.ts translates SDK errors into domain errors; the SDK's own is their cause.
    const sdk = (error as { cause?: unknown }).cause ?? error;
    const name = (sdk as { name?: string }).name;
    if (name === 'ResourceNotFoundException') {
      throw new CliError(
        `lock table ${table.name} not found in ${table.region}: pass --region (the orchestrator's region, where the failover ran), --stage, or --lock-table NAME`,
        1,
        { cause: error },
      );
    }
    const explained = explainAwsError(sdk, { action: `dynamodb:${action}`, region: table.region });
    throw new CliError(`${explained.message} (lock table ${table.name})`, 1, { cause: error });
  }
}

/**
 * The holder's status from DescribeExecution; `not-found` when Step Functions does not know it
 * (history older than 90 days, or an execution of another state machine).
 */
export async function holderStatus(sfn: StepFunctions, holder: string): Promise<HolderStatus> {
  const arn = await sfn.executionArn(holder);
  try {
    const described = await sfn.describe(arn);
    return (described.status ?? 'RUNNING') as HolderStatus;
  } catch (error) {
    const cause = (error as { cause?: { name?: string } }).cause;
    if (cause?.name === 'ExecutionDoesNotExist') return 'not-found';
    throw error;
  }
}

/** What `failover stop` says about the lock after a confirmed stop. */
export function stopLockLines(
  result: OperatorReleaseResult,
  execution: string,
  plan: string,
  table: LockTable,
): string[] {
  const meanwhile =
    result.kind !== 'removed' && result.changedMeanwhile ? ' (it changed while this stop ran)' : '';
  switch (result.kind) {
    case 'removed':
      return [
        `Lock: released plan ${plan}'s lock held by ${execution} (token ${result.lock.token}): another failover may start now.`,
        // A Lambda already past its lock check when the stop came is not interrupted.
        '      A step that was already running when it stopped may still finish its call (steps time out after 60 s):',
        `      wait a minute, then check the report below before starting another.`,
        ...auditLines(result.audit, table),
      ];
    case 'free':
      return [`Lock: plan ${plan}'s lock is already free${meanwhile}: nothing to release.`];
    case 'cooldown':
      return [`Lock: plan ${plan}'s lock is ${describeCooldown(result.lock)}${meanwhile}; left alone.`];
    case 'held-by-other':
      return [
        `Lock: plan ${plan}'s lock is ${describeHeld(result.lock)}, not by ${execution}${meanwhile}; left alone.`,
      ];
    case 'holder-running':
    case 'holder-unknown':
      return [`Lock: plan ${plan}'s lock is ${describeHeld(result.lock)}; left alone.`];
  }
}

/**
 * The report rebuilt from the history cannot know what stop did after the execution ended: it
 * says "held". Print what stop found instead, and drop the action that asks to free it.
 */
export function withLockAfterStop(
  report: FailoverReport,
  result: OperatorReleaseResult,
  by: string,
): FailoverReport {
  const lock: FailoverReport['lock'] = (() => {
    switch (result.kind) {
      case 'removed':
        return {
          state: 'released',
          detail: `released by failover stop (${by}): its holder and token matched`,
          freeCommand: null,
        };
      case 'free':
        return { state: 'released', detail: 'free when failover stop looked', freeCommand: null };
      case 'cooldown':
        return { state: 'cooldown', detail: describeCooldown(result.lock), freeCommand: null };
      case 'held-by-other':
      case 'holder-running':
      case 'holder-unknown':
        return { state: 'taken-over', detail: describeHeld(result.lock), freeCommand: null };
    }
  })();
  return { ...report, lock, actions: report.actions.filter((action) => !action.startsWith('Lock: ')) };
}

/** What `failover unlock` says once it tried to remove the lock. */
export function unlockLines(result: UnlockResult, plan: string, table: LockTable): string[] {
  switch (result.kind) {
    case 'removed':
      return [
        `Removed plan ${plan}'s lock (holder ${result.lock.holder}, token ${result.lock.token}): a new failover may start now.`,
        ...auditLines(result.audit, table),
      ];
    case 'changed':
      return [
        `Nothing removed: plan ${plan}'s lock changed after it was read (${
          result.now
            ? result.now.state === 'cooldown'
              ? describeCooldown(result.now)
              : describeHeld(result.now)
            : 'it is free now'
        }). Run failover unlock again to decide on what is there now.`,
      ];
    default:
      return [`Nothing removed: plan ${plan}'s lock is ${result.kind}.`];
  }
}

function auditLines(audit: LockAuditRecord, table: LockTable): string[] {
  return ['Audit record (written with the removal, in one transaction):', ...renderAudit(audit, table)];
}
