import { z } from 'zod';

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
  trigger: z.object({ alarmName: z.string(), alarmRegion: z.string(), stateReason: z.string() }).optional(),
});
export type FailoverRequest = z.infer<typeof failoverRequestSchema>;
