import { describeGlobalCluster } from '../aws/rds.js';
import { assessPromotion, isPastDeadline, memberArnIn } from '../decisions/promotion.js';
import {
  AwsRequestError,
  DeadlineExceededError,
  PromotionStuckError,
  TargetNotReadyError,
} from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import type { FailoverPlan } from '../plan/schema.js';
import { event, type TimelineEvent } from '../timeline/types.js';
import type { CheckPromotionInput, CheckPromotionOutput } from './contracts.js';
import { isDryRun } from './dry-run.js';

const STEP = 'promote-database';

/**
 * One poll of the promotion, between Wait states of the state machine. Each poll carries the
 * earlier polls' events forward and adds one only when what it sees changed, so the last
 * output tells the whole phase in a few lines (pending → failing-over → complete).
 *
 * After a dry run's promote-database nothing was sent, so there is nothing to poll: done at
 * once, without reading AWS (the state machine's path stays the same as in a real run).
 */
export async function checkPromotion(
  input: CheckPromotionInput,
  deps: StepDeps,
): Promise<CheckPromotionOutput> {
  const { request, promotion, previous } = input;
  const { plan, clients } = deps;
  if (promotion.dryRun === true || isDryRun(request)) {
    return {
      done: true,
      status: 'dry-run',
      writerSince: null,
      timeline: [
        ...(previous?.timeline ?? []),
        event(
          deps.now(),
          STEP,
          'dry-run',
          `dry run: no ${promotion.action === 'already-writer' ? 'promotion' : promotion.action} was requested; nothing to wait for`,
        ),
      ],
    };
  }
  const globalId = plan.database.globalClusterIdentifier;
  const targetArn = memberArnIn(plan, request.targetRegion);
  if (!targetArn)
    throw new TargetNotReadyError(`check-promotion: the plan names no cluster in ${request.targetRegion}`);

  const view = await describeGlobalCluster(clients.forRegion(request.targetRegion).rds, globalId);
  const now = deps.now();
  const progress = assessPromotion(view, targetArn, { startedAt: promotion.startedAt, now });
  const timeline: TimelineEvent[] = [...(previous?.timeline ?? [])];

  if (progress.state === 'done') {
    const writerSince = firstSeenWriting(timeline) ?? now.toISOString();
    timeline.push(
      event(now, STEP, 'succeeded', `${targetArn} is the writer of ${globalId}`, {
        status: progress.status,
        writerSince,
        elapsedSeconds: Math.round((now.getTime() - Date.parse(promotion.startedAt)) / 1000),
      }),
    );
    return { done: true, status: progress.status, writerSince, timeline };
  }

  if (progress.state === 'failed') {
    throw new AwsRequestError(
      `check-promotion: ${promotion.action} of ${globalId} to ${targetArn} did not complete: ${progress.reason} ` +
        `(status ${progress.status}). ${operatorAdvice(plan, request.targetRegion, targetArn)}`,
    );
  }

  if (isPastDeadline(now, promotion.deadline)) {
    // A stuck unplanned failover has a fallback (detach and promote the target); a stuck
    // switchover does not: both regions are up, and detaching would only break replication.
    const Stuck = promotion.action === 'switchover' ? DeadlineExceededError : PromotionStuckError;
    throw new Stuck(
      `check-promotion: ${promotion.action} of ${globalId} to ${targetArn} not complete by ${promotion.deadline} ` +
        `(still ${progress.status}). ${operatorAdvice(plan, request.targetRegion, targetArn)}`,
    );
  }

  const last = lastProgress(timeline);
  if (last?.status !== progress.status || last.targetIsWriter !== progress.targetIsWriter) {
    const message = progress.targetIsWriter
      ? `global cluster ${progress.status}; ${targetArn} already accepts writes`
      : `global cluster ${progress.status}`;
    timeline.push(
      event(now, STEP, 'progress', message, {
        status: progress.status,
        targetIsWriter: progress.targetIsWriter,
      }),
    );
  }
  return { done: false, status: progress.status, writerSince: null, timeline };
}

/** What on-call does when the managed operation is stuck or gave up. */
function operatorAdvice(plan: FailoverPlan, targetRegion: string, targetArn: string): string {
  const globalId = plan.database.globalClusterIdentifier;
  return (
    `Check global database ${globalId} in the RDS console (${targetRegion}). If the managed operation is stuck, ` +
    `detach and promote the secondary: aws rds remove-from-global-cluster --region ${targetRegion} ` +
    `--global-cluster-identifier ${globalId} --db-cluster-identifier ${targetArn}, ` +
    'then rebuild the global database once the old region is back.'
  );
}

function lastProgress(
  timeline: readonly TimelineEvent[],
): { status: unknown; targetIsWriter: unknown } | null {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const e = timeline[i];
    if (e?.step === STEP && e.phase === 'progress') {
      return { status: e.facts?.status, targetIsWriter: e.facts?.targetIsWriter };
    }
  }
  return null;
}

/** A switchover lets the target write before its state clears: the earlier time is the truthful one. */
function firstSeenWriting(timeline: readonly TimelineEvent[]): string | null {
  return (
    timeline.find((e) => e.step === STEP && e.phase === 'progress' && e.facts?.targetIsWriter === true)?.at ??
    null
  );
}
