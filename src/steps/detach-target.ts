import { describeServiceRefs } from '../aws/ecs.js';
import { clusterIdentifierOfArn } from '../aws/rds.js';
import { probeRegion } from '../aws/rds-detach.js';
import { inFailedRegion, STEP_RETRY_BUDGET_MS } from '../aws/retry.js';
import { locateService } from '../decisions/capacity.js';
import {
  type DetachSafety,
  decideDetachSafety,
  type OldRegionReach,
  servicesFenced,
} from '../decisions/detach.js';
import { TargetNotReadyError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { type DatabasePlan, databasesOf } from '../plan/databases.js';
import { event, type TimelineEvent } from '../timeline/types.js';
import type { DetachTargetInput, DetachTargetOutput } from './contracts-operators.js';
import { tagged } from './databases.js';
import { type DatabaseDetach, detachCommand, type Look, look, sendDetach } from './detach-database.js';
import { isDryRun, wouldDo } from './dry-run.js';
import { AURORA_FENCING_PREFIX } from './fence-old-primary.js';

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
 *
 * Several databases: each is read and decided on its own (detach-database.ts); one whose managed
 * operation is still in time is left to finish (`managed`), every other goes by detach, all in
 * parallel once one safety check for them all passes. A database that cannot be detached fails
 * the step, naming it; the report then says which database writes where.
 */
export async function detachTarget(input: DetachTargetInput, deps: StepDeps): Promise<DetachTargetOutput> {
  const { request, promotion } = input;
  const { plan } = deps;
  const databases = databasesOf(plan);
  const several = databases.length > 1;
  // The waits before a send are part of its story; with several databases so is an earlier
  // detach of another database (this step runs again when a second one gets stuck).
  const previous = input.previous?.action === 'waiting' || several ? input.previous : undefined;
  const startedAt = deps.now();
  // What this invocation may spend on retries, all calls together (the Lambda timeout is 60 s).
  const retryUntil = Date.now() + STEP_RETRY_BUDGET_MS;
  const deadline = new Date(startedAt.getTime() + plan.timeouts.promotionSeconds * 1000).toISOString();
  const timing = { startedAt: startedAt.toISOString(), deadline };
  const dryRun = isDryRun(request);

  const looks = await Promise.all(databases.map((db) => look(db, input, timingOf(input, db, timing), deps)));
  const settled = looks.flatMap((l) => (l.kind === 'settled' ? [l.result] : []));
  // Another database's managed move in flight: failing now would send recovery to read writers
  // whose moves DescribeGlobalClusters may not show yet (and roll back beneath them). A database
  // that cannot be detached is recorded `refused` instead; check-detach waits for the others,
  // then fails naming it.
  const inFlight = settled.some((r) => r.action === 'managed');
  const refused = looks.flatMap((l) => (l.kind === 'refuse' ? [l] : []));
  if (refused.length > 0) {
    const reason = refused.map((l) => named(l.database, l.reason, several)).join('; ');
    if (dryRun) return refusedInDryRun(reason, timing.startedAt, deadline, deps);
    if (!inFlight) throw new TargetNotReadyError(`${STEP}: ${reason}`);
  }
  const refusals = refused.map((l) => refusedWhileOthersMove(l.database, l.reason, timing, deps));
  const pending = looks.filter((l): l is Extract<Look, { kind: 'detach' }> => l.kind === 'detach');
  if (pending.length === 0) {
    return combine(
      [...settled, ...refusals],
      null,
      { databases, timing, dryRun, previous: several ? previous : undefined },
      deps,
    );
  }

  // One check for every database: it is about the old region's services, which all of them serve.
  const targets = pending.map((p) => p.decision.targetArn);
  const safety = await checkSafety(input, deps, pending, retryUntil);
  if (!safety.safe) {
    const why = pending.map((p) => named(p.database, p.why, several)).join('; ');
    if (dryRun) return refusedInDryRun(safety.reason, timing.startedAt, deadline, deps);
    // Fenced tasks still draining will stop: look again, as long as the promotion may take.
    if (safety.draining && deps.now().getTime() < Date.parse(promotion.deadline)) {
      const targetId = targets.map(clusterIdentifierOfArn).join(', ');
      const waitingFor = pending.map((p) => p.database);
      const known = [...settled, ...refusals];
      return waiting(safety.reason, { targetId, why, previous, promotion, settled: known, waitingFor }, deps);
    }
    if (!inFlight) throw new TargetNotReadyError(`${STEP}: ${safety.reason}`);
    const unsafe = pending.map((p) => refusedWhileOthersMove(p.database, safety.reason, timing, deps));
    return combine([...settled, ...refusals, ...unsafe], null, { databases, timing, dryRun, previous }, deps);
  }
  const sent = await Promise.all(
    pending.map((p) =>
      sendDetach(
        p,
        input,
        { ...timingOf(input, p.database, timing), dryRun, precaution: safety.basis },
        deps,
      ),
    ),
  );
  return combine([...settled, ...refusals, ...sent], safety, { databases, timing, dryRun, previous }, deps);
}

/** Cannot be detached while another database's managed move runs: on the record, for check-detach to fail on. */
function refusedWhileOthersMove(
  database: DatabasePlan,
  reason: string,
  timing: Timing,
  deps: StepDeps,
): DatabaseDetach {
  const id = database.globalClusterIdentifier;
  return {
    database,
    action: 'refused',
    ...timing,
    why: reason,
    note: `${id} was not detached: ${reason}`,
    rebuild: [],
    events: [
      event(
        deps.now(),
        STEP,
        'failed',
        `cannot detach ${id}: ${reason}; waiting for the other databases' managed moves, then the execution stops and hands ${id} over`,
        { action: 'refused' },
      ),
    ],
  };
}

/** A database detached by an earlier run of this step keeps its own start and deadline. */
function timingOf(input: DetachTargetInput, database: DatabasePlan, timing: Timing): Timing {
  const earlier = input.previous?.databases?.find(
    (d) => d.globalClusterIdentifier === database.globalClusterIdentifier && d.action === 'detached',
  );
  return earlier ? { startedAt: earlier.startedAt, deadline: earlier.deadline } : timing;
}

const named = (database: DatabasePlan, text: string, several: boolean) =>
  several ? `${database.globalClusterIdentifier}: ${text}` : text;

type Timing = { startedAt: string; deadline: string };
type Safe = Extract<DetachSafety, { safe: true }>;

/** The step's answer from each database's: one database's as it always was, several summed up. */
function combine(
  unordered: readonly DatabaseDetach[],
  safety: Safe | null,
  ctx: {
    databases: readonly DatabasePlan[];
    timing: Timing;
    dryRun: boolean;
    previous: DetachTargetInput['previous'];
  },
  deps: StepDeps,
): DetachTargetOutput {
  const several = ctx.databases.length > 1;
  const results = ctx.databases.flatMap((db) => unordered.filter((r) => r.database === db));
  const actions = results.map((r) => r.action);
  const action: DetachTargetOutput['action'] =
    ctx.dryRun && actions.includes('dry-run')
      ? 'dry-run'
      : actions.includes('detached')
        ? 'detached'
        : actions.includes('already-detached')
          ? 'already-detached'
          : 'already-writer';
  const sentNow = results.filter((r) => r.action === 'detached' || r.action === 'dry-run');
  const moving = results.filter((r) => r.action !== 'managed' && r.action !== 'already-writer');
  const only = results[0];
  const why = several ? moving.map((r) => named(r.database, r.why, true)).join('; ') || undefined : only?.why;
  const events = results.flatMap((r) => tagged(r.events, r.database, several));
  // The waits before a send belong to its story; a database found done needs none of them.
  const timeline: TimelineEvent[] = [...(ctx.previous?.timeline ?? []), ...events];
  if (safety && sentNow.length > 0) {
    // Detaching on silence leaves the old region unfenced: on the record, with what to do.
    const phase = ctx.dryRun ? 'dry-run' : safety.basis === 'fenced' ? 'progress' : 'unconfirmed';
    timeline.push(event(deps.now(), STEP, phase, safety.note, { precaution: safety.basis }));
  }
  const rebuild = several
    ? results.flatMap((r) =>
        r.rebuild.length > 0 ? [`Global database ${r.database.globalClusterIdentifier}:`, ...r.rebuild] : [],
      )
    : (only?.rebuild ?? []);
  const deadlines = results.map((r) => r.deadline).sort();
  return {
    startedAt: several ? ctx.timing.startedAt : (only?.startedAt ?? ctx.timing.startedAt),
    deadline: several ? (deadlines.at(-1) ?? ctx.timing.deadline) : (only?.deadline ?? ctx.timing.deadline),
    ...(why === undefined ? {} : { reason: why }),
    ...(ctx.dryRun ? { dryRun: true as const } : {}),
    action,
    precaution:
      safety && sentNow.length > 0
        ? { basis: safety.basis, note: safety.note }
        : { basis: 'not-needed', note: results.map((r) => r.note).join('; ') },
    rebuildInstructions: rebuild,
    databases: results.map((r) => ({
      globalClusterIdentifier: r.database.globalClusterIdentifier,
      action: r.action,
      ...(r.action === 'refused' ? { reason: r.why } : {}),
      startedAt: r.startedAt,
      deadline: r.deadline,
    })),
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
    /** Databases that need no detach, as found; and the ones waiting for it. */
    settled: readonly DatabaseDetach[];
    waitingFor: readonly DatabasePlan[];
  },
  deps: StepDeps,
): DetachTargetOutput {
  const timeline: TimelineEvent[] = [...(ctx.previous?.timeline ?? [])];
  const message = `waiting to detach ${ctx.targetId} (${ctx.why}): ${reason.replace(/^not detaching: /, '')}; looking again in ${DETACH_WAIT_SECONDS} s, until ${ctx.promotion.deadline}`;
  const last = timeline.at(-1);
  if (last?.step !== STEP || last.facts?.waiting !== reason) {
    timeline.push(event(deps.now(), STEP, 'progress', message, { waiting: reason }));
  }
  const startedAt = ctx.previous?.startedAt ?? deps.now().toISOString();
  return {
    action: 'waiting',
    startedAt,
    deadline: ctx.promotion.deadline,
    reason: ctx.why,
    precaution: { basis: 'pending', note: reason },
    rebuildInstructions: [],
    databases: [
      ...ctx.settled.map((r) => ({
        globalClusterIdentifier: r.database.globalClusterIdentifier,
        action: r.action,
        startedAt: r.startedAt,
        deadline: r.deadline,
      })),
      ...ctx.waitingFor.map((db) => ({
        globalClusterIdentifier: db.globalClusterIdentifier,
        action: 'waiting' as const,
        startedAt,
        deadline: ctx.promotion.deadline,
      })),
    ],
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

/**
 * Probes the old region only when its services were not all fenced: no call into it otherwise.
 * One check for every database to detach: their old writers all serve the old region's services.
 */
async function checkSafety(
  input: DetachTargetInput,
  deps: StepDeps,
  pending: readonly Extract<Look, { kind: 'detach' }>[],
  retryUntil: number,
): Promise<DetachSafety> {
  const { request, fencing } = input;
  // Aurora's own write fencing entries (one per database) stay unconfirmed while a move is stuck.
  const serviceFencing = fencing.fencing.filter((f) => !f.resource.startsWith(AURORA_FENCING_PREFIX));
  let oldRegion: OldRegionReach = { kind: 'not-probed' };
  const sourceArn = pending[0]?.database.members[request.sourceRegion] ?? '';
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
    detachCommand: pending
      .map((p) =>
        detachCommand(request.targetRegion, p.database.globalClusterIdentifier, p.decision.targetArn),
      )
      .join(' ; '),
  });
}
