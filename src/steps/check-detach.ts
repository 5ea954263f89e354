import { clusterIdentifierOfArn, describeCluster, describeGlobalCluster } from '../aws/rds.js';
import { retryOrThrow } from '../aws/retry.js';
import { assessDetach } from '../decisions/detach.js';
import { assessPromotion, isPastDeadline } from '../decisions/promotion.js';
import {
  AwsRequestError,
  DeadlineExceededError,
  PromotionStuckError,
  TargetNotReadyError,
} from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { type DatabasePlan, databasesOf } from '../plan/databases.js';
import { event, type TimelineEvent } from '../timeline/types.js';
import type { CheckDetachInput, CheckDetachOutput, DetachedDatabase } from './contracts-operators.js';
import { eventsOf, latest, tagged } from './databases.js';

const STEP = 'detach-target';
/** A database left to its managed move reports under the promotion's step, as check-promotion does. */
const PROMOTE_STEP = 'promote-database';

/**
 * One poll of the detached target, between Wait states: DescribeDBClusters in the target region
 * until the cluster is available, has a writer instance and is no longer a global member. Like
 * check-promotion, each poll carries the earlier events and adds one only when what it sees changed.
 * With several databases each is polled side by side (a database detach-target left to its
 * managed move is polled like check-promotion does), and the step is done once every one writes.
 */
export async function checkDetach(input: CheckDetachInput, deps: StepDeps): Promise<CheckDetachOutput> {
  const { detach, previous } = input;
  const several = databasesOf(deps.plan).length > 1;
  // A database detach-target could not detach while others moved has nothing to poll.
  const refused = (detach.databases ?? []).filter((d) => d.action === 'refused');
  const databases = databasesOf(deps.plan).filter(
    (db) => !refused.some((r) => r.globalClusterIdentifier === db.globalClusterIdentifier),
  );
  const polls = await Promise.all(databases.map((db) => poll(db, input, several, deps)));
  const timeline: TimelineEvent[] = [
    ...(previous?.timeline ?? []),
    ...polls.flatMap((p, i) => tagged(p.events, databases[i] as DatabasePlan, several)),
  ];
  const entries = polls.map((p, i) => ({
    globalClusterIdentifier: databases[i]?.globalClusterIdentifier ?? '',
    done: p.done,
    status: p.status,
    writerSince: p.writerSince,
  }));
  const done = polls.every((p) => p.done);
  if (done && refused.length > 0) {
    // The others have finished: every writer now shows where it ended, for recovery to read.
    const ids = refused.map((r) => r.globalClusterIdentifier).join(', ');
    throw new AwsRequestError(
      `check-detach: ${refused.map((r) => `${r.globalClusterIdentifier} could not be detached (${r.reason ?? 'refused'})`).join('; ')}. ` +
        `The other databases now write in ${input.request.targetRegion}; recovery rolls traffic forward with them and hands ${ids} over`,
    );
  }
  const only = polls[0];
  const status =
    !several && only
      ? only.status
      : done
        ? 'available'
        : entries
            .filter((e) => !e.done)
            .map((e) => `${e.globalClusterIdentifier} ${e.status}`)
            .join(', ');
  const writerSince = detach.action === 'dry-run' || !done ? null : latest(polls.map((p) => p.writerSince));
  return { done, status, writerSince, databases: entries, timeline };
}

interface DetachPoll {
  done: boolean;
  status: string;
  writerSince: string | null;
  events: TimelineEvent[];
}

/** This database's entry in detach-target's output (its own fields, for one database). */
function detachedEntry(input: CheckDetachInput, database: DatabasePlan): DetachedDatabase {
  const { detach } = input;
  const listed = detach.databases?.find(
    (d) => d.globalClusterIdentifier === database.globalClusterIdentifier,
  );
  return (
    listed ?? {
      globalClusterIdentifier: database.globalClusterIdentifier,
      action: detach.action,
      startedAt: detach.startedAt,
      deadline: detach.deadline,
    }
  );
}

