import type { GlobalClusterView } from '../aws/rds.js';
import type { DatabasePlan } from '../plan/databases.js';
import type { FailoverRequest } from '../steps/request.js';
import { majorMinor } from './readiness.js';

/**
 * What promote-database and check-promotion do, decided from the global cluster as
 * DescribeGlobalClusters shows it. No AWS here: the steps read, these functions decide.
 */

export type PromotionAction = 'failover' | 'switchover';

export type PromotionDecision =
  /** Target is the writer and nothing is running: a re-run after success. Send nothing. */
  | { kind: 'already-writer'; targetArn: string }
  /** An operation towards the target is running (an earlier attempt sent it): poll, do not resend. */
  | {
      kind: 'in-progress';
      action: PromotionAction;
      status: string;
      fromArn: string | null;
      targetArn: string;
    }
  | {
      kind: 'failover';
      targetArn: string;
      /** The writer being replaced, as the target region sees it (null if none is listed). */
      fromArn: string | null;
      /** The region whose RDS endpoint receives the request. */
      endpointRegion: string;
      allowDataLoss: true;
    }
  | { kind: 'switchover'; targetArn: string; fromArn: string; endpointRegion: string; allowDataLoss: false }
  /**
   * Unplanned, and RDS would refuse the managed failover (the members' engine versions differ,
   * a rolling upgrade half done): detach the target and promote it instead (detach-target).
   */
  | { kind: 'detach'; targetArn: string; fromArn: string | null; reason: string }
  | { kind: 'refuse'; reason: string };

/**
 * The members' engine versions, as check-readiness read them (DescribeDBClusters in each region;
 * the source's only when its region answered). null: not known.
 */
export interface MemberEngines {
  source: string | null;
  target: string | null;
}

/**
 * Why the managed operation cannot be used, when the engine versions say so: a managed failover
 * or switchover needs the same major and minor version (Aurora User Guide, upgrading a global
 * database). Null when they match, or when one is unknown (then RDS itself decides, and a
 * refusal for the engine version is read by classifyPromotionRefusal).
 */
export function engineMismatch(engines: MemberEngines | null | undefined): string | null {
  if (!engines?.source || !engines.target) return null;
  if (majorMinor(engines.source) === majorMinor(engines.target)) return null;
  return `engine versions differ (source ${engines.source}, target ${engines.target}): RDS refuses a managed failover or switchover between them`;
}

/** The database's member ARN in `region`, or null when the plan names none there. */
export function memberArnIn(database: Pick<DatabasePlan, 'members'>, region: string): string | null {
  return database.members[region] ?? null;
}

/** What promote-database does for one of the plan's databases, from its global cluster as read. */
export function decidePromotion(
  request: Pick<FailoverRequest, 'mode' | 'sourceRegion' | 'targetRegion'>,
  database: Pick<DatabasePlan, 'members'>,
  view: GlobalClusterView,
  engines: MemberEngines | null = null,
): PromotionDecision {
  const targetArn = memberArnIn(database, request.targetRegion);
  if (!targetArn) {
    return { kind: 'refuse', reason: `the plan names no cluster in ${request.targetRegion}` };
  }
  const target = view.members.find((m) => m.arn === targetArn);
  if (!target) {
    return {
      kind: 'refuse',
      reason: `${targetArn} is not a member of global cluster ${view.identifier} (detached or never added)`,
    };
  }

  const state = view.failoverState;
  if (state) {
    if (state.toArn === targetArn) {
      return {
        kind: 'in-progress',
        action: state.isDataLossAllowed ? 'failover' : 'switchover',
        status: state.status,
        fromArn: state.fromArn,
        targetArn,
      };
    }
    // Someone else (an operator, another execution) is moving the writer elsewhere: two
    // concurrent moves could leave two writers or none, so a human decides.
    return {
      kind: 'refuse',
      reason: `global cluster ${view.identifier} is already ${state.status} towards ${state.toArn ?? 'an unknown cluster'}`,
    };
  }

  if (target.isWriter) return { kind: 'already-writer', targetArn };
  // RDS refuses to promote a member it is still rebuilding; readiness refuses it first.
  if (target.synchronizationStatus !== null && target.synchronizationStatus !== 'connected') {
    return {
      kind: 'refuse',
      reason: `${targetArn} is ${target.synchronizationStatus}, not connected: Aurora must resynchronise it before it can be promoted`,
    };
  }

  const writer = view.members.find((m) => m.isWriter) ?? null;
  const mismatch = engineMismatch(engines);
  if (mismatch && request.mode === 'planned') {
    // Both regions are up: a detached target would be a second writer. Readiness refuses first.
    return {
      kind: 'refuse',
      reason: `${mismatch}; a planned move waits for the upgrade to finish (upgrade the older cluster, then start again)`,
    };
  }
  if (mismatch) {
    // Detach-and-promote is AWS's documented way out of an outage when the managed failover is
    // not available (Aurora User Guide, recovering from an unplanned outage); detach-target
    // still refuses it unless the old region's services are fenced and stopped.
    return { kind: 'detach', targetArn, fromArn: writer?.arn ?? null, reason: mismatch };
  }
  if (request.mode === 'planned') {
    if (!writer) {
      return {
        kind: 'refuse',
        reason: `global cluster ${view.identifier} has no writer to switch over from; a switchover needs a healthy primary (use an unplanned failover)`,
      };
    }
    // The user guide runs the switchover against the primary's region; both regions answer
    // in a planned move, so the primary's endpoint is the documented choice.
    return {
      kind: 'switchover',
      targetArn,
      fromArn: writer.arn,
      endpointRegion: writer.region || request.sourceRegion,
      allowDataLoss: false,
    };
  }
  // Static stability: the target region's endpoint answers while the primary's region is down.
  return {
    kind: 'failover',
    targetArn,
    fromArn: writer?.arn ?? null,
    endpointRegion: target.region || request.targetRegion,
    allowDataLoss: true,
  };
}

