import type { z } from 'zod';
import type { checkReadinessOutput } from '../steps/contracts.js';
import { isWouldDo } from '../steps/dry-run.js';
import { describeProblem, problemsInNotReadyMessage } from '../steps/readiness-problems.js';
import type { failoverRequestSchema } from '../steps/request.js';
import type { TimelineEvent } from '../timeline/types.js';
import { stepOrder } from './state.js';
import type { FailoverReport, Outcome } from './types.js';

export type ReadinessSummary = FailoverReport['readiness'];

/** The readiness verdict: from the step's output, or from the error that stopped it. */
export function readinessOf(
  readiness: z.infer<typeof checkReadinessOutput> | null,
  failure: { error: string; cause: string } | null,
): ReadinessSummary {
  if (readiness) {
    return { ready: readiness.ready, problems: readiness.checks.filter((c) => !c.ok).map(describeProblem) };
  }
  // Later steps throw TargetNotReadyError too (a refused promotion); only readiness's own
  // wording says the target was found not ready before anything changed.
  const problems = failure?.error === 'TargetNotReadyError' ? problemsInNotReadyMessage(failure.cause) : null;
  return problems ? { ready: false, problems } : { ready: null, problems: [] };
}

/**
 * What a dry run found: what stops the execution first, then each readiness problem to fix
 * before a real outage, then what a real run would change, step by step.
 */
export function dryRunActions(
  readiness: ReadinessSummary,
  timeline: readonly TimelineEvent[],
  failure: { error: string; cause: string } | null,
): string[] {
  const actions: string[] = [];
  if (failure) {
    actions.push(
      `Dry run stopped with ${failure.error}: ${failure.cause.replace(/\.$/, '')}. Nothing was changed; a real run in the same conditions would stop here too.`,
    );
  }
  if (readiness.problems.length > 0) {
    actions.push(...readiness.problems.map((p) => `Readiness problem: ${p}: fix before the outage`));
  } else if (readiness.ready === true) {
    actions.push('Ready: every check passed');
  }
  // In workflow order (fence, promote, scale, shift), not by time: the take-over branches run in
  // parallel, and the plan reads best in the order a real run depends on.
  const would = timeline.filter(isWouldDo).sort((a, b) => stepOrder(a.step) - stepOrder(b.step));
  actions.push(...would.map((e) => `Would: ${e.message.replace(/^would /, '')}`));
  return actions;
}

export function dryRunSummaryOf(
  outcome: Outcome,
  request: z.infer<typeof failoverRequestSchema> | null,
  readiness: ReadinessSummary,
  actions: readonly string[],
  failure: { error: string; cause: string } | null,
  executionName: string,
  otherwise: () => string,
): string {
  const route = request ? `${request.sourceRegion} -> ${request.targetRegion}` : 'direction unknown';
  if (outcome === 'failed') {
    return `Dry run ${route} FAILED (nothing was changed): ${failure?.error ?? 'unknown error'}: ${failure?.cause ?? ''}`.slice(
      0,
      1000,
    );
  }
  if (outcome !== 'dry-run') return otherwise();
  const would = actions.filter((a) => a.startsWith('Would: ')).length;
  const verdict =
    readiness.ready === null
      ? 'readiness not checked'
      : readiness.problems.length === 0
        ? 'target ready'
        : `${readiness.problems.length} readiness problem(s)`;
  return `Dry run ${route}: nothing was changed; ${verdict}; ${would} action(s) a real run would take. Execution ${executionName}.`;
}
