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
import { type DatabasePlan, databasesOf } from '../plan/databases.js';
import { event, type Facts, type TimelineEvent } from '../timeline/types.js';
import type { PromotedDatabase, PromoteOutput, promoteInput } from './contracts.js';
import { tagged, worst } from './databases.js';
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
 *
 * Several databases (plan `databases`) are read and decided together, then promoted in
 * parallel, each as above. The writer moves for all of them or for none:
 *
 *   any decision refuses ──────────────────────▶ nothing sent to any database; the step fails (roll back)
 *   sent; RDS refuses some, none moved ─────────▶ the step fails as with one database (roll back)
 *   sent; RDS refuses some after others moved ──▶ unplanned: those go by detach (roll forward)
 *                                                 planned: the step fails naming them (split, handed over)
 */
export async function promoteDatabase(input: PromoteInput, deps: StepDeps): Promise<PromoteOutput> {
  const { request } = input;
  const { plan, now } = deps;
  const databases = databasesOf(plan);
  const several = databases.length > 1;
  const startedAt = now();
  const deadline = new Date(startedAt.getTime() + plan.timeouts.promotionSeconds * 1000).toISOString();
  const timing = { startedAt: startedAt.toISOString(), deadline };

  // Every database is read and decided before anything is sent: a refusal of any of them stops
  // the step while nothing has moved, so the execution rolls back with every writer where it was.
  const decided = await Promise.all(databases.map((db) => decide(db, input, deps)));
  const refused = decided.filter((d) => d.decision.kind === 'refuse');
  if (refused.length > 0) return refuse(refused, decided, { timing, several }, input, deps);

  // Every request settles before the step answers: a failure of one must not leave another's
  // request in flight after the step has failed (recovery then reads where each writer is).
  const settled = await Promise.allSettled(decided.map((d) => act(d, input, timing, deps)));
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  const acted = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const outputs = rollForwardRefusals(acted, { several, request, timing }, deps);
  const combined = outputs.map((o, i) => ({
    ...o,
    timeline: tagged(o.timeline, databases[i] as DatabasePlan, several),
  }));
  return combine(combined, databases);
}

interface Decided {
  database: DatabasePlan;
  decision: PromotionDecision;
  readGlobal: () => Promise<GlobalClusterView>;
}

type Acted =
  | { output: PromoteOutput }
  | { refusal: Refusal; decision: Sending; lag: Lag; database: DatabasePlan };

/** Reads one database's global cluster in the target region and decides what to do with it. */
async function decide(database: DatabasePlan, input: PromoteInput, deps: StepDeps): Promise<Decided> {
  const { request } = input;
  const targetRds = deps.clients.forRegion(request.targetRegion).rds;
  const globalId = database.globalClusterIdentifier;
  // The decision rests on this read: a throttle is retried, then AwsTransientError.
  const readGlobal = () =>
    retryOrThrow('rds:DescribeGlobalClusters', (abortSignal) =>
      describeGlobalCluster(targetRds, globalId, { abortSignal }),
    );
  const view = await readGlobal();
  const engines = enginesOf(input, database);
  return { database, decision: decidePromotion(request, database, view, engines), readGlobal };
}

/** The engine versions readiness read for this database (the first database's only field, for older outputs). */
function enginesOf(input: PromoteInput, database: DatabasePlan) {
  const listed = input.readiness?.databases?.find(
    (d) => d.globalClusterIdentifier === database.globalClusterIdentifier,
  );
  return listed?.engines ?? (input.readiness?.databases ? null : (input.readiness?.engines ?? null));
}

/**
 * Some database cannot be promoted: nothing was sent to any. A dry run records it as its finding;
 * a real run stops with every refused database named.
 */
function refuse(
  refused: readonly Decided[],
  decided: readonly Decided[],
  ctx: { timing: Timing; several: boolean },
  input: PromoteInput,
  deps: StepDeps,
): PromoteOutput {
  const { request } = input;
  const reasons = refused.map(({ database, decision }) => {
    const reason = decision.kind === 'refuse' ? decision.reason : '';
    return ctx.several ? `${database.globalClusterIdentifier}: ${reason}` : reason;
  });
  const reason = reasons.join('; ');
  const which = ctx.several
    ? ` (${refused.length} of ${decided.length} databases; nothing was sent to any of them)`
    : '';
  if (!isDryRun(request)) {
    throw new TargetNotReadyError(`${STEP}: cannot promote ${request.targetRegion}${which}: ${reason}`);
  }
  const bound = decided[0]?.database.globalDbRpoSeconds;
  return {
    action: request.mode === 'planned' ? 'switchover' : 'failover',
    ...ctx.timing,
    ...(bound === undefined || ctx.several ? {} : { rpoBoundSeconds: bound }),
    rpoLagMsBeforePromotion: null,
    dryRun: true,
    timeline: [
      wouldDo(
        deps.now(),
        STEP,
        `would stop here with TargetNotReadyError, sending nothing: cannot promote ${request.targetRegion}${which}: ${reason}`,
        { action: 'refuse', reason },
      ),
    ],
  };
}

