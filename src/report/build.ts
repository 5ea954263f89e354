import type { z } from 'zod';
import { assessRecoveryOutput } from '../recovery/contracts.js';
import {
  checkPromotionOutput,
  checkReadinessOutput,
  fenceOutput,
  promoteOutput,
  shiftOutput,
  verifyTargetOutput,
} from '../steps/contracts.js';
import { AURORA_FENCING_PREFIX } from '../steps/fence-old-primary.js';
import { failoverRequestSchema } from '../steps/request.js';
import { STEP_NAMES, type TimelineEvent } from '../timeline/types.js';
import { capacityActions } from './capacity.js';
import { collectTimeline } from './collect.js';
import { detachedIds, reportDatabases, rpoOne } from './databases.js';
import { dryRunActions, dryRunSummaryOf, readinessOf } from './dry-run.js';
import { abortedHooks, hookActions, hookPartialSummary, hooksOfState, withHookReadiness } from './hooks.js';
import { operatorFacts } from './operator-facts.js';
import { lockOf, recoveryOf } from './recovery.js';
import { at, pick, seconds, stepOrder } from './state.js';
import type { FailoverReport, Outcome, StepSummary } from './types.js';

/**
 * The execution state as the state machine leaves it (statemachines/failover.asl.json):
 * `steps.<name>` for sequential steps, `takeover.<name>` for the parallel fence/promote and
 * scale branches, `failure` when a step failed. Any part may be missing or a placeholder:
 * the report is built from whatever is there, because a failed execution must report too.
 */
export interface ReportSource {
  state: unknown;
  outcome: Outcome;
  executionName: string;
  executionStartedAt: string;
  /** When the report is built: the time of the failure as far as the report can tell. */
  reportedAt?: string;
}

/** One row per step, in workflow order: first event to last, and how it ended. */
export function summariseSteps(timeline: readonly TimelineEvent[]): StepSummary[] {
  const byStep = new Map<string, TimelineEvent[]>();
  for (const e of timeline) byStep.set(e.step, [...(byStep.get(e.step) ?? []), e]);
  return [...byStep.entries()]
    .sort(([a], [b]) => stepOrder(a) - stepOrder(b))
    .map(([step, events]) => {
      const first = events[0] as TimelineEvent;
      const last = events[events.length - 1] as TimelineEvent;
      return {
        step,
        startedAt: first.at,
        endedAt: last.at,
        seconds: seconds(first.at, last.at),
        outcome: last.phase,
      };
    });
}

/** Steps prefix their error messages with their name (src/handlers/define-step.ts). */
/** Polling functions report under the step they poll for. */
export const POLLED_STEP: Record<string, (typeof STEP_NAMES)[number]> = {
  'check-promotion': 'promote-database',
  'check-scale': 'scale-target',
  'check-traffic': 'shift-traffic',
  'check-detach': 'detach-target',
};

function failedStep(cause: string): (typeof STEP_NAMES)[number] | null {
  const prefix = cause.split(': ', 1)[0] ?? '';
  if (POLLED_STEP[prefix]) return POLLED_STEP[prefix];
  return (STEP_NAMES as readonly string[]).includes(prefix) ? (prefix as (typeof STEP_NAMES)[number]) : null;
}

/**
 * A cause without the "name: " it starts with. The name is the function's, which for a polling
 * function (check-scale) is not its step's (scale-target): cut what is there, not the step's length.
 */
function withoutStepPrefix(cause: string): string {
  const prefix = cause.split(': ', 1)[0] ?? '';
  return failedStep(cause) ? cause.slice(prefix.length + 2) : cause;
}

function failureOf(state: unknown): { error: string; cause: string } | null {
  const failure = at(state, 'failure');
  if (!failure || typeof failure !== 'object') return null;
  const { Error: error, Cause: cause } = failure as { Error?: unknown; Cause?: unknown };
  if (typeof error !== 'string') return null;
  let text = typeof cause === 'string' ? cause : '';
  // Lambda puts a JSON document {errorType, errorMessage, trace} in Cause; keep the message.
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') text = parsed.errorMessage;
  } catch {
    // Cause was plain text already.
  }
  return { error, cause: text };
}

/**
 * Whether the target was ready, as check-readiness found it: its output (a successful real run,
 * or any dry run), or the TargetNotReadyError it stopped a real run with. `ready` is null when
 * readiness gave no verdict (it did not run, or stopped on another error).
 */
const NOTHING_MOVED = 'dry run: nothing moved';

