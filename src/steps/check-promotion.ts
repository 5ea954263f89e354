import { describeGlobalCluster } from '../aws/rds.js';
import { assessPromotion, isPastDeadline, memberArnIn } from '../decisions/promotion.js';
import {
  AwsRequestError,
  DeadlineExceededError,
  PromotionStuckError,
  TargetNotReadyError,
} from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { type DatabasePlan, databasesOf } from '../plan/databases.js';
import { event, type TimelineEvent } from '../timeline/types.js';
import type { CheckPromotionInput, CheckPromotionOutput } from './contracts.js';
import { eventsOf, latest, tagged } from './databases.js';
import { isDryRun } from './dry-run.js';

const STEP = 'promote-database';

/**
 * One poll of the promotion, between Wait states of the state machine. Each poll carries the
 * earlier polls' events forward and adds one only when what it sees changed, so the last
 * output tells the whole phase in a few lines (pending → failing-over → complete).
 *
 * After a dry run's promote-database nothing was sent, so there is nothing to poll: done at
 * once, without reading AWS (the state machine's path stays the same as in a real run).
 *
 * Several databases are polled side by side, each with its own events; done once every target
 * writes. One that is cancelled while another's writer moves is past the point of no return: an
 * unplanned move rolls it forward by detach (PromotionStuckError, the state machine's way there).
 */
export async function checkPromotion(
  input: CheckPromotionInput,
  deps: StepDeps,
): Promise<CheckPromotionOutput> {
  const { request, promotion, previous } = input;
  const { plan } = deps;
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
  const several = databasesOf(plan).length > 1;
  // A database whose switchover RDS refused (planned, the others moving) has nothing to poll.
  const refused = (promotion.databases ?? []).filter((d) => d.action === 'refused');
  const databases = databasesOf(plan).filter(
    (db) => !refused.some((r) => r.globalClusterIdentifier === db.globalClusterIdentifier),
  );
  const polls = await Promise.all(databases.map((db) => poll(db, input, several, deps)));
  const timeline: TimelineEvent[] = [
    ...(previous?.timeline ?? []),
    ...polls.flatMap((p, i) => tagged(p.events, databases[i] as DatabasePlan, several)),
  ];
  const entries = polls.map((p, i) => ({
    globalClusterIdentifier: databases[i]?.globalClusterIdentifier ?? '',
    done: p.state === 'done',
    status: p.status,
    writerSince: p.writerSince,
  }));

  const failed = polls.filter((p) => p.state === 'failed');
  const stuck = polls.filter((p) => p.state === 'stuck');
  if (failed.length > 0 || stuck.length > 0) {
    // Past the point of no return when another database's writer moved or is moving: an
    // unplanned move then rolls the failed one forward by detach, like a stuck one.
    const others = polls.filter((p) => p.state === 'done' || p.state === 'going').length;
    const rollForward = several && failed.length > 0 && others > 0 && request.mode !== 'planned';
    const first = (failed[0] ?? stuck[0]) as Poll;
    const message = several ? [...failed, ...stuck].map((p) => p.reason).join(' ') : first.reason;
    if (failed.length > 0 && !rollForward) throw new AwsRequestError(`check-promotion: ${message}`);
    // A stuck unplanned failover has a fallback (detach and promote the target); a stuck
    // switchover does not: both regions are up, and detaching would only break replication.
    const Stuck = promotion.action === 'switchover' ? DeadlineExceededError : PromotionStuckError;
    throw new Stuck(
      `check-promotion: ${message}${rollForward ? ` Other databases' writers moved: rolling forward, ${failed.length} database(s) go by detach.` : ''}`,
    );
  }

  const done = polls.every((p) => p.state === 'done');
  if (done && refused.length > 0) {
    // The others have finished: every writer now shows where it ended, for recovery to read.
    throw new AwsRequestError(
      `check-promotion: ${refused.map((r) => r.reason ?? `the switchover of ${r.globalClusterIdentifier} was refused`).join('; ')}. ` +
        `The other databases now write in ${request.targetRegion}; recovery rolls traffic forward with them and hands ${refused.map((r) => r.globalClusterIdentifier).join(', ')} over`,
    );
  }
  const only = polls[0];
  const status =
    !several && only
      ? only.status
      : done
        ? 'complete'
        : `${entries.filter((e) => e.done).length} of ${entries.length} complete; ${entries
            .filter((e) => !e.done)
            .map((e) => `${e.globalClusterIdentifier} ${e.status}`)
            .join(', ')}`;
  const writerSince = done ? latest(polls.map((p) => p.writerSince)) : null;
  return { done, status, writerSince, databases: entries, timeline };
}