/** One database: its detached target (or, `managed`, its managed promotion), polled as it always was. */
async function poll(
  database: DatabasePlan,
  input: CheckDetachInput,
  several: boolean,
  deps: StepDeps,
): Promise<DetachPoll> {
  const { request, previous } = input;
  const entry = detachedEntry(input, database);
  const targetArn = database.members[request.targetRegion];
  if (!targetArn)
    throw new TargetNotReadyError(`check-detach: the plan names no cluster in ${request.targetRegion}`);
  const targetId = clusterIdentifierOfArn(targetArn);
  const earlier = eventsOf(previous?.timeline ?? [], database, several);
  if (entry.action === 'managed') return pollManaged(database, targetArn, entry, input, earlier, deps);

  // The target region answers: a throttled poll is retried, not the end of the fallback.
  const rds = deps.clients.forRegion(request.targetRegion).rds;
  const cluster = await retryOrThrow('rds:DescribeDBClusters', (abortSignal) =>
    describeCluster(rds, targetArn, { abortSignal }),
  );
  const now = deps.now();

  if (entry.action === 'dry-run' || input.detach.action === 'dry-run') {
    // Nothing was detached: there is nothing to wait for, only what the cluster shows now.
    const message = `no detach to wait for; ${targetId} is ${cluster.status} with ${cluster.writerInstances.length} writer instance(s)`;
    return {
      done: true,
      status: cluster.status,
      writerSince: null,
      events: [event(now, STEP, 'dry-run', message, { status: cluster.status })],
    };
  }

  if (entry.action === 'waiting') {
    // The state machine loops DetachTarget until it sends or gives up: nothing to poll yet.
    throw new TargetNotReadyError(
      `check-detach: ${targetId} was not detached yet (${input.detach.precaution.note})`,
    );
  }
  if (entry.action === 'refused') throw new Error('refused databases are not polled');
  const progress = assessDetach(cluster, entry.action);
  if (progress.done) {
    const writerSince = firstSeenWriting(earlier) ?? firstDone(earlier) ?? now.toISOString();
    const events = earlier.some((e) => e.phase === 'succeeded')
      ? []
      : [
          event(
            now,
            STEP,
            'succeeded',
            `${targetId} takes writes on its own (${progress.writers} writer instance)`,
            {
              status: progress.status,
              writerSince,
              elapsedSeconds: Math.round((now.getTime() - Date.parse(entry.startedAt)) / 1000),
            },
          ),
        ];
    return { done: true, status: progress.status, writerSince, events };
  }

  if (isPastDeadline(now, entry.deadline)) {
    const member = progress.stillMember ? `, still a member of ${cluster.globalClusterIdentifier}` : '';
    throw new DeadlineExceededError(
      `check-detach: ${targetId} not writing by ${entry.deadline} (status ${progress.status}, ${progress.writers} writer instance(s)${member}). ` +
        `Check aws rds describe-db-clusters --region ${request.targetRegion} --db-cluster-identifier ${targetId} and the RDS events of the cluster; ` +
        'if it stays promoting, open a case with AWS Support. No region may be taking writes: decide now (runbooks/automated-failover.md, section Promotion failed).',
    );
  }

  const last = lastProgress(earlier);
  const events: TimelineEvent[] = [];
  if (
    last?.status !== progress.status ||
    last.writers !== progress.writers ||
    last.stillMember !== progress.stillMember
  ) {
    const member = progress.stillMember ? `, still listed in ${cluster.globalClusterIdentifier}` : '';
    events.push(
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
  return { done: false, status: progress.status, writerSince: null, events };
}

/**
 * A database detach-target left to its managed operation (several databases, one of them
 * detached): polled like check-promotion does. Stuck past its deadline, or cancelled while the
 * others' writers moved, it goes by detach too (PromotionStuckError takes the state machine back
 * to DetachTarget): rolling forward, never leaving it behind.
 */
async function pollManaged(
  database: DatabasePlan,
  targetArn: string,
  entry: DetachedDatabase,
  input: CheckDetachInput,
  earlier: readonly TimelineEvent[],
  deps: StepDeps,
): Promise<DetachPoll> {
  const { request } = input;
  const globalId = database.globalClusterIdentifier;
  const view = await retryOrThrow('rds:DescribeGlobalClusters', (abortSignal) =>
    describeGlobalCluster(deps.clients.forRegion(request.targetRegion).rds, globalId, { abortSignal }),
  );
  const now = deps.now();
  const progress = assessPromotion(view, targetArn, { startedAt: entry.startedAt, now });
  if (progress.state === 'done') {
    const writerSince = firstDone(earlier, PROMOTE_STEP) ?? now.toISOString();
    const events = earlier.some((e) => e.step === PROMOTE_STEP && e.phase === 'succeeded')
      ? []
      : [
          event(now, PROMOTE_STEP, 'succeeded', `${targetArn} is the writer of ${globalId}`, {
            status: progress.status,
            writerSince,
          }),
        ];
    return { done: true, status: progress.status, writerSince, events };
  }
  if (progress.state === 'failed' || isPastDeadline(now, entry.deadline)) {
    const what =
      progress.state === 'failed'
        ? `did not complete: ${progress.reason}`
        : `not complete by ${entry.deadline}`;
    throw new PromotionStuckError(
      `check-promotion: the managed move of ${globalId} to ${targetArn} ${what} (status ${progress.status}) while other databases' writers moved: rolling forward, it goes by detach`,
    );
  }
  const last = earlier.filter((e) => e.step === PROMOTE_STEP && e.phase === 'progress').at(-1);
  const events =
    last?.facts?.status === progress.status
      ? []
      : [
          event(now, PROMOTE_STEP, 'progress', `${globalId}: global cluster ${progress.status}`, {
            status: progress.status,
            targetIsWriter: progress.targetIsWriter,
          }),
        ];
  return { done: false, status: progress.status, writerSince: null, events };
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

/** When an earlier poll saw this database done (several databases: polled on after it). */
function firstDone(timeline: readonly TimelineEvent[], step: string = STEP): string | null {
  const done = timeline.find((e) => e.step === step && e.phase === 'succeeded')?.facts?.writerSince;
  return typeof done === 'string' ? done : null;
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
