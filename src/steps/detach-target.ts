import { describeServiceRefs } from '../aws/ecs.js';
import { clusterIdentifierOfArn } from '../aws/rds.js';
import {
  type ClusterDetailView,
  describeClusterDetail,
  findGlobalCluster,
  probeRegion,
  removeFromGlobalCluster,
} from '../aws/rds-detach.js';
import { inFailedRegion, retryOrThrow, STEP_RETRY_BUDGET_MS } from '../aws/retry.js';
import { locateService } from '../decisions/capacity.js';
import {
  type DetachSafety,
  decideDetach,
  decideDetachSafety,
  type OldRegionReach,
  rebuildInstructions,
  servicesFenced,
} from '../decisions/detach.js';
import { AwsRequestError, TargetNotReadyError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type Facts, type TimelineEvent } from '../timeline/types.js';
import type { DetachTargetInput, DetachTargetOutput } from './contracts-operators.js';
import { isDryRun, wouldDo } from './dry-run.js';
import { AURORA_FENCING_RESOURCE } from './fence-old-primary.js';

const STEP = 'detach-target';

/** How long WaitBeforeDetach waits between looks while the old region's tasks drain (statemachines/failover.asl.json). */
export const DETACH_WAIT_SECONDS = 15;

/**
 * The fallback when the managed failover is stuck (PromotionStuckError), or cannot be used at
 * all (PromoteDatabase's action `detach`: the members' engine versions differ): detach the target
 * from the global cluster with RemoveFromGlobalCluster, which promotes it to a standalone writer.
 * CheckDetach then waits until it takes writes (RemoveFromGlobalCluster is asynchronous: the
 * cluster stays listed for a while, then is `promoting`, then available).
 *
 * A detached target writes whatever the old writer does, so decisions/detach.ts allows it only
 * for an unplanned move whose old-region services were fenced and whose tasks have all stopped.
 * While fenced tasks still drain, the step says `waiting` and the state machine looks again
 * (WaitBeforeDetach) until the promotion's deadline. Everything is read in the target region
 * first, the cluster's own DescribeDBClusters winning over the eventually consistent global
 * view: a re-run after a lost answer finds the target leaving or detached and sends nothing again.
 */
