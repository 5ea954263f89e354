import type { LockItem } from '../aws/lock.js';
import { EXECUTION_TIMEOUT_SECONDS } from '../plan/budget.js';
import type { FailoverPlan } from '../plan/schema.js';
import type { FailoverRequest } from '../steps/request.js';

/**
 * Who may take the plan's failover lock, and what a release leaves behind. No AWS here: the
 * steps read the lock item, these functions decide, and the conditional writes in
 * src/aws/lock.ts enforce the same rules against a concurrent writer.
 */

/** statemachines/failover.asl.json's TimeoutSeconds: no holder runs longer than this. */
export { EXECUTION_TIMEOUT_SECONDS };
/**
 * A Lambda invocation may outlive the execution that called it by up to its own timeout (60 s),
 * and clocks differ a little: the lock outlives its holder by this much before it is free.
 */
export const LOCK_EXPIRY_MARGIN_SECONDS = 600;

export const epochSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);
export const isoOf = (epoch: number): string => new Date(epoch * 1000).toISOString();

/** When a lock taken at `nowSeconds` frees itself if its holder never releases it. */
export function lockExpiresAt(nowSeconds: number): number {
  return nowSeconds + EXECUTION_TIMEOUT_SECONDS + LOCK_EXPIRY_MARGIN_SECONDS;
}

/** Humans may end a cool-down early: it exists to stop alarms flapping, not people deciding. */
export function mayOverrideCooldown(mode: FailoverRequest['mode']): boolean {
  return mode !== 'automatic';
}

/**
 * An alarm never moves the service back to the primary region: failing back is a planned
 * switchover, once the old region is healthy and replication has caught up. Null when allowed.
 */
export function automaticFailbackReason(
  request: Pick<FailoverRequest, 'mode' | 'targetRegion'>,
  plan: Pick<FailoverPlan, 'regions'>,
): string | null {
  if (request.mode !== 'automatic' || request.targetRegion !== plan.regions.primary) return null;
  return `no automatic failback: ${request.targetRegion} is the plan's primary region; failing back is a planned switchover a human starts once it is healthy`;
}

export type AcquireDecision =
  /** Write the lock; the token it will carry if nobody writes first. */
  | { kind: 'take'; expectedToken: number; note: string | null; previousHolder: string | null }
  /** This execution already holds it (an earlier attempt of the step took it): keep its token. */
  | { kind: 'already-held'; lock: LockItem }
  | { kind: 'suppress'; reason: string; holder: string };

export function describeHolder(lock: LockItem): string {
  return `failover ${lock.holder} (${lock.mode}, to ${lock.targetRegion})`;
}

/**
 * The lock's rules, in the order they apply:
 *
 *   no item ─────────────────────────────────────────────▶ take (token 1)
 *   held by this execution (expired or not) ─────────────▶ already held, same token
 *   held by another, before expiresAt ───────────────────▶ suppress, naming the holder
 *   held by another, expiresAt passed (holder died) ─────▶ take over (token + 1)
 *   cool-down over ──────────────────────────────────────▶ take (token + 1)
 *   cool-down running: automatic ────────────────────────▶ suppress until cooldownUntil
 *                      manual / planned ─────────────────▶ take (token + 1), override noted
 */
export function decideAcquire(
  request: Pick<FailoverRequest, 'mode' | 'executionName' | 'requestedBy'>,
  lock: LockItem | null,
  nowSeconds: number,
): AcquireDecision {
  if (!lock) return { kind: 'take', expectedToken: 1, note: null, previousHolder: null };
  const next = (note: string | null) =>
    ({ kind: 'take', expectedToken: lock.token + 1, note, previousHolder: lock.holder }) as const;

  if (lock.state === 'held') {
    if (lock.holder === request.executionName) return { kind: 'already-held', lock };
    if (lock.expiresAt > nowSeconds) {
      return {
        kind: 'suppress',
        reason: `${describeHolder(lock)} has held the lock since ${lock.acquiredAt}`,
        holder: lock.holder,
      };
    }
    return next(
      `takes over from ${describeHolder(lock)}, whose hold expired at ${isoOf(lock.expiresAt)} without a release`,
    );
  }

  const until = lock.cooldownUntil ?? 0;
  if (until <= nowSeconds) return next(null);
  if (!mayOverrideCooldown(request.mode)) {
    return {
      kind: 'suppress',
      reason: `cool-down after failover ${lock.holder} until ${isoOf(until)} (a manual or planned start may override it)`,
      holder: lock.holder,
    };
  }
  return next(
    `overrides the cool-down after failover ${lock.holder} (until ${isoOf(until)}): ${request.mode} start by ${request.requestedBy}`,
  );
}

/** How an execution ended, as the state machine tells release-lock. */
export const RELEASE_OUTCOMES = ['succeeded', 'failed', 'no-action', 'not-approved', 'dry-run'] as const;
export type ReleaseOutcome = (typeof RELEASE_OUTCOMES)[number];

/**
 * cooldown: something moved (or may have), so alarms are held off for plan.cooldownMinutes;
 * delete: nothing moved, the next alarm may act at once. A failure counts as having acted unless
 * the state machine says it stopped before the first change: a cool-down only holds off alarms,
 * while a missing one after a half-done failover invites a second one straight away.
 */
export function decideRelease(outcome: ReleaseOutcome, acted: boolean | undefined): 'cooldown' | 'delete' {
  if (outcome === 'succeeded') return 'cooldown';
  if (outcome === 'failed') return acted === false ? 'delete' : 'cooldown';
  return 'delete';
}

export function cooldownEndsAt(nowSeconds: number, cooldownMinutes: number): number {
  return nowSeconds + cooldownMinutes * 60;
}