export function buildReport(source: ReportSource): FailoverReport {
  const { state } = source;
  const request = pick(failoverRequestSchema, at(state, 'steps', 'normalize', 'request'));
  const dryRun = request?.dryRun === true;
  const readiness = pick(checkReadinessOutput, at(state, 'steps', 'readiness'));
  const fence = pick(fenceOutput, at(state, 'takeover', 'fence'));
  const promote = pick(promoteOutput, at(state, 'takeover', 'promote'));
  const promotion = pick(checkPromotionOutput, at(state, 'takeover', 'promotion'));
  const shift = pick(shiftOutput, at(state, 'steps', 'shift'));
  const verified = pick(verifyTargetOutput, at(state, 'steps', 'verifyTarget'));
  const failure = failureOf(state);
  // A dry run changes nothing: it ends as 'dry-run' however far it got, unless a real error
  // (AWS refused a read, a region did not answer) stopped it, which stays 'failed'.
  const capacityShort = verified?.capacityShort ?? [];
  // A hook with onFailure abort that failed after the writer moved: served, short of what the plan asks.
  const hooks = hooksOfState(state);
  const hookAborted = abortedHooks(hooks).length > 0;
  const outcome: Outcome =
    dryRun && (source.outcome === 'succeeded' || (source.outcome === 'failed' && !failure))
      ? 'dry-run'
      : source.outcome === 'succeeded' && (capacityShort.length > 0 || hookAborted)
        ? 'partial'
        : source.outcome;
  const recovery = dryRun
    ? { kind: 'none' as const, complete: true, notes: [] }
    : recoveryOf(state, capacityShort);
  const lock = lockOf(state, request?.planName ?? null);
  const timeline = collectTimeline(state);
  const stoppedAt = failure ? failedStep(failure.cause) : null;
  // A step that already recorded its own failure keeps it (and its time): a second copy at the
  // report's time would stretch the step to the end of the execution.
  if (failure && stoppedAt && !timeline.some((e) => e.step === stoppedAt && e.phase === 'failed')) {
    timeline.push({
      at: source.reportedAt ?? timeline[timeline.length - 1]?.at ?? source.executionStartedAt,
      step: stoppedAt,
      phase: 'failed',
      message: `${failure.error}: ${withoutStepPrefix(failure.cause)}`,
    });
  }

  // Failures recovery carried past (a compute deadline before a roll-forward, a refused shift
  // before a re-shift): each ends its own step on the timeline, not only the last failure.
  const recoveryFailures = pick(assessRecoveryOutput, at(state, 'recovery'))?.failures ?? [];
  for (const earlier of recoveryFailures) {
    const step = failedStep(earlier.cause);
    if (!step || timeline.some((e) => e.step === step && e.phase === 'failed')) continue;
    timeline.push({
      at: source.reportedAt ?? timeline[timeline.length - 1]?.at ?? source.executionStartedAt,
      step,
      phase: 'failed',
      message: `${earlier.error}: ${withoutStepPrefix(earlier.cause)}`,
    });
  }

  // A stuck managed failover is caught (the detach fallback takes over), so it is not the
  // execution's failure; the promotion step still ended, and the timeline says how.
  const stuck = at(state, 'takeover', 'promotionStuck') as
    | { Error?: string; Cause?: string }
    | null
    | undefined;
  if (stuck?.Error) {
    const detachStarted = timeline.find((e) => e.step === 'detach-target')?.at;
    const cause = failureOf({ failure: stuck })?.cause ?? stuck.Error;
    timeline.push({
      at: detachStarted ?? source.reportedAt ?? source.executionStartedAt,
      step: 'promote-database',
      phase: 'failed',
      message: `${stuck.Error}: ${cause.replace(/^check-promotion: /, '')}; falling back to detaching the target`,
    });
  }
  const operator = operatorFacts(
    state,
    timeline,
    source.reportedAt ?? timeline.at(-1)?.at ?? source.executionStartedAt,
  );
  timeline.push(...operator.events);
  timeline.sort((a, b) => a.at.localeCompare(b.at));

  const detectedAt = request?.detectedAt ?? new Date(source.executionStartedAt).toISOString();
  const verifiedAt =
    (outcome === 'succeeded' || outcome === 'partial') && verified ? verified.verifiedAt : null;
  const rtoSeconds = verifiedAt ? seconds(detectedAt, verifiedAt) : null;
  const dnsTtlSeconds = shift?.maxTtlSeconds ?? null;
  const userFacingRtoSeconds =
    rtoSeconds !== null && dnsTtlSeconds !== null ? rtoSeconds + dnsTtlSeconds : null;

  // After the detach fallback the old writer was left writing on purpose (fenced from traffic
  // only): Aurora's own write fencing never happened for that database, so it stays unconfirmed.
  const detachedNow = detachedIds(state);
  const { databases, worst } = reportDatabases(state, {
    mode: request?.mode ?? null,
    outcome,
    dryRun,
    sourceRegion: request?.sourceRegion ?? null,
    targetRegion: request?.targetRegion ?? null,
    verified: verifiedAt !== null,
    promote,
    readiness,
  });
  const detached =
    detachedNow.length > 0 && databases.every((d) => detachedNow.includes(d.globalClusterIdentifier));
  const fencing = confirmAuroraFencing(
    fence,
    outcome === 'succeeded' && verified !== null,
    request?.sourceRegion ?? null,
    detachedNow,
  );
  const rpo = dryRun
    ? { seconds: null, basis: NOTHING_MOVED }
    : (worst ??
      rpoOne(request?.mode ?? null, outcome, promote, readiness?.rpoLagMs ?? null, promotion?.done === true));
  const writeUnavailableSeconds =
    !dryRun &&
    request?.mode === 'planned' &&
    promote &&
    promote.action === 'switchover' &&
    promotion?.writerSince
      ? seconds(promote.startedAt, promotion.writerSince)
      : null;

  // A dry run checks the hooks' functions too (Invoke DryRun): one that cannot be invoked is a problem to fix before the outage.
  const readinessSummary = withHookReadiness(readinessOf(readiness, failure), hooks, dryRun);
  const actions = dryRun
    ? dryRunActions(readinessSummary, timeline, failure)
    : actionsFor(outcome, request?.mode ?? null, fencing, failure, request?.sourceRegion ?? null, detached);
  if (
    outcome === 'failed' &&
    fence?.fencing.some((f) => f.outcome === 'fenced') &&
    !promotion?.done &&
    !(recovery.kind === 'rolled-back' && recovery.complete)
  ) {
    actions.unshift(
      `The old primary's services were fenced but ${request?.targetRegion ?? 'the target'} was not promoted: no region may be taking writes. Decide now: finish the promotion by hand (runbooks/automated-failover.md, "Promotion failed") or restore the old region's capacity.`,
    );
  }
  actions.unshift(...recovery.notes);
  const overridden = request?.safetyRulesToOverride ?? [];
  if (overridden.length > 0 && !dryRun)
    actions.push(
      `${request?.requestedBy ?? 'The operator'} overrode Route 53 ARC safety rule(s) ${overridden.join(', ')} for this failover: check the routing controls are as the rules expect, or restore what they guard (runbooks/arc-safety-rule.md).`,
    );
  if (lock.freeCommand)
    actions.push(
      `Lock: ${lock.detail}. Once no failover of this plan runs, free it with: ${lock.freeCommand}`,
    );
  actions.push(...operator.actions);
  if (!dryRun) actions.push(...hookActions(hooks, request?.targetRegion ?? null));
  actions.push(...capacityActions(readiness, dryRun));
  const summarise = () =>
    summaryOf(
      outcome,
      request,
      rtoSeconds,
      rpo.seconds,
      failure,
      source.executionName,
      recovery,
      capacityShort,
    );
  const summary =
    operator.summary && (outcome === 'suppressed' || outcome === 'not-approved')
      ? operator.summary
      : dryRun
        ? dryRunSummaryOf(
            outcome,
            request,
            readinessSummary,
            actions,
            failure,
            source.executionName,
            summarise,
          )
        : summarise();

  return {
    planName: request?.planName ?? null,
    executionName: source.executionName,
    outcome,
    mode: request?.mode ?? null,
    dryRun,
    sourceRegion: request?.sourceRegion ?? null,
    targetRegion: request?.targetRegion ?? null,
    reason: request?.reason ?? null,
    requestedBy: request?.requestedBy ?? null,
    detectedAt,
    verifiedAt,
    rtoSeconds,
    userFacingRtoSeconds,
    dnsTtlSeconds,
    rpo,
    writeUnavailableSeconds,
    databases,
    steps: summariseSteps(timeline),
    fencing: fencing.entries,
    failure,
    readiness: readinessSummary,
    actions,
    recovery,
    safetyRulesOverridden: overridden,
    lock,
    summary:
      outcome === 'partial'
        ? hookPartialSummary(hooks, summary, capacityShort.length > 0, request, rtoSeconds, rpo.seconds)
        : summary,
    hooks,
    timeline,
  };
}