export async function detachTarget(input: DetachTargetInput, deps: StepDeps): Promise<DetachTargetOutput> {
  const { request, promotion } = input;
  const { plan, clients } = deps;
  const previous = input.previous?.action === 'waiting' ? input.previous : undefined;
  const why =
    promotion.action === 'detach'
      ? `the managed failover cannot be used: ${promotion.reason ?? 'RDS would refuse it'}`
      : `the managed ${promotion.action} was stuck`;
  const startedAt = deps.now();
  // What this invocation may spend on retries, all calls together (the Lambda timeout is 60 s).
  const retryUntil = Date.now() + STEP_RETRY_BUDGET_MS;
  const deadline = new Date(startedAt.getTime() + plan.timeouts.promotionSeconds * 1000).toISOString();
  const globalId = plan.database.globalClusterIdentifier;
  const targetArn = plan.database.members[request.targetRegion];
  const sourceArn = plan.database.members[request.sourceRegion];
  if (!targetArn || !sourceArn) {
    throw new TargetNotReadyError(
      `${STEP}: the plan names no cluster in ${targetArn ? request.sourceRegion : request.targetRegion}`,
    );
  }
  const targetId = clusterIdentifierOfArn(targetArn);

  const targetRds = clients.forRegion(request.targetRegion).rds;
  // The target region answers: a throttle is retried, never the end of the fallback.
  const [global, cluster] = await Promise.all([
    retryOrThrow('rds:DescribeGlobalClusters', (abortSignal) =>
      findGlobalCluster(targetRds, globalId, { abortSignal }),
    ),
    retryOrThrow('rds:DescribeDBClusters', (abortSignal) =>
      describeClusterDetail(targetRds, targetArn, { abortSignal }),
    ),
  ]);
  const decision = decideDetach(request, plan, global, cluster);
  const startedAtIso = startedAt.toISOString();
  if (decision.kind === 'refuse') {
    const reason = `cannot detach ${targetId}: ${decision.reason}`;
    if (isDryRun(request)) return refusedInDryRun(reason, startedAtIso, deadline, deps);
    throw new TargetNotReadyError(`${STEP}: ${reason}`);
  }

  const rebuild = rebuildInstructions({
    globalClusterIdentifier: globalId,
    sourceRegion: request.sourceRegion,
    targetRegion: request.targetRegion,
    sourceArn,
    targetArn,
    engine: cluster.engine,
    engineVersion: cluster.engineVersion,
    storageEncrypted: cluster.storageEncrypted,
    stamp: startedAt.toISOString().slice(0, 16).replace(/[-:T]/g, ''),
  });
  const base = {
    startedAt: startedAtIso,
    deadline,
    reason: why,
    ...(isDryRun(request) ? { dryRun: true as const } : {}),
  };

  if (decision.kind === 'already-writer') {
    return {
      ...base,
      action: 'already-writer',
      precaution: {
        basis: 'not-needed',
        note:
          promotion.action === 'detach'
            ? `${targetId} was already the writer of ${globalId}; nothing was detached`
            : `the managed ${promotion.action} completed after its deadline; nothing was detached`,
      },
      rebuildInstructions: [],
      timeline: [
        event(
          deps.now(),
          STEP,
          'skipped',
          promotion.action === 'detach'
            ? `${targetId} is already the writer of ${globalId}; nothing sent`
            : `${targetId} is already the writer of ${globalId}: the ${promotion.action} finished late; nothing sent`,
          {
            action: 'already-writer',
            to: targetArn,
          },
        ),
      ],
    };
  }
  if (decision.kind === 'already-detached') {
    const state = decision.writing ? 'and takes writes' : `and is ${decision.status}, promotion under way`;
    return {
      ...base,
      action: 'already-detached',
      precaution: {
        basis: 'not-needed',
        note: `${targetId} had already left ${globalId} when this step ran; keep ${request.sourceRegion} fenced until the global database is rebuilt`,
      },
      rebuildInstructions: rebuild,
      timeline: [
        event(
          deps.now(),
          STEP,
          'skipped',
          `${targetId} already left global cluster ${globalId} ${state}; nothing sent`,
          {
            action: 'already-detached',
            to: targetArn,
            status: decision.status,
            writing: decision.writing,
          },
        ),
      ],
    };
  }

  const safety = await checkSafety(input, deps, sourceArn, targetArn, retryUntil);
  if (!safety.safe) {
    if (isDryRun(request)) return refusedInDryRun(safety.reason, startedAtIso, deadline, deps);
    // Fenced tasks still draining will stop: look again, as long as the promotion may take.
    if (safety.draining && deps.now().getTime() < Date.parse(promotion.deadline)) {
      return waiting(safety.reason, { targetId, why, previous, promotion }, deps);
    }
    throw new TargetNotReadyError(`${STEP}: ${safety.reason}`);
  }

  const facts: Facts =
    promotion.action === 'detach'
      ? {
          action: 'detach',
          to: targetArn,
          endpointRegion: decision.endpointRegion,
          reason: promotion.reason ?? why,
          precaution: safety.basis,
        }
      : {
          action: 'detach',
          to: targetArn,
          endpointRegion: decision.endpointRegion,
          stuckOperation: promotion.action,
          stuckStatus: decision.failoverStatus,
          stuckSince: promotion.startedAt,
          precaution: safety.basis,
        };
  const command = detachCommand(decision.endpointRegion, globalId, targetArn);
  const timeline: TimelineEvent[] = [...(previous?.timeline ?? [])];
  if (isDryRun(request)) {
    timeline.push(
      wouldDo(
        deps.now(),
        STEP,
        `would detach ${targetId} from ${globalId} in ${decision.endpointRegion} (RemoveFromGlobalCluster)`,
        facts,
      ),
    );
  } else {
    try {
      await removeFromGlobalCluster(clients.forRegion(decision.endpointRegion).rds, {
        globalClusterIdentifier: globalId,
        clusterArn: targetArn,
      });
    } catch (error) {
      if (!(error instanceof AwsRequestError)) throw error;
      // A removal of ours already under way (an earlier attempt whose answer was lost, seen
      // before the read above could show it): the cluster's own read says so. Not sent again.
      const now = await retryOrThrow('rds:DescribeDBClusters', (abortSignal) =>
        describeClusterDetail(targetRds, targetArn, { abortSignal }),
      );
      if (leaving(error, now)) {
        return alreadyLeaving(now, error, { base, rebuild, targetId, globalId, timeline, request }, deps);
      }
      throw new AwsRequestError(
        `${STEP}: ${error.message}. RDS refused to detach ${targetId}` +
          `${decision.failoverStatus ? ` while the global cluster is ${decision.failoverStatus}` : ''}. ` +
          `Check aws rds describe-global-clusters --region ${request.targetRegion} --global-cluster-identifier ${globalId}; ` +
          `once no operation is running, detach by hand: ${command}`,
        { cause: error },
      );
    }
    const cause =
      promotion.action === 'detach'
        ? `managed failover not usable (${promotion.reason ?? 'RDS would refuse it'})`
        : `${promotion.action} stuck${decision.failoverStatus ? ` (${decision.failoverStatus})` : ''}`;
    timeline.push(
      event(
        deps.now(),
        STEP,
        'started',
        `${cause}: detached ${targetId} from ${globalId} in ${decision.endpointRegion} (RemoveFromGlobalCluster, asynchronous); it becomes a standalone writer`,
        facts,
      ),
    );
  }
  // Detaching on silence leaves the old region unfenced: on the record, with what to do.
  const precautionPhase = isDryRun(request)
    ? 'dry-run'
    : safety.basis === 'fenced'
      ? 'progress'
      : 'unconfirmed';
  timeline.push(event(deps.now(), STEP, precautionPhase, safety.note, { precaution: safety.basis }));
  return {
    ...base,
    action: isDryRun(request) ? 'dry-run' : 'detached',
    precaution: { basis: safety.basis, note: safety.note },
    rebuildInstructions: rebuild,
    timeline,
  };
}

