import * as z from 'zod';

/**
 * The normalised request every step after NormalizeInput receives: what is being moved, where,
 * why and since when. Built from an alarm event or from an operator's start input.
 */
export const failoverRequestSchema = z.object({
  planName: z.string(),
  /** automatic: an alarm; manual: an operator, data loss allowed; planned: switchover, no data loss. */
  mode: z.enum(['automatic', 'manual', 'planned']),
  sourceRegion: z.string(),
  targetRegion: z.string(),
  reason: z.string(),
  requestedBy: z.string(),
  /** First evidence of the failure: the alarm's state-change time, or the execution start. */
  detectedAt: z.string(),
  executionName: z.string(),
  /**
   * The Step Functions execution ARN (`$$.Execution.Id`, passed by the state machine): events name
   * it and link to it. Absent in requests built before it was passed.
   */
  executionArn: z.string().optional(),
  trigger: z.object({ alarmName: z.string(), alarmRegion: z.string(), stateReason: z.string() }).optional(),
  /** Perform every read and check, record what each change would be, change nothing. */
  dryRun: z.boolean().optional(),
  /**
   * Route 53 ARC safety rules (ARNs) a human's manual start allows the routing control change to
   * override; absent for every other start.
   */
  safetyRulesToOverride: z.array(z.string()).optional(),
  /** Planned move with the plan's dns.drain: traffic moves gradually before the switchover. */
  drain: z.boolean().optional(),
  /**
   * Which points of the workflow have a plan hook (src/plan/hooks.ts): the state machine's Choice
   * states read these, since it has no plan. Absent in requests built before hooks existed.
   */
  hooks: z
    .object({
      beforeFencing: z.boolean(),
      afterPromotion: z.boolean(),
      afterScaleUp: z.boolean(),
      afterTrafficShift: z.boolean(),
      afterReport: z.boolean(),
    })
    .optional(),
  /**
   * Human approval before the first change: none (go on), wait (for a decision; none by the
   * deadline stops the failover) or wait-then-proceed (go on at the deadline). From the plan's
   * `approval` for automatic starts; operator starts are already a human decision (none).
   */
  approval: z
    .object({
      policy: z.enum(['none', 'wait', 'wait-then-proceed']),
      timeoutSeconds: z.number().int().min(1),
    })
    .optional(),
});
export type FailoverRequest = z.infer<typeof failoverRequestSchema>;
