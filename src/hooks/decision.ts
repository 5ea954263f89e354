import type { HookPlan, HookPoint } from '../plan/hooks.js';
import type { StepName } from '../timeline/types.js';

/**
 * Whether a hook runs, and what its result means for the failover. Pure: the step that calls
 * Lambda (src/steps/invoke-hook.ts) feeds it what it read.
 *
 *   plan names a hook at this point?  no ─▶ the state machine's Choice skips the step altogether
 *        │ yes
 *   already ran in this execution? ───▶ keep its result (a recovery re-entering the point)
 *   the execution is recovering? ─────▶ skip: a failure came first; recovery does only what safety needs
 *   plannedOnly and not planned? ─────▶ skip: unplanned failovers skip it (as AWS Region switch does)
 *   dry run? ─────────────────────────▶ validate: Invoke DryRun checks the function exists and may
 *        │                               be invoked, and runs nothing
 *      invoke ─▶ ok | failed | timed-out ─▶ failed or timed out with onFailure abort: stop now
 */

/** Each point's step name on the timeline and in the report's steps list. */
export const HOOK_STEP: Readonly<Record<HookPoint, StepName>> = {
  beforeFencing: 'hook-before-fencing',
  afterPromotion: 'hook-after-promotion',
  afterScaleUp: 'hook-after-scale-up',
  afterTrafficShift: 'hook-after-traffic-shift',
  afterReport: 'hook-after-report',
};

export type HookStatus = 'ok' | 'failed' | 'timed-out' | 'skipped';

export interface HookRunContext {
  mode: 'automatic' | 'manual' | 'planned';
  dryRun: boolean;
  /** A failure already sent the execution to recovery (AssessRecovery ran). */
  recovering: boolean;
  /** What this point's step returned earlier in the execution, if it ran. */
  previous: { status: HookStatus } | null;
}

export type HookRunVerdict =
  | { run: true; validateOnly: boolean }
  | { run: false; keepPrevious: true; why: string }
  | { run: false; keepPrevious: false; why: string };

export function decideHookRun(hook: HookPlan, ctx: HookRunContext): HookRunVerdict {
  if (ctx.previous && ctx.previous.status !== 'skipped') {
    return {
      run: false,
      keepPrevious: true,
      why: `already ran in this execution (${ctx.previous.status}): a hook is invoked once per execution`,
    };
  }
  if (ctx.recovering) {
    return {
      run: false,
      keepPrevious: false,
      why: 'the execution is recovering from a failure: recovery runs only what safety needs; invoke the hook by hand if its work is still wanted',
    };
  }
  if (hook.plannedOnly && ctx.mode !== 'planned') {
    return {
      run: false,
      keepPrevious: false,
      why: `plannedOnly: skipped in ${ctx.mode === 'automatic' ? 'an automatic' : 'a manual'} (unplanned) failover`,
    };
  }
  // A dry run changes nothing, but what a real run needs is checked: the function exists in the
  // region it is invoked in and the orchestrator may invoke it (the scheduled readiness check).
  return { run: true, validateOnly: ctx.dryRun };
}

/** A failed or timed-out hook with onFailure abort stops the failover; nothing else does (a dry run never stops). */
export function stopsFailover(hook: HookPlan, status: HookStatus, dryRun = false): boolean {
  return !dryRun && hook.onFailure === 'abort' && (status === 'failed' || status === 'timed-out');
}

/** What the abort means at each point, for the failure's Cause and the report. */
export function abortMeaning(point: HookPoint): string {
  switch (point) {
    case 'beforeFencing':
      return 'the failover stops before its first change: nothing was changed';
    case 'afterPromotion':
    case 'afterScaleUp':
    case 'afterTrafficShift':
      return 'the writer has already moved, so the failover cannot be undone: it stops, and recovery rolls forward only what safety needs (traffic follows the writer)';
    case 'afterReport':
      return 'nothing: the report is written';
  }
}
