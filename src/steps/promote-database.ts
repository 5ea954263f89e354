import type { z } from 'zod';
import { describeError } from '../aws/bounded.js';
import { readRpoLagMs } from '../aws/cloudwatch.js';
import {
  clusterIdentifierOfArn,
  describeGlobalCluster,
  regionOfArn,
  startFailover,
  startSwitchover,
} from '../aws/rds.js';
import { retryOrThrow, retryTransient } from '../aws/retry.js';
import { decidePromotion, type PromotionDecision } from '../decisions/promotion.js';
import { TargetNotReadyError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type Facts } from '../timeline/types.js';
import type { PromoteOutput, promoteInput } from './contracts.js';
import { isDryRun, wouldDo } from './dry-run.js';

type PromoteInput = z.infer<typeof promoteInput>;
type Acting = Extract<PromotionDecision, { kind: 'failover' | 'switchover' | 'in-progress' }>;

const STEP = 'promote-database';

/**
 * Makes the target region's Aurora cluster the global writer, once. The global cluster is read
 * in the target region first (the one that answers in an outage): a re-run after a lost
 * response finds the operation running or done and sends nothing again.
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

  // The decision rests on this read: a throttle is retried, then AwsTransientError.
  const targetRds = clients.forRegion(request.targetRegion).rds;
  const view = await retryOrThrow('rds:DescribeGlobalClusters', (abortSignal) =>
    describeGlobalCluster(targetRds, globalId, { abortSignal }),
  );
  const decision = decidePromotion(request, plan, view);
  const dryRun = isDryRun(request);

  if (decision.kind === 'refuse' && dryRun) {
    return {
      action: request.mode === 'planned' ? 'switchover' : 'failover',
      startedAt: startedAt.toISOString(),
      deadline,
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
      startedAt: startedAt.toISOString(),
      deadline,
      rpoLagMsBeforePromotion: null,
      ...(dryRun ? { dryRun: true as const } : {}),
      timeline: [
        event(now(), STEP, 'skipped', message, { action: 'already-writer', to: decision.targetArn }),
      ],
    };
  }

  const action = decision.kind === 'in-progress' ? decision.action : decision.kind;
  // RPO evidence for an unplanned move is the lag just before it; a verified switchover has RPO 0.
  const lag = action === 'failover' ? await lagBeforePromotion(decision, deps) : { rpoLagMs: null };

  if (dryRun) return dryRunPromotion(decision, lag, { globalId, startedAt, deadline }, deps);

  if (decision.kind === 'failover') {
    await startFailover(clients.forRegion(decision.endpointRegion).rds, {
      globalClusterIdentifier: globalId,
      targetArn: decision.targetArn,
      allowDataLoss: true,
    });
  } else if (decision.kind === 'switchover') {
    await startSwitchover(clients.forRegion(decision.endpointRegion).rds, {
      globalClusterIdentifier: globalId,
      targetArn: decision.targetArn,
    });
  }

  const sent = decision.kind !== 'in-progress';
  const facts = promotionFacts(decision, lag, sent);

  const message = sent
    ? `${action} of ${globalId} to ${decision.targetArn} requested in ${decision.endpointRegion}`
    : `${action} of ${globalId} to ${decision.targetArn} already under way (${decision.status}); not sent again`;
  return {
    action,
    startedAt: startedAt.toISOString(),
    deadline,
    rpoLagMsBeforePromotion: lag.rpoLagMs,
    timeline: [event(now(), STEP, 'started', message, facts)],
  };
}

/** The timeline facts of a promotion request, sent or not (status of one already under way). */
function promotionFacts(
  decision: Acting,
  lag: { rpoLagMs: number | null; note?: string },
  sent: boolean,
): Facts {
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
  lag: { rpoLagMs: number | null; note?: string },
  at: { globalId: string; startedAt: Date; deadline: string },
  deps: StepDeps,
): PromoteOutput {
  const action = decision.kind === 'in-progress' ? decision.action : decision.kind;
  const facts = promotionFacts(decision, lag, false);
  let message: string;
  if (decision.kind === 'in-progress') {
    message = `would send nothing: a ${action} of ${at.globalId} to ${decision.targetArn} is already under way (${decision.status}); a real run would wait for it`;
  } else {
    const command =
      decision.kind === 'failover'
        ? `FailoverGlobalCluster(${at.globalId} -> ${decision.targetArn}, AllowDataLoss=true)`
        : `SwitchoverGlobalCluster(${at.globalId} -> ${decision.targetArn})`;
    message = `would send ${command} to ${decision.endpointRegion}`;
  }
  return {
    action,
    startedAt: at.startedAt.toISOString(),
    deadline: at.deadline,
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
async function lagBeforePromotion(
  decision: Acting,
  deps: StepDeps,
): Promise<{ rpoLagMs: number | null; note?: string }> {
  const region = deps.clients.forRegion(regionOfArn(decision.targetArn));
  // Throttles are retried within the same bound; the read in flight is aborted at it.
  const outcome = await retryTransient(
    (abortSignal) =>
      readRpoLagMs(region.cloudwatch, clusterIdentifierOfArn(decision.targetArn), deps.now(), {
        abortSignal,
      }),
    { deadlineMs: deps.plan.timeouts.failedRegionCallMs },
  ).catch((error: unknown) => ({ ok: false as const, detail: describeError(error) }));
  if (!outcome.ok) return { rpoLagMs: null, note: `RPO lag unreadable: ${outcome.detail}` };
  if (decision.kind === 'in-progress') {
    // An earlier attempt already sent the request; the newest datapoint may postdate it.
    return { rpoLagMs: outcome.value, note: 'read after the request was sent' };
  }
  return { rpoLagMs: outcome.value };
}