interface Poll {
  state: 'done' | 'going' | 'failed' | 'stuck';
  status: string;
  writerSince: string | null;
  /** failed or stuck: what happened, with what on-call does. */
  reason: string;
  /** This poll's new events for the database (untagged). */
  events: TimelineEvent[];
}

/** One database: where its promotion stands, with an event only when what it shows changed. */
async function poll(
  database: DatabasePlan,
  input: CheckPromotionInput,
  several: boolean,
  deps: StepDeps,
): Promise<Poll> {
  const { request, promotion, previous } = input;
  const globalId = database.globalClusterIdentifier;
  const targetArn = memberArnIn(database, request.targetRegion);
  if (!targetArn)
    throw new TargetNotReadyError(`check-promotion: the plan names no cluster in ${request.targetRegion}`);

  const view = await describeGlobalCluster(deps.clients.forRegion(request.targetRegion).rds, globalId);
  const now = deps.now();
  const progress = assessPromotion(view, targetArn, { startedAt: promotion.startedAt, now });
  const earlier = eventsOf(previous?.timeline ?? [], database, several);
  const advice = operatorAdvice(database, request.targetRegion, targetArn);

  if (progress.state === 'done') {
    const writerSince = firstSeenWriting(earlier) ?? firstDone(earlier) ?? now.toISOString();
    // With several databases one may be done while others still move: say so once.
    const events = earlier.some((e) => e.phase === 'succeeded')
      ? []
      : [
          event(now, STEP, 'succeeded', `${targetArn} is the writer of ${globalId}`, {
            status: progress.status,
            writerSince,
            elapsedSeconds: Math.round((now.getTime() - Date.parse(promotion.startedAt)) / 1000),
          }),
        ];
    return { state: 'done', status: progress.status, writerSince, reason: '', events };
  }

  if (progress.state === 'failed') {
    const reason =
      `${promotion.action} of ${globalId} to ${targetArn} did not complete: ${progress.reason} ` +
      `(status ${progress.status}). ${advice}`;
    return { state: 'failed', status: progress.status, writerSince: null, reason, events: [] };
  }

  if (isPastDeadline(now, promotion.deadline)) {
    const reason =
      `${promotion.action} of ${globalId} to ${targetArn} not complete by ${promotion.deadline} ` +
      `(still ${progress.status}). ${advice}`;
    return { state: 'stuck', status: progress.status, writerSince: null, reason, events: [] };
  }

  const last = lastProgress(earlier);
  const events: TimelineEvent[] = [];
  if (last?.status !== progress.status || last.targetIsWriter !== progress.targetIsWriter) {
    const message = progress.targetIsWriter
      ? `global cluster ${progress.status}; ${targetArn} already accepts writes`
      : `global cluster ${progress.status}`;
    const named = several ? `${globalId}: ${message}` : message;
    events.push(
      event(now, STEP, 'progress', named, {
        status: progress.status,
        targetIsWriter: progress.targetIsWriter,
      }),
    );
  }
  return { state: 'going', status: progress.status, writerSince: null, reason: '', events };
}

/** What on-call does when the managed operation is stuck or gave up. */
function operatorAdvice(database: DatabasePlan, targetRegion: string, targetArn: string): string {
  const globalId = database.globalClusterIdentifier;
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

/** When an earlier poll saw this database done (several databases: polled on after it). */
function firstDone(timeline: readonly TimelineEvent[]): string | null {
  const done = timeline.find((e) => e.step === STEP && e.phase === 'succeeded')?.facts?.writerSince;
  return typeof done === 'string' ? done : null;
}

/** A switchover lets the target write before its state clears: the earlier time is the truthful one. */
function firstSeenWriting(timeline: readonly TimelineEvent[]): string | null {
  return (
    timeline.find((e) => e.step === STEP && e.phase === 'progress' && e.facts?.targetIsWriter === true)?.at ??
    null
  );
}
