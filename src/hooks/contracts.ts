import * as z from 'zod';
import { HOOK_POINTS } from '../plan/hooks.js';
import { failoverRequestSchema } from '../steps/request.js';
import { timelineSchema } from '../timeline/types.js';

/**
 * Input and output of the invoke-hook step, as statemachines/failover.asl.json passes them. One
 * function serves every point; `point` says which.
 *
 * Before the report: the request, the steps so far (`$.steps`), the take-over's results and the
 * recovery state, from which the step reads the timeline so far and this point's earlier result.
 * After the report: the report (the state machine's state there is the report, or holds it).
 */
export const hookStatusSchema = z.enum(['ok', 'failed', 'timed-out', 'skipped']);

export const invokeHookOutput = z.object({
  point: z.enum(HOOK_POINTS),
  /** The function as the plan names it; null when the plan names none at this point. */
  function: z.string().nullable(),
  onFailure: z.enum(['abort', 'continue']).nullable(),
  status: hookStatusSchema,
  /** ok: the function's answer (cut short); failed: its error; timed out or skipped: why. */
  detail: z.string(),
  /** From the Invoke request to its answer (or the timeout); 0 when skipped. */
  durationMs: z.number().int().min(0),
  /** The state machine stops the failover when true: set only by the invocation that failed. */
  stopNow: z.boolean(),
  /** The failure's Cause when stopNow: names the step, so the report can tell where it stopped. */
  cause: z.string().nullable(),
  timeline: timelineSchema,
});
export type InvokeHookOutput = z.infer<typeof invokeHookOutput>;

const beforeReport = z.object({
  point: z.enum(['beforeFencing', 'afterPromotion', 'afterScaleUp', 'afterTrafficShift']),
  request: failoverRequestSchema,
  /** `$.steps`: every sequential step's output so far, this point's earlier result among them. */
  sofar: z.record(z.string(), z.unknown()),
  takeover: z.unknown().optional(),
  recovery: z.unknown().optional(),
});
const afterReport = z.object({
  point: z.literal('afterReport'),
  /** The report as the report step built it (src/report/types.ts). */
  report: z.record(z.string(), z.unknown()),
});
export const invokeHookInput = z.discriminatedUnion('point', [beforeReport, afterReport]);
export type InvokeHookInput = z.infer<typeof invokeHookInput>;

/** Where each point's result sits in `$.steps` (statemachines/failover.asl.json ResultPath). */
export const HOOK_RESULT_KEY = {
  beforeFencing: 'hookBeforeFencing',
  afterPromotion: 'hookAfterPromotion',
  afterScaleUp: 'hookAfterScaleUp',
  afterTrafficShift: 'hookAfterTrafficShift',
  afterReport: 'hookAfterReport',
} as const satisfies Record<(typeof HOOK_POINTS)[number], string>;