/** Not yet safe, soon: the state machine waits WaitBeforeDetach and runs the step again. */
function waiting(
  reason: string,
  ctx: {
    targetId: string;
    why: string;
    previous: DetachTargetInput['previous'];
    promotion: DetachTargetInput['promotion'];
  },
  deps: StepDeps,
): DetachTargetOutput {
  const timeline: TimelineEvent[] = [...(ctx.previous?.timeline ?? [])];
  const message = `waiting to detach ${ctx.targetId} (${ctx.why}): ${reason.replace(/^not detaching: /, '')}; looking again in ${DETACH_WAIT_SECONDS} s, until ${ctx.promotion.deadline}`;
  const last = timeline.at(-1);
  if (last?.step !== STEP || last.facts?.waiting !== reason) {
    timeline.push(event(deps.now(), STEP, 'progress', message, { waiting: reason }));
  }
  return {
    action: 'waiting',
    startedAt: ctx.previous?.startedAt ?? deps.now().toISOString(),
    deadline: ctx.promotion.deadline,
    reason: ctx.why,
    precaution: { basis: 'pending', note: reason },
    rebuildInstructions: [],
    timeline,
  };
}

/** Whether a refused RemoveFromGlobalCluster was refused because the cluster is already leaving, or left. */
function leaving(error: AwsRequestError, cluster: ClusterDetailView): boolean {
  return (
    cluster.globalClusterIdentifier === null ||
    cluster.status === 'promoting' ||
    /already being removed|not a member/i.test(error.message)
  );
}

