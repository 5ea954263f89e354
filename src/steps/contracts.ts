import * as z from 'zod';
import type { RecordAnswers } from '../dns-answers/decision.js';
import { timelineSchema } from '../timeline/types.js';
import { failoverRequestSchema } from './request.js';

/** One database's state in a polling step (check-promotion, check-detach): done, status, since when. */
export const databasePollsSchema = z.array(
  z.object({
    globalClusterIdentifier: z.string(),
    done: z.boolean(),
    status: z.string(),
    writerSince: z.string().nullable(),
  }),
);

/**
 * The input and output of every Lambda step, as the state machine passes them
 * (statemachines/failover.asl.json). Outputs land at `$.steps.<key>`; each carries the
 * timeline events it recorded. Polling steps receive their previous output as `previous`
 * and carry its timeline forward, so the last poll holds the whole story of its phase.
 * Keep these compact: the whole execution state must stay far below 256 KB.
 */

const request = failoverRequestSchema;

// ── verify-failure ──────────────────────────────────────────────────────────────────────
export const signalVerdictSchema = z.object({
  name: z.string(),
  readFrom: z.string(),
  /** false when the metric could not be read (region unreachable, no data at all). */
  readable: z.boolean(),
  datapoints: z.number().int(),
  failingDatapoints: z.number().int(),
  /** Counted as failing for the K-of-N decision. */
  failing: z.boolean(),
  note: z.string().optional(),
});
export const verifyFailureInput = z.object({
  request,
  /** How many times the check already ran in this execution (0 on the first run). */
  attempt: z.number().int().min(0),
  previous: z.object({ timeline: timelineSchema }).optional(),
});
export const verifyFailureOutput = z.object({
  /** failover: go on; recheck: evidence incomplete, wait and look again; no-action: a blip. */
  decision: z.enum(['failover', 'recheck', 'no-action']),
  attempt: z.number().int(),
  recheckAfterSeconds: z.number().int(),
  signals: z.array(signalVerdictSchema),
  timeline: timelineSchema,
});

// ── check-readiness ─────────────────────────────────────────────────────────────────────
export const readinessCheckSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string() });
export const checkReadinessInput = z.object({ request });
export const checkReadinessOutput = z.object({
  /**
   * Always true in a real run (a failed check throws TargetNotReadyError there). A dry run
   * returns false instead, with the failed checks in `checks`, and goes on.
   */
  ready: z.boolean(),
  checks: z.array(readinessCheckSchema),
  /** RPO lag (ms) read from the target's cluster, when available: evidence for the RPO estimate. */
  rpoLagMs: z.number().nullable(),
  /**
   * The members' engine versions as read (DescribeDBClusters; the source's only when its region
   * answered). promote-database decides from them whether the managed operation can be used.
   */
  engines: z.object({ source: z.string().nullable(), target: z.string().nullable() }).optional(),
  /**
   * Per database (plan order): its RPO lag and engine versions as read. The fields above are the
   * worst lag and the first database's engines (a plan with one database has only that one).
   */
  databases: z
    .array(
      z.object({
        globalClusterIdentifier: z.string(),
        rpoLagMs: z.number().nullable(),
        engines: z.object({ source: z.string().nullable(), target: z.string().nullable() }),
      }),
    )
    .optional(),
  /**
   * The target's quotas against the scale-up (src/steps/capacity-readiness.ts): enough, short or
   * unknown; `proceedsDespite` when an unplanned failover goes on short (partial capacity beats
   * none) and the report must say what a human has to do. Absent when the check did not run.
   */
  capacity: z
    .object({
      verdict: z.enum(['enough', 'short', 'unknown']),
      proceedsDespite: z.boolean(),
      detail: z.string(),
      quotaIncreaseCommand: z.string().nullable(),
    })
    .optional(),
  timeline: timelineSchema,
});

