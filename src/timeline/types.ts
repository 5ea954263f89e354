import * as z from 'zod';

/** Names of the workflow's steps as they appear in timelines and reports. */
export const STEP_NAMES = [
  'normalize-input',
  'acquire-lock',
  'verify-failure',
  'check-readiness',
  'await-approval',
  'record-found',
  'hook-before-fencing',
  'drain-traffic',
  'fence-old-primary',
  'promote-database',
  'detach-target',
  'hook-after-promotion',
  'scale-target',
  'hook-after-scale-up',
  'shift-traffic',
  'hook-after-traffic-shift',
  'verify-target',
  'assess-recovery',
  'roll-back',
  'release-lock',
  'report',
  'hook-after-report',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const PHASES = [
  'started',
  'progress',
  'succeeded',
  'skipped',
  'unconfirmed',
  'no-action',
  'failed',
  /** What a mutating step would have done in a dry run; nothing was changed. */
  'dry-run',
  /** The request was recorded but not acted on (another failover holds the lock, cool-down). */
  'suppressed',
] as const;
export type Phase = (typeof PHASES)[number];

const factValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const timelineEventSchema = z.object({
  /** ISO-8601 time the event happened (virtual time in drills). */
  at: z.string(),
  step: z.enum(STEP_NAMES),
  phase: z.enum(PHASES),
  message: z.string(),
  facts: z.record(z.string(), factValue).optional(),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;
export type Facts = NonNullable<TimelineEvent['facts']>;

export const timelineSchema = z.array(timelineEventSchema);

export function event(
  now: Date,
  step: StepName,
  phase: Phase,
  message: string,
  facts?: Facts,
): TimelineEvent {
  return facts
    ? { at: now.toISOString(), step, phase, message, facts }
    : { at: now.toISOString(), step, phase, message };
}