function alreadyLeaving(
  cluster: ClusterDetailView,
  error: AwsRequestError,
  ctx: {
    base: Pick<DetachTargetOutput, 'startedAt' | 'deadline' | 'reason' | 'dryRun'>;
    rebuild: string[];
    targetId: string;
    globalId: string;
    timeline: TimelineEvent[];
    request: DetachTargetInput['request'];
  },
  deps: StepDeps,
): DetachTargetOutput {
  const writing = cluster.writerInstances.length > 0;
  return {
    ...ctx.base,
    action: 'already-detached',
    precaution: {
      basis: 'not-needed',
      note: `${ctx.targetId} was already leaving ${ctx.globalId} when this step ran (an earlier attempt's request); keep ${ctx.request.sourceRegion} fenced until the global database is rebuilt`,
    },
    rebuildInstructions: ctx.rebuild,
    timeline: [
      ...ctx.timeline,
      event(
        deps.now(),
        STEP,
        'skipped',
        `${ctx.targetId} is already leaving global cluster ${ctx.globalId} (${cluster.status}; RDS: ${error.message}); not sent again`,
        { action: 'already-detached', status: cluster.status, writing },
      ),
    ],
  };
}

/** A dry run records a refusal as its finding, so the later steps still show what they would do. */
function refusedInDryRun(
  reason: string,
  startedAt: string,
  deadline: string,
  deps: StepDeps,
): DetachTargetOutput {
  return {
    action: 'dry-run',
    startedAt,
    deadline,
    precaution: { basis: 'refused', note: reason },
    rebuildInstructions: [],
    dryRun: true,
    timeline: [
      wouldDo(deps.now(), STEP, `would stop here with TargetNotReadyError, sending nothing: ${reason}`, {
        action: 'refuse',
        reason,
      }),
    ],
  };
}

/** Probes the old region only when its services were not all fenced: no call into it otherwise. */
async function checkSafety(
  input: DetachTargetInput,
  deps: StepDeps,
  sourceArn: string,
  targetArn: string,
  retryUntil: number,
): Promise<DetachSafety> {
  const { request, fencing } = input;
  const aurora = AURORA_FENCING_RESOURCE(deps.plan.database.globalClusterIdentifier);
  const serviceFencing = fencing.fencing.filter((f) => f.resource !== aurora);
  let oldRegion: OldRegionReach = { kind: 'not-probed' };
  if (request.mode !== 'planned' && !servicesFenced(serviceFencing)) {
    const probe = await probeRegion(
      deps.clients.forRegion(request.sourceRegion).rds,
      sourceArn,
      deps.plan.timeouts.failedRegionCallMs,
    );
    oldRegion = probe.answered
      ? { kind: 'answered', detail: probe.detail }
      : { kind: 'silent', detail: probe.detail };
  }
  let oldTasksRunning: number | null | undefined;
  if (request.mode !== 'planned' && servicesFenced(serviceFencing)) {
    const refs = deps.plan.services.map((s) => locateService(s, request.sourceRegion));
    // A throttled read is not "cannot be read": the old region answers, so it is retried until
    // the step's deadline; only silence across the unreachable window (or a refusal) leaves it null.
    const read = await inFailedRegion(
      (abortSignal) =>
        describeServiceRefs(deps.clients.forRegion(request.sourceRegion).ecs, refs, { abortSignal }),
      { attemptMs: deps.plan.timeouts.failedRegionCallMs, deadline: retryUntil },
    );
    oldTasksRunning = read.ok ? read.value.reduce((sum, s) => sum + s.running, 0) : null;
  }
  return decideDetachSafety({
    request,
    serviceFencing,
    oldRegion,
    oldTasksRunning,
    followUps: fencing.followUps,
    detachCommand: detachCommand(request.targetRegion, deps.plan.database.globalClusterIdentifier, targetArn),
  });
}

function detachCommand(region: string, globalId: string, targetArn: string): string {
  return `aws rds remove-from-global-cluster --region ${region} --global-cluster-identifier ${globalId} --db-cluster-identifier ${targetArn}`;
}
