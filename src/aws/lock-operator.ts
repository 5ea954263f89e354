import {
  type AttributeValue,
  type DynamoDBClient,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { epochSeconds } from '../decisions/lock.js';
import {
  AUDIT_RETENTION_DAYS,
  decideStopRelease,
  type HolderStatus,
  type LockFinding,
} from '../decisions/lock-operator.js';
import { AwsTransientError } from '../errors.js';
import { type LockItem, type LockTable, RELEASE_CONDITION, readLock } from './lock.js';
import { translateAwsError } from './translate.js';

/**
 * An operator frees the plan's lock: `failover stop` once the stop is confirmed, `failover
 * unlock` when the holder is gone. Both delete with release-lock's own condition (holder, token
 * and state held, src/aws/lock.ts), so a lock another execution took after the read is never
 * deleted, and a stopped execution's late release-lock (same holder and token) finds nothing to
 * do. Each removal writes an audit item in the same table, in one transaction with the delete:
 * a lock is never removed without the record of who removed it, nor recorded as removed when it
 * was not.
 *
 * Where the record goes, and why there: the lock table is in the orchestrator's own region (the
 * one a failover moves to, reachable during the outage), it is retained with the stack and has
 * point-in-time recovery, and an incident reviewer already reads it to see who held the lock.
 * Step Functions' history belongs to the stopped execution and cannot be appended to, and
 * CloudTrail logs DynamoDB item calls only when data events are enabled (not by default).
 */
export interface OperatorRelease {
  dynamodb: DynamoDBClient;
  table: LockTable;
  plan: string;
  /** The operator: `--by`, or the OS user. */
  by: string;
  reason: string | null;
  now: Date;
}

/** Who removed which lock, when and why: kept as an item of the lock table for 400 days. */
export interface LockAuditRecord {
  plan: string;
  action: 'release-on-stop' | 'unlock';
  by: string;
  at: string;
  reason: string | null;
  /** The holder's execution status when the lock was removed. */
  holderStatus: HolderStatus;
  removed: Pick<LockItem, 'holder' | 'token' | 'mode' | 'targetRegion' | 'acquiredAt'>;
  /** The audit item's partition key. */
  key: string;
}

export type OperatorReleaseResult =
  | (Exclude<LockFinding, { kind: 'remove' }> & {
      /** The lock changed between the first read and the delete (a racing release-lock, a take-over). */
      changedMeanwhile: boolean;
    })
  | { kind: 'removed'; lock: LockItem; audit: LockAuditRecord };

/** The lock as it was read for `failover unlock` changed before the delete: nothing was removed. */
export type UnlockResult = OperatorReleaseResult | { kind: 'changed'; now: LockItem | null };

/**
 * Audit items share the lock table's partition key `plan`. The prefix keeps them apart from lock
 * items; a plan would have to be named `audit#...` to meet one, and parseLockItem would then
 * refuse the item as malformed rather than read it as a lock.
 */
const AUDIT_PREFIX = 'audit#';
/** The attribute the table's TTL reads (serverless.yml): lock items never carry it. */
export const AUDIT_TTL_ATTRIBUTE = 'auditExpiresAt';
/** Two rounds settle any race (the item changes once: a release or a take-over); three is margin. */
const MAX_ROUNDS = 3;

/**
 * `failover stop`, after DescribeExecution says ABORTED: deletes the lock when `execution` holds
 * it. When the delete's condition fails, the stopped execution's own release-lock (a Lambda
 * already running when the stop came) or another execution changed the item after the read:
 * read again and report what is there now.
 *
 * ```
 * stop confirmed ─▶ read (held by X, token 3) ─▶ delete if holder X, token 3, held
 *                                   ▲ X's release-lock sets its cool-down here: delete refused,
 *                                   └─ read again ─▶ cool-down: left alone, said so
 * ```
 */
export async function releaseStoppedLock(
  op: OperatorRelease,
  execution: string,
): Promise<OperatorReleaseResult> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const current = await readLock(op.dynamodb, op.table, op.plan);
    const finding = decideStopRelease(current, execution);
    if (finding.kind !== 'remove') return { ...finding, changedMeanwhile: round > 1 };
    const audit = auditOf(op, finding.lock, 'release-on-stop', 'ABORTED');
    if (await removeWithRecord(op, finding.lock, audit))
      return { kind: 'removed', lock: finding.lock, audit };
  }
  throw new AwsTransientError(
    `the lock on plan ${op.plan} changed between read and delete ${MAX_ROUNDS} times in a row: run failover stop again`,
  );
}

/**
 * `failover unlock`, once the operator confirmed removing `expected` (as read and shown): deletes
 * it only while it is still that holder's, with that token. Anything else is reported, not
 * retried: a new holder needs a new decision (is it running?) and a new confirmation.
 */
