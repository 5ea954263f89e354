import * as z from 'zod';
import { RELEASE_OUTCOMES } from '../decisions/lock.js';
import { timelineSchema } from '../timeline/types.js';
import { failoverRequestSchema } from './request.js';

/**
 * Inputs and outputs of the failover lock's two steps (see src/steps/contracts.ts for the
 * conventions). An execution goes on when `acquired` is true, or in a dry run, which takes
 * nothing (its `suppressedReason` says whether a real run would have been suppressed); anything
 * else ends as suppressed. `acquired` also says whether release-lock has anything to do.
 */

const request = failoverRequestSchema;

// ── acquire-lock ────────────────────────────────────────────────────────────────────────
export const acquireLockInput = z.object({ request });
export const acquireLockOutput = z.object({
  /** This execution holds the lock now. Always false in a dry run: nothing is taken. */
  acquired: z.boolean(),
  /** The fencing token mutating steps pass to assertLockHeld; null unless acquired. */
  token: z.number().int().nullable(),
  /** Why this request is recorded and not acted on (in a dry run: why it would be); null to go on. */
  suppressedReason: z.string().nullable(),
  /** This execution when acquired; the execution that holds the lock (or its cool-down) when suppressed by it. */
  holder: z.string().nullable(),
  timeline: timelineSchema,
});

// ── release-lock ────────────────────────────────────────────────────────────────────────
export const releaseLockInput = z.object({
  request,
  /**
   * acquire-lock's output, or the state machine's placeholder for it: only these two fields are
   * read, the rest is dropped.
   */
  lock: acquireLockOutput.pick({ acquired: true, token: true }),
  outcome: z.enum(RELEASE_OUTCOMES),
  /**
   * Read for outcome 'failed' only: false when the execution stopped before its first change
   * (no cool-down then). Absent means it may have changed something.
   */
  acted: z.boolean().optional(),
});
export const releaseLockOutput = z.object({
  /**
   * cooldown: released into a cool-down; released: deleted, no cool-down; none: this execution
   * held no lock; taken-over: another execution holds it now (nothing written); error: the
   * release was refused (the lock frees itself at its expiry, the timeline says how to free it).
   */
  action: z.enum(['cooldown', 'released', 'none', 'taken-over', 'error']),
  /** ISO end of the cool-down, when one is set. */
  cooldownUntil: z.string().nullable(),
  timeline: timelineSchema,
});

export type AcquireLockInput = z.infer<typeof acquireLockInput>;
export type AcquireLockOutput = z.infer<typeof acquireLockOutput>;
export type ReleaseLockInput = z.infer<typeof releaseLockInput>;
export type ReleaseLockOutput = z.infer<typeof releaseLockOutput>;