/**
 * What a refusal of FailoverGlobalCluster or SwitchoverGlobalCluster means for promote-database:
 *
 *   under-way        InvalidGlobalClusterStateFault saying an operation is already running or the
 *                    target already writes: possibly this execution's own request, sent by an
 *                    earlier attempt whose answer was lost (the SDK or the state machine retried),
 *                    and not yet visible to DescribeGlobalClusters (eventually consistent).
 *                    Not a failure: check-promotion confirms it (or fails it) from what it reads.
 *   engine-versions  the members' engine versions differ (re:Post Knowledge Center quotes "must
 *                    have the same engine version as that of the current primary cluster"):
 *                    an unplanned move takes the detach path, a planned one is refused.
 *   refused          anything else: a failure, as before.
 *
 * The message is read only to tell these apart; the code alone cannot (AWS uses
 * InvalidGlobalClusterStateFault for all of them), and the verdict is always confirmed by a
 * read before anything else is sent.
 */
export type RefusalMeaning = 'under-way' | 'engine-versions' | 'refused';

export function classifyPromotionRefusal(error: { name?: string; message?: string }): RefusalMeaning {
  const name = error.name ?? '';
  const message = error.message ?? '';
  if (name !== 'InvalidGlobalClusterStateFault' && name !== 'InvalidDBClusterStateFault') return 'refused';
  if (/engine version/i.test(message)) return 'engine-versions';
  if (
    name === 'InvalidGlobalClusterStateFault' &&
    /\balready\b|in progress|failing[ -]over|switching[ -]over/i.test(message)
  )
    return 'under-way';
  return 'refused';
}

export type PromotionProgress =
  | { state: 'done'; status: 'complete' }
  | { state: 'going'; status: string; targetIsWriter: boolean }
  | { state: 'failed'; status: string; reason: string };

/**
 * How long after the request an absent FailoverState still counts as "not visible yet" rather
 * than "ended without promoting". Failing a real failover on a stale read would leave it
 * half-done with nobody watching; a minute covers RDS's read-after-write delay with margin.
 */
export const NOT_VISIBLE_GRACE_MS = 60_000;

/**
 * Where a promotion stands. The observed sequence, as DescribeGlobalClusters shows it:
 *
 *   request ─▶ pending ─▶ failing-over | switching-over ─▶ (FailoverState gone, target IsWriter)
 *                    └──▶ cancelling ─▶ (FailoverState gone, old writer still writer)
 *
 * Done needs both: the target writes and no operation is left (a switchover keeps its state
 * while replicas resynchronise after the target already writes).
 */
export function assessPromotion(
  view: GlobalClusterView,
  targetArn: string,
  timing: { startedAt: string; now: Date },
): PromotionProgress {
  const target = view.members.find((m) => m.arn === targetArn);
  const state = view.failoverState;
  if (!target) {
    return {
      state: 'failed',
      status: state?.status ?? view.status,
      reason: `${targetArn} is no longer a member of global cluster ${view.identifier}`,
    };
  }
  if (state) {
    if (state.status === 'cancelling') {
      return {
        state: 'failed',
        status: state.status,
        reason: 'RDS is cancelling the operation and rolling back',
      };
    }
    if (state.toArn !== targetArn) {
      return {
        state: 'failed',
        status: state.status,
        reason: `another operation is moving the writer to ${state.toArn ?? 'an unknown cluster'}`,
      };
    }
    return { state: 'going', status: state.status, targetIsWriter: target.isWriter };
  }
  if (target.isWriter) return { state: 'done', status: 'complete' };

  const writer = view.members.find((m) => m.isWriter);
  const sinceStartMs = timing.now.getTime() - Date.parse(timing.startedAt);
  if (!writer || sinceStartMs < NOT_VISIBLE_GRACE_MS) {
    return { state: 'going', status: writer ? 'requested' : view.status, targetIsWriter: false };
  }
  return {
    state: 'failed',
    status: view.status,
    reason: `no operation is running and ${writer.arn} is still the writer: the request was cancelled or rolled back`,
  };
}

export function isPastDeadline(now: Date, deadline: string): boolean {
  return now.getTime() > Date.parse(deadline);
}
