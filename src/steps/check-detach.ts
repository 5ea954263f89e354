import { clusterIdentifierOfArn, describeCluster } from '../aws/rds.js';
import { retryOrThrow } from '../aws/retry.js';
import { assessDetach } from '../decisions/detach.js';
import { isPastDeadline } from '../decisions/promotion.js';
import { DeadlineExceededError, TargetNotReadyError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type TimelineEvent } from '../timeline/types.js';
import type { CheckDetachInput, CheckDetachOutput } from './contracts-operators.js';

const STEP = 'detach-target';

/**
 * One poll of the detached target, between Wait states: DescribeDBClusters in the target region
 * until the cluster is available, has a writer instance and is no longer a global member. Like
 * check-promotion, each poll carries the earlier events and adds one only when what it sees changed.
 */
export async function checkDetach(input: CheckDetachInput, deps: StepDeps): Promise<CheckDetachOutput> {
  const { request, detach, previous } = input;
  const targetArn = deps.plan.database.members[request.targetRegion];
  if (!targetArn)
    throw new TargetNotReadyError(`check-detach: the plan names no cluster in ${request.targetRegion}`);
  const targetId = clusterIdentifierOfArn(targetArn);

  // The target region answers: a throttled poll is retried, not the end of the fallback.
  const rds = deps.clients.forRegion(request.targetRegion).rds;
  const cluster = await retryOrThrow('rds:DescribeDBClusters', (abortSignal) =>
    describeCluster(rds, targetArn, { abortSignal }),
  );
  const now = deps.now();
  const timeline: TimelineEvent[] = [...(previous?.timeline ?? [])];

  if (detach.action === 'dry-run') {
    // Nothing was detached: there is nothing to wait for, only what the cluster shows now.
    timeline.push(
      event(
        now,
        STEP,
        'dry-run',
        `no detach to wait for; ${targetId} is ${cluster.status} with ${cluster.writerInstances.length} writer instance(s)`,
        {
          status: cluster.status,
        },
      ),
    );
    return { done: true, status: cluster.status, writerSince: null, timeline };
  }

  if (detach.action === 'waiting') {
    // The state machine loops DetachTarget until it sends or gives up: nothing to poll yet.
    throw new TargetNotReadyError(
      `check-detach: ${targetId} was not detached yet (${detach.precaution.note})`,
    );
  }
  const progress = assessDetach(cluster, detach.action);
  if (progress.done) {
    const writerSince = firstSeenWriting(timeline) ?? now.toISOString();
    timeline.push(
      event(
        now,
        STEP,
        'succeeded',
        `${targetId} takes writes on its own (${progress.writers} writer instance)`,
        {
          status: progress.status,
          writerSince,
          elapsedSeconds: Math.round((now.getTime() - Date.parse(detach.startedAt)) / 1000),
        },
      ),
    );
    return { done: true, status: progress.status, writerSince, timeline };
  }

  if (isPastDeadline(now, detach.deadline)) {
    const member = progress.stillMember ? `, still a member of ${cluster.globalClusterIdentifier}` : '';
    throw new DeadlineExceededError(
      `check-detach: ${targetId} not writing by ${detach.deadline} (status ${progress.status}, ${progress.writers} writer instance(s)${member}). ` +
        `Check aws rds describe-db-clusters --region ${request.targetRegion} --db-cluster-identifier ${targetId} and the RDS events of the cluster; ` +
        'if it stays promoting, open a case with AWS Support. No region may be taking writes: decide now (runbooks/automated-failover.md, "Promotion failed").',
    );
  }

  const last = lastProgress(timeline);
  if (
    last?.status !== progress.status ||
    last.writers !== progress.writers ||
    last.stillMember !== progress.stillMember
  ) {
    const member = progress.stillMember ? `, still listed in ${cluster.globalClusterIdentifier}` : '';
    timeline.push(
      event(
        now,
        STEP,
        'progress',
        `${targetId} ${progress.status}, ${progress.writers} writer instance(s)${member}`,
        {
          status: progress.status,
          writers: progress.writers,
          stillMember: progress.stillMember,
        },
      ),
    );
  }
  return { done: false, status: progress.status, writerSince: null, timeline };
}

function lastProgress(
  timeline: readonly TimelineEvent[],
): { status: unknown; writers: unknown; stillMember: unknown } | null {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const e = timeline[i];
    if (e?.step === STEP && e.phase === 'progress' && e.facts?.writers !== undefined) {
      return { status: e.facts.status, writers: e.facts.writers, stillMember: e.facts.stillMember };
    }
  }
  return null;
}

/** The first poll that saw a detached writer instance is the truthful start of writes, even before `available`. */
function firstSeenWriting(timeline: readonly TimelineEvent[]): string | null {
  return (
    timeline.find(
      (e) =>
        e.step === STEP &&
        e.phase === 'progress' &&
        typeof e.facts?.writers === 'number' &&
        e.facts.writers > 0 &&
        e.facts.stillMember === false,
    )?.at ?? null
  );
}