// ── fence-old-primary ───────────────────────────────────────────────────────────────────
export const fenceOutcomeSchema = z.object({
  resource: z.string(),
  action: z.string(),
  /**
   * fenced: done now; already: was already fenced; unconfirmed: the call did not get through;
   * would-fence: a dry run read the resource and a real run would fence it (nothing was sent).
   */
  outcome: z.enum(['fenced', 'already', 'unconfirmed', 'would-fence']),
  detail: z.string(),
  /**
   * An ECS service as found before fencing, whenever the read got through (also when a change
   * then did not): what a rollback or failback restores. Autoscaling fields null without a scaler.
   */
  previous: z
    .object({
      desired: z.number().int(),
      minCapacity: z.number().int().nullable(),
      maxCapacity: z.number().int().nullable(),
      suspended: z
        .object({ dynamicIn: z.boolean(), dynamicOut: z.boolean(), scheduled: z.boolean() })
        .nullable(),
    })
    .optional(),
});
export const fenceInput = z.object({ request });
export const fenceOutput = z.object({
  fencing: z.array(fenceOutcomeSchema),
  /** Commands a human must run when the old region answers again (empty when all fenced). */
  followUps: z.array(z.string()),
  timeline: timelineSchema,
});

// ── promote-database ────────────────────────────────────────────────────────────────────
export const promoteInput = z.object({
  request,
  /** CheckReadiness's output (`$.steps.readiness`): the engine versions it read, when it did. */
  readiness: z
    .object({
      engines: checkReadinessOutput.shape.engines,
      databases: checkReadinessOutput.shape.databases,
    })
    .optional(),
});
/** What promote-database did for one of the plan's databases. */
export const promotedDatabaseSchema = z.object({
  globalClusterIdentifier: z.string(),
  /**
   * refused: RDS refused this database's switchover after the others' were accepted (a planned
   * move: both regions up, so no detach); check-promotion waits for the others, then fails the
   * branch naming it, so recovery reads every writer where it ended.
   */
  action: z.enum(['failover', 'switchover', 'already-writer', 'detach', 'refused']),
  /** action detach or refused: why the managed operation is not used (or was refused) for this database. */
  reason: z.string().optional(),
  rpoLagMsBeforePromotion: z.number().nullable(),
  rpoBoundSeconds: z.number().optional(),
});
export const promoteOutput = z.object({
  /**
   * failover / switchover: the managed operation was requested (or found under way); detach: it
   * cannot be used (`reason`), so the state machine goes straight to DetachTarget.
   */
  action: z.enum(['failover', 'switchover', 'already-writer', 'detach']),
  /** action detach: why the managed operation was not used. */
  reason: z.string().optional(),
  startedAt: z.string(),
  /** ISO time after which CheckPromotion gives up (DeadlineExceededError). */
  deadline: z.string(),
  /** Last RPO lag observed before promotion (ms), the unplanned RPO estimate; null when unreadable. */
  rpoLagMsBeforePromotion: z.number().nullable(),
  /**
   * The plan's rds.global_db_rpo (database.globalDbRpoSeconds), when set: Aurora blocked commits
   * beyond it, so an unplanned move lost at most this much. Evidence for the report's RPO.
   */
  rpoBoundSeconds: z.number().optional(),
  /** Dry run: `action` is what a real run would do, nothing was sent; CheckPromotion polls nothing. */
  dryRun: z.literal(true).optional(),
  /**
   * Per database (plan order). The fields above sum them up: action `detach` when any database
   * goes by detach, the worst RPO lag, a common deadline.
   */
  databases: z.array(promotedDatabaseSchema).optional(),
  timeline: timelineSchema,
});
export const checkPromotionInput = z.object({
  request,
  promotion: promoteOutput,
  previous: z.object({ timeline: timelineSchema }).optional(),
});
export const checkPromotionOutput = z.object({
  done: z.boolean(),
  /** Global cluster FailoverState status, or 'complete'. */
  status: z.string(),
  /** When the target was first seen as writer (ISO), once done; the latest database's with several. */
  writerSince: z.string().nullable(),
  /** Per database polled: whether its target writes, its status, since when. */
  databases: databasePollsSchema.optional(),
  timeline: timelineSchema,
});

