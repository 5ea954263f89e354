import { describeServiceRefs } from '../aws/ecs.js';
import { clusterIdentifierOfArn } from '../aws/rds.js';
import {
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

/**
 * The fallback when the managed failover is stuck (PromotionStuckError): detach the target from
 * the global cluster with RemoveFromGlobalCluster, which promotes it to a standalone writer.
 * CheckDetach then waits until it takes writes.
 *
 * A detached target writes whatever the old writer does, so decisions/detach.ts allows it only
 * for an unplanned move whose old-region services were fenced, or whose old region does not
 * answer at all. Everything is read in the target region first: a re-run after a lost answer
 * finds the target detached and sends nothing again.
 */
export async function detachTarget(input: DetachTargetInput, deps: StepDeps): Promise<DetachTargetOutput> {
  const { request, promotion } = input;
  const { plan, clients } = deps;
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
    ...(isDryRun(request) ? { dryRun: true as const } : {}),
  };

  if (decision.kind === 'already-writer') {
    return {
      ...base,
      action: 'already-writer',
      precaution: {
        basis: 'not-needed',
        note: `the managed ${promotion.action} completed after its deadline; nothing was detached`,
      },
      rebuildInstructions: [],
      timeline: [
        event(
          deps.now(),
          STEP,
          'skipped',
          `${targetId} is already the writer of ${globalId}: the ${promotion.action} finished late; nothing sent`,
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
    throw new TargetNotReadyError(`${STEP}: ${safety.reason}`);
  }

  const facts: Facts = {
    action: 'detach',
    to: targetArn,
    endpointRegion: decision.endpointRegion,
    stuckOperation: promotion.action,
    stuckStatus: decision.failoverStatus,
    stuckSince: promotion.startedAt,
    precaution: safety.basis,
  };
  const command = detachCommand(decision.endpointRegion, globalId, targetArn);
  const timeline: TimelineEvent[] = [];
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
      throw new AwsRequestError(
        `${STEP}: ${error.message}. RDS refused to detach ${targetId}` +
          `${decision.failoverStatus ? ` while the global cluster is ${decision.failoverStatus}` : ''}. ` +
          `Check aws rds describe-global-clusters --region ${request.targetRegion} --global-cluster-identifier ${globalId}; ` +
          `once no operation is running, detach by hand: ${command}`,
        { cause: error },
      );
    }
    timeline.push(
      event(
        deps.now(),
        STEP,
        'started',
        `${promotion.action} stuck${decision.failoverStatus ? ` (${decision.failoverStatus})` : ''}: detached ${targetId} from ${globalId} in ${decision.endpointRegion}; it becomes a standalone writer`,
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
