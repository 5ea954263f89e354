import * as z from 'zod';
import { fenceOutput } from '../steps/contracts.js';
import { failoverRequestSchema } from '../steps/request.js';
import { timelineSchema } from '../timeline/types.js';
import { foundStateSchema } from './found.js';

/**
 * Inputs and outputs of the recovery steps (record-found, assess-recovery, roll-back), as the
 * state machine passes them. See src/recovery/decide.ts for the point of no return.
 */

const request = failoverRequestSchema;

// ── record-found ────────────────────────────────────────────────────────────────────────
export const recordFoundInput = z.object({ request });
export const recordFoundOutput = foundStateSchema.extend({ timeline: timelineSchema });

// ── assess-recovery ─────────────────────────────────────────────────────────────────────
export const failedPhaseSchema = z.enum(['drain', 'take-over', 'traffic', 'verify']);
export const assessRecoveryOutput = z.object({
  decision: z.enum(['roll-back', 'shift', 'wait', 'stop']),
  why: z.string(),
  writer: z.enum(['source', 'target', 'moving', 'none', 'unreadable', 'silent', 'split']),
  /** Several databases: where each one's writer was read (`writer` is the verdict for them all). */
  databases: z
    .array(
      z.object({
        globalClusterIdentifier: z.string(),
        writer: z.enum(['source', 'target', 'moving', 'none', 'unreadable', 'silent', 'split']),
        detail: z.string(),
      }),
    )
    .optional(),
  phase: failedPhaseSchema,
  /** Times traffic was shifted again after the writer moved. */
  reshifts: z.number().int(),
  /** When this recovery first looked (ISO): bounds the wait for a moving writer. */
  firstAssessedAt: z.string(),
  /** The failure that sent the execution here, kept for the report (later failures overwrite $.failure). */
  failures: z.array(z.object({ phase: failedPhaseSchema, error: z.string(), cause: z.string() })),
  /**
   * The target's services as read here, "name running/desired": when the database branch failed,
   * the compute branch was stopped with it and its own account did not reach the state.
   */
  targetCapacity: z.array(z.string()),
  /** Commands a human must run when the orchestrator stops after the writer moved (src/recovery/hand-over.ts). */
  handOver: z.array(z.string()).default([]),
  timeline: timelineSchema,
});
export const assessRecoveryInput = z.object({
  request,
  phase: failedPhaseSchema,
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }).nullable().optional(),
  /** Take-over branch failures when the Parallel finished with one (compute, database). */
  takeover: z.unknown().optional(),
  previous: assessRecoveryOutput.nullable().optional(),
});

// ── note-failure ────────────────────────────────────────────────────────────────────────
export const noteFailureInput = z.object({
  request,
  lockToken: z.number().int().nullable().optional(),
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }),
});
export const noteFailureOutput = z.object({ noted: z.boolean(), timeline: timelineSchema });

// ── roll-back ───────────────────────────────────────────────────────────────────────────
export const restoredEntrySchema = z.object({
  resource: z.string(),
  /**
   * restored: changed back this round; as-found: read back as it was before the execution;
   * untouched: this execution never changed it; unconfirmed: its region did not answer.
   */
  outcome: z.enum(['restored', 'as-found', 'untouched', 'unconfirmed']),
  detail: z.string(),
});
export const rollBackOutput = z.object({
  /** True once a round read everything back as found and sent nothing (or only unreachable remains). */
  settled: z.boolean(),
  /** True when every resource reads back as found: the report may say "everything restored". */
  complete: z.boolean(),
  round: z.number().int(),
  entries: z.array(restoredEntrySchema),
  followUps: z.array(z.string()),
  timeline: timelineSchema,
});
export const rollBackInput = z.object({
  request,
  found: foundStateSchema.nullable().optional(),
  /** The fence's account (its `previous` per service): the undo record of a source unread before. */
  fence: fenceOutput.nullable().optional().catch(null),
  previous: rollBackOutput.nullable().optional(),
});

export type RecordFoundOutput = z.infer<typeof recordFoundOutput>;
export type AssessRecoveryInput = z.infer<typeof assessRecoveryInput>;
export type AssessRecoveryOutput = z.infer<typeof assessRecoveryOutput>;
export type NoteFailureOutput = z.infer<typeof noteFailureOutput>;
export type RollBackInput = z.infer<typeof rollBackInput>;
export type RollBackOutput = z.infer<typeof rollBackOutput>;