// ── scale-target ────────────────────────────────────────────────────────────────────────
export const scaledServiceSchema = z.object({
  name: z.string(),
  cluster: z.string(),
  service: z.string(),
  previousDesired: z.number().int(),
  desired: z.number().int(),
  action: z.enum(['scaled', 'already']),
  minCapacityRaised: z.boolean(),
  /** Scale-out and scheduled scaling were found suspended (a fenced service) and were resumed. */
  scalingResumed: z.boolean().optional(),
});
export const scaleInput = z.object({ request });
export const scaleOutput = z.object({
  services: z.array(scaledServiceSchema),
  startedAt: z.string(),
  deadline: z.string(),
  /** Dry run: each service's `action` and `minCapacityRaised` are what a real run would do; nothing was sent. */
  dryRun: z.literal(true).optional(),
  timeline: timelineSchema,
});
export const checkScaleInput = z.object({
  request,
  scale: scaleOutput,
  previous: z.object({ timeline: timelineSchema }).optional(),
});
export const checkScaleOutput = z.object({
  done: z.boolean(),
  services: z.array(
    z.object({ name: z.string(), desired: z.number(), running: z.number(), deployments: z.number() }),
  ),
  timeline: timelineSchema,
});

// ── shift-traffic ───────────────────────────────────────────────────────────────────────
export const shiftInput = z.object({ request });
export const shiftOutput = z.object({
  records: z.array(
    z.object({
      name: z.string(),
      /** waiting: a health-check record, which its own health checks move (nothing was sent). */
      action: z.enum(['changed', 'already', 'waiting']),
      /** A record-upsert change batch; null for the data-plane modes and records already there. */
      changeId: z.string().nullable(),
    }),
  ),
  startedAt: z.string(),
  deadline: z.string(),
  /** Largest TTL among the shifted records: clients may keep the old answer this long. */
  maxTtlSeconds: z.number().int(),
  /** Dry run: `changed` means a real run would change the record; no batch was sent (changeId null). */
  dryRun: z.literal(true).optional(),
  timeline: timelineSchema,
});
export const checkTrafficInput = z.object({
  request,
  shift: shiftOutput,
  previous: z.object({ timeline: timelineSchema }).optional(),
});
/** What the authoritative name servers answered for one record (src/dns-answers/decision.ts). */
export const recordAnswersSchema = z.object({
  name: z.string(),
  verdict: z.enum(['target', 'source', 'both', 'unknown']),
  target: z.number().int(),
  source: z.number().int(),
  other: z.number().int(),
  empty: z.number().int(),
  silent: z.array(z.string()),
  unrecognised: z.array(z.string()),
}) satisfies z.ZodType<RecordAnswers>;
export const checkTrafficOutput = z.object({
  /** The change batches are INSYNC (when GetChange answers) and the name servers answer the target only. */
  inSync: z.boolean(),
  /** The last poll's answers per record; absent after a dry run, which asks nothing. */
  answers: z.array(recordAnswersSchema).optional(),
  timeline: timelineSchema,
});

// ── verify-target ───────────────────────────────────────────────────────────────────────
export const verifyTargetInput = z.object({
  request,
  /**
   * assess-recovery's last verdict when the execution is rolling forward (the writer moved after a
   * failure): then every service running at least one task serves, and what is short is reported
   * rather than refused (partial capacity beats a fenced, empty region).
   */
  recovery: z.object({ decision: z.string() }).passthrough().nullable().optional(),
});
export const verifyTargetOutput = z.object({
  healthy: z.literal(true),
  verifiedAt: z.string(),
  /** Rolling forward: services serving below the plan's activeCount, "name running/active". */
  capacityShort: z.array(z.string()).optional(),
  checks: z.array(readinessCheckSchema),
  timeline: timelineSchema,
});

export type VerifyFailureInput = z.infer<typeof verifyFailureInput>;
export type VerifyFailureOutput = z.infer<typeof verifyFailureOutput>;
export type CheckReadinessOutput = z.infer<typeof checkReadinessOutput>;
export type FenceOutput = z.infer<typeof fenceOutput>;
export type PromoteOutput = z.infer<typeof promoteOutput>;
export type PromotedDatabase = z.infer<typeof promotedDatabaseSchema>;
export type CheckPromotionInput = z.infer<typeof checkPromotionInput>;
export type CheckPromotionOutput = z.infer<typeof checkPromotionOutput>;
export type ScaleOutput = z.infer<typeof scaleOutput>;
export type CheckScaleInput = z.infer<typeof checkScaleInput>;
export type CheckScaleOutput = z.infer<typeof checkScaleOutput>;
export type ShiftOutput = z.infer<typeof shiftOutput>;
export type CheckTrafficInput = z.infer<typeof checkTrafficInput>;
export type CheckTrafficOutput = z.infer<typeof checkTrafficOutput>;
export type VerifyTargetOutput = z.infer<typeof verifyTargetOutput>;