/**
 * RDS refused the managed operation for some databases after others moved or started moving: the
 * point of no return is behind. Unplanned, each refused database rolls forward by detach (its
 * own RemoveFromGlobalCluster, fenced first like any detach), so no database is left writing in
 * the old region. Planned, both regions are up and a detached target would be a second writer:
 * the step fails, recovery rolls traffic forward with the databases that moved and the report
 * hands the rest over by name. With nothing moved, a refusal fails the step as it always did.
 */
function rollForwardRefusals(
  acted: readonly Acted[],
  ctx: { several: boolean; request: PromoteInput['request']; timing: Timing },
  deps: StepDeps,
): DatabaseOutput[] {
  const refusals = acted.filter((a): a is Extract<Acted, { refusal: Refusal }> => 'refusal' in a);
  const outputs = acted.flatMap((a) => ('output' in a ? [a.output] : []));
  if (refusals.length === 0) return outputs;
  const moving = acted.filter((a) => 'output' in a && a.output.action !== 'detach');
  const first = refusals[0] as (typeof refusals)[number];
  if (moving.length === 0) {
    if (!ctx.several) throw first.refusal.error;
    throw new AwsRequestError(
      `${STEP}: RDS refused the ${first.decision.kind} of ${refusals.map((r) => `${r.database.globalClusterIdentifier} (${r.refusal.detail})`).join(', ')}; no database's writer moved`,
      { cause: first.refusal.error },
    );
  }
  const planned = ctx.request.mode === 'planned';
  return acted.map((a) => {
    if ('output' in a) return a.output;
    if (planned) return refusedWhileOthersMove(a, moving.length, ctx, deps);
    const reason = `RDS refused the managed failover (${a.refusal.detail}) after other databases' writers started moving: rolling forward`;
    return detachInstead(
      { kind: 'detach', targetArn: a.decision.targetArn, fromArn: a.decision.fromArn, reason },
      a.lag,
      baseOf(a.database, ctx.timing),
      { dryRun: false, globalId: a.database.globalClusterIdentifier },
      deps,
    );
  });
}

/**
 * Planned: this database's switchover was refused while the others' run. Recorded, not thrown:
 * a failure now would send recovery to read writers whose switchovers DescribeGlobalClusters may
 * not show yet (eventually consistent), and roll back beneath them. check-promotion waits for
 * the others to finish, then fails naming this one.
 */
function refusedWhileOthersMove(
  a: { refusal: Refusal; decision: Sending; database: DatabasePlan },
  others: number,
  ctx: { request: PromoteInput['request']; timing: Timing },
  deps: StepDeps,
): DatabaseOutput {
  const globalId = a.database.globalClusterIdentifier;
  const reason = `RDS refused the switchover of ${globalId} (${a.refusal.detail}) while ${others} other database(s) switch over to ${ctx.request.targetRegion}: their writers end in different regions`;
  return {
    action: 'refused',
    reason,
    ...baseOf(a.database, ctx.timing),
    rpoLagMsBeforePromotion: null,
    timeline: [
      event(
        deps.now(),
        STEP,
        'failed',
        `${reason}; waiting for the others, then the execution stops and hands it over`,
        {
          action: 'refused',
          to: a.decision.targetArn,
          refusal: a.refusal.detail,
        },
      ),
    ],
  };
}

type Timing = { startedAt: string; deadline: string };
/** One database's part of the step's answer: as the step's own output, or refused (planned, split). */
type DatabaseOutput = Omit<PromoteOutput, 'action'> & { action: PromotedDatabase['action'] };
type Base = Pick<PromoteOutput, 'startedAt' | 'deadline' | 'rpoBoundSeconds'>;

function baseOf(database: DatabasePlan, timing: Timing): Base {
  const bound = database.globalDbRpoSeconds;
  return { ...timing, ...(bound === undefined ? {} : { rpoBoundSeconds: bound }) };
}

