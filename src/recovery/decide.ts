/**
 * The point of no return, as one table. The moment the writer moves is the line:
 *
 *   start ── lock ── verify ── readiness ── [drain] ── fence ─┬─ promote ──▶ writer moved ── shift ── verify
 *                                                            └─ scale ─────────────────────┘
 *   ◀──────────── a failure here rolls BACK ──────────────────▶│◀──── a failure here rolls FORWARD ────▶
 *
 * Before it, the source still writes: undo what this execution changed (un-fence the source's
 * desired counts, autoscaling bounds and suspended scaling; scale the target back) and say so.
 * After it, the source no longer writes: traffic must follow the writer, even to partial
 * capacity, because a fenced source with no writer behind it serves nobody. While the writer is
 * in motion (a FailoverState is present) nothing can be decided: wait for Aurora to settle.
 * When the writer cannot be read at all, never act on a guess: stop and hand over to a human.
 *
 * Pure: the step that reads AWS (src/steps/assess-recovery.ts) feeds it observations.
 */

/** Where Aurora's writer is, as read from the target's region (the orchestrator's own). */
export type WriterObservation =
  /** The source is still the global writer: the writer never moved. */
  | 'source'
  /** The target is the global writer, or was detached and writes on its own. */
  | 'target'
  /** A FailoverState is present: a failover or switchover is under way. */
  | 'moving'
  /** The read answered but shows no single writer (none, or two after a detach). */
  | 'none'
  /** The read was refused (access, a missing cluster): an answer, and not a usable one. */
  | 'unreadable'
  /**
   * Several databases: some writers moved to the target, the others still write in the source
   * (src/recovery/split.ts). Past the point of no return: roll forward, hand the rest over.
   */
  | 'split'
  /** The read did not get through (throttled, timed out, the region silent): look again. */
  | 'silent';

/** Which part of the workflow failed. */
export type FailedPhase = 'drain' | 'take-over' | 'traffic' | 'verify';

export type RecoveryDecision =
  /** Undo this execution's changes; the writer never moved. */
  | 'roll-back'
  /** Shift (or re-shift) traffic to the writer's region, partial capacity accepted. */
  | 'shift'
  /** The writer is moving: look again after a short wait. */
  | 'wait'
  /** Nothing better is reachable by the orchestrator: report and hand over. */
  | 'stop';

export interface RecoveryInput {
  writer: WriterObservation;
  phase: FailedPhase;
  /** Dry runs changed nothing: there is nothing to recover. */
  dryRun: boolean;
  /** How many times traffic was already re-shifted in this execution's recovery. */
  reshifts: number;
  /** How long this recovery has waited for a moving writer so far (ms). */
  waitedMs: number;
  /** The failure was a routing-control safety rule refusing the shift: shifting again is refused too. */
  refusedBySafetyRule?: boolean;
}

export interface RecoveryVerdict {
  decision: RecoveryDecision;
  /** One sentence for the timeline and the report: why this way. */
  why: string;
}

/** Traffic is re-shifted at most this many times after the writer moved (each bounded by the DNS deadline). */
export const MAX_RESHIFTS = 1;
/** How long recovery waits for a FailoverState to clear before handing over (ms). */
export const MAX_WAIT_FOR_WRITER_MS = 10 * 60_000;
/** Pause between two looks at a moving writer (s); the state machine's WaitBeforeReassess. */
export const REASSESS_AFTER_SECONDS = 15;

export function decideRecovery(input: RecoveryInput): RecoveryVerdict {
  if (input.dryRun) return { decision: 'stop', why: 'dry run: nothing was changed, nothing to recover' };
  switch (input.writer) {
    case 'source':
      return {
        decision: 'roll-back',
        why: 'the writer never moved: undoing what this execution changed so the source serves as before',
      };
    case 'moving':
      return input.waitedMs < MAX_WAIT_FOR_WRITER_MS
        ? {
            decision: 'wait',
            why: 'a failover is under way: neither rolling back nor forward until Aurora settles',
          }
        : {
            decision: 'stop',
            why: `the writer was still moving after ${MAX_WAIT_FOR_WRITER_MS / 60_000} min: a human must decide`,
          };
    case 'target':
      if (input.refusedBySafetyRule) {
        return {
          decision: 'stop',
          why: 'a Route 53 ARC safety rule refused the shift and would refuse it again: a human must override it (runbooks/arc-safety-rule.md)',
        };
      }
      if (input.phase === 'take-over' || input.phase === 'drain') {
        return {
          decision: 'shift',
          why: 'the writer moved: rolling forward, traffic follows the writer even to partial capacity',
        };
      }
      return input.reshifts < MAX_RESHIFTS
        ? {
            decision: 'shift',
            why: `the writer moved: rolling forward, shifting traffic again (attempt ${input.reshifts + 2})`,
          }
        : {
            decision: 'stop',
            why: `the writer moved but traffic did not follow after ${MAX_RESHIFTS + 1} attempts: a human must move it`,
          };
    case 'split':
      if (input.phase === 'verify' || input.refusedBySafetyRule) {
        // Re-shifting moves no database: verification fails until a human moves the rest.
        return {
          decision: 'stop',
          why: 'some databases moved and others still write in the source: traffic follows the ones that moved; a human must move the rest (see actions)',
        };
      }
      return input.phase === 'traffic' && input.reshifts >= MAX_RESHIFTS
        ? {
            decision: 'stop',
            why: `some databases moved but traffic did not follow after ${MAX_RESHIFTS + 1} attempts: a human must move it, and the databases left behind`,
          }
        : {
            decision: 'shift',
            why: 'some databases moved (the point of no return) while others still write in the source: rolling forward, traffic follows the ones that moved; the rest are handed over by name',
          };
    case 'none':
      return { decision: 'stop', why: 'no single writer can be seen: never act on a guess' };
    case 'unreadable':
      return { decision: 'stop', why: 'the writer could not be read: never act on a guess' };
    case 'silent':
      return input.waitedMs < MAX_WAIT_FOR_WRITER_MS
        ? {
            decision: 'wait',
            why: 'where the writer is cannot be read right now: looking again, acting on no guess',
          }
        : {
            decision: 'stop',
            why: `the writer could not be read for ${MAX_WAIT_FOR_WRITER_MS / 60_000} min: never act on a guess, a human must decide`,
          };
  }
}
