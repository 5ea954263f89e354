import * as z from 'zod';
import { timelineSchema } from '../timeline/types.js';
import { hooksSectionSchema } from './hooks.js';

/**
 * succeeded: served from the target; no-action: failure not sustained; failed: stopped on an
 * error; dry-run: nothing changed, the report says what would have; not-approved: rejected or
 * no approval by the deadline; suppressed: another failover holds the lock, or cool-down.
 */
export const OUTCOMES = [
  'succeeded',
  /** Rolled forward after a failure: served from the target, short of what the plan asks. */
  'partial',
  'no-action',
  'failed',
  'dry-run',
  'not-approved',
  'suppressed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const stepSummarySchema = z.object({
  step: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  seconds: z.number(),
  outcome: z.string(),
});

export const failoverReportSchema = z.object({
  planName: z.string().nullable(),
  executionName: z.string(),
  outcome: z.enum(OUTCOMES),
  mode: z.string().nullable(),
  /**
   * The run was a dry run, whatever its outcome: one stopped by a real error ends 'failed', and
   * what follows the report (an afterReport hook) must still not act as for a real failover.
   */
  dryRun: z.boolean().default(false),
  sourceRegion: z.string().nullable(),
  targetRegion: z.string().nullable(),
  reason: z.string().nullable(),
  requestedBy: z.string().nullable(),
  /** First evidence of the failure: alarm state-change time, or the start of a manual run. */
  detectedAt: z.string(),
  /** When the target was verified serving; null unless the failover completed. */
  verifiedAt: z.string().nullable(),
  /** Orchestrated RTO: detectedAt -> verifiedAt. */
  rtoSeconds: z.number().nullable(),
  /** RTO plus the DNS TTL: clients may keep the old answer that long. */
  userFacingRtoSeconds: z.number().nullable(),
  dnsTtlSeconds: z.number().nullable(),
  rpo: z.object({ seconds: z.number().nullable(), basis: z.string() }),
  /** Planned switchover: from the switchover's start until the new writer accepted writes. */
  writeUnavailableSeconds: z.number().nullable(),
  /**
   * Each Aurora global cluster the plan moves: where its writer is as far as the execution could
   * tell (null: unknown, still moving), how it got there (failover, switchover, detach,
   * already-writer, not moved) and its RPO. `rpo` above is the worst of them.
   */
  databases: z
    .array(
      z.object({
        globalClusterIdentifier: z.string(),
        writerRegion: z.string().nullable(),
        how: z.string(),
        rpoSeconds: z.number().nullable(),
      }),
    )
    .default([]),
  steps: z.array(stepSummarySchema),
  fencing: z.array(
    z.object({ resource: z.string(), action: z.string(), outcome: z.string(), detail: z.string() }),
  ),
  failure: z.object({ error: z.string(), cause: z.string() }).nullable(),
  /** Readiness verdict (every run that reached readiness): null when it gave none. */
  readiness: z.object({ ready: z.boolean().nullable(), problems: z.array(z.string()) }),
  actions: z.array(z.string()),
  /**
   * After a failure: rolled-back (the writer never moved; `complete` when everything reads back
   * as found), rolled-forward (the writer moved; traffic followed it; `complete` at full
   * capacity), or none.
   */
  recovery: z.object({
    kind: z.enum(['none', 'rolled-back', 'rolled-forward']),
    complete: z.boolean(),
    notes: z.array(z.string()),
  }),
  /** Route 53 ARC safety rules a human's manual start overrode for the routing control change. */
  safetyRulesOverridden: z.array(z.string()).default([]),
  /** The plan's lock after this execution; `freeCommand` when it is still held. */
  lock: z.object({
    state: z.enum(['released', 'cooldown', 'held', 'taken-over', 'not-taken', 'unknown']),
    detail: z.string(),
    freeCommand: z.string().nullable(),
  }),
  summary: z.string(),
  /** The plan's hooks: what came of each (src/report/hooks.ts); empty when the plan has none. */
  hooks: hooksSectionSchema.default({}),
  timeline: timelineSchema,
});
export type FailoverReport = z.infer<typeof failoverReportSchema>;
export type StepSummary = z.infer<typeof stepSummarySchema>;
