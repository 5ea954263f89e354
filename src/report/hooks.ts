import * as z from 'zod';
import { invokeHookOutput } from '../hooks/contracts.js';
import { HOOK_STEP } from '../hooks/decision.js';
import { HOOK_POINTS, type HookPoint } from '../plan/hooks.js';
import { failoverRequestSchema } from '../steps/request.js';
import { at, pick } from './state.js';

/**
 * The report's hooks section: for each point the plan has a hook at, what came of it. Read from
 * the execution state (statemachines/failover.asl.json): `steps.hook<Point>` for the sequential
 * points, `takeover.hookAfterPromotion` for the one in the take-over's database branch.
 *
 *   ok | failed | timed-out | skipped   the step ran (skipped: it said why)
 *   not-reached                         the execution ended before this point
 *   pending                             afterReport: invoked after this report is written
 */
export const hookEntrySchema = z.object({
  step: z.string(),
  function: z.string().nullable(),
  onFailure: z.enum(['abort', 'continue']).nullable(),
  status: z.enum(['ok', 'failed', 'timed-out', 'skipped', 'not-reached', 'pending']),
  detail: z.string(),
  seconds: z.number(),
});
export const hooksSectionSchema = z.object(
  Object.fromEntries(HOOK_POINTS.map((point) => [point, hookEntrySchema.optional()])) as Record<
    HookPoint,
    z.ZodOptional<typeof hookEntrySchema>
  >,
);
export type HookEntry = z.infer<typeof hookEntrySchema>;
export type HooksSection = z.infer<typeof hooksSectionSchema>;

const RESULT_AT: Record<Exclude<HookPoint, 'afterReport'>, string[][]> = {
  beforeFencing: [['steps', 'hookBeforeFencing']],
  afterPromotion: [
    ['takeover', 'hookAfterPromotion'],
    ['steps', 'hookAfterPromotion'],
  ],
  afterScaleUp: [['steps', 'hookAfterScaleUp']],
  afterTrafficShift: [['steps', 'hookAfterTrafficShift']],
};

export function hooksOfState(state: unknown): HooksSection {
  const request = pick(failoverRequestSchema, at(state, 'steps', 'normalize', 'request'));
  const flags = request?.hooks;
  const section: HooksSection = {};
  for (const point of HOOK_POINTS) {
    if (point === 'afterReport') {
      if (flags?.afterReport)
        section.afterReport = {
          step: HOOK_STEP.afterReport,
          function: null,
          onFailure: 'continue',
          status: 'pending',
          detail: 'invoked after this report is written; its result is in the logs and the execution history',
          seconds: 0,
        };
      continue;
    }
    const result = RESULT_AT[point]
      .map((path) => pick(invokeHookOutput, at(state, ...path)))
      .find((r) => r !== null);
    if (result) {
      section[point] = {
        step: HOOK_STEP[point],
        function: result.function,
        onFailure: result.onFailure,
        status: result.status,
        detail: result.detail,
        seconds: Math.round(result.durationMs / 100) / 10,
      };
    } else if (flags?.[point]) {
      section[point] = {
        step: HOOK_STEP[point],
        function: null,
        onFailure: null,
        status: 'not-reached',
        detail: 'the execution ended before this point',
        seconds: 0,
      };
    }
  }
  return section;
}

/**
 * The Cause of a HookAborted failure, from the hook's own result in the state. The state machine
 * raises HookAborted from a Pass state, not a task, so a history without Pass outputs (or an
 * execution whose Fail state carries the report's summary as its Cause) still says why.
 */
export function hookAbortCauseOf(state: unknown): string | null {
  for (const paths of Object.values(RESULT_AT)) {
    for (const path of paths) {
      const result = pick(invokeHookOutput, at(state, ...path));
      if (result?.cause) return result.cause;
    }
  }
  return null;
}

/**
 * A dry run's readiness with the hooks it checked (Invoke DryRun, src/steps/invoke-hook.ts): a
 * function that cannot be invoked in the region it would be invoked in is a readiness problem,
 * so the scheduled check's Ready metric pages before the outage does. A function deployed in one
 * region only is the usual cause.
 */