export async function unlockStale(
  op: OperatorRelease,
  expected: LockItem,
  holderStatus: HolderStatus,
): Promise<UnlockResult> {
  const audit = auditOf(op, expected, 'unlock', holderStatus);
  if (await removeWithRecord(op, expected, audit)) return { kind: 'removed', lock: expected, audit };
  return { kind: 'changed', now: await readLock(op.dynamodb, op.table, op.plan) };
}

function auditOf(
  op: OperatorRelease,
  lock: LockItem,
  action: LockAuditRecord['action'],
  holderStatus: HolderStatus,
): LockAuditRecord {
  const at = op.now.toISOString();
  return {
    plan: op.plan,
    action,
    by: op.by,
    at,
    reason: op.reason,
    holderStatus,
    removed: {
      holder: lock.holder,
      token: lock.token,
      mode: lock.mode,
      targetRegion: lock.targetRegion,
      acquiredAt: lock.acquiredAt,
    },
    key: `${AUDIT_PREFIX}${op.plan}#${at}#${lock.holder}#${lock.token}`,
  };
}

/**
 * Deletes the lock on release-lock's condition (this holder, this token, held) and puts the
 * audit item (never over another) in one TransactWriteItems: both or neither. False when the
 * lock's condition failed (it changed after the read); any other refusal throws. IAM checks the
 * actions inside: dynamodb:DeleteItem and dynamodb:PutItem on the table (DynamoDB Developer
 * Guide, "Using IAM with DynamoDB transactions").
 */
async function removeWithRecord(
  op: OperatorRelease,
  lock: LockItem,
  audit: LockAuditRecord,
): Promise<boolean> {
  const command = new TransactWriteItemsCommand({
    TransactItems: [
      {
        Delete: {
          TableName: op.table.name,
          Key: { plan: { S: lock.plan } },
          ConditionExpression: RELEASE_CONDITION,
          ExpressionAttributeNames: { '#token': 'token', '#holder': 'holder', '#state': 'state' },
          ExpressionAttributeValues: {
            ':token': { N: String(lock.token) },
            ':holder': { S: lock.holder },
            ':held': { S: 'held' },
          },
        },
      },
      {
        Put: {
          TableName: op.table.name,
          Item: auditItem(op, audit),
          // A record is never overwritten.
          ConditionExpression: 'attribute_not_exists(#plan)',
          ExpressionAttributeNames: { '#plan': 'plan' },
        },
      },
    ],
  });
  try {
    await op.dynamodb.send(command);
    return true;
  } catch (error) {
    const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
    if (
      e.name === 'TransactionCanceledException' &&
      e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    ) {
      return false;
    }
    throw translateAwsError(error, `TransactWriteItems ${op.table.name}`);
  }
}

function auditItem(op: OperatorRelease, audit: LockAuditRecord): Record<string, AttributeValue> {
  const s = (value: string): AttributeValue => ({ S: value });
  const n = (value: number): AttributeValue => ({ N: String(value) });
  const item: Record<string, AttributeValue> = {
    plan: s(audit.key),
    kind: s('lock-audit'),
    auditedPlan: s(audit.plan),
    action: s(audit.action),
    by: s(audit.by),
    at: s(audit.at),
    holderStatus: s(audit.holderStatus),
    removedHolder: s(audit.removed.holder),
    removedToken: n(audit.removed.token),
    removedMode: s(audit.removed.mode),
    removedTargetRegion: s(audit.removed.targetRegion),
    removedAcquiredAt: s(audit.removed.acquiredAt),
    [AUDIT_TTL_ATTRIBUTE]: n(epochSeconds(op.now) + AUDIT_RETENTION_DAYS * 86_400),
  };
  if (audit.reason) item.reason = s(audit.reason);
  return item;
}

/** The audit record as the operator sees it printed (and as an incident note). */
export function renderAudit(audit: LockAuditRecord, table: LockTable): string[] {
  return [
    `  plan:          ${audit.plan}`,
    `  action:        ${audit.action}`,
    `  by:            ${audit.by}`,
    `  at:            ${audit.at}`,
    ...(audit.reason ? [`  reason:        ${audit.reason}`] : []),
    `  removed:       holder ${audit.removed.holder}, token ${audit.removed.token} (${audit.removed.mode} to ${audit.removed.targetRegion}, taken ${audit.removed.acquiredAt})`,
    `  holder status: ${audit.holderStatus}`,
    `  record:        item "${audit.key}" in ${table.name} (${table.region}), kept ${AUDIT_RETENTION_DAYS} days`,
  ];
}
