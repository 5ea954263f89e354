import type { LockItem } from '../aws/lock.js';
import { isoOf } from './lock.js';

/**
 * What an operator's release of the plan's lock may do: `failover stop` after the stop is
 * confirmed, and `failover unlock` when the holder is gone. No AWS here: src/aws/lock-operator.ts
 * reads the item, asks these functions, and deletes with the same condition release-lock uses
 * (holder, token, state held), so a lock that changed after the read is never removed.
 */

/**
 * DescribeExecution's statuses, plus `not-found`: the holder's execution is unknown to Step
 * Functions (older than its 90 days of history, or of another stage's state machine).
 */
export const HOLDER_STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
  'not-found',
] as const;
export type HolderStatus = (typeof HOLDER_STATUSES)[number];

export type LockFinding =
  /** No item: nothing holds the plan, nothing to remove. */
  | { kind: 'free' }
  /** Held by the execution in question (stop), or by an execution that no longer runs (unlock). */
  | { kind: 'remove'; lock: LockItem }
  /** In the cool-down after a failover: it ends by itself, and only automatic starts wait for it. */
  | { kind: 'cooldown'; lock: LockItem }
  /** Held by another execution than the stopped one: its lock, not ours to free. */
  | { kind: 'held-by-other'; lock: LockItem }
  /** The holder still runs (or is about to run again): removing its lock would let a second writer in. */
  | { kind: 'holder-running'; lock: LockItem; status: HolderStatus }
  /**
   * The holder is unknown to the state machine asked, and the lock has not expired: most likely
   * the wrong state machine (--stage, --state-machine), since a held lock is at most about two
   * hours old and Step Functions keeps executions for 90 days. Removed only with --force.
   */
  | { kind: 'holder-unknown'; lock: LockItem };

/**
 * After `failover stop` of `execution` is confirmed (ABORTED): free the lock only when that
 * execution holds it. A cool-down is left alone even when the stopped execution set it: its own
 * release-lock ran (a stop racing the end of the execution), so something may have moved, and
 * the cool-down is what keeps an alarm from moving it straight back.
 */
export function decideStopRelease(lock: LockItem | null, execution: string): LockFinding {
  if (!lock) return { kind: 'free' };
  if (lock.state === 'cooldown') return { kind: 'cooldown', lock };
  if (lock.holder !== execution) return { kind: 'held-by-other', lock };
  return { kind: 'remove', lock };
}

/**
 * `failover unlock`: a held lock whose holder no longer runs may go. RUNNING and PENDING_REDRIVE
 * (a redrive resumes the execution with its token) keep it: the way to end those is
 * `failover stop`, which frees the lock itself. A cool-down is not a stuck lock (see above).
 */
export function decideUnlock(
  lock: LockItem | null,
  holderStatus: HolderStatus,
  options: { force?: boolean; nowSeconds?: number } = {},
): LockFinding {
  if (!lock) return { kind: 'free' };
  if (lock.state === 'cooldown') return { kind: 'cooldown', lock };
  if (holderStatus === 'RUNNING' || holderStatus === 'PENDING_REDRIVE') {
    return { kind: 'holder-running', lock, status: holderStatus };
  }
  const expired = options.nowSeconds !== undefined && lock.expiresAt <= options.nowSeconds;
  if (holderStatus === 'not-found' && !options.force && !expired) return { kind: 'holder-unknown', lock };
  return { kind: 'remove', lock };
}

/** One line on a held lock, for the operator: who, which token, since when, until when. */
export function describeHeld(lock: LockItem): string {
  return `held by ${lock.holder} (token ${lock.token}, ${lock.mode} to ${lock.targetRegion}, since ${lock.acquiredAt}; frees itself at ${isoOf(lock.expiresAt)})`;
}

/** One line on a cool-down, for the operator. */
export function describeCooldown(lock: LockItem): string {
  const until = lock.cooldownUntil === null ? '(no end recorded)' : isoOf(lock.cooldownUntil);
  return `in its cool-down after ${lock.holder} (token ${lock.token}) until ${until}: manual and planned starts may override it, automatic ones wait`;
}

/**
 * The command that frees a stuck lock: `failover unlock` checks that its holder no longer runs
 * and deletes on the holder and token it showed, where a bare `aws dynamodb delete-item` would
 * also delete a lock a newer failover took meanwhile. serverless.yml names the table
 * failover-locks-<stage>; any other name is passed as it is.
 */
export function unlockCommand(plan: string, table: { region: string; name: string }): string {
  const stage = /^failover-locks-(.+)$/.exec(table.name)?.[1];
  const where = stage ? `--stage ${stage}` : `--lock-table ${table.name}`;
  return `failover unlock --plan ${plan} --region ${table.region} ${where}`;
}

/**
 * How long the audit record of an operator's release is kept: 400 days, so a yearly review of
 * incidents still finds it (DynamoDB TTL deletes it some time after; AWS: "typically within a
 * few days"). Modelling choice: no AWS rule asks for a figure.
 */
export const AUDIT_RETENTION_DAYS = 400;
