import type { z } from 'zod';
import { describeError } from '../aws/bounded.js';
import { readRpoLagMs } from '../aws/cloudwatch.js';
import {
  clusterIdentifierOfArn,
  describeGlobalCluster,
  type GlobalClusterView,
  regionOfArn,
  startFailover,
  startSwitchover,
} from '../aws/rds.js';
import { retryOrThrow, retryTransient } from '../aws/retry.js';
import {
  classifyPromotionRefusal,
  decidePromotion,
  type PromotionDecision,
  type RefusalMeaning,
} from '../decisions/promotion.js';
import { AwsRequestError, TargetNotReadyError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type Facts, type TimelineEvent } from '../timeline/types.js';
import type { PromoteOutput, promoteInput } from './contracts.js';
import { isDryRun, wouldDo } from './dry-run.js';

type PromoteInput = z.infer<typeof promoteInput>;
type Acting = Extract<PromotionDecision, { kind: 'failover' | 'switchover' | 'in-progress' }>;
type Sending = Extract<PromotionDecision, { kind: 'failover' | 'switchover' }>;
type Detaching = Extract<PromotionDecision, { kind: 'detach' }>;
type Lag = { rpoLagMs: number | null; note?: string };

const STEP = 'promote-database';

/**
 * Makes the target region's Aurora cluster the global writer, once. The global cluster is read
 * in the target region first (the one that answers in an outage): a re-run that finds the
 * operation running or done sends nothing again.
 *
 * DescribeGlobalClusters is eventually consistent, so a re-run after a lost answer (the SDK
 * retrying a request that landed, or the state machine retrying the step after a crash) may not
 * see its own request yet, and sends it again. That repeat cannot conflict: it names the same
 * target and the same kind of operation, and RDS refuses a second operation while one runs, or
 * one towards a target that already writes (InvalidGlobalClusterStateFault). So such a refusal
 * ("already ...", classifyPromotionRefusal) is read as "under way", not as a failure: the
 * global cluster is read once more, and whatever that read cannot confirm yet is left to
 * check-promotion, which confirms the operation towards the target or fails the promotion once
 * NOT_VISIBLE_GRACE_MS has passed with nothing to show. Nothing else is ever sent on a guess:
 * a refusal of any other kind fails the step, an operation seen towards another cluster refuses.
 * (A record of the request on the execution's state cannot do this: a crashed or timed-out
 * attempt leaves none, and a state machine Retry passes nothing from one attempt to the next.)
 *
 * Unplanned, when the members' engine versions differ (readiness read them; or RDS refuses
 * for it) the managed failover cannot be used: the step sends nothing and returns action
 * `detach`, and the state machine goes to DetachTarget, AWS's documented way out of an outage.
 *
 * A dry run reads and decides the same way (the RPO lag included), sends nothing and records
 * the request a real run would send. A refusal is recorded too rather than thrown: it is a
 * finding of the dry run, and the later steps still have their would-be actions to show.
 */
export async function promoteDatabase(input: PromoteInput, deps: StepDeps): Promise<PromoteOutput> {
  const { request } = input;
  const { plan, clients, now } = deps;
  const globalId = plan.database.globalClusterIdentifier;
  const startedAt = now();
  const deadline = new Date(startedAt.getTime() + plan.timeouts.promotionSeconds * 1000).toISOString();
  const bound = plan.database.globalDbRpoSeconds;
  const base = {
    startedAt: startedAt.toISOString(),
    deadline,
    ...(bound === undefined ? {} : { rpoBoundSeconds: bound }),
  };

  // The decision rests on this read: a throttle is retried, then AwsTransientError.
  const targetRds = clients.forRegion(request.targetRegion).rds;
  const readGlobal = () =>
    retryOrThrow('rds:DescribeGlobalClusters', (abortSignal) =>
      describeGlobalCluster(targetRds, globalId, { abortSignal }),
    );
  const view = await readGlobal();
  const decision = decidePromotion(request, plan, view, input.readiness?.engines ?? null);
  const dryRun = isDryRun(request);

  if (decision.kind === 'refuse' && dryRun) {
    return {
      action: request.mode === 'planned' ? 'switchover' : 'failover',
      ...base,
      rpoLagMsBeforePromotion: null,
      dryRun: true,
      timeline: [
        wouldDo(
          now(),
          STEP,
          `would stop here with TargetNotReadyError, sending nothing: cannot promote ${request.targetRegion}: ${decision.reason}`,
          { action: 'refuse', reason: decision.reason },
        ),
      ],
    };
  }
  if (decision.kind === 'refuse') {
    throw new TargetNotReadyError(`${STEP}: cannot promote ${request.targetRegion}: ${decision.reason}`);
  }
  if (decision.kind === 'already-writer') {
    const message = `${decision.targetArn} is already the writer of ${globalId}; nothing sent`;
    return {
      action: 'already-writer',
      ...base,
      rpoLagMsBeforePromotion: null,
      ...(dryRun ? { dryRun: true as const } : {}),
      timeline: [
        event(now(), STEP, 'skipped', message, { action: 'already-writer', to: decision.targetArn }),
      ],
    };
  }
  if (decision.kind === 'detach') {
    const lag = await lagBeforePromotion(decision.targetArn, false, deps);
    return detachInstead(decision, lag, base, { dryRun, globalId }, deps);
  }

  const action = decision.kind === 'in-progress' ? decision.action : decision.kind;
  // RPO evidence for an unplanned move is the lag just before it; a verified switchover has RPO 0.
  const lag =
    action === 'failover'
      ? await lagBeforePromotion(decision.targetArn, decision.kind === 'in-progress', deps)
      : { rpoLagMs: null };

  if (dryRun) return dryRunPromotion(decision, lag, base, globalId, deps);

  if (decision.kind === 'in-progress') {
    return {
      action,
      ...base,
      rpoLagMsBeforePromotion: lag.rpoLagMs,
      timeline: [
        event(
          now(),
          STEP,
          'started',
          `${action} of ${globalId} to ${decision.targetArn} already under way (${decision.status}); not sent again`,
          promotionFacts(decision, lag, false),
        ),
      ],
    };
  }

  const refusal = await send(decision, globalId, deps);
  if (refusal?.meaning === 'engine-versions' && request.mode !== 'planned') {
    // The engine versions readiness could not compare (the source did not answer, or only patch
    // levels differ): RDS has said it. The same way out as when readiness knew.
    const reason = `RDS refused the managed failover: ${refusal.detail}`;
    return detachInstead(
      { kind: 'detach', targetArn: decision.targetArn, fromArn: decision.fromArn, reason },
      lag,
      base,
      { dryRun, globalId },
      deps,
    );
  }
  if (refusal?.meaning === 'under-way') {
    return underWay(decision, refusal, lag, base, { globalId, readGlobal }, deps);
  }
  if (refusal) throw refusal.error;

  return {
    action,
    ...base,
    rpoLagMsBeforePromotion: lag.rpoLagMs,
    timeline: [
      event(
        now(),
        STEP,
        'started',
        `${action} of ${globalId} to ${decision.targetArn} requested in ${decision.endpointRegion}`,
        promotionFacts(decision, lag, true),
      ),
    ],
  };
}

