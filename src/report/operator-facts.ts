import * as z from 'zod';
import { acquireLockOutput } from '../steps/contracts-lock.js';
import { approvalDecisionSchema, detachTargetOutput } from '../steps/contracts-operators.js';
import type { TimelineEvent } from '../timeline/types.js';
import { at, pick } from './state.js';

/**
 * What the report says about the operator side of an execution: the lock (suppressed or not),
 * the approval (who, when, or nobody by the deadline) and the detach fallback. The approval's
 * result comes from a human, not from a step, so its timeline events are written here.
 */
export interface OperatorFacts {
  events: TimelineEvent[];
  actions: string[];
  /** The one-line summary for outcomes these facts explain (suppressed, not approved). */
  summary: string | null;
}

/**
 * The approval's end when nobody approved: the Pass states after the Catch say which, and a
 * history without those states still holds the caught error (ApprovalRejected or a timeout).
 */
const approvalOutcomeSchema = z.object({
  decision: z.enum(['rejected', 'timed-out-proceeded', 'timed-out-stopped']).optional(),
  Error: z.string().optional(),
  Cause: z.string().optional(),
});

function decisionOf(
  outcome: z.infer<typeof approvalOutcomeSchema>,
  state: unknown,
): 'rejected' | 'timed-out-proceeded' | 'timed-out-stopped' | null {
  if (outcome.decision) return outcome.decision;
  if (outcome.Error === 'ApprovalRejected') return 'rejected';
  if (outcome.Error !== 'States.Timeout') return null;
  const policy = at(state, 'steps', 'normalize', 'request', 'approval', 'policy');
  return policy === 'wait-then-proceed' ? 'timed-out-proceeded' : 'timed-out-stopped';
}

export function operatorFacts(
  state: unknown,
  timeline: readonly TimelineEvent[],
  reportedAt: string,
): OperatorFacts {
  const events: TimelineEvent[] = [];
  const actions: string[] = [];
  let summary: string | null = null;

  const lock = pick(acquireLockOutput, at(state, 'steps', 'lock'));
  if (lock && !lock.acquired && lock.suppressedReason) {
    summary = `Failover suppressed, nothing done: ${lock.suppressedReason}.`;
    actions.push(
      `Suppressed: ${lock.suppressedReason}. Nothing to do unless that failover needs help (runbooks/failure-paths.md, "Failover suppressed").`,
    );
  }

  const approved = pick(approvalDecisionSchema, at(state, 'steps', 'approval'));
  const caught = pick(approvalOutcomeSchema, at(state, 'steps', 'approvalOutcome'));
  const decision = caught ? decisionOf(caught, state) : null;
  const outcome = caught && decision ? { ...caught, decision } : null;
  if (approved || outcome) {
    // Approval is asked once readiness has passed, and decided before the next step starts.
    const askedAt = [...timeline].reverse().find((e) => e.step === 'check-readiness')?.at ?? reportedAt;
    const next = timeline.find(
      (e) =>
        e.at >= askedAt &&
        !['check-readiness', 'await-approval', 'normalize-input', 'acquire-lock', 'verify-failure'].includes(
          e.step,
        ),
    );
    const decidedAt = next?.at ?? reportedAt;
    events.push({
      at: askedAt,
      step: 'await-approval',
      phase: 'started',
      message: 'waiting for a human to approve or reject',
    });
    if (approved) {
      const why = approved.reason ? `: ${approved.reason}` : '';
      events.push({
        at: decidedAt,
        step: 'await-approval',
        phase: 'succeeded',
        message: `approved by ${approved.by}${why}`,
        facts: { by: approved.by },
      });
    } else if (outcome?.decision === 'rejected') {
      const cause = outcome.Cause ?? 'rejected';
      events.push({ at: reportedAt, step: 'await-approval', phase: 'failed', message: cause });
      summary = `Failover not approved, nothing changed: ${cause}.`;
    } else if (outcome?.decision === 'timed-out-stopped') {
      events.push({
        at: reportedAt,
        step: 'await-approval',
        phase: 'failed',
        message: 'no decision by the deadline: stopped (policy wait)',
      });
      summary =
        'Failover not approved, nothing changed: no decision by the deadline (approval policy "wait").';
      actions.push(
        'Nobody approved in time. If the primary is still failing, start a manual failover (runbooks/manual-failover.md).',
      );
    } else if (outcome?.decision === 'timed-out-proceeded') {
      events.push({
        at: decidedAt,
        step: 'await-approval',
        phase: 'succeeded',
        message: 'no decision by the deadline: proceeding (policy wait-then-proceed)',
      });
      actions.push(
        'The failover went ahead without a human decision (approval timed out under "wait-then-proceed"): review why nobody answered.',
      );
    }
  }

  const detach = pick(detachTargetOutput, at(state, 'takeover', 'detach'));
  const several = (detach?.databases?.length ?? 0) > 1;
  if (detach && several && (detach.action === 'detached' || detach.action === 'already-detached')) {
    const gone = (detach.databases ?? []).filter(
      (d) => d.action === 'detached' || d.action === 'already-detached',
    );
    actions.push(
      `${gone.map((d) => d.globalClusterIdentifier).join(', ')} moved by detach (${detach.reason ?? 'the managed failover was not usable'}; ${detach.precaution.note}). They have no standby now: rebuild each global database (runbooks/failure-paths.md, "Promotion stuck, target detached"):`,
      ...detach.rebuildInstructions.map((line) => `  ${line}`),
    );
  } else if (detach && (detach.action === 'detached' || detach.action === 'already-detached')) {
    actions.push(
      `${detach.reason?.startsWith('the managed failover cannot be used') ? `The managed Aurora failover could not be used (${detach.reason.replace(/^the managed failover cannot be used: /, '')})` : 'The managed Aurora failover was stuck'}, so the target was detached from the global cluster (${detach.precaution.note}). There is no standby now: rebuild the global database (runbooks/failure-paths.md, "Promotion stuck, target detached"):`,
      ...detach.rebuildInstructions.map((line) => `  ${line}`),
    );
  }
  return { events, actions, summary };
}