export function withHookReadiness(
  readiness: { ready: boolean | null; problems: string[] },
  section: HooksSection,
  dryRun: boolean,
): { ready: boolean | null; problems: string[] } {
  if (!dryRun) return readiness;
  const problems = HOOK_POINTS.flatMap((point) => {
    const e = section[point];
    return e && (e.status === 'failed' || e.status === 'timed-out')
      ? [`${point} ${e.detail.replace(/^dry run: /, '')}`]
      : [];
  });
  if (problems.length === 0) return readiness;
  return { ready: readiness.ready === null ? null : false, problems: [...readiness.problems, ...problems] };
}

/** Hooks whose failure stopped the failover (onFailure abort, failed or timed out). */
export function abortedHooks(section: HooksSection): [HookPoint, HookEntry][] {
  return HOOK_POINTS.flatMap((point) => {
    const entry = section[point];
    return entry && entry.onFailure === 'abort' && (entry.status === 'failed' || entry.status === 'timed-out')
      ? [[point, entry] as [HookPoint, HookEntry]]
      : [];
  });
}

/** What a human must do about the hooks: each one whose work was not done, and how to do it. */
export function hookActions(section: HooksSection, targetRegion: string | null): string[] {
  const actions: string[] = [];
  for (const point of HOOK_POINTS) {
    const entry = section[point];
    if (!entry?.function) continue;
    const invoke = `aws lambda invoke --region ${targetRegion ?? 'REGION'} --function-name ${entry.function} --cli-binary-format raw-in-base64-out --payload file://hook-payload.json out.json (payload: docs/hooks.md)`;
    if (entry.status === 'timed-out') {
      actions.push(
        `Hook ${entry.function} (${point}) timed out: it may still be running. Check its logs (aws logs tail /aws/lambda/${entry.function.replace(/^.*:function:/, '').split(':')[0]} --since 1h) before invoking it again; if its work was not done: ${invoke}.`,
      );
    } else if (entry.status === 'failed') {
      actions.push(
        `Hook ${entry.function} (${point}) failed: ${entry.detail}. Its work was not done: fix the cause, then ${invoke}.`,
      );
    } else if (entry.status === 'skipped' && entry.detail.startsWith('the execution is recovering')) {
      actions.push(
        `Hook ${entry.function} (${point}) was not invoked: the execution was recovering from a failure. If its work is still wanted: ${invoke}.`,
      );
    }
  }
  const before = section.beforeFencing;
  if (before && abortedHooks({ beforeFencing: before }).length > 0) {
    actions.unshift(
      `The beforeFencing hook ${before.function} stopped the failover before its first change: nothing was changed. Fix the hook (or set its onFailure to "continue"), then start the failover again if it is still needed.`,
    );
  }
  return actions;
}

/**
 * A served failover whose abort hook failed after the point of no return is partial: the summary
 * says so, after the capacity shortfall when there is one too.
 */
export function hookPartialSummary(
  section: HooksSection,
  summary: string,
  capacityShort: boolean,
  request: { sourceRegion: string; targetRegion: string } | null,
  rto: number | null,
  rpo: number | null,
): string {
  const aborted = abortedHooks(section);
  if (aborted.length === 0) return summary;
  const which = aborted
    .map(([point, e]) => `${e.function} (${point}) ${e.status === 'timed-out' ? 'timed out' : 'failed'}`)
    .join(', ');
  const hook = `hook ${which} with onFailure abort after the writer moved: traffic followed the writer; the hook's work was not done (see actions)`;
  if (capacityShort) return `${summary} Also ${hook}.`;
  const route = request ? `${request.sourceRegion} -> ${request.targetRegion}` : 'direction unknown';
  return `Failover ${route} PARTIAL: served from ${request?.targetRegion ?? 'the target'}, but ${hook}: RTO ${rto ?? '?'} s, RPO ${rpo ?? 'unknown'} s.`;
}