type Fencing = { entries: z.infer<typeof fenceOutput>['fencing']; followUps: string[] };

/**
 * Aurora's write fencing happens inside FailoverGlobalCluster, after the fence step ran. It is
 * confirmed when the target was verified as the only writer while the old region still
 * answered (its services were fenced or found fenced); otherwise it stays unconfirmed.
 */
function confirmAuroraFencing(
  fence: z.infer<typeof fenceOutput> | null,
  verified: boolean,
  sourceRegion: string | null,
  detached: readonly string[],
): Fencing {
  const entries = fence?.fencing ?? [];
  const followUps = fence?.followUps ?? [];
  const regionAnswered = entries.some((f) => f.resource.startsWith('ecs ') && f.outcome !== 'unconfirmed');
  if (!verified || !regionAnswered) return { entries, followUps };
  // A detached database's old writer was left writing on purpose: its entry stays unconfirmed.
  const confirmed = entries
    .filter((f) => f.resource.startsWith(AURORA_FENCING_PREFIX) && f.outcome === 'unconfirmed')
    .map((f) => f.resource.slice(AURORA_FENCING_PREFIX.length))
    .filter((id) => !detached.includes(id));
  return {
    entries: entries.map((f) =>
      f.resource.startsWith(AURORA_FENCING_PREFIX) &&
      confirmed.includes(f.resource.slice(AURORA_FENCING_PREFIX.length))
        ? {
            ...f,
            outcome: 'fenced' as const,
            detail: `confirmed: the target was verified as the only writer while ${sourceRegion ?? 'the old region'} answered`,
          }
        : f,
    ),
    followUps: followUps.filter(
      (line) =>
        !line.includes('describe-global-clusters') ||
        !confirmed.some((id) => line.includes(`--global-cluster-identifier ${id} `)),
    ),
  };
}