interface Refusal {
  meaning: Exclude<RefusalMeaning, 'refused'> | 'refused';
  detail: string;
  /** How many times the SDK sent this very request: more than 1, an earlier attempt may have landed. */
  attempts: number;
  error: AwsRequestError;
}

/** Sends the managed operation; a refusal is returned, read, not thrown; transient errors propagate. */
async function send(decision: Sending, globalId: string, deps: StepDeps): Promise<Refusal | null> {
  const rds = deps.clients.forRegion(decision.endpointRegion).rds;
  try {
    if (decision.kind === 'failover') {
      await startFailover(rds, {
        globalClusterIdentifier: globalId,
        targetArn: decision.targetArn,
        allowDataLoss: true,
      });
    } else {
      await startSwitchover(rds, { globalClusterIdentifier: globalId, targetArn: decision.targetArn });
    }
    return null;
  } catch (error) {
    if (!(error instanceof AwsRequestError)) throw error;
    const cause = (error.cause ?? {}) as {
      name?: string;
      message?: string;
      $metadata?: { attempts?: number };
    };
    return {
      meaning: classifyPromotionRefusal(cause),
      detail: `${cause.name ?? 'Error'}: ${cause.message ?? error.message}`,
      attempts: cause.$metadata?.attempts ?? 1,
      error,
    };
  }
}

/**
 * RDS refused the request as already under way (or the target as already writing). Read once
 * more: an operation towards the target confirms it; one towards another cluster refuses; a view
 * that shows neither yet is eventual consistency, and check-promotion decides (see above).
 */
async function underWay(
  decision: Sending,
  refusal: Refusal,
  lag: Lag,
  base: Pick<PromoteOutput, 'startedAt' | 'deadline' | 'rpoBoundSeconds'>,
  ctx: { globalId: string; readGlobal: () => Promise<GlobalClusterView> },
  deps: StepDeps,
): Promise<PromoteOutput> {
  const { targetArn, kind: action } = decision;
  const again = await ctx.readGlobal();
  const state = again.failoverState;
  const target = again.members.find((m) => m.arn === targetArn);
  if (state && state.toArn !== targetArn) {
    throw new TargetNotReadyError(
      `${STEP}: RDS refused the ${action} (${refusal.detail}) and global cluster ${ctx.globalId} is ${state.status} towards ${state.toArn ?? 'an unknown cluster'}: someone else is moving the writer; a human decides`,
    );
  }
  const seen = state
    ? `the global cluster now shows it (${state.status})`
    : target?.isWriter
      ? 'the target already writes'
      : 'DescribeGlobalClusters does not show it yet (eventually consistent); check-promotion confirms it or fails it';
  const earlier =
    refusal.attempts > 1
      ? `the SDK sent the request ${refusal.attempts} times (an earlier attempt's answer was lost)`
      : 'an earlier attempt of this step may have sent it';
  const facts: Facts = {
    ...promotionFacts(decision, lag, true),
    repeatRefused: true,
    refusal: refusal.detail,
    confirmed: Boolean(state) || target?.isWriter === true,
  };
  return {
    action,
    ...base,
    rpoLagMsBeforePromotion: lag.rpoLagMs,
    timeline: [
      event(
        deps.now(),
        STEP,
        'started',
        `${action} of ${ctx.globalId} to ${targetArn} under way: RDS refused a repeat as already under way (${refusal.detail}); ${earlier}; ${seen}. Not sent again`,
        facts,
      ),
    ],
  };
}

