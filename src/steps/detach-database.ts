import { clusterIdentifierOfArn } from '../aws/rds.js';
import {
  type ClusterDetailView,
  describeClusterDetail,
  findGlobalCluster,
  removeFromGlobalCluster,
} from '../aws/rds-detach.js';
import { retryOrThrow } from '../aws/retry.js';
import { type DetachDecision, decideDetach, rebuildInstructions } from '../decisions/detach.js';
import { assessPromotion, isPastDeadline } from '../decisions/promotion.js';
import { AwsRequestError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import type { DatabasePlan } from '../plan/databases.js';
import { event, type Facts, type TimelineEvent } from '../timeline/types.js';
import type { PromotedDatabase } from './contracts.js';
import type { DetachedDatabase, DetachTargetInput } from './contracts-operators.js';
import { wouldDo } from './dry-run.js';

const STEP = 'detach-target';

/**
 * detach-target for one database: what it needs (decided from its global cluster and its target
 * cluster, read in the target region), and the RemoveFromGlobalCluster that detaches it. The step
 * (detach-target.ts) runs this for every database of the plan and checks once, for all of them,
 * that detaching cannot give a second writer.
 */

/** One database's part of the step's answer. */
export interface DatabaseDetach {
  database: DatabasePlan;
  action: DetachedDatabase['action'];
  startedAt: string;
  deadline: string;
  /** Why this database is detached rather than promoted by its managed operation. */
  why: string;
  /** Nothing detached by this step: why not (the report's precaution note). */
  note: string;
  rebuild: string[];
  events: TimelineEvent[];
}

export type Look =
  | { kind: 'refuse'; database: DatabasePlan; reason: string }
  | { kind: 'settled'; result: DatabaseDetach }
  | {
      kind: 'detach';
      database: DatabasePlan;
      decision: Extract<DetachDecision, { kind: 'detach' }>;
      entry: PromotedDatabase;
      why: string;
      rebuild: string[];
      cluster: ClusterDetailView;
    };

type Timing = { startedAt: string; deadline: string };

/** This database's entry in promote-database's output (the output's own fields, for one database). */
export function promotedEntry(input: DetachTargetInput, database: DatabasePlan): PromotedDatabase {
  const { promotion } = input;
  const listed = promotion.databases?.find(
    (d) => d.globalClusterIdentifier === database.globalClusterIdentifier,
  );
  return (
    listed ?? {
      globalClusterIdentifier: database.globalClusterIdentifier,
      action: promotion.action,
      ...(promotion.reason === undefined ? {} : { reason: promotion.reason }),
      rpoLagMsBeforePromotion: promotion.rpoLagMsBeforePromotion,
    }
  );
}

/** Reads one database and decides: detach it, leave it (already done, or its managed move still in time), or refuse. */
export async function look(
  database: DatabasePlan,
  input: DetachTargetInput,
  timing: Timing,
  deps: StepDeps,
): Promise<Look> {
  const { request, promotion } = input;
  const globalId = database.globalClusterIdentifier;
  const targetArn = database.members[request.targetRegion];
  const sourceArn = database.members[request.sourceRegion];
  if (!targetArn || !sourceArn) {
    const missing = targetArn ? request.sourceRegion : request.targetRegion;
    return { kind: 'refuse', database, reason: `the plan names no cluster in ${missing}` };
  }
  const targetId = clusterIdentifierOfArn(targetArn);
  const targetRds = deps.clients.forRegion(request.targetRegion).rds;
  // The target region answers: a throttle is retried, never the end of the fallback.
  const [global, cluster] = await Promise.all([
    retryOrThrow('rds:DescribeGlobalClusters', (abortSignal) =>
      findGlobalCluster(targetRds, globalId, { abortSignal }),
    ),
    retryOrThrow('rds:DescribeDBClusters', (abortSignal) =>
      describeClusterDetail(targetRds, targetArn, { abortSignal }),
    ),
  ]);
  const entry = promotedEntry(input, database);
  const now = deps.now();
  // A managed operation still in time is left alone: only a stuck (past the promotion's deadline)
  // or failed one, or one that cannot be used at all, goes by detach.
  const progress =
    entry.action !== 'detach' && global
      ? assessPromotion(global, targetArn, { startedAt: promotion.startedAt, now })
      : null;
  if (progress?.state === 'going' && !isPastDeadline(now, promotion.deadline)) {
    return {
      kind: 'settled',
      result: managed(database, entry, progress.status, promotion.deadline, timing, deps),
    };
  }
  const why =
    entry.action === 'detach'
      ? `the managed failover cannot be used: ${entry.reason ?? 'RDS would refuse it'}`
      : progress?.state === 'failed'
        ? `the managed ${entry.action} did not complete (${progress.reason})`
        : `the managed ${entry.action} was stuck`;
  const decision = decideDetach(request, database, global, cluster);
  if (decision.kind === 'refuse') {
    return { kind: 'refuse', database, reason: `cannot detach ${targetId}: ${decision.reason}` };
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
    stamp: timing.startedAt.slice(0, 16).replace(/[-:T]/g, ''),
  });
  const common = { database, startedAt: timing.startedAt, deadline: timing.deadline, why, rebuild };
  if (decision.kind === 'already-writer') {
    const note =
      entry.action === 'detach'
        ? `${targetId} was already the writer of ${globalId}; nothing was detached`
        : `the managed ${entry.action} completed after its deadline; nothing was detached`;
    const message =
      entry.action === 'detach'
        ? `${targetId} is already the writer of ${globalId}; nothing sent`
        : `${targetId} is already the writer of ${globalId}: the ${entry.action} finished late; nothing sent`;
    return {
      kind: 'settled',
      result: {
        ...common,
        action: 'already-writer',
        note,
        rebuild: [],
        events: [event(now, STEP, 'skipped', message, { action: 'already-writer', to: targetArn })],
      },
    };
  }
  if (decision.kind === 'already-detached') {
    const state = decision.writing ? 'and takes writes' : `and is ${decision.status}, promotion under way`;
    return {
      kind: 'settled',
      result: {
        ...common,
        action: 'already-detached',
        note: `${targetId} had already left ${globalId} when this step ran; keep ${request.sourceRegion} fenced until the global database is rebuilt`,
        events: [
          event(
            now,
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
      },
    };
  }
  return { kind: 'detach', database, decision, entry, why, rebuild, cluster };
}

/** Several databases: this one's managed operation is in time and left to finish; check-detach follows it. */
function managed(
  database: DatabasePlan,
  entry: PromotedDatabase,
  status: string,
  deadline: string,
  timing: Timing,
  deps: StepDeps,
): DatabaseDetach {
  const message = `${database.globalClusterIdentifier}: the managed ${entry.action} is ${status}, within its deadline ${deadline}: left to finish, nothing sent`;
  return {
    database,
    action: 'managed',
    startedAt: timing.startedAt,
    deadline,
    why: `the managed ${entry.action} is under way`,
    note: `${database.globalClusterIdentifier} is moving by its managed ${entry.action}; nothing was detached`,
    rebuild: [],
    events: [event(deps.now(), STEP, 'progress', message, { action: 'managed', status })],
  };
}

/** Sends RemoveFromGlobalCluster (or records it, dry run) for a database the safety check allows to detach. */
export async function sendDetach(
  pending: Extract<Look, { kind: 'detach' }>,
  input: DetachTargetInput,
  ctx: Timing & { dryRun: boolean; precaution: string },
  deps: StepDeps,
): Promise<DatabaseDetach> {
  const { request, promotion } = input;
  const { database, decision, entry, why, rebuild } = pending;
  const globalId = database.globalClusterIdentifier;
  const targetArn = decision.targetArn;
  const targetId = clusterIdentifierOfArn(targetArn);
  const facts: Facts =
    entry.action === 'detach'
      ? {
          action: 'detach',
          to: targetArn,
          endpointRegion: decision.endpointRegion,
          reason: entry.reason ?? why,
          precaution: ctx.precaution,
        }
      : {
          action: 'detach',
          to: targetArn,
          endpointRegion: decision.endpointRegion,
          stuckOperation: entry.action,
          stuckStatus: decision.failoverStatus,
          stuckSince: promotion.startedAt,
          precaution: ctx.precaution,
        };
  const common = { database, startedAt: ctx.startedAt, deadline: ctx.deadline, why, rebuild, note: '' };
  const command = detachCommand(decision.endpointRegion, globalId, targetArn);
  if (ctx.dryRun) {
    const message = `would detach ${targetId} from ${globalId} in ${decision.endpointRegion} (RemoveFromGlobalCluster)`;
    return { ...common, action: 'dry-run', events: [wouldDo(deps.now(), STEP, message, facts)] };
  }
  const targetRds = deps.clients.forRegion(request.targetRegion).rds;
  try {
    await removeFromGlobalCluster(deps.clients.forRegion(decision.endpointRegion).rds, {
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
      const writing = now.writerInstances.length > 0;
      return {
        ...common,
        action: 'already-detached',
        note: `${targetId} was already leaving ${globalId} when this step ran (an earlier attempt's request); keep ${request.sourceRegion} fenced until the global database is rebuilt`,
        events: [
          event(
            deps.now(),
            STEP,
            'skipped',
            `${targetId} is already leaving global cluster ${globalId} (${now.status}; RDS: ${error.message}); not sent again`,
            { action: 'already-detached', status: now.status, writing },
          ),
        ],
      };
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
    entry.action === 'detach'
      ? `managed failover not usable (${entry.reason ?? 'RDS would refuse it'})`
      : `${entry.action} stuck${decision.failoverStatus ? ` (${decision.failoverStatus})` : ''}`;
  return {
    ...common,
    action: 'detached',
    events: [
      event(
        deps.now(),
        STEP,
        'started',
        `${cause}: detached ${targetId} from ${globalId} in ${decision.endpointRegion} (RemoveFromGlobalCluster, asynchronous); it becomes a standalone writer`,
        facts,
      ),
    ],
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

export function detachCommand(region: string, globalId: string, targetArn: string): string {
  return `aws rds remove-from-global-cluster --region ${region} --global-cluster-identifier ${globalId} --db-cluster-identifier ${targetArn}`;
}