/** The step's output from each database's: one database's as it was, several summed up. */
function combine(outputs: readonly DatabaseOutput[], databases: readonly DatabasePlan[]): PromoteOutput {
  const entries: PromotedDatabase[] = outputs.map((o, i) => ({
    globalClusterIdentifier: databases[i]?.globalClusterIdentifier ?? '',
    action: o.action,
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    rpoLagMsBeforePromotion: o.rpoLagMsBeforePromotion,
    ...(o.rpoBoundSeconds === undefined ? {} : { rpoBoundSeconds: o.rpoBoundSeconds }),
  }));
  const only = outputs[0];
  if (outputs.length === 1 && only && only.action !== 'refused') {
    return { ...only, action: only.action, databases: entries };
  }
  const actions = outputs.map((o) => o.action);
  const action = actions.includes('detach')
    ? 'detach'
    : (actions.find((a) => a === 'failover' || a === 'switchover') ?? 'already-writer');
  const detaching = entries.filter((e) => e.action === 'detach');
  const bounds = outputs.map((o) => o.rpoBoundSeconds);
  return {
    action,
    ...(detaching.length > 0
      ? { reason: detaching.map((e) => `${e.globalClusterIdentifier}: ${e.reason ?? 'detach'}`).join('; ') }
      : {}),
    startedAt: only?.startedAt ?? '',
    deadline: only?.deadline ?? '',
    rpoLagMsBeforePromotion: worst(outputs.map((o) => o.rpoLagMsBeforePromotion)),
    ...(bounds.every((b) => b !== undefined) ? { rpoBoundSeconds: worst(bounds) ?? 0 } : {}),
    ...(outputs.some((o) => o.dryRun) ? { dryRun: true as const } : {}),
    databases: entries,
    timeline: outputs.flatMap((o) => o.timeline),
  };
}

/** Promotes one database as decided; a refusal of the request is returned, for the step to weigh. */
async function act(d: Decided, input: PromoteInput, timing: Timing, deps: StepDeps): Promise<Acted> {
  const { request } = input;
  const { now } = deps;
  const { decision, database } = d;
  const globalId = database.globalClusterIdentifier;
  const base = baseOf(database, timing);
  const dryRun = isDryRun(request);
  if (decision.kind === 'refuse') throw new Error('refusals are handled before anything is sent');
  if (decision.kind === 'already-writer') {
    const message = `${decision.targetArn} is already the writer of ${globalId}; nothing sent`;
    return {
      output: {
        action: 'already-writer',
        ...base,
        rpoLagMsBeforePromotion: null,
        ...(dryRun ? { dryRun: true as const } : {}),
        timeline: [
          event(now(), STEP, 'skipped', message, { action: 'already-writer', to: decision.targetArn }),
        ],
      },
    };
  }
  if (decision.kind === 'detach') {
    const lag = await lagBeforePromotion(decision.targetArn, false, deps);
    return { output: detachInstead(decision, lag, base, { dryRun, globalId }, deps) };
  }

  const action = decision.kind === 'in-progress' ? decision.action : decision.kind;
  // RPO evidence for an unplanned move is the lag just before it; a verified switchover has RPO 0.
  const lag =
    action === 'failover'
      ? await lagBeforePromotion(decision.targetArn, decision.kind === 'in-progress', deps)
      : { rpoLagMs: null };

  if (dryRun) return { output: dryRunPromotion(decision, lag, base, globalId, deps) };

  // The request is on its way: sent now, or by an earlier attempt (then not sent again).
  const started = (message: string, sent: boolean): Acted => ({
    output: {
      action,
      ...base,
      rpoLagMsBeforePromotion: lag.rpoLagMs,
      timeline: [event(now(), STEP, 'started', message, promotionFacts(decision, lag, sent))],
    },
  });
  if (decision.kind === 'in-progress') {
    return started(
      `${action} of ${globalId} to ${decision.targetArn} already under way (${decision.status}); not sent again`,
      false,
    );
  }

  const refusal = await send(decision, globalId, deps);
  if (refusal?.meaning === 'engine-versions' && request.mode !== 'planned') {
    // The engine versions readiness could not compare (the source did not answer, or only patch
    // levels differ): RDS has said it. The same way out as when readiness knew.
    const reason = `RDS refused the managed failover: ${refusal.detail}`;
    return {
      output: detachInstead(
        { kind: 'detach', targetArn: decision.targetArn, fromArn: decision.fromArn, reason },
        lag,
        base,
        { dryRun, globalId },
        deps,
      ),
    };
  }
  if (refusal?.meaning === 'under-way') {
    return {
      output: await underWay(decision, refusal, lag, base, { globalId, readGlobal: d.readGlobal }, deps),
    };
  }
  if (refusal) return { refusal, decision, lag, database };

  return started(
    `${action} of ${globalId} to ${decision.targetArn} requested in ${decision.endpointRegion}`,
    true,
  );
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
  base: Base,
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
  base: Base,
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
  base: Base,
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
