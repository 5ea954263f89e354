import * as z from 'zod';
import { timelineSchema } from '../timeline/types.js';
import { checkReadinessOutput, databasePollsSchema, fenceOutput, promoteOutput } from './contracts.js';
import { failoverRequestSchema } from './request.js';

/**
 * Inputs and outputs of the steps that sit around the core failover: the approval gate, the
 * gradual drain of a planned move and the detach fallback of a stuck unplanned failover. Same
 * rules as contracts.ts: outputs land at `$.steps.<key>`, carry their timeline, stay compact.
 */

const request = failoverRequestSchema;

// ── request-approval (await-approval) ───────────────────────────────────────────────────
export const requestApprovalInput = z.object({
  request,
  /** CheckReadiness's output, summarised in the message so the approver sees what was checked. */
  readiness: checkReadinessOutput.optional(),
  /** `$$.Task.Token` of the waitForTaskToken task: what SendTaskSuccess/SendTaskFailure need. */
  taskToken: z.string().min(1),
  /**
   * `$$.State.EnteredTime`, when the state machine passes it: the state's timeout runs from then,
   * so the deadline in the message is exact. Without it the Lambda's own clock is used.
   */
  enteredAt: z.iso.datetime().optional(),
});
export const requestApprovalOutput = z.object({
  /** false in a dry run: nothing was published. */
  notified: z.boolean(),
  messageId: z.string().nullable(),
  /** When the approval task times out and the plan's policy decides (ISO). */
  deadline: z.string(),
  dryRun: z.literal(true).optional(),
  timeline: timelineSchema,
});
/**
 * What the approver sends with SendTaskSuccess (`--task-output`), the task's result at
 * `$.steps.approval`. A rejection is SendTaskFailure with error `ApprovalRejected` instead.
 */
export const approvalDecisionSchema = z.object({
  approved: z.literal(true),
  by: z.string().min(1),
  reason: z.string().optional(),
});

// ── drain-traffic ───────────────────────────────────────────────────────────────────────
export const drainTrafficInput = z.object({
  request,
  /** This step's previous output (`$.steps.drain`); `{ timeline: [] }` before the first step. */
  previous: z.object({
    timeline: timelineSchema,
    /** Index into plan.dns.drain.sourceWeights of the step last applied; absent before the first. */
    stepIndex: z.number().int().min(-1).optional(),
  }),
});
export const drainTrafficOutput = z.object({
  /** true after the last configured step (or when there is nothing to drain): go on to the switchover. */
  done: z.boolean(),
  /** Index into plan.dns.drain.sourceWeights applied by this invocation; -1 when nothing applies. */
  stepIndex: z.number().int().min(-1),
  /** The source's weight (= its percentage of answers) after this step; null when nothing applies. */
  sourceWeight: z.number().int().nullable(),
  /** 100 - sourceWeight; null when nothing applies. */
  targetWeight: z.number().int().nullable(),
  /** Seconds to wait before the next step (plan.dns.drain.intervalSeconds); 0 when nothing applies. */
  waitSeconds: z.number().int().min(0),
  /** Change batches sent by this invocation, one per hosted zone (GetChange ids, no prefix). */
  changeIds: z.array(z.string()),
  dryRun: z.literal(true).optional(),
  timeline: timelineSchema,
});

// ── detach-target ───────────────────────────────────────────────────────────────────────
/**
 * One database in detach-target's output. `managed`: its managed operation is still in time and
 * is left to finish (a plan with several databases may detach some and not others); check-detach
 * follows it like check-promotion, until `deadline`, the promotion's. `refused`: it cannot be
 * detached (`reason`) while another database's managed move is in flight: check-detach waits for
 * those, then fails naming it, so recovery reads where every writer ended.
 */
export const detachedDatabaseSchema = z.object({
  globalClusterIdentifier: z.string(),
  action: z.enum([
    'detached',
    'already-detached',
    'already-writer',
    'dry-run',
    'waiting',
    'managed',
    'refused',
  ]),
  reason: z.string().optional(),
  startedAt: z.string(),
  /** ISO time after which check-detach gives up on this database. */
  deadline: z.string(),
});
export const detachTargetInput = z.object({
  request,
  /**
   * PromoteDatabase's output: which managed operation got stuck, and since when; or action
   * `detach` when the managed operation could not be used at all (its `reason`).
   */
  promotion: promoteOutput,
  /** FenceOldPrimary's output: whether the old region's services were fenced. */
  fencing: fenceOutput,
  /** This step's previous output (`$.steps.detach`): `{ timeline: [] }` before the first attempt. */
  previous: z
    .object({
      timeline: timelineSchema,
      action: z.string().optional(),
      startedAt: z.string().optional(),
      databases: z.array(detachedDatabaseSchema).optional(),
    })
    .optional(),
});
export const detachTargetOutput = z.object({
  /**
   * detached: RemoveFromGlobalCluster sent now; already-detached: the target had already left the
   * global cluster (an earlier attempt or an operator); already-writer: the managed failover
   * finished after all, nothing to detach; dry-run: a real run would detach, nothing was sent;
   * waiting: not yet safe because the old region's fenced tasks still drain; the state machine
   * looks again after WaitBeforeDetach, until the promotion's deadline (`deadline` then).
   */
  action: z.enum(['detached', 'already-detached', 'already-writer', 'dry-run', 'waiting']),
  /**
   * Why the target is detached rather than promoted by the managed operation: it was stuck, or
   * it could not be used (the members' engine versions differ).
   */
  reason: z.string().optional(),
  startedAt: z.string(),
  /** ISO time after which CheckDetach gives up (DeadlineExceededError). */
  deadline: z.string(),
  /**
   * Why detaching could not give a second writer: the old region's services were fenced, or it
   * does not answer at all. not-needed: nothing was detached by this step; refused: a dry run
   * found that a real run would refuse (the note says why); pending: waiting until it is safe.
   */
  precaution: z.object({
    basis: z.enum(['fenced', 'not-needed', 'refused', 'pending']),
    note: z.string(),
  }),
  /** Commands to rebuild the global database later, in order; the report lists them for the operator. */
  rebuildInstructions: z.array(z.string()),
  dryRun: z.literal(true).optional(),
  /** Per database (plan order); the fields above sum them up. */
  databases: z.array(detachedDatabaseSchema).optional(),
  timeline: timelineSchema,
});
export const checkDetachInput = z.object({
  request,
  detach: detachTargetOutput,
  previous: z.object({ timeline: timelineSchema }).optional(),
});
export const checkDetachOutput = z.object({
  done: z.boolean(),
  /** DescribeDBClusters Status of the target cluster (e.g. promoting, available). */
  status: z.string(),
  /** When the target was first seen taking writes on its own (ISO), once done; as in check-promotion. */
  writerSince: z.string().nullable(),
  /** Per database: done (writes in the target), its status, since when. */
  databases: databasePollsSchema.optional(),
  timeline: timelineSchema,
});

export type RequestApprovalInput = z.infer<typeof requestApprovalInput>;
export type RequestApprovalOutput = z.infer<typeof requestApprovalOutput>;
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;
export type DrainTrafficInput = z.infer<typeof drainTrafficInput>;
export type DrainTrafficOutput = z.infer<typeof drainTrafficOutput>;
export type DetachTargetInput = z.infer<typeof detachTargetInput>;
export type DetachTargetOutput = z.infer<typeof detachTargetOutput>;
export type DetachedDatabase = z.infer<typeof detachedDatabaseSchema>;
export type CheckDetachInput = z.infer<typeof checkDetachInput>;
export type CheckDetachOutput = z.infer<typeof checkDetachOutput>;