/** The managed operation cannot be used: hand over to DetachTarget, on the record. */
function detachInstead(
  decision: Detaching,
  lag: Lag,
  base: Pick<PromoteOutput, 'startedAt' | 'deadline' | 'rpoBoundSeconds'>,
  ctx: { dryRun: boolean; globalId: string },
  deps: StepDeps,
): PromoteOutput {
  const targetId = clusterIdentifierOfArn(decision.targetArn);
  const facts: Facts = {
    action: 'detach',
    from: decision.fromArn,
    to: decision.targetArn,
    reason: decision.reason,
    rpoLagMs: lag.rpoLagMs,
    requestSent: false,
  };
  if (lag.note) facts.rpoLagNote = lag.note;
  const what = `managed failover of ${ctx.globalId} not used: ${decision.reason}. Detaching ${targetId} and promoting it instead (RemoveFromGlobalCluster), AWS's documented way out of an outage, once the old region's services are fenced and stopped`;
  const timeline: TimelineEvent[] = [
    ctx.dryRun
      ? wouldDo(deps.now(), STEP, `would not send FailoverGlobalCluster: ${what}`, facts)
      : event(deps.now(), STEP, 'skipped', what, facts),
  ];
  return {
    action: 'detach',
    reason: decision.reason,
    ...base,
    rpoLagMsBeforePromotion: lag.rpoLagMs,
    ...(ctx.dryRun ? { dryRun: true as const } : {}),
    timeline,
  };
}

/** The timeline facts of a promotion request, sent or not (status of one already under way). */
function promotionFacts(decision: Acting, lag: Lag, sent: boolean): Facts {
  const action = decision.kind === 'in-progress' ? decision.action : decision.kind;
  const facts: Facts = {
    action,
    from: decision.fromArn,
    to: decision.targetArn,
    allowDataLoss: action === 'failover',
    rpoLagMs: lag.rpoLagMs,
    requestSent: sent,
  };
  if (decision.kind === 'in-progress') facts.status = decision.status;
  else facts.endpointRegion = decision.endpointRegion;
  if (lag.note) facts.rpoLagNote = lag.note;
  return facts;
}

/** What a real run would send (or not send again), recorded instead of sent. */
function dryRunPromotion(
  decision: Acting,
  lag: Lag,
  base: Pick<PromoteOutput, 'startedAt' | 'deadline' | 'rpoBoundSeconds'>,
  globalId: string,
  deps: StepDeps,
): PromoteOutput {
  const action = decision.kind === 'in-progress' ? decision.action : decision.kind;
  const facts = promotionFacts(decision, lag, false);
  let message: string;
  if (decision.kind === 'in-progress') {
    message = `would send nothing: a ${action} of ${globalId} to ${decision.targetArn} is already under way (${decision.status}); a real run would wait for it`;
  } else {
    const command =
      decision.kind === 'failover'
        ? `FailoverGlobalCluster(${globalId} -> ${decision.targetArn}, AllowDataLoss=true)`
        : `SwitchoverGlobalCluster(${globalId} -> ${decision.targetArn})`;
    message = `would send ${command} to ${decision.endpointRegion}`;
  }
  return {
    action,
    ...base,
    rpoLagMsBeforePromotion: lag.rpoLagMs,
    dryRun: true,
    timeline: [wouldDo(deps.now(), STEP, message, facts)],
  };
}

/**
 * Reads AuroraGlobalDBRPOLag for the target (the secondary publishes it). The figure is
 * evidence for the report, never a precondition: an unreadable metric, or a slow one, must not
 * delay the promotion, so the read is bounded and its failure recorded as null.
 */
async function lagBeforePromotion(targetArn: string, alreadySent: boolean, deps: StepDeps): Promise<Lag> {
  const region = deps.clients.forRegion(regionOfArn(targetArn));
  // Throttles are retried within the same bound; the read in flight is aborted at it.
  const outcome = await retryTransient(
    (abortSignal) =>
      readRpoLagMs(region.cloudwatch, clusterIdentifierOfArn(targetArn), deps.now(), {
        abortSignal,
      }),
    { deadlineMs: deps.plan.timeouts.failedRegionCallMs },
  ).catch((error: unknown) => ({ ok: false as const, detail: describeError(error) }));
  if (!outcome.ok) return { rpoLagMs: null, note: `RPO lag unreadable: ${outcome.detail}` };
  if (alreadySent) {
    // An earlier attempt already sent the request; the newest datapoint may postdate it.
    return { rpoLagMs: outcome.value, note: 'read after the request was sent' };
  }
  return { rpoLagMs: outcome.value };
}