function actionsFor(
  outcome: Outcome,
  mode: string | null,
  fence: Fencing,
  failure: { error: string; cause: string } | null,
  sourceRegion: string | null,
  detached: boolean,
): string[] {
  const actions: string[] = [];
  if (outcome === 'failed' && failure) {
    actions.push(
      `Execution stopped with ${failure.error}: ${failure.cause.replace(/\.$/, '')}. Check which region is writer and where DNS points before anything else (runbooks/automated-failover.md, "When the execution failed").`,
    );
  }
  for (const f of fence.entries) {
    if (f.outcome === 'unconfirmed') {
      actions.push(
        `Fencing unconfirmed for ${f.resource} (${f.action}): ${f.detail}. When ${sourceRegion ?? 'the old region'} answers, confirm it takes no writes and no traffic.`,
      );
    }
  }
  actions.push(...fence.followUps);
  if (outcome === 'succeeded' && mode !== 'planned' && !detached) {
    actions.push(
      `Aurora will rebuild the old primary in ${sourceRegion ?? 'the old region'} as a secondary when that region recovers; do not fail back until it is in sync (runbooks/automated-failover.md, "After the failover").`,
      'Compare orders/writes around the RPO window with upstream sources: writes not replicated before promotion are lost.',
    );
  }
  return actions;
}

function summaryOf(
  outcome: Outcome,
  request: z.infer<typeof failoverRequestSchema> | null,
  rto: number | null,
  rpo: number | null,
  failure: { error: string; cause: string } | null,
  executionName: string,
  recovery: FailoverReport['recovery'],
  capacityShort: readonly string[],
): string {
  const route = request ? `${request.sourceRegion} -> ${request.targetRegion}` : 'direction unknown';
  if (outcome === 'partial') {
    return `Failover ${route} PARTIAL: served from ${request?.targetRegion ?? 'the target'} after rolling forward, short of capacity (${capacityShort.join(', ')}): RTO ${rto ?? '?'} s, RPO ${rpo ?? 'unknown'} s.`;
  }
  if (outcome === 'no-action')
    return `No failover (${route}): the failure was not sustained. Execution ${executionName}.`;
  if (outcome === 'failed') {
    const undone =
      recovery.kind === 'rolled-back'
        ? recovery.complete
          ? ' Rolled back: everything restored as found.'
          : ' Rollback INCOMPLETE: see actions.'
        : recovery.kind === 'rolled-forward'
          ? ' Rolled forward, but traffic could not be verified on the writer: see actions.'
          : '';
    const reason = `${failure?.error ?? 'unknown error'}: ${failure?.cause ?? ''}`.slice(0, 900);
    return `Failover ${route} FAILED: ${reason}${undone}`;
  }
  return `Failover ${route} succeeded: RTO ${rto ?? '?'} s, RPO ${rpo ?? 'unknown'} s.`;
}
